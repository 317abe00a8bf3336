"""The self-evaluation's reminders and overdue marking, as the quarterly reports have theirs: before and on the due
date to the county, an overdue notice to the office, each once; the office sees the overdue ones in the list, the
county its own; the due date is the term's end + SELF_EVALUATION_DAYS whenever the self-evaluation is started."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pilots.services import terminate_pilot
from reviews.evaluation import reminders, services
from reviews.models import SelfEvaluation
from reviews.tasks import send_self_evaluation_reminders
from reviews.tests.evaluation_factories import evaluating_pilot, filled_self_evaluation
from workflow.models import Notification, TransitionLog

pytestmark = pytest.mark.django_db
TERM_END = datetime.date(2028, 2, 10)  # the evaluating pilot's term (approved 2026-02-10, two years)
DUE = TERM_END + datetime.timedelta(days=30)


@pytest.fixture
def clock(monkeypatch):
    def at(day):
        moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=timezone.get_default_timezone())
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return at


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital, settings):
    settings.SELF_EVALUATION_DAYS, settings.SELF_EVALUATION_REMINDER_DAYS = 30, 5
    services.ensure_default_criteria_set()
    return evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def opened(pilot):
    cause = TransitionLog.objects.filter(object_id=pilot.pk, action="pilot.evaluate").get()
    return services.open_self_evaluation(pilot, cause_log=cause)


def told(user, kind):
    return Notification.objects.filter(recipient=user, log__action=f"self_evaluation.se_reminder_{kind}").count()


def test_the_county_is_reminded_before_and_on_the_day_and_the_office_told_when_overdue(
    opened, county_nanhu, office_reviewer
):
    assert opened.due_on == DUE
    assert reminders.send_reminders(DUE - datetime.timedelta(days=10)) == {"before": 0, "due": 0, "overdue": 0}
    assert reminders.send_reminders(DUE - datetime.timedelta(days=3))["before"] == 1
    assert told(county_nanhu, "before") == 1 and told(office_reviewer, "before") == 0
    assert reminders.send_reminders(DUE)["due"] == 1 and told(county_nanhu, "due") == 1
    assert reminders.send_reminders(DUE + datetime.timedelta(days=1))["overdue"] == 1
    assert told(office_reviewer, "overdue") == 1 and told(county_nanhu, "overdue") == 0
    # each once, however often the job runs
    assert reminders.send_reminders(DUE + datetime.timedelta(days=2)) == {"before": 0, "due": 0, "overdue": 0}
    logs = TransitionLog.objects.filter(object_id=opened.pk, action__startswith="self_evaluation.se_reminder_")
    assert sorted(log.action.rsplit("_", 1)[1] for log in logs) == ["before", "due", "overdue"]
    assert all(log.actor_id is None and log.role == "system" for log in logs)
    note = Notification.objects.get(recipient=office_reviewer, log__action="self_evaluation.se_reminder_overdue")
    assert note.url == opened.get_absolute_url()


def test_the_job_runs_as_a_task_and_nothing_is_sent_for_a_submitted_one(
    opened, pilot, county_nanhu, office_reviewer, clock
):
    se = filled_self_evaluation(county_nanhu, pilot)
    se = services.submit_self_evaluation(actor=county_nanhu, self_evaluation=se)
    clock(DUE + datetime.timedelta(days=1))
    assert send_self_evaluation_reminders.delay().get() == {"before": 0, "due": 0, "overdue": 0}
    assert se.first_submitted_on is not None and se.timeliness() == SelfEvaluation.Timeliness.ON_TIME
    assert told(office_reviewer, "overdue") == 0


def test_overdue_is_marked_and_the_office_filters_the_overdue_ones_by_url(
    opened, pilot, county_nanhu, county_xiuzhou, office_reviewer, login, clock
):
    clock(DUE + datetime.timedelta(days=1))
    assert opened.timeliness() == SelfEvaluation.Timeliness.MISSING
    office = login(office_reviewer)
    missing = office.get(reverse("reviews:evaluation_list"), {"timeliness": "missing"}).content.decode()
    assert opened.get_absolute_url() in missing and 'data-timeliness="missing"' in missing
    on_time = office.get(reverse("reviews:evaluation_list"), {"timeliness": "on_time"}).content.decode()
    assert opened.get_absolute_url() not in on_time
    page = login(county_nanhu).get(opened.get_absolute_url()).content.decode()
    assert 'data-testid="overdue"' in page and "逾期未报" in page
    others = login(county_xiuzhou).get(reverse("reviews:evaluation_list")).content.decode()
    assert opened.get_absolute_url() not in others
    # submitted late: marked 逾期报送, no longer missing
    services.submit_self_evaluation(actor=county_nanhu, self_evaluation=filled_self_evaluation(county_nanhu, pilot))
    se = SelfEvaluation.objects.get(pk=opened.pk)
    assert se.timeliness() == SelfEvaluation.Timeliness.LATE and se.first_submitted_on == DUE + datetime.timedelta(1)
    office = login(office_reviewer)
    url = reverse("reviews:evaluation_list")
    assert se.get_absolute_url() in office.get(url, {"timeliness": "late"}).content.decode()
    assert se.get_absolute_url() not in office.get(url, {"timeliness": "missing"}).content.decode()


def test_a_county_starting_late_gets_the_terms_due_date(pilot, county_nanhu, clock):
    clock(TERM_END + datetime.timedelta(days=25))
    se = services.start_self_evaluation(actor=county_nanhu, pilot=pilot)
    assert se.due_on == DUE  # not 25 days later: the date is the term's
    assert TransitionLog.objects.get(action="self_evaluation.created").details["due_on"] == DUE.isoformat()


def test_a_terminated_pilots_self_evaluation_is_not_chased(opened, pilot, committee_member, office_reviewer):
    terminate_pilot(actor=committee_member, pilot=pilot, comment="改革任务调整，终止试点。")
    assert reminders.send_reminders(DUE + datetime.timedelta(days=1)) == {"before": 0, "due": 0, "overdue": 0}
    assert not reminders.overdue(DUE + datetime.timedelta(days=1)).exists()


def test_beat_sends_them_every_morning_after_the_reports(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-self-evaluation-reminders"]
    assert entry["task"] == send_self_evaluation_reminders.name == "reviews.send_self_evaluation_reminders"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {35})
