"""The plan's way from the pre-filled draft to the committee's approval, which starts the pilot's term."""

import datetime

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from accounts.models import Unit
from pilots.models import Pilot
from reviews.plans import services
from reviews.plans.models import CONSULTATION, Plan, PlanTask
from reviews.tests.factories import MEETING, filled_plan
from workflow.engine.errors import WorkflowError
from workflow.models import Opinion, TransitionLog, Version

pytestmark = pytest.mark.django_db


def _consult(plan, organiser, *invitees):
    return services.open_consultation(
        actor=organiser,
        plan=plan,
        invitees=list(invitees),
        due=timezone.localdate() + datetime.timedelta(days=7),
        comment="请于一周内反馈意见。",
    )


def test_the_plan_starts_pre_filled_from_the_approved_application(pilot, county_nanhu):
    plan = services.start_plan(actor=county_nanhu, pilot=pilot)
    app = pilot.application
    assert (plan.goals, plan.schedule, plan.safeguards) == (app.goals, app.schedule, app.safeguards)
    assert [t.content for t in plan.tasks.all()] == ["建立数据授权运营机制", "推进跨部门业务协同", "完善安全与合规评估"]
    assert plan.status == Plan.Status.DRAFT and plan.county == pilot.county
    assert services.start_plan(actor=county_nanhu, pilot=pilot) == plan  # one plan per pilot


def test_only_the_pilot_county_starts_its_plan(pilot, county_xiuzhou, office_reviewer):
    from django.core.exceptions import PermissionDenied

    for user in (county_xiuzhou, office_reviewer):
        with pytest.raises(PermissionDenied):
            services.start_plan(actor=user, pilot=pilot)


def test_submit_is_refused_while_the_legality_review_is_missing_and_the_message_names_it(county_nanhu, pilot):
    plan = filled_plan(county_nanhu, pilot, legality=False)
    with pytest.raises(WorkflowError) as err:
        services.submit_plan(actor=county_nanhu, plan=plan)
    assert "合法性审查" in err.value.message and "风险评估" not in err.value.message
    assert "合法性审查结论" in err.value.message and "附件" in err.value.message
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_submit_is_refused_without_either_section(county_nanhu, pilot):
    plan = filled_plan(county_nanhu, pilot, sections=False)
    with pytest.raises(WorkflowError) as err:
        services.submit_plan(actor=county_nanhu, plan=plan)
    assert "风险评估" in err.value.message and "合法性审查" in err.value.message


def test_the_whole_way_consultation_return_answers_resubmission_approval_starts_the_term(
    plan, county_nanhu, guidance_data, finance_dept, expert_user, office_reviewer, committee_member, settings
):
    settings.PILOT_TERM_YEARS = 2
    plan = services.submit_plan(actor=county_nanhu, plan=plan)
    assert (
        plan.status == Plan.Status.SUBMITTED
        and Version.objects.filter(object_id=plan.pk, content_type__model="plan").count() == 1
    )

    plan = _consult(plan, guidance_data, Unit.objects.get(code="md-finance"), expert_user)
    assert plan.status == Plan.Status.CONSULTING and plan.consult_unit.code == "gu-data"
    opinions = list(Opinion.objects.for_object(plan).filter(purpose=CONSULTATION))
    assert len(opinions) == 2
    with pytest.raises(WorkflowError, match="尚未答复"):
        services.close_consultation(actor=guidance_data, plan=plan)

    first_task = plan.tasks.first()
    services.give_opinion(
        actor=finance_dept,
        opinion=opinions[0],
        verdict="agree_after_changes",
        text="建议明确资金保障。",
        remarks={first_task.key: "请补充办法出台的具体时间节点。"},
    )
    services.give_opinion(actor=expert_user, opinion=opinions[1], verdict="agree", text="方案可行。")
    plan = services.close_consultation(actor=guidance_data, plan=plan)
    assert plan.status == Plan.Status.OFFICE_REVIEW

    plan = services.review_plan(actor=office_reviewer, plan=plan, name="return_to_county", comment="请答复意见。")
    assert plan.status == Plan.Status.RETURNED
    with pytest.raises(WorkflowError, match="2条征求意见未答复"):
        services.submit_plan(actor=county_nanhu, plan=plan)
    for opinion, decision in zip(opinions, ("adopted", "not_adopted"), strict=True):
        services.answer_opinion(
            actor=county_nanhu, plan=plan, opinion_id=opinion.pk, decision=decision, reason="已按意见修改。"
        )
    rows = [
        {"key": first_task.key, "content": first_task.content + "（6月底前）", "responsible_unit": "区数据局"},
        {"key": "", "content": "设立数据授权运营专项资金", "responsible_unit": "区财政局"},
    ]
    plan = services.save_plan(actor=county_nanhu, plan=plan, data={"safeguards": "设立专项资金。"}, tasks=rows)
    plan = services.submit_plan(actor=county_nanhu, plan=plan)
    assert plan.status == Plan.Status.OFFICE_REVIEW  # consulted already: straight back to the office
    v2 = Version.objects.get(object_id=plan.pk, content_type__model="plan", number=2)
    assert v2.data["rows"][0]["key"] == first_task.key and len(v2.data["rows"]) == 2

    plan = services.review_plan(actor=office_reviewer, plan=plan, name="pass_to_committee")
    assert plan.status == Plan.Status.COMMITTEE_REVIEW
    with pytest.raises(WorkflowError, match="会议届次"):
        services.decide_plan(actor=committee_member, plan=plan, name="approve", meeting_ref="")
    plan = services.decide_plan(actor=committee_member, plan=plan, name="approve", meeting_ref=MEETING)
    assert plan.status == Plan.Status.APPROVED and plan.meeting_ref == MEETING
    pilot = Pilot.objects.get(pk=plan.pilot_id)
    today = timezone.localdate()
    assert pilot.status == Pilot.Status.IMPLEMENTING
    assert pilot.term_start == today and pilot.term_end == today.replace(year=today.year + 2)
    cause = TransitionLog.objects.get(content_type__model="pilot", object_id=pilot.pk, action="pilot.start")
    assert cause.details["cause"]["action"] == "plan.approve"
    # 一季度一报: the approval itself creates the report of every quarter of the two-year term (8 or 9 quarters).
    reports = django_apps.get_model("reports", "QuarterlyReport").objects.filter(pilot=pilot)
    assert 8 <= reports.count() <= 9


