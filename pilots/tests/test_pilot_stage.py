"""The pilot's stage follows its records (no office button), and the office assigns its guidance unit."""

import datetime

import pytest
from django.urls import reverse

from applications import services as app_services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from pilots import services
from pilots.models import Pilot
from workflow.conventions.opinions import opinion_give
from workflow.engine.errors import WorkflowError
from workflow.models import Assignment, TransitionLog
from workflow.services import available_actions, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    batch = open_batch(office_reviewer)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    app = app_services.submit_application(actor=county_nanhu, application=app)
    app = app_services.review_application(actor=office_reviewer, application=app, name="request_opinion")
    opinion_give(actor=sg_digital, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
    app = app_services.review_application(actor=office_reviewer, application=app, name="recommend")
    app = app_services.decide_application(
        actor=committee_member, application=app, name="approve", meeting_ref="市委改革委第3次会议"
    )
    return app.pilot


def _cause(obj, user, action="plan.approve"):
    """A log row of the record that causes the pilot's step (the plan or extension app does not exist yet)."""
    return record(obj, action, actor=user, role="committee", to_state="approved")


def _log(pilot, action):
    return TransitionLog.objects.get(object_id=pilot.pk, content_type__model="pilot", action=action)


def test_plan_approval_starts_the_term_from_the_setting_and_logs_its_cause(
    pilot, committee_member, settings, office_reviewer
):
    settings.PILOT_TERM_YEARS = 3
    cause = _cause(pilot.application, committee_member)
    started = services.start_term(pilot, cause_log=cause, approved_at=datetime.date(2024, 2, 29))
    assert started.status == Pilot.Status.IMPLEMENTING
    assert (started.term_start, started.term_end) == (datetime.date(2024, 2, 29), datetime.date(2027, 2, 28))
    log = _log(pilot, "pilot.start")
    assert (log.role, log.actor, log.from_state, log.to_state) == ("system", None, "planning", "implementing")
    assert log.details["cause"]["log"] == cause.pk and log.details["cause"]["action"] == "plan.approve"
    assert log.details["cause"]["object"] == f"applications.application:{pilot.application_id}"
    assert "依据" in log.comment and "陈委员" in log.comment


def test_an_approved_extension_moves_the_end_and_an_accepted_summary_completes(pilot, committee_member):
    pilot = services.start_term(pilot, cause_log=_cause(pilot, committee_member), approved_at=datetime.date(2025, 1, 1))
    with pytest.raises(WorkflowError, match="须晚于当前期满日期"):
        services.extend_term(pilot, new_end=datetime.date(2026, 6, 1), cause_log=_cause(pilot, committee_member))
    pilot.refresh_from_db()
    assert (pilot.status, pilot.term_end) == (Pilot.Status.IMPLEMENTING, datetime.date(2027, 1, 1))

    extension = _cause(pilot, committee_member, "extension.approve")
    pilot = services.extend_term(pilot, new_end=datetime.date(2027, 7, 1), cause_log=extension)
    assert (pilot.status, pilot.term_end) == (Pilot.Status.EXTENDED, datetime.date(2027, 7, 1))
    assert _log(pilot, "pilot.extend").details["cause"]["action"] == "extension.approve"

    pilot = services.begin_evaluation(pilot, cause_log=_cause(pilot, committee_member, "evaluation.submit"))
    pilot = services.complete(pilot, cause_log=_cause(pilot, committee_member, "summary.accept"))
    assert pilot.status == Pilot.Status.COMPLETED
    assert _log(pilot, "pilot.complete").details["cause"]["action"] == "summary.accept"


def test_nobody_moves_a_pilots_stage_by_hand_only_the_committee_terminates(
    pilot, office_reviewer, committee_member, county_nanhu, login
):
    assert available_actions(pilot, office_reviewer) == []
    assert [t.name for t in available_actions(pilot, committee_member)] == ["terminate"]
    page = login(office_reviewer).get(pilot.get_absolute_url()).content.decode()
    assert 'data-testid="actions"' not in page and "action-start" not in page
    for name in ("start", "extend", "evaluate", "complete"):
        response = login(office_reviewer).post(reverse("pilots:pilot_act", args=[pilot.pk]), {"name": name})
        assert response.status_code == 403
    assert (
        login(county_nanhu).post(reverse("pilots:pilot_act", args=[pilot.pk]), {"name": "terminate"}).status_code == 403
    )
    response = login(committee_member).post(
        reverse("pilots:pilot_act", args=[pilot.pk]),
        {"name": "terminate", "comment": "", "expected_state": "planning"},
    )
    assert response.status_code == 400  # a termination needs its reason
    response = login(committee_member).post(
        reverse("pilots:pilot_act", args=[pilot.pk]),
        {"name": "terminate", "comment": "县里改革任务调整。", "expected_state": "planning"},
    )
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.status == Pilot.Status.TERMINATED


def test_the_office_changes_the_guidance_unit_and_visibility_follows(
    pilot, office_reviewer, guidance_data, make_user, units, login, county_nanhu
):
    other_unit = next(u for code, u in units.items() if u.kind == "guidance_unit" and code != "gu-data")
    other_guide = make_user("guide_other", other_unit.code)
    assert login(guidance_data).get(pilot.get_absolute_url()).status_code == 200
    assert login(other_guide).get(pilot.get_absolute_url()).status_code == 404

    url = reverse("pilots:pilot_guidance", args=[pilot.pk])
    assert login(county_nanhu).post(url, {"unit": other_unit.pk}).status_code == 403
    assert login(guidance_data).post(url, {"unit": other_unit.pk}).status_code == 403
    assert login(office_reviewer).post(url, {"unit": "x"}).status_code == 400  # not a unit: message, no change
    response = login(office_reviewer).post(url, {"unit": other_unit.pk, "comment": "按分工调整。"})
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.guidance_unit == other_unit
    log = _log(pilot, "pilot.guidance_unit_assigned")
    assert (log.actor, log.details["from"], log.details["to"]) == (office_reviewer, units["gu-data"].pk, other_unit.pk)
    assert "指定牵头指导单位" in log.sentence and log.comment == "按分工调整。"
    assert login(other_guide).get(pilot.get_absolute_url()).status_code == 200
    assert login(other_guide).get(pilot.application.get_absolute_url()).status_code == 200  # the page's link works
    assert login(guidance_data).get(pilot.get_absolute_url()).status_code == 404
    guides = Assignment.objects.for_object(pilot).filter(role="guidance_unit")
    assert list(guides.filter(active=True).values_list("unit", flat=True)) == [other_unit.pk]
    assert list(guides.filter(active=False).values_list("unit", flat=True)) == [units["gu-data"].pk]
    assert not Pilot.objects.visible_to(guidance_data).filter(pk=pilot.pk).exists()


def test_the_guidance_form_is_the_offices_only(pilot, office_reviewer, committee_member, login):
    assert 'data-testid="guidance-unit"' in login(office_reviewer).get(pilot.get_absolute_url()).content.decode()
    assert 'data-testid="guidance-unit"' not in login(committee_member).get(pilot.get_absolute_url()).content.decode()
