"""Self-evaluation → evaluation by named evaluators → summary reported → pilot completed, through the services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pilots.models import Pilot
from reviews.evaluation import services
from reviews.evaluation.models import CriteriaSet, Evaluation, SelfEvaluation
from reviews.tests.evaluation_factories import (
    OVERVIEW,
    accepted,
    evaluating_pilot,
    filled_self_evaluation,
    implementing_pilot,
    score_all,
)
from workflow.engine.errors import WorkflowError
from workflow.models import Assignment, Notification, TransitionLog, WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def evaluation(county_nanhu, office_reviewer, pilot):
    return accepted(county_nanhu, office_reviewer, pilot)


@pytest.fixture
def evaluators(evaluation, office_reviewer, sg_digital, guidance_data, expert_user):
    """The pilot's special group and guidance unit (evaluators from the start) and the expert the office names."""
    services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    return [sg_digital, guidance_data, expert_user]


def test_the_data_migration_seeds_a_default_set_summing_to_100():
    # Run the migration's own function on an empty table (a flushing test earlier in the run may have emptied it).
    import importlib

    from django.apps import apps

    CriteriaSet.objects.all().delete()
    importlib.import_module("reviews.migrations.0003_default_criteria_set").seed(apps, None)
    criteria_set = CriteriaSet.objects.get(is_default=True)
    names = [c.name for c in criteria_set.criteria.all()]
    assert names == ["目标完成情况", "制度创新", "集成协同", "实际成效", "可复制推广"]
    assert sum(c.weight for c in criteria_set.criteria.all()) == 100


def test_self_evaluation_is_pre_filled_from_the_plan_and_the_last_report(county_nanhu, pilot):
    services.ensure_default_criteria_set()
    se = services.start_self_evaluation(actor=county_nanhu, pilot=pilot)
    rows = list(se.task_results.all())
    assert [r.task_content for r in rows] == [t.content for t in pilot.plan.tasks.all()]
    assert {r.percentage for r in rows} == {60}
    assert {r.result for r in rows} == {"管理办法已出台"}
    assert se.self_scores.count() == 5
    assert se.due_on is not None
    assert WorkItem.objects.for_object(se).open().get().unit_id == pilot.county_id
    assert services.start_self_evaluation(actor=county_nanhu, pilot=pilot) == se  # one per pilot


def test_only_the_pilots_county_starts_and_only_when_evaluating(
    county_nanhu, county_xiuzhou, office_reviewer, committee_member, sg_digital, pilot
):
    with pytest.raises(PermissionDenied):
        services.start_self_evaluation(actor=county_xiuzhou, pilot=pilot)
    other = implementing_pilot(
        county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="数据要素市场化配置改革"
    )
    with pytest.raises(WorkflowError, match="尚未进入总结评估阶段"):
        services.start_self_evaluation(actor=county_xiuzhou, pilot=other)


def test_a_broken_default_set_is_refused_with_its_reason(county_nanhu, pilot):
    criteria_set = services.ensure_default_criteria_set()
    criteria_set.criteria.filter(order=1).update(weight=Decimal(25))
    with pytest.raises(WorkflowError, match="合计应为100，当前为95"):
        services.start_self_evaluation(actor=county_nanhu, pilot=pilot)


def test_submit_names_what_is_missing_then_office_returns_with_reason_and_accepts(county_nanhu, office_reviewer, pilot):
    services.ensure_default_criteria_set()
    se = services.start_self_evaluation(actor=county_nanhu, pilot=pilot)
    with pytest.raises(WorkflowError, match=r"试点任务总体完成情况.*目标完成情况"):
        services.submit_self_evaluation(actor=county_nanhu, self_evaluation=se)
    with pytest.raises(WorkflowError, match="0至100"):
        services.save_self_evaluation(
            actor=county_nanhu,
            self_evaluation=se,
            data={},
            scores={se.self_scores.first().criterion_id: ("101", "")},
        )
    se = filled_self_evaluation(county_nanhu, pilot)
    se = services.submit_self_evaluation(actor=county_nanhu, self_evaluation=se)
    assert se.status == SelfEvaluation.Status.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.review_self_evaluation(actor=county_nanhu, self_evaluation=se, name="accept")
    with pytest.raises(WorkflowError, match="请填写理由"):
        services.review_self_evaluation(actor=office_reviewer, self_evaluation=se, name="return_to_county")
    se = services.review_self_evaluation(
        actor=office_reviewer, self_evaluation=se, name="return_to_county", comment="请补充制度成果。"
    )
    assert se.status == SelfEvaluation.Status.RETURNED
    assert Notification.objects.filter(recipient=county_nanhu, log__action="self_evaluation.return_to_county").exists()
    se = services.submit_self_evaluation(actor=county_nanhu, self_evaluation=se)
    se = services.review_self_evaluation(actor=office_reviewer, self_evaluation=se, name="accept")
    assert se.status == SelfEvaluation.Status.ACCEPTED
    assert se.evaluation.status == Evaluation.Status.SCORING
    assert se.overview == OVERVIEW