def test_the_office_records_the_approval_on_the_committees_behalf(
    plan, county_nanhu, guidance_data, office_reviewer, finance_dept
):
    plan = services.submit_plan(actor=county_nanhu, plan=plan)
    plan = _consult(plan, guidance_data, Unit.objects.get(code="md-finance"))
    services.give_opinion(
        actor=finance_dept, opinion=Opinion.objects.for_object(plan).get(), verdict="agree", text="同意。"
    )
    plan = services.close_consultation(actor=guidance_data, plan=plan)
    plan = services.review_plan(actor=office_reviewer, plan=plan, name="pass_to_committee")
    plan = services.decide_plan(actor=office_reviewer, plan=plan, name="approve_on_behalf", meeting_ref=MEETING)
    log = TransitionLog.objects.get(content_type__model="plan", object_id=plan.pk, action="plan.approve_on_behalf")
    assert log.role == "reform_office" and log.details["on_behalf_of"] == "committee" and "代为录入" in log.comment
    assert Pilot.objects.get(pk=plan.pilot_id).status == Pilot.Status.IMPLEMENTING


def test_the_special_group_may_organise_the_consultation_and_the_office_may_send_it_back(
    plan, county_nanhu, sg_digital, office_reviewer, finance_dept
):
    plan = services.submit_plan(actor=county_nanhu, plan=plan)
    plan = _consult(plan, sg_digital, Unit.objects.get(code="md-finance"))
    assert plan.consult_role == "special_group"
    services.give_opinion(
        actor=finance_dept, opinion=Opinion.objects.for_object(plan).get(), verdict="disagree", text="不同意。"
    )
    plan = services.close_consultation(actor=sg_digital, plan=plan)
    with pytest.raises(WorkflowError, match="理由"):
        services.review_plan(actor=office_reviewer, plan=plan, name="back_to_consultation")
    plan = services.review_plan(
        actor=office_reviewer, plan=plan, name="back_to_consultation", comment="请再征求财政意见。"
    )
    assert plan.status == Plan.Status.CONSULTING


def test_saving_keeps_task_keys_and_refuses_edits_after_submission(plan, county_nanhu):
    keys = list(plan.tasks.values_list("key", flat=True))
    rows = [
        {"key": keys[1], "content": "建设公共数据授权运营平台", "result_form": "platform"},
        {"key": keys[0], "content": "建立公共数据授权运营机制"},
    ]
    plan = services.save_plan(actor=county_nanhu, plan=plan, data={}, tasks=rows)
    assert list(plan.tasks.values_list("key", flat=True)) == [keys[1], keys[0]]
    assert PlanTask.objects.filter(plan=plan).count() == 2
    plan = services.submit_plan(actor=county_nanhu, plan=plan)
    with pytest.raises(WorkflowError, match="不能修改"):
        services.save_plan(actor=county_nanhu, plan=plan, data={"goals": "x"}, tasks=None)
