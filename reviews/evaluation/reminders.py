"""The daily reminders of self-evaluations, as the quarterly reports have theirs (reports/reminders.py): before and
on the due date to the county, an overdue notice to the office. The self-evaluation is due ``SELF_EVALUATION_DAYS``
after the term's end (``evaluation_services.self_evaluation_due``), and it is overdue until first submitted.

Each reminder is sent once: its ``SelfEvaluationReminder(self_evaluation, kind)`` row is inserted with ON CONFLICT DO
NOTHING in the same transaction as its log row and notifications, so a retried task or a second beat sends nothing
twice (a rolled-back batch leaves no key: the next run sends it). Rows are read in keyset batches of ids."""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from reviews.evaluation.models import SelfEvaluation, SelfEvaluationReminder
from workflow.engine.log import record_many
from workflow.engine.outbox import email_status_for
from workflow.models import SYSTEM_ROLE, Notification

K = SelfEvaluationReminder.Kind
EVALUATING = "evaluating"  # only a pilot still in 总结评估 owes its self-evaluation (not one terminated meanwhile)


def days_before():
    return settings.SELF_EVALUATION_REMINDER_DAYS


def windows(today):
    """The due dates each kind covers today: ``before`` the whole run-up (a day the beat missed is caught up),
    ``overdue`` every past due date."""
    return {
        K.BEFORE: Q(due_on__gt=today, due_on__lte=today + datetime.timedelta(days=days_before())),
        K.DUE: Q(due_on=today),
        K.OVERDUE: Q(due_on__lt=today),
    }


def owed(kind, today):
    """Self-evaluations never submitted whose ``kind`` of reminder is due today and not sent yet."""
    return (
        SelfEvaluation.objects.filter(windows(today)[kind], first_submitted_on__isnull=True)
        .filter(pilot__status=EVALUATING)
        .exclude(Exists(SelfEvaluationReminder.objects.filter(self_evaluation=OuterRef("pk"), kind=kind)))
    )


def overdue(today=None):
    """The self-evaluations overdue today: never submitted, past their due date (what the office follows)."""
    today = today or timezone.localdate()
    return SelfEvaluation.objects.filter(first_submitted_on__isnull=True, due_on__lt=today, pilot__status=EVALUATING)


def claim(kind, ids, now):
    """Insert the keys of ``ids`` for ``kind``; return the ids this run won (the others were sent already)."""
    if not ids:
        return []
    table = connection.ops.quote_name(SelfEvaluationReminder._meta.db_table)
    rows = ", ".join(["(%s, %s, %s)"] * len(ids))
    params = [p for pk in ids for p in (pk, kind, now)]
    with connection.cursor() as cursor:
        # Only the model's table name and placeholders are formatted in; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {table} (self_evaluation_id, kind, sent_at) VALUES {rows} "  # noqa: S608
            "ON CONFLICT (self_evaluation_id, kind) DO NOTHING RETURNING self_evaluation_id",
            params,
        )
        return [r[0] for r in cursor.fetchall()]


def _recipients(kind, county_ids, office):
    if kind == K.OVERDUE:
        return office
    by_county = {}
    members = Membership.objects.filter(unit_id__in=county_ids, role=Role.COUNTY, user__is_active=True)
    for m in members.select_related("user"):
        by_county.setdefault(m.unit_id, []).append(m.user)
    return by_county


def _send_batch(kind, rows, now, office):
    """One transaction: claim the keys, then a system log row and the notifications of each self-evaluation won."""
    with transaction.atomic():
        won = set(claim(kind, [pk for pk, _c, _d in rows], now))
        if not won:
            return 0
        mine = [(pk, county, due) for pk, county, due in rows if pk in won]
        recipients = _recipients(kind, {c for _p, c, _d in mine}, office)
        action = f"self_evaluation.se_reminder_{kind}"
        logs = record_many(
            [(SelfEvaluation(pk=pk), action, {"kind": kind, "due_on": due.isoformat()}) for pk, _county, due in mine],
            actor=None,
            role=SYSTEM_ROLE,
        )
        notes = []
        for (pk, county, _due), log in zip(mine, logs, strict=True):
            users = recipients if kind == K.OVERDUE else recipients.get(county, [])
            url = reverse("reviews:self_evaluation", args=[pk])
            notes += [Notification(recipient=u, log=log, url=url, email_status=email_status_for(u)) for u in users]
        # E-mails go out with the outbox's periodic sweep (workflow.tasks.deliver_pending).
        Notification.objects.bulk_create(notes, batch_size=1000)
    return len(won)


def send_reminders(today=None, batch_size=1000):
    """Send today's self-evaluation reminders; return ``{kind: number sent}``."""
    today = today or timezone.localdate()
    now = timezone.now()
    office = [
        m.user for m in Membership.objects.filter(role=Role.REFORM_OFFICE, user__is_active=True).select_related("user")
    ]
    sent = {}
    for kind in (K.BEFORE, K.DUE, K.OVERDUE):
        sent[kind], last = 0, 0
        while True:
            rows = list(
                owed(kind, today)
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "county_id", "due_on")[:batch_size]
            )
            if not rows:
                break
            last = rows[-1][0]
            sent[kind] += _send_batch(kind, rows, now, office)
    return sent
