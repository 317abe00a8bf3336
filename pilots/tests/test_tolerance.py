"""容错免责 (允许试错、包容失败): the committee marks a terminated or failed pilot, with a reason and its meeting;
the mark is shown on the pilot, audited, and never touches the bonus ledger. (A pilot whose real evaluation failed:
tests/test_pilot_outcomes.py; the dashboard: reports/tests/test_dashboard_tolerance.py.)"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pilots import services
from pilots.experiences.models import BonusEntry
from pilots.models import Pilot
from pilots.tests.experience_factories import approved_pilot, graded, promote, published
from workflow.engine.errors import WorkflowError
from workflow.models import Notification, TransitionLog

pytestmark = pytest.mark.django_db
REASON = "试点所涉上位政策调整，改革路径不再可行，已按程序及时纠错，符合容错免责情形。"
MEETING = "市委改革委第7次会议"


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return approved_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def terminated(pilot, committee_member):
    return services.terminate_pilot(actor=committee_member, pilot=pilot, comment="上位政策调整，终止试点。")


def mark(actor, pilot, reason=REASON, meeting_ref=MEETING):
    return services.mark_tolerance(actor=actor, pilot=pilot, reason=reason, meeting_ref=meeting_ref)


def test_the_committee_marks_a_terminated_pilot_with_its_reason_in_the_audit(
    terminated, committee_member, county_nanhu, guidance_data
):
    marked = mark(committee_member, terminated)
    assert marked.is_tolerated and marked.status == Pilot.Status.TERMINATED  # a mark, not a stage
    assert (marked.tolerance_reason, marked.tolerance_meeting_ref) == (REASON, MEETING)
    log = TransitionLog.objects.get(action="pilot.tolerance_marked", object_id=marked.pk)
    assert (log.actor, log.role, log.comment) == (committee_member, "committee", REASON)
    assert log.details["meeting_ref"] == MEETING and log.from_state == log.to_state == "terminated"
    assert Notification.objects.filter(recipient=county_nanhu, log=log).exists()
    assert Notification.objects.filter(recipient=guidance_data, log=log).exists()


def test_each_refusal_says_why(pilot, terminated, committee_member, office_reviewer, county_nanhu):
    with pytest.raises(PermissionDenied):
        mark(office_reviewer, terminated)
    with pytest.raises(PermissionDenied):
        mark(county_nanhu, terminated)
    with pytest.raises(WorkflowError, match="请填写容错免责的理由") as err:
        mark(committee_member, terminated, reason=" ")
    assert err.value.status == 400 and "meeting_ref" not in err.value.errors
    with pytest.raises(WorkflowError, match="会议届次") as err:
        mark(committee_member, terminated, meeting_ref="")
    assert err.value.status == 400
    mark(committee_member, terminated)
    with pytest.raises(WorkflowError, match="已认定容错免责") as err:
        mark(committee_member, terminated)
    assert err.value.status == 400


def test_a_running_pilot_or_one_that_passed_is_not_marked(
    monkeypatch, county_xiuzhou, office_reviewer, committee_member, sg_digital
):
    running = approved_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital)
    with pytest.raises(WorkflowError, match="只有已终止或评估不合格的试点") as err:
        mark(committee_member, running)
    assert err.value.status == 400 and not Pilot.objects.get(pk=running.pk).is_tolerated
    graded(monkeypatch, "pass")
    with pytest.raises(WorkflowError, match="只有已终止或评估不合格的试点"):
        mark(committee_member, running)
    graded(monkeypatch, "fail", worked=False, failed=True)  # its evaluation failed: it may be marked
    assert mark(committee_member, running).is_tolerated


def test_the_mark_never_touches_the_bonus_ledger(monkeypatch, pilot, office_reviewer, committee_member):
    graded(monkeypatch, "fail", worked=False, failed=True)
    promote(office_reviewer, published(office_reviewer, pilot), level="province")
    before = list(BonusEntry.objects.values_list("pk", "status", "points", "note"))
    assert [row[1] for row in before] == ["withheld"]
    mark(committee_member, pilot)
    assert list(BonusEntry.objects.values_list("pk", "status", "points", "note")) == before
    # and a later promotion of the marked pilot is still decided by its evaluation alone
    promote(office_reviewer, published(office_reviewer, pilot, "乙"), level="city")
    assert list(BonusEntry.objects.order_by("id").values_list("status", flat=True)) == ["withheld", "withheld"]


def test_by_url_the_committee_marks_from_the_pilots_page_and_other_roles_cannot(
    terminated, committee_member, office_reviewer, county_nanhu, county_xiuzhou, login
):
    url = reverse("pilots:pilot_tolerance", args=[terminated.pk])
    page = reverse("pilots:pilot_detail", args=[terminated.pk])
    form = {"reason": REASON, "meeting_ref": MEETING, "expected_state": "terminated"}
    assert 'data-testid="tolerance-form"' not in login(office_reviewer).get(page).content.decode()
    assert login(office_reviewer).post(url, form).status_code == 403
    assert login(county_nanhu).post(url, form).status_code == 403
    assert login(county_xiuzhou).post(url, form).status_code == 404  # not its pilot
    client = login(committee_member)
    assert client.get(url).status_code == 405
    assert 'data-testid="tolerance-form"' in client.get(page).content.decode()
    refused = client.post(url, {**form, "reason": ""})
    assert refused.status_code == 400 and "请填写容错免责的理由" in refused.content.decode()
    assert client.post(url, form).status_code == 302
    for user in (committee_member, office_reviewer, county_nanhu):
        html = login(user).get(page).content.decode()
        assert 'data-testid="tolerance"' in html and REASON in html and MEETING in html
        assert "认定容错免责" in html  # the timeline's sentence
    client = login(committee_member)  # one test client: log the committee in again
    html = client.get(page).content.decode()
    assert 'data-testid="tolerance-form"' not in html  # marked once
    again = client.post(url, form)
    assert again.status_code == 400 and "已认定容错免责" in again.content.decode()


def test_the_pilot_list_filters_by_the_mark(
    terminated, committee_member, county_xiuzhou, login, office_reviewer, sg_digital
):
    other = approved_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital)
    mark(committee_member, terminated)
    client = login(office_reviewer)
    marked = client.get(reverse("pilots:pilot_list"), {"tolerated": "1"}).content.decode()
    assert terminated.get_absolute_url() in marked and other.get_absolute_url() not in marked
    assert 'data-testid="tolerated-badge"' in marked
    unmarked = client.get(reverse("pilots:pilot_list"), {"tolerated": "0", "stage": "terminated"}).content.decode()
    assert terminated.get_absolute_url() not in unmarked
    bad = client.get(reverse("pilots:pilot_list"), {"tolerated": "x"})
    assert bad.status_code == 200 and "没有这个选项" in bad.content.decode()