def test_the_group_and_the_guidance_unit_evaluate_from_the_start_and_the_office_adds_experts(
    guidance_data, sg_digital, evaluation, office_reviewer, sg_economy, expert_user, evaluators, pilot
):
    units = evaluation.sheets.filter(evaluator=None)
    assert {(s.role, s.unit_id) for s in units} == {
        ("special_group", pilot.special_group_id),
        ("guidance_unit", pilot.guidance_unit_id),
    }
    assert Assignment.objects.for_object(evaluation).filter(active=True, purpose="evaluator").count() == 3
    items = WorkItem.objects.for_object(evaluation).open().filter(derived=False)
    assert {(i.unit_id, i.user_id) for i in items} == {
        (pilot.special_group_id, None),
        (pilot.guidance_unit_id, None),
        (None, expert_user.pk),
    }
    for user in (sg_digital, guidance_data):  # in their 我的待办 and told through the outbox
        assert WorkItem.objects.open_for(user).get().action == "score"
        assert Notification.objects.filter(recipient=user, log__action="evaluation.created").exists()
    assert Notification.objects.filter(recipient=expert_user, log__action="evaluation.evaluators_assigned").exists()
    with pytest.raises(WorkflowError, match="只能指定专家为评估人员"):
        services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[sg_economy.pk])
    with pytest.raises(WorkflowError, match="只能指定专家为评估人员"):
        services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[sg_digital.pk])
    with pytest.raises(WorkflowError, match="已是本次评估的评估人员"):
        services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    with pytest.raises(PermissionDenied):
        services.assign_evaluators(actor=sg_digital, evaluation=evaluation, user_ids=[expert_user.pk])
    with pytest.raises(PermissionDenied):  # another group is no evaluator of this pilot
        score_all(evaluation, sg_economy, 80)


def test_completing_without_the_group_or_the_guidance_unit_is_refused(
    evaluation, office_reviewer, evaluators, sg_digital, guidance_data, expert_user
):
    score_all(evaluation, expert_user, 90)
    with pytest.raises(WorkflowError, match="须参加评估（评分或提出意见）后才能完成评估，尚缺：市数字化改革") as err:
        services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    assert err.value.status == 400 and err.value.message.endswith("、市数据局。")
    score_all(evaluation, sg_digital, 80)
    with pytest.raises(WorkflowError, match="尚缺：市数据局。"):
        services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    # the guidance unit gives its opinion without scoring: it took part, and counts in no total
    with pytest.raises(WorkflowError, match="请填写评估意见"):
        services.submit_scores(actor=guidance_data, evaluation=evaluation, scores={}, opinion_only=True)
    services.submit_scores(
        actor=guidance_data,
        evaluation=evaluation,
        scores={},
        comment="同意评估意见，建议总结数据授权运营经验。",
        opinion_only=True,
    )
    done = services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    assert done.total == Decimal("85.00")  # (90 + 80) / 2: the opinion is not a score
    sheet = done.sheets.get(role="guidance_unit")
    assert sheet.opinion_only and sheet.submitted_by == guidance_data and not sheet.scores.exists()
    assert "市数据局评估意见：同意评估意见" in services.initial_summary(done)


def test_an_expert_must_score_and_a_pilot_without_guidance_unit_cannot_be_completed(
    county_xiuzhou, office_reviewer, committee_member, sg_digital, expert_user
):
    pilot = evaluating_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital)
    Pilot.objects.filter(pk=pilot.pk).update(guidance_unit=None)  # a candidate listed without a guidance unit
    evaluation = accepted(county_xiuzhou, office_reviewer, pilot)
    assert list(evaluation.sheets.values_list("role", flat=True)) == ["special_group"]
    services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    with pytest.raises(WorkflowError, match="专家须对各项评估指标打分"):
        services.submit_scores(actor=expert_user, evaluation=evaluation, scores={}, comment="意见", opinion_only=True)
    score_all(evaluation, expert_user, 80)
    score_all(evaluation, sg_digital, 80)
    with pytest.raises(WorkflowError, match=r"市级牵头指导单位（本试点尚未指定）"):
        services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)


