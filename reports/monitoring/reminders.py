"""The daily reminders of quarterly reports: before and on the due date to the county, overdue to the office.

Each reminder is sent once: its ``ReminderSent(report, kind)`` row is inserted with ON CONFLICT DO NOTHING in the
same transaction as its log row and notifications, so a retried task, a restarted worker or a second beat started
by mistake finds the key taken and sends nothing (a rolled-back batch leaves no key: the next run sends it).
Reports are read in keyset batches of ids (``pk > last``), so time grows with the reminders due, memory does not.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from reports.monitoring.models import QuarterlyReport, ReminderSent
from workflow.engine.log import record_many
from workflow.engine.outbox import email_status_for
from workflow.models import SYSTEM_ROLE, Notification

K = ReminderSent.Kind
# Reports of pilots in these stages are still owed (an evaluating pilot still owes its last quarters).
OWING_STAGES = ("implementing", "extended", "evaluating")


def days_before():
    return getattr(settings, "REPORT_REMINDER_DAYS_BEFORE", 5)


def windows(today):
    """The due dates each kind of reminder covers today. ``before`` covers the whole run-up, so a day the beat
    missed is caught up on the next; ``overdue`` covers every past due date."""
    return {
        K.BEFORE: Q(due_on__gt=today, due_on__lte=today + datetime.timedelta(days=days_before())),
        K.DUE: Q(due_on=today),
        K.OVERDUE: Q(due_on__lt=today),
    }


def owed(kind, today):
    return (
        QuarterlyReport.objects.filter(windows(today)[kind], first_submitted_on__isnull=True)
        .filter(pilot__status__in=OWING_STAGES)
        .exclude(Exists(ReminderSent.objects.filter(report=OuterRef("pk"), kind=kind)))
    )


def claim(kind, ids, now):
    """Insert the keys of ``ids`` for ``kind``; return the ids this run won (the others were sent already)."""
    if not ids:
        return []
    table = connection.ops.quote_name(ReminderSent._meta.db_table)
    rows = ", ".join(["(%s, %s, %s)"] * len(ids))
    params = [p for pk in ids for p in (pk, kind, now)]
    with connection.cursor() as cursor:
        # Only the model's table name and placeholders are formatted in; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {table} (report_id, kind, sent_at) VALUES {rows} "  # noqa: S608
            "ON CONFLICT (report_id, kind) DO NOTHING RETURNING report_id",
            params,
        )
        return [r[0] for r in cursor.fetchall()]


def _recipients(kind, county_ids, office):
    """``{county_id: [users]}`` for the county reminders, or the office's users for the overdue notice."""
    if kind == K.OVERDUE:
        return office
    by_county = {}
    members = Membership.objects.filter(unit_id__in=county_ids, role=Role.COUNTY, user__is_active=True)
    for m in members.select_related("user"):
        by_county.setdefault(m.unit_id, []).append(m.user)
    return by_county


def _send_batch(kind, rows, now, office):
    """One transaction: claim the keys, then a system log row and the notifications of each report won, each kind
    of row written in one batch."""
    with transaction.atomic():
        won = set(claim(kind, [pk for pk, _c, _d in rows], now))
        if not won:
            return 0
        mine = [(pk, county, due) for pk, county, due in rows if pk in won]
        recipients = _recipients(kind, {c for _p, c, _d in mine}, office)
        # One chained batch of system log rows (one head lock, one insert), then one insert of notifications.
        logs = record_many(
            [
                (QuarterlyReport(pk=pk), f"quarterly_report.reminder_{kind}", {"kind": kind, "due_on": due.isoformat()})
                for pk, _county, due in mine
            ],
            actor=None,
            role=SYSTEM_ROLE,
        )
        notes = []
        for (pk, county, _due), log in zip(mine, logs, strict=True):
            users = recipients if kind == K.OVERDUE else recipients.get(county, [])
            url = reverse("reports:detail", args=[pk])
            notes += [Notification(recipient=u, log=log, url=url, email_status=email_status_for(u)) for u in users]
        # E-mails go out with the outbox's periodic sweep (workflow.tasks.deliver_pending): no message per row.
        Notification.objects.bulk_create(notes, batch_size=1000)
    return len(won)


def send_reminders(today=None, batch_size=1000):
    """Send today's reminders; return ``{kind: number sent}``."""
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
