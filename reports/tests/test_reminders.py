"""Daily reminders with a frozen clock: before and on the due date to the county, overdue to the office; each once,
whoever runs the job and however often; each a system entry in the report's log."""

import datetime

import pytest

from reports.monitoring import reminders, services
from reports.monitoring.models import QuarterlyReport, ReminderSent
from reports.tasks import send_report_reminders
from reports.tests.factories import fill
from workflow.models import Notification, TransitionLog, WorkItem

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 4, 15)  # 2026 Q1 ends 03-31, due 15 days later


@pytest.fixture
def q1(pilot, settings):
    settings.REPORT_DUE_DAYS = 15
    return QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=1)


def told(user, kind):
    return Notification.objects.filter(recipient=user, log__action=f"quarterly_report.reminder_{kind}").count()


def test_county_is_reminded_before_and_on_the_due_date_office_told_when_overdue(
    q1, county_nanhu, office_reviewer, clock
):
    clock.set(DUE - datetime.timedelta(days=10))
    assert send_report_reminders.delay().get() == {"before": 0, "due": 0, "overdue": 0}
    clock.set(DUE - datetime.timedelta(days=3))
    assert reminders.send_reminders()["before"] == 1
    assert told(county_nanhu, "before") == 1 and told(office_reviewer, "before") == 0
    clock.set(DUE)
    assert reminders.send_reminders()["due"] == 1
    assert told(county_nanhu, "due") == 1
    clock.set(DUE + datetime.timedelta(days=1))
    assert reminders.send_reminders()["overdue"] == 1
    assert told(office_reviewer, "overdue") == 1 and told(county_nanhu, "overdue") == 0
    logs = TransitionLog.objects.filter(object_id=q1.pk, action__startswith="quarterly_report.reminder_")
    assert sorted(log.action.rsplit("_", 1)[1] for log in logs) == ["before", "due", "overdue"]
    assert all(log.actor_id is None and log.role == "system" for log in logs)
    # The county's work item is overdue in 我的待办.
    item = WorkItem.objects.for_object(q1).open().get()
    assert item.due_at < datetime.datetime.combine(DUE + datetime.timedelta(days=1), datetime.time(9)).astimezone()


def test_each_reminder_is_sent_once_across_reruns_and_two_beats(q1, county_nanhu, clock):
    clock.set(DUE - datetime.timedelta(days=2))
    assert reminders.send_reminders()["before"] == 1
    for _ in range(3):  # the next days, a retry, a second beat
        clock.set(DUE - datetime.timedelta(days=1))
        assert reminders.send_reminders()["before"] == 0
    assert told(county_nanhu, "before") == 1
    assert ReminderSent.objects.filter(report=q1).count() == 1


def test_a_key_taken_by_another_beat_between_select_and_insert_sends_nothing(q1, county_nanhu, clock, monkeypatch):
    clock.set(DUE)
    real_claim = reminders.claim

    def racing_claim(kind, ids, now):
        ReminderSent.objects.create(report_id=ids[0], kind=kind)  # the other beat committed first
        return real_claim(kind, ids, now)

    monkeypatch.setattr(reminders, "claim", racing_claim)
    assert reminders.send_reminders()["due"] == 0
    assert told(county_nanhu, "due") == 0


def test_a_failed_batch_leaves_no_key_and_the_retry_sends_it(q1, county_nanhu, clock, monkeypatch):
    clock.set(DUE)
    real = Notification.objects.bulk_create

    def broken(*args, **kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(Notification.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        reminders.send_reminders()
    assert not ReminderSent.objects.exists()
    monkeypatch.setattr(Notification.objects, "bulk_create", real)
    assert reminders.send_reminders()["due"] == 1
    assert told(county_nanhu, "due") == 1


def test_a_submitted_report_is_not_reminded(q1, county_nanhu, clock):
    clock.set(DUE - datetime.timedelta(days=4))
    services.submit_report(actor=county_nanhu, report=fill(county_nanhu, q1))
    clock.set(DUE + datetime.timedelta(days=3))
    sent = reminders.send_reminders()
    assert sent["before"] == sent["due"] == 0
    assert not ReminderSent.objects.filter(report=q1).exists()


def test_batches_cover_every_report(q1, county_nanhu, clock):
    clock.set(DUE + datetime.timedelta(days=400))  # five quarters overdue by now
    assert reminders.send_reminders(batch_size=2)["overdue"] == 5
