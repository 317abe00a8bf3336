"""The reminder and clock jobs on a real Redis broker and a real Celery worker process (CI's service pass):
the same reminder job sent twice at once (two beats started by mistake) sends each reminder once; the clock job moves
an ended term to evaluation as the system. The worker runs on the real date, so the data is set around today."""

import datetime
import time

import pytest
from django.db import connection
from django.utils import timezone

from pilots.models import Pilot
from reports.models import QuarterlyReport, ReminderSent
from reports.tasks import close_ended_terms, send_report_reminders
from tests.test_outbox_redis import _use_broker, _wait, broker, worker  # noqa: F401 (fixtures)
from workflow.models import Notification, TransitionLog

from .factories import implementing_pilot

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_beats_send_each_reminder_once_and_the_clock_moves_an_ended_term(
    broker,  # noqa: F811
    worker,  # noqa: F811
    monkeypatch,
    county_nanhu,
    county_xiuzhou,
    office_reviewer,
    committee_member,
    sg_digital,
):
    today = timezone.localdate()
    running = implementing_pilot(
        county_nanhu, office_reviewer, committee_member, sg_digital, start=today - datetime.timedelta(days=200)
    )
    ended = implementing_pilot(
        county_xiuzhou,
        office_reviewer,
        committee_member,
        sg_digital,
        start=today.replace(year=today.year - 2) - datetime.timedelta(days=3),
        candidate_title="第二个试点",
    )
    owed = QuarterlyReport.objects.filter(pilot=running, due_on__lt=today).count()
    assert owed >= 1
    _use_broker(monkeypatch, broker.url)
    connection.close()
    send_report_reminders.apply_async()
    send_report_reminders.apply_async()  # a second beat started by mistake
    _wait(
        lambda: ReminderSent.objects.filter(report__pilot=running, kind="overdue").count() == owed,
        "the overdue notices",
        120,
    )
    close_ended_terms.apply_async()
    _wait(lambda: Pilot.objects.get(pk=ended.pk).status == "evaluating", "the clock job", 120)
    time.sleep(2)  # let a second run finish if it were to send anything
    assert ReminderSent.objects.filter(report__pilot=running, kind="overdue").count() == owed
    notices = Notification.objects.filter(recipient=office_reviewer, log__action="quarterly_report.reminder_overdue")
    assert notices.filter(log__object_id__in=QuarterlyReport.objects.filter(pilot=running).values("pk")).count() == owed
    log = TransitionLog.objects.get(object_id=ended.pk, action="pilot.evaluate")
    assert log.actor_id is None and log.role == "system"
