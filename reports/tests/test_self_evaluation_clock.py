"""试点期满后，县做好自评: the day after the term ends the pilot's clock opens the county's self-evaluation, in its
我的待办, due SELF_EVALUATION_DAYS after the term's end, a date fixed then (starting late never moves it)."""

import datetime

import pytest
from django.urls import reverse

from pilots.models import Pilot
from reports.monitoring import clock as pilot_clock
from reports.monitoring.clock import close_ended_terms
from reviews.evaluation.services import ensure_default_criteria_set
from workflow.engine.errors import WorkflowError
from workflow.models import Notification, TransitionLog, WorkItem

pytestmark = pytest.mark.django_db
TERM_END = datetime.date(2028, 2, 10)  # the report factories' pilot: approved 2026-02-10, two years


@pytest.fixture(autouse=True)
def _criteria(settings):
    settings.SELF_EVALUATION_DAYS = 30
    ensure_default_criteria_set()  # a transactional test elsewhere may have flushed the data migration's rows


def self_evaluation(pilot):
    return Pilot.objects.get(pk=pilot.pk).self_evaluation


def test_the_clock_opens_the_self_evaluation_in_the_countys_todo_list_due_30_days_after_the_term(
    pilot, county_nanhu, clock, login
):
    clock.set(TERM_END + datetime.timedelta(days=1))
    assert close_ended_terms() == 1
    se = self_evaluation(pilot)
    assert se.status == "draft" and se.created_by is None
    assert se.due_on == TERM_END + datetime.timedelta(days=30)
    assert se.task_results.count() == 2 and se.self_scores.count() == 5  # pre-filled as when the county starts it
    created = TransitionLog.objects.get(action="self_evaluation.created", object_id=se.pk)
    assert created.role == "system" and created.actor_id is None
    assert created.details["cause"]["log"] == TransitionLog.objects.get(action="pilot.term_ended").pk
    item = WorkItem.objects.open_for(county_nanhu).get(workflow="self_evaluation")
    assert item.action == "submit" and item.unit_id == pilot.county_id
    assert item.due_at.date() == se.due_on and item.url == se.get_absolute_url()
    assert Notification.objects.filter(recipient=county_nanhu, log=created).exists()
    todo = login(county_nanhu).get(reverse("inbox")).content.decode()
    assert se.get_absolute_url() in todo and "提交自评" in todo


def test_a_late_clock_or_a_late_start_never_moves_the_due_date(pilot, county_nanhu, clock):
    clock.set(TERM_END + datetime.timedelta(days=25))  # beat stopped for weeks: the due date is still the term's
    close_ended_terms()
    se = self_evaluation(pilot)
    assert se.due_on == TERM_END + datetime.timedelta(days=30)
    clock.set(TERM_END + datetime.timedelta(days=40))
    close_ended_terms()  # nothing opened twice, nothing moved
    assert self_evaluation(pilot).pk == se.pk and self_evaluation(pilot).due_on == se.due_on


def test_a_failed_opening_never_holds_the_clock_and_the_net_opens_it_later(pilot, clock, monkeypatch):
    def broken(*args, **kwargs):
        raise WorkflowError("尚未设置默认的评估指标体系，请联系系统管理员在后台设置。")

    monkeypatch.setattr(pilot_clock, "open_self_evaluation", broken)
    monkeypatch.setattr(pilot_clock, "open_missing_self_evaluations", broken)
    clock.set(TERM_END + datetime.timedelta(days=1))
    assert close_ended_terms() == 1  # the pilot moved to evaluation all the same
    assert Pilot.objects.get(pk=pilot.pk).status == "evaluating"
    assert not TransitionLog.objects.filter(action="self_evaluation.created").exists()
    monkeypatch.undo()
    clock.set(TERM_END + datetime.timedelta(days=2))
    assert close_ended_terms() == 0  # no term ended today, but the net opens the missing self-evaluation
    assert self_evaluation(pilot).due_on == TERM_END + datetime.timedelta(days=30)


def test_the_county_finds_it_opened_and_no_one_else_edits_it(
    pilot, county_nanhu, county_xiuzhou, sg_digital, login, clock
):
    clock.set(TERM_END + datetime.timedelta(days=1))
    close_ended_terms()
    se = self_evaluation(pilot)
    edit = reverse("reviews:self_evaluation_edit", args=[se.pk])
    assert login(county_nanhu).get(edit).status_code == 200
    assert login(county_xiuzhou).get(edit).status_code == 404
    assert login(sg_digital).get(edit).status_code == 404  # the group reads it once it is submitted
    page = login(county_nanhu).get(reverse("reviews:evaluation_list")).content.decode()
    assert 'data-testid="start-self-evaluation"' not in page  # nothing to start: it is open already