def test_completion_names_who_has_not_scored_then_computes_total_and_grade(
    evaluation, office_reviewer, evaluators, county_nanhu
):
    sg, guide, expert = evaluators
    with pytest.raises(PermissionDenied):
        score_all(evaluation, county_nanhu, 90)
    score_all(evaluation, sg, 92)
    score_all(evaluation, guide, 88)
    with pytest.raises(WorkflowError, match="尚未评分：周专家"):
        services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    criteria = list(evaluation.criteria_set.criteria.all())
    with pytest.raises(WorkflowError) as err:
        services.submit_scores(
            actor=expert, evaluation=evaluation, scores={criteria[0].pk: ("90", "")}
        )  # every criterion needs its score
    assert f"score-{criteria[1].pk}" in err.value.errors

    def office_items():  # a fresh queryset each time: open_for reads "now" when it is built
        return WorkItem.objects.open_for(office_reviewer).filter(workflow="evaluation")

    assert not office_items().exists()  # 完成评估 is not the office's to do while an evaluator has not scored
    score_all(evaluation, expert, "90.01")
    assert not WorkItem.objects.for_object(evaluation).open().filter(derived=False).exists()
    assert office_items().get().action == "complete"
    assert Notification.objects.filter(recipient=office_reviewer, log__action="evaluation.score").count() == 1
    done = services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    assert done.status == Evaluation.Status.SCORED
    assert done.total == Decimal("90.00")  # (92 + 88 + 90.01) / 3 = 90.0033…
    assert done.grade == "excellent"
    log = TransitionLog.objects.get(action="evaluation.complete")
    assert log.details["total"] == "90.00"


def test_an_evaluator_may_not_be_removed_after_scoring(evaluation, office_reviewer, evaluators, make_user):
    sg, _guide, expert = evaluators
    second = make_user("expert_two", "think-tank", full_name="吴专家")
    services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[second.pk])
    score_all(evaluation, expert, 80)
    with pytest.raises(WorkflowError, match="已评分"):
        services.remove_evaluator(actor=office_reviewer, evaluation=evaluation, user_id=expert.pk)
    with pytest.raises(WorkflowError, match="不是本次评估的评估人员"):  # the group evaluates as a unit, always
        services.remove_evaluator(actor=office_reviewer, evaluation=evaluation, user_id=sg.pk)
    services.remove_evaluator(actor=office_reviewer, evaluation=evaluation, user_id=second.pk)
    assert not evaluation.sheets.filter(evaluator=second).exists()
    assert not Evaluation.objects.visible_to(second).exists()
    assert not WorkItem.objects.for_object(evaluation).open().filter(user=second).exists()


def test_summary_report_completes_the_pilot_in_the_same_transaction_and_committee_comments(
    evaluation, office_reviewer, evaluators, committee_member, county_nanhu
):
    for user in evaluators:
        score_all(evaluation, user, 85)
    evaluation = services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    with pytest.raises(WorkflowError, match="请先撰写"):
        services.report_summary(actor=office_reviewer, evaluation=evaluation)
    text = services.initial_summary(evaluation)
    assert (
        "综合得分85.00分" in text and "目标完成情况（权重30%）" in text and "“良好”" in text and "目标完成情况" in text
    )
    evaluation = services.save_summary(actor=office_reviewer, evaluation=evaluation, summary=text)
    with pytest.raises(WorkflowError, match="尚未报送"):
        services.comment_summary(actor=committee_member, evaluation=evaluation, comment="同意。")
    evaluation = services.report_summary(actor=office_reviewer, evaluation=evaluation)
    assert evaluation.status == Evaluation.Status.REPORTED
    pilot = Pilot.objects.get(pk=evaluation.pilot_id)
    assert pilot.status == Pilot.Status.COMPLETED
    cause = TransitionLog.objects.get(action="pilot.complete").details["cause"]
    assert cause["action"] == "evaluation.report"
    assert Notification.objects.filter(recipient=committee_member, log__action="evaluation.report").exists()
    with pytest.raises(PermissionDenied):
        services.comment_summary(actor=county_nanhu, evaluation=evaluation, comment="同意。")
    services.comment_summary(actor=committee_member, evaluation=evaluation, comment="同意，总结经验加以推广。")
    assert Notification.objects.filter(recipient=office_reviewer, log__action="evaluation.committee_commented").exists()


def test_a_failed_completion_of_the_pilot_rolls_the_report_back(evaluation, office_reviewer, evaluators, monkeypatch):
    for user in evaluators:
        score_all(evaluation, user, 70)
    evaluation = services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    evaluation = services.save_summary(actor=office_reviewer, evaluation=evaluation, summary="总结")

    def boom(pilot, *, cause_log):
        raise WorkflowError("试点状态已变化。")

    monkeypatch.setattr(services, "complete_pilot", boom)
    with pytest.raises(WorkflowError):
        services.report_summary(actor=office_reviewer, evaluation=evaluation)
    assert Evaluation.objects.get(pk=evaluation.pk).status == Evaluation.Status.SCORED


