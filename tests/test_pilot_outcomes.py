"""What a pilot's real evaluation decides in the earlier stage's records (pilots): the bonus ledger (试点工作富有成效:
a promotion proposes points only once the evaluation reached BONUS_MIN_GRADE) and 容错免责 (a failed pilot may be
marked), through the services of both apps and by URL."""

import datetime

import pytest
from django.urls import reverse

from pilots import services as pilot_services
from pilots.experiences.models import BonusEntry
from pilots.tests.experience_factories import promote, published
from reviews.evaluation import services as evaluation_services
from reviews.tests.evaluation_factories import accepted, evaluating_pilot, score_all
from workflow.models import TransitionLog, WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(county_nanhu, office_reviewer, committee_member, sg_digital, guidance_data, expert_user):
    evaluation_services.ensure_default_criteria_set()
    pilot = evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    evaluation = accepted(county_nanhu, office_reviewer, pilot)
    evaluation_services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    return evaluation


def grade_all(evaluation, office, evaluators, score):
    for user in evaluators:
        score_all(evaluation, user, score)
    return evaluation_services.complete_evaluation(actor=office, evaluation=evaluation)


def line(promotion):
    return BonusEntry.objects.get(promotion=promotion, corrects=None)


def test_a_promotion_waits_for_the_evaluation_which_then_proposes_the_points(
    evaluation, office_reviewer, sg_digital, guidance_data, expert_user
):
    experience = published(office_reviewer, evaluation.pilot)
    waiting = line(promote(office_reviewer, experience, level="province", day=datetime.date(2026, 3, 1)))
    assert waiting.status == "awaiting" and "试点尚未完成评估" in waiting.note
    done = grade_all(evaluation, office_reviewer, [sg_digital, guidance_data, expert_user], 75)
    assert done.grade == "pass"  # BONUS_MIN_GRADE is 合格 by default
    proposed = BonusEntry.objects.get(pk=waiting.pk)
    assert proposed.status == "proposed" and "评估等次为“合格”，达到加分条件" in proposed.note
    cause = TransitionLog.objects.get(action="bonus.release", object_id=proposed.pk).details["cause"]
    assert cause["action"] == "evaluation.complete"
    assert WorkItem.objects.open().filter(object_id=proposed.pk, content_type__model="bonusentry").exists()


def test_a_higher_minimum_grade_withholds_a_pass(
    evaluation, office_reviewer, sg_digital, guidance_data, expert_user, settings
):
    settings.BONUS_MIN_GRADE = "good"
    grade_all(evaluation, office_reviewer, [sg_digital, guidance_data, expert_user], 75)
    entry = line(promote(office_reviewer, published(office_reviewer, evaluation.pilot), level="city"))
    assert entry.status == "withheld" and "未达到“良好”" in entry.note


def test_a_failed_pilot_gets_no_points_and_its_tolerance_mark_changes_none(
    evaluation, office_reviewer, committee_member, sg_digital, guidance_data, expert_user, login
):
    done = grade_all(evaluation, office_reviewer, [sg_digital, guidance_data, expert_user], 50)
    assert done.grade == "fail"
    entry = line(promote(office_reviewer, published(office_reviewer, evaluation.pilot), level="province"))
    assert entry.status == "withheld" and "不合格" in entry.note
    before = list(BonusEntry.objects.values_list("pk", "status", "points", "note"))
    pilot = evaluation.pilot
    page = login(committee_member).get(reverse("pilots:pilot_detail", args=[pilot.pk])).content.decode()
    assert 'data-testid="tolerance-form"' in page  # the evaluation failed: the committee may mark it
    response = login(committee_member).post(
        reverse("pilots:pilot_tolerance", args=[pilot.pk]),
        {"reason": "上位平台建设延期，主要任务未达预期，已及时纠错。", "meeting_ref": "市委改革委第7次会议"},
    )
    assert response.status_code == 302
    assert pilot_services.may_be_tolerated(type(pilot).objects.get(pk=pilot.pk)) is False  # marked once
    assert list(BonusEntry.objects.values_list("pk", "status", "points", "note")) == before


def test_a_pilot_that_passed_cannot_be_marked(
    evaluation, office_reviewer, committee_member, sg_digital, guidance_data, expert_user, login
):
    grade_all(evaluation, office_reviewer, [sg_digital, guidance_data, expert_user], 85)
    response = login(committee_member).post(
        reverse("pilots:pilot_tolerance", args=[evaluation.pilot_id]),
        {"reason": "理由", "meeting_ref": "第7次会议"},
    )
    assert response.status_code == 400 and "只有已终止或评估不合格的试点" in response.content.decode()
