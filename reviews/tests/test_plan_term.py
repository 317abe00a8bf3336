"""试点期限原则上为2年: the committee sets the pilot's term when it approves the plan; the default needs nothing, any
other term is a recorded exception whose reason is shown on the pilot and the plan and kept in the audit."""

import datetime

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit
from pilots.models import Pilot
from pilots.services import add_months
from reviews.models import Plan
from reviews.plans import services
from reviews.tests.factories import MEETING
from workflow.engine.errors import WorkflowError
from workflow.models import Opinion, TransitionLog

pytestmark = pytest.mark.django_db
REASON = "数据确权涉及省级改革事项，需与省试点同步，期限定为18个月。"


@pytest.fixture
def at_committee(plan, county_nanhu, guidance_data, office_reviewer, finance_dept):
    """The plan consulted on and passed by the office: it waits for the committee's approval."""
    plan = services.submit_plan(actor=county_nanhu, plan=plan)
    plan = services.open_consultation(
        actor=guidance_data,
        plan=plan,
        invitees=[Unit.objects.get(code="md-finance")],
        due=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.give_opinion(
        actor=finance_dept, opinion=Opinion.objects.for_object(plan).get(), verdict="agree", text="同意。"
    )
    plan = services.close_consultation(actor=guidance_data, plan=plan)
    return services.review_plan(actor=office_reviewer, plan=plan, name="pass_to_committee")


def pilot_of(plan):
    return Pilot.objects.get(pk=plan.pilot_id)


def test_the_default_term_needs_no_reason_and_is_no_exception(at_committee, committee_member, settings):
    settings.PILOT_TERM_YEARS = 2
    plan = services.decide_plan(actor=committee_member, plan=at_committee, name="approve", meeting_ref=MEETING)
    pilot = pilot_of(plan)
    assert pilot.term_end == add_months(pilot.term_start, 24) and pilot.term_exception == ""
    log = TransitionLog.objects.get(action="plan.approve")
    assert log.details["term_months"] == 24 and "term_exception" not in log.details


def test_another_term_is_refused_without_a_reason_then_recorded_with_it(at_committee, committee_member):
    with pytest.raises(WorkflowError, match=r"18个月与默认的24个月不同.*请填写理由") as err:
        services.decide_plan(
            actor=committee_member, plan=at_committee, name="approve", meeting_ref=MEETING, term_months=18
        )
    assert err.value.status == 400 and err.value.field == "term_reason"
    assert Plan.objects.get(pk=at_committee.pk).status == Plan.Status.COMMITTEE_REVIEW

    plan = services.decide_plan(
        actor=committee_member,
        plan=at_committee,
        name="approve",
        meeting_ref=MEETING,
        term_months=18,
        term_reason=REASON,
    )
    pilot = pilot_of(plan)
    assert pilot.term_end == add_months(pilot.term_start, 18) and pilot.term_exception == REASON
    # the audit: the committee's decision and the pilot's start both carry the term and its reason
    decision = TransitionLog.objects.get(action="plan.approve")
    assert decision.details["term_months"] == 18 and decision.details["term_exception"] == REASON
    assert REASON in decision.comment and "18个月" in decision.comment
    start = TransitionLog.objects.get(action="pilot.start", object_id=pilot.pk)
    assert start.details["term_exception"] == REASON and REASON in start.comment
    # 一季度一报 over the 18 months the committee set (6 or 7 quarters), not over two years
    reports = django_apps.get_model("reports", "QuarterlyReport").objects.filter(pilot=pilot)
    assert 6 <= reports.count() <= 7


@pytest.mark.parametrize("months", ["0", "121", "一年半", "-3"])
def test_a_term_that_is_not_1_to_120_months_is_refused_with_a_message(at_committee, committee_member, months):
    with pytest.raises(WorkflowError, match="1至120之间的整数") as err:
        services.decide_plan(
            actor=committee_member,
            plan=at_committee,
            name="approve",
            meeting_ref=MEETING,
            term_months=months,
            term_reason=REASON,
        )
    assert err.value.status == 400


def test_a_return_by_the_committee_ignores_the_term(at_committee, committee_member):
    plan = services.decide_plan(
        actor=committee_member,
        plan=at_committee,
        name="committee_return",
        meeting_ref=MEETING,
        comment="请细化任务。",
        term_months=7,
    )
    assert plan.status == Plan.Status.RETURNED and "term_months" not in TransitionLog.objects.latest("id").details


def test_the_term_is_set_by_url_by_the_committee_and_refused_to_the_county(
    at_committee, committee_member, county_nanhu, login
):
    url = reverse("reviews:act", args=[at_committee.pk])
    form = {"name": "approve", "expected_state": "committee_review", "meeting_ref": MEETING, "term_months": "36"}
    client = login(county_nanhu)
    assert client.post(url, {**form, "term_reason": REASON}).status_code == 403
    client = login(committee_member)
    page = client.get(reverse("reviews:detail", args=[at_committee.pk])).content.decode()
    assert 'name="term_months"' in page and 'value="24"' in page and 'name="term_reason"' in page
    refused = client.post(url, form)
    assert refused.status_code == 400 and "属于例外情形，请填写理由" in refused.content.decode()
    assert client.post(url, {**form, "term_months": "三年"}).status_code == 400
    assert client.post(url, {**form, "term_reason": REASON}).status_code == 302
    pilot = pilot_of(at_committee)
    assert pilot.term_end == add_months(pilot.term_start, 36)
    for page in (
        client.get(reverse("pilots:pilot_detail", args=[pilot.pk])),
        client.get(reverse("reviews:detail", args=[at_committee.pk])),
    ):
        assert 'data-testid="term-exception"' in page.content.decode() and REASON in page.content.decode()


def test_the_office_recording_on_the_committees_behalf_sets_the_term_too(at_committee, office_reviewer, login):
    client = login(office_reviewer)
    page = client.get(reverse("reviews:detail", args=[at_committee.pk])).content.decode()
    assert 'name="term_months"' in page  # the office's 代为录入 approves, so it sets the term
    response = client.post(
        reverse("reviews:act", args=[at_committee.pk]),
        {
            "name": "approve_on_behalf",
            "expected_state": "committee_review",
            "meeting_ref": MEETING,
            "term_months": "12",
            "term_reason": REASON,
        },
    )
    assert response.status_code == 302
    pilot = pilot_of(at_committee)
    assert pilot.term_end == add_months(pilot.term_start, 12) and pilot.term_exception == REASON


def test_the_term_fields_are_asked_only_where_an_approval_is_possible(plan, county_nanhu, office_reviewer, login):
    services.submit_plan(actor=county_nanhu, plan=plan)
    page = login(office_reviewer).get(reverse("reviews:detail", args=[plan.pk])).content.decode()
    assert 'name="term_months"' not in page


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 4, 30)
    assert add_months(datetime.date(2024, 2, 29), 24) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 18) == datetime.date(2028, 5, 15)
