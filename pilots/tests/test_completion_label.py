"""Issue 28, point 12: the pilot is completed by the office reporting its summary to the committee (试点总结及时报
市委改革委), and its diagram, next steps and timeline say so; none shows a committee approval that never happens."""

import datetime

import pytest

from pilots import services
from pilots.models import Pilot
from pilots.tests.experience_factories import approved_pilot
from workflow.services import record
from workflow.ui.diagram import next_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    """A pilot the committee approved (in planning), made through the application services."""
    return approved_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


def test_an_evaluating_pilot_waits_on_the_offices_summary_report_and_its_timeline_says_who_completed_it(
    pilot,
    committee_member,
    office_reviewer,
    county_nanhu,
    login,
):
    pilot = services.start_term(
        pilot,
        cause_log=record(pilot, "plan.approve", actor=committee_member, role="committee"),
        approved_at=datetime.date(2024, 1, 2),
    )
    pilot = services.begin_evaluation(pilot, cause_log=record(pilot, "pilot.term_ended", actor=None, role="system"))
    steps = {s["name"]: (s["label"], s["role_label"]) for s in next_steps(pilot)}
    assert steps["complete"] == ("市委改革办报送试点总结，试点完成", "市委改革办")
    page = login(county_nanhu).get(pilot.get_absolute_url()).content.decode()
    assert "市委改革办报送试点总结，试点完成" in page and "试点总结通过" not in page

    report = record(pilot, "evaluation.report", actor=office_reviewer, role="reform_office", to_state="reported")
    pilot = services.complete(pilot, cause_log=report)
    assert pilot.status == Pilot.Status.COMPLETED
    page = login(county_nanhu).get(pilot.get_absolute_url()).content.decode()
    assert '<li data-action="pilot.complete">' in page
    assert "系统:市委改革办报送试点总结，试点完成" in page and "依据：王改革" in page
    assert "试点总结通过" not in page