def test_the_refusals_each_say_why(county_nanhu, office_reviewer, pilot, sg_digital, guidance_data, committee_member):
    from reviews.evaluation.models import CriteriaSet

    CriteriaSet.objects.all().delete()
    with pytest.raises(WorkflowError, match="尚未设置默认的评估指标体系"):
        services.start_self_evaluation(actor=county_nanhu, pilot=pilot)
    criteria_set = services.ensure_default_criteria_set()
    assert services.ensure_default_criteria_set() == criteria_set
    se = services.start_self_evaluation(actor=county_nanhu, pilot=pilot)
    key = se.task_results.first().task_key
    for bad in ("abc", "101"):
        with pytest.raises(WorkflowError, match="完成比例应为0至100之间的整数"):
            services.save_self_evaluation(actor=county_nanhu, self_evaluation=se, data={}, tasks={key: (bad, "")})
    with pytest.raises(WorkflowError, match="没有这个操作"):
        services.review_self_evaluation(actor=office_reviewer, self_evaluation=se, name="approve")
    se = services.submit_self_evaluation(
        actor=county_nanhu, self_evaluation=filled_self_evaluation(county_nanhu, pilot)
    )
    evaluation = services.review_self_evaluation(actor=office_reviewer, self_evaluation=se, name="accept").evaluation
    with pytest.raises(WorkflowError, match="须参加评估"):
        services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    with pytest.raises(WorkflowError, match="请选择评估专家"):
        services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[])
    with pytest.raises(WorkflowError, match="不是本次评估的评估人员"):
        services.remove_evaluator(actor=office_reviewer, evaluation=evaluation, user_id=sg_digital.pk)
    with pytest.raises(WorkflowError, match="没有这个操作"):
        services.act(actor=office_reviewer, evaluation=evaluation, name="approve")
    with pytest.raises(WorkflowError, match="请填写意见"):
        services.comment_summary(actor=committee_member, evaluation=evaluation, comment=" ")
    criteria = list(evaluation.criteria_set.criteria.all())
    with pytest.raises(WorkflowError) as err:
        services.submit_scores(actor=sg_digital, evaluation=evaluation, scores={c.pk: ("九十", "") for c in criteria})
    assert "0至100之间的数字" in err.value.errors[f"score-{criteria[0].pk}"][0]
    # a weight changed in the set after the scoring began: completion names the broken rule
    score_all(evaluation, sg_digital, 80)
    score_all(evaluation, guidance_data, 80)
    criteria[0].weight = Decimal(10)
    criteria[0].save()
    with pytest.raises(WorkflowError, match="合计应为100，当前为80"):
        services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)


def test_institutional_results_reported_over_the_term_pre_fill_the_self_evaluation(county_nanhu, pilot):
    report = pilot.quarterly_reports.filter(status="submitted").get()
    services.ensure_default_criteria_set()
    report.results.create(
        order=1,
        title="公共数据授权运营管理办法",
        kind="policy",
        issuing_body="南湖区政府办",
        doc_number="南政办〔2026〕1号",
    )
    report.results.create(order=2, title="数据安全工作机制", kind="mechanism")
    se = services.start_self_evaluation(actor=county_nanhu, pilot=pilot)
    assert se.institutional_results == "公共数据授权运营管理办法（南湖区政府办，南政办〔2026〕1号）\n数据安全工作机制"


def test_the_reported_summary_waits_in_the_committees_todo_list_until_it_comments(
    client, evaluation, office_reviewer, evaluators, committee_member
):
    for user in evaluators:
        score_all(evaluation, user, 80)
    evaluation = services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    evaluation = services.save_summary(actor=office_reviewer, evaluation=evaluation, summary="试点总结。")
    assert not WorkItem.objects.open_for(committee_member).filter(object_id=evaluation.pk).exists()
    evaluation = services.report_summary(actor=office_reviewer, evaluation=evaluation)

    (item,) = WorkItem.objects.open_for(committee_member).filter(object_id=evaluation.pk)
    assert item.action == services.COMMENT_ITEM and item.role == "committee"
    client.force_login(committee_member)
    todo = client.get(reverse("inbox")).content.decode()
    assert "阅示试点总结" in todo and evaluation.get_absolute_url() in todo

    services.comment_summary(actor=committee_member, evaluation=evaluation, comment="同意，总结经验加以推广。")
    item.refresh_from_db()
    assert item.closed_at is not None and item.closed_by == committee_member
    assert item.closed_log.action == "evaluation.committee_commented"
    assert evaluation.get_absolute_url() not in client.get(reverse("inbox")).content.decode()
