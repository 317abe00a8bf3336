"""The seed's rules for applications, as the county and the office meet them."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application
from pilots.models import Pilot
from workflow.conventions.opinions import opinion_give
from workflow.engine.errors import WorkflowError
from workflow.models import TransitionLog, Version

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(office_reviewer):
    return open_batch(office_reviewer)


@pytest.fixture
def candidate(office_reviewer, batch):
    return listed_candidate(office_reviewer, batch)


def _to_recommended(app, county, office, group):
    app = services.submit_application(actor=county, application=app)
    app = services.review_application(actor=office, application=app, name="request_opinion")
    opinion_give(actor=group, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
    return services.review_application(actor=office, application=app, name="recommend")


def test_second_application_in_the_same_batch_is_refused_with_the_seed_rule(
    county_nanhu, office_reviewer, candidate, batch, login
):
    filled_application(county_nanhu, candidate)
    other = listed_candidate(
        office_reviewer, batch, title="强村富民集成改革", group="sg-rural", guide="gu-agri", area="rural"
    )
    with pytest.raises(WorkflowError, match="同一批次最多申报一个项目"):
        services.start_application(actor=county_nanhu, candidate=other)
    response = login(county_nanhu).post(reverse("applications:start"), {"candidate": other.pk})
    assert response.status_code == 409
    assert "同一批次最多申报一个项目" in response.content.decode()
    assert Application.objects.filter(county__code="nanhu").count() == 1


def test_the_database_refuses_two_live_applications_even_behind_the_services_back(county_nanhu, candidate, units):
    app = filled_application(county_nanhu, candidate)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            batch=app.batch,
            candidate=candidate,
            county=units["nanhu"],
            created_by=county_nanhu,
            project_name="重复",
            area="digital",
        )


def test_a_withdrawn_application_frees_the_batch_for_the_county(county_nanhu, candidate):
    app = filled_application(county_nanhu, candidate)
    services.withdraw_application(actor=county_nanhu, application=app)
    again = services.start_application(actor=county_nanhu, candidate=candidate)
    assert again.status == Application.Status.DRAFT


def test_a_county_running_a_pilot_does_not_apply(
    county_nanhu, office_reviewer, committee_member, sg_digital, candidate, batch
):
    app = _to_recommended(filled_application(county_nanhu, candidate), county_nanhu, office_reviewer, sg_digital)
    services.decide_application(actor=committee_member, application=app, name="approve", meeting_ref="第3次会议")
    second_batch = open_batch(office_reviewer, name="2026年第二批")
    other = listed_candidate(office_reviewer, second_batch, title="第二批项目")
    with pytest.raises(WorkflowError, match="正在开展集成改革试点"):
        services.start_application(actor=county_nanhu, candidate=other)


def test_the_database_refuses_a_second_running_pilot_for_a_county(
    county_nanhu, office_reviewer, committee_member, sg_digital, candidate
):
    app = _to_recommended(filled_application(county_nanhu, candidate), county_nanhu, office_reviewer, sg_digital)
    app = services.decide_application(actor=committee_member, application=app, name="approve", meeting_ref="第3次会议")
    with pytest.raises(IntegrityError), transaction.atomic():
        Pilot.objects.create(
            title="x",
            county=app.county,
            batch=app.batch,
            candidate=candidate,
            application=app,
            area="digital",
            special_group=candidate.lead_group,
        )


def test_no_submission_outside_the_window(county_nanhu, candidate, batch, office_reviewer):
    app = filled_application(county_nanhu, candidate)
    from pilots.services import update_batch

    update_batch(
        actor=office_reviewer,
        batch=batch,
        data={
            "window_closes_at": timezone.now() - timedelta(minutes=1),
            "window_opens_at": timezone.now() - timedelta(days=5),
        },
    )
    with pytest.raises(WorkflowError, match="不在申报时间内"):
        services.submit_application(actor=county_nanhu, application=app)
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT


def test_a_closed_batch_takes_no_new_application(county_nanhu, candidate, batch, office_reviewer):
    from pilots.services import batch_act

    batch_act(actor=office_reviewer, batch=batch, name="close")
    with pytest.raises(WorkflowError, match="不在申报时间内"):
        services.start_application(actor=county_nanhu, candidate=candidate)


def test_only_listed_candidates_can_be_applied_for(county_nanhu, office_reviewer, batch, units):
    from pilots.services import propose_candidate

    proposed = propose_candidate(
        actor=office_reviewer,
        data={
            "batch": batch,
            "title": "未列入项目",
            "area": "digital",
            "lead_group": units["sg-digital"],
            "guidance_unit": None,
            "description": "x",
        },
    )
    with pytest.raises(WorkflowError, match="已列入候选名单"):
        services.start_application(actor=county_nanhu, candidate=proposed)


def test_submit_with_missing_fields_keeps_the_draft_and_names_each_field(county_nanhu, candidate):
    app = services.start_application(actor=county_nanhu, candidate=candidate)
    app = services.save_draft(actor=county_nanhu, application=app, data={"goals": "已写好的目标"})
    with pytest.raises(WorkflowError) as err:
        services.submit_application(actor=county_nanhu, application=app)
    assert err.value.status == 400
    assert "提交前请填写“改革基础”" in err.value.errors["reform_foundation"][0]
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT and app.goals == "已写好的目标"


def test_full_path_creates_the_pilot_and_logs_every_step(
    county_nanhu, office_reviewer, committee_member, sg_digital, candidate
):
    app = filled_application(county_nanhu, candidate)
    app = services.submit_application(actor=county_nanhu, application=app)
    app = services.review_application(
        actor=office_reviewer, application=app, name="return_to_county", comment="请细化任务清单。"
    )
    app = services.save_draft(actor=county_nanhu, application=app, data={"main_tasks": "细化后的任务清单"})
    app = _to_recommended(app, county_nanhu, office_reviewer, sg_digital)
    app = services.decide_application(actor=committee_member, application=app, name="approve", meeting_ref="第3次会议")
    pilot = app.pilot
    assert pilot.status == Pilot.Status.PLANNING
    assert (pilot.county, pilot.special_group, pilot.guidance_unit) == (
        app.county,
        candidate.lead_group,
        candidate.guidance_unit,
    )
    actions = list(
        TransitionLog.objects.filter(object_id=app.pk, content_type__model="application").values_list(
            "action", "role", "from_state", "to_state"
        )
    )
    assert ("application.return_to_county", "reform_office", "submitted", "returned") in actions
    assert ("application.approve", "committee", "recommended", "approved") in actions
    returned = TransitionLog.objects.get(action="application.return_to_county")
    assert returned.comment == "请细化任务清单。" and returned.actor == office_reviewer
    assert returned.unit.code == "reform-office"
    assert Version.objects.filter(object_id=app.pk).count() == 2


def test_recommendation_waits_for_the_special_groups_opinion(county_nanhu, office_reviewer, candidate):
    app = services.submit_application(actor=county_nanhu, application=filled_application(county_nanhu, candidate))
    app = services.review_application(actor=office_reviewer, application=app, name="request_opinion")
    with pytest.raises(WorkflowError, match="意见尚未全部答复"):
        services.review_application(actor=office_reviewer, application=app, name="recommend")


def test_rejection_needs_a_reason_and_a_meeting(county_nanhu, office_reviewer, committee_member, sg_digital, candidate):
    app = _to_recommended(filled_application(county_nanhu, candidate), county_nanhu, office_reviewer, sg_digital)
    with pytest.raises(WorkflowError, match="请填写理由"):
        services.decide_application(actor=committee_member, application=app, name="reject", meeting_ref="第3次会议")
    with pytest.raises(WorkflowError, match="会议"):
        services.decide_application(
            actor=committee_member, application=app, name="reject", meeting_ref="", comment="不符合集成改革要求"
        )
    app = services.decide_application(
        actor=committee_member, application=app, name="reject", meeting_ref="第3次会议", comment="不符合集成改革要求"
    )
    assert app.status == Application.Status.REJECTED and not Pilot.objects.exists()


def test_status_cannot_be_written_directly(county_nanhu, candidate):
    app = filled_application(county_nanhu, candidate)
    with pytest.raises(AttributeError):
        app.status = Application.Status.APPROVED
    with pytest.raises(PermissionError):
        Application.objects.filter(pk=app.pk).update(status=Application.Status.APPROVED)
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT
