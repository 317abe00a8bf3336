"""存在问题、需市级支持事项 (issue 28, point 8): a county raises them from its application, plan or quarterly report;
the office answers or assigns them to a 市级有关单位 or the pilot's guidance unit with a due date; the unit replies; the
county confirms them resolved or reopens them. Through the services and by URL, with the right and the wrong role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from reports.models import QuarterlyReport
from reports.monitoring import services as report_services
from reports.problems import services
from reports.problems.models import ProblemItem
from reports.tests.factories import fill
from workflow.engine.errors import WorkflowError
from workflow.models import Notification, TransitionLog, WorkItem

pytestmark = pytest.mark.django_db
PROBLEM = "跨部门数据共享仍需协调，市级部门数据回流不及时。"


@pytest.fixture
def md_finance(make_user):
    return make_user("md_finance", "md-finance", full_name="市财政局联络员")


@pytest.fixture
def md_hrss(make_user):
    return make_user("md_hrss", "md-hrss", full_name="市人力社保局联络员")


@pytest.fixture
def guidance_data(make_user):
    return make_user("guidance_data", "gu-data", full_name="市数据局联络员")


@pytest.fixture
def report(pilot, county_nanhu, clock):
    """南湖区's first-quarter report, submitted with its 存在问题 (the clock after the quarter's end)."""
    clock.set(datetime.date(2026, 4, 8))
    report = QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=1)
    report = fill(county_nanhu, report, problems=PROBLEM)
    return report_services.submit_report(actor=county_nanhu, report=report)


@pytest.fixture
def item(report, county_nanhu):
    return services.raise_problem(actor=county_nanhu, source=report, kind="problem", content=PROBLEM)


def todo(user, item):
    return WorkItem.objects.open_for(user).filter(workflow="problem", object_id=item.pk)


def test_raised_assigned_replied_reopened_reassigned_replied_and_resolved(
    item, pilot, county_nanhu, office_reviewer, md_finance, guidance_data
):
    assert item.status == "open" and item.pilot == pilot and item.source_label == "2026年第1季度进展报告"
    assert todo(office_reviewer, item).exists()  # the office's 我的待办
    assert Notification.objects.filter(recipient=office_reviewer, log__action="problem.raised").exists()
    with pytest.raises(PermissionDenied):
        services.act(actor=county_nanhu, item=item, name="assign", unit=md_finance.memberships.get().unit)
    due = timezone.localdate() + datetime.timedelta(days=10)
    finance = md_finance.memberships.get().unit
    item = services.act(actor=office_reviewer, item=item, name="assign", unit=finance, due_on=due, comment="请研究答复")
    assert (item.status, item.handler, item.due_on) == ("assigned", finance, due)
    assert not todo(office_reviewer, item).exists()
    waiting = todo(md_finance, item).get()
    assert waiting.due_at.date() == due and waiting.action == "reply_to"
    with pytest.raises(PermissionDenied):
        services.act(actor=county_nanhu, item=item, name="reply_to", comment="x")
    with pytest.raises(WorkflowError, match="请填写答复意见") as err:
        services.act(actor=md_finance, item=item, name="reply_to", comment="")
    assert err.value.status == 400
    item = services.act(actor=md_finance, item=item, name="reply_to", comment="已协调市级部门每周回流数据。")
    assert (item.status, item.replied_by, item.reply) == ("replied", finance, "已协调市级部门每周回流数据。")
    assert set(todo(county_nanhu, item).get().action.split(",")) == {"resolve", "reopen"}
    with pytest.raises(WorkflowError, match="请填写理由"):
        services.act(actor=county_nanhu, item=item, name="reopen")
    item = services.act(actor=county_nanhu, item=item, name="reopen", comment="数据仍未回流。")
    assert item.status == "reopened" and todo(office_reviewer, item).exists()
    data_unit = guidance_data.memberships.get().unit
    assert pilot.guidance_unit == data_unit
    item = services.act(actor=office_reviewer, item=item, name="assign", unit=data_unit, due_on=due)
    assert todo(guidance_data, item).exists() and not todo(md_finance, item).exists()
    item = services.act(actor=guidance_data, item=item, name="reply_to", comment="已建立数据回流专班。")
    item = services.act(actor=county_nanhu, item=item, name="resolve")
    assert item.status == "resolved" and not WorkItem.objects.for_object(item).open().exists()
    # Every step logged: who, in which role, from which state to which.
    steps = list(
        TransitionLog.objects.filter(object_id=item.pk, action__startswith="problem.").values_list(
            "action", "role", "from_state", "to_state"
        )
    )
    assert steps == [
        ("problem.raised", "county", "", "open"),
        ("problem.assign", "reform_office", "open", "assigned"),
        ("problem.reply_to", "municipal_dept", "assigned", "replied"),
        ("problem.reopen", "county", "replied", "reopened"),
        ("problem.assign", "reform_office", "reopened", "assigned"),
        ("problem.reply_to", "guidance_unit", "assigned", "replied"),
        ("problem.resolve", "county", "replied", "resolved"),
    ]
    # The first unit still reads what it replied to.
    assert ProblemItem.objects.visible_to(md_finance).filter(pk=item.pk).exists()


def test_the_office_answers_itself(item, county_nanhu, office_reviewer):
    item = services.act(actor=office_reviewer, item=item, name="answer", comment="市委改革办已召开协调会。")
    assert item.status == "replied" and item.replied_by.code == "reform-office" and item.handler is None
    assert todo(county_nanhu, item).exists()


def test_assignment_rules(item, office_reviewer, units):
    due = timezone.localdate() + datetime.timedelta(days=5)
    with pytest.raises(WorkflowError, match="只能交办给市级有关单位或本试点的市级牵头指导单位") as err:
        services.act(actor=office_reviewer, item=item, name="assign", unit=units["gu-agri"], due_on=due)
    assert err.value.status == 400 and err.value.field == "unit"
    with pytest.raises(WorkflowError, match="只能交办"):
        services.act(actor=office_reviewer, item=item, name="assign", unit=units["nanhu"], due_on=due)
    with pytest.raises(WorkflowError, match="办理时限不能早于今天"):
        services.act(
            actor=office_reviewer,
            item=item,
            name="assign",
            unit=units["md-finance"],
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    with pytest.raises(WorkflowError, match="请填写办理时限"):
        services.act(actor=office_reviewer, item=item, name="assign", unit=units["md-finance"], due_on=None)
    item.refresh_from_db()
    assert item.status == "open"


def test_the_unit_sends_back_what_is_not_its_duty(item, office_reviewer, md_finance, units):
    due = timezone.localdate() + datetime.timedelta(days=5)
    item = services.act(actor=office_reviewer, item=item, name="assign", unit=units["md-finance"], due_on=due)
    with pytest.raises(WorkflowError, match="请填写理由"):
        services.act(actor=md_finance, item=item, name="send_back")
    item = services.act(actor=md_finance, item=item, name="send_back", comment="属于市数据局职责。")
    assert item.status == "reopened" and todo(office_reviewer, item).exists()


def test_raising_rules(pilot, report, item, county_nanhu, county_xiuzhou, office_reviewer, sg_digital):
    with pytest.raises(WorkflowError, match="正在办理中") as err:
        services.raise_problem(actor=county_nanhu, source=report, kind="problem", content=PROBLEM)
    assert err.value.status == 400
    with pytest.raises(WorkflowError, match="请填写事项内容"):
        services.raise_problem(actor=county_nanhu, source=report, kind="support", content="  ")
    with pytest.raises(PermissionDenied):
        services.raise_problem(actor=county_xiuzhou, source=report, kind="support", content="请支持")
    with pytest.raises(PermissionDenied):
        services.raise_problem(actor=sg_digital, source=report, kind="support", content="请支持")
    draft = QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=2)
    with pytest.raises(WorkflowError, match="尚未提交") as err:
        services.raise_problem(actor=county_nanhu, source=draft, kind="support", content="请支持")
    assert err.value.status == 400
    by_office = services.raise_problem(actor=office_reviewer, source=report, kind="support", content="请市财政局支持")
    assert by_office.county == report.county and by_office.kind == "support"


def test_raised_from_the_application_and_the_plan(pilot, county_nanhu):
    application, plan = pilot.application, pilot.plan
    item = services.raise_problem(
        actor=county_nanhu, source=application, kind="support", content=application.support_requested
    )
    assert item.pilot == pilot and item.source_label.startswith("试点申报")
    assert item.source_url == application.get_absolute_url()
    with pytest.raises(WorkflowError, match="尚未提交"):  # the plan is still a draft in the factory
        services.raise_problem(actor=county_nanhu, source=plan, kind="problem", content="定价缺乏依据")


# --- by URL ----------------------------------------------------------------------------------------------------
def test_raise_page_prefills_the_report_text_and_refuses_the_wrong_roles(
    report, county_nanhu, county_xiuzhou, office_reviewer, sg_digital, login
):
    url = reverse("reports:problem_new", args=["quarterly_report", report.pk]) + "?kind=problem"
    page = login(county_nanhu).get(url)
    assert page.status_code == 200 and PROBLEM in page.content.decode()
    assert login(county_xiuzhou).get(url).status_code == 404
    assert login(sg_digital).get(url).status_code == 403
    assert login(office_reviewer).get(url).status_code == 200
    assert login(county_nanhu).get(reverse("reports:problem_new", args=["pilot", report.pk])).status_code == 404
    response = login(county_nanhu).post(url, {"kind": "support", "content": "请市财政局明确收益分配政策。"})
    item = ProblemItem.objects.get(kind="support")
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    again = login(county_nanhu).post(url, {"kind": "support", "content": "请市财政局明确收益分配政策。"})
    assert again.status_code == 400 and "同一事项已经提出" in again.content.decode()
    empty = login(county_nanhu).post(url, {"kind": "support", "content": ""})
    assert empty.status_code == 400 and "请填写事项内容" in empty.content.decode()


def test_the_report_page_shows_its_items_and_the_raise_links(report, item, county_nanhu, login):
    html = login(county_nanhu).get(report.get_absolute_url()).content.decode()
    assert 'data-testid="source-problem"' in html and 'data-testid="raise-support"' in html


def test_acting_by_url_right_and_wrong_role(item, county_nanhu, office_reviewer, md_finance, md_hrss, login, units):
    act = reverse("reports:problem_act", args=[item.pk])
    detail = reverse("reports:problem", args=[item.pk])
    assert login(md_finance).get(detail).status_code == 404  # not assigned to it (yet)
    assert login(county_nanhu).post(act, {"name": "assign", "unit": units["md-finance"].pk}).status_code == 403
    page = login(office_reviewer).get(detail).content.decode()
    assert 'name="unit"' in page and 'name="due_on"' in page and "市财政局" in page
    refused = login(office_reviewer).post(
        act, {"name": "assign", "unit": units["md-finance"].pk, "due_on": "2020-01-01"}
    )
    assert refused.status_code == 400 and "办理时限不能早于今天" in refused.content.decode()
    stale = login(office_reviewer).post(act, {"name": "answer", "comment": "答复", "expected_state": "assigned"})
    assert stale.status_code == 409 and "已被其他用户处理" in stale.content.decode()
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    done = login(office_reviewer).post(
        act, {"name": "assign", "unit": units["md-finance"].pk, "due_on": due, "expected_state": "open"}
    )
    assert done.status_code == 302
    page = login(md_finance).get(detail).content.decode()  # the bureau reads the item, not the report or the pilot
    assert item.source_url not in page and item.pilot.get_absolute_url() not in page
    county_page = login(county_nanhu).get(detail).content.decode()
    assert item.source_url in county_page and item.pilot.get_absolute_url() in county_page
    assert login(md_hrss).get(detail).status_code == 404
    assert login(md_hrss).post(act, {"name": "reply_to", "comment": "x"}).status_code == 404
    assert login(county_nanhu).post(act, {"name": "reply_to", "comment": "x"}).status_code == 403
    assert login(md_finance).post(act, {"name": "reply_to", "comment": "已答复。"}).status_code == 302
    assert login(county_nanhu).post(act, {"name": "resolve"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "resolved"


def test_open_items_on_the_pilot_page_the_county_page_and_the_list(
    item, pilot, county_nanhu, office_reviewer, sg_digital, login, units
):
    pilot_page = login(sg_digital).get(pilot.get_absolute_url()).content.decode()
    assert 'data-testid="pilot-problem"' in pilot_page and "跨部门数据共享" in pilot_page
    county_page = login(county_nanhu).get(reverse("reports:county", args=[units["nanhu"].pk])).content.decode()
    assert 'data-testid="section-problems"' in county_page and "跨部门数据共享" in county_page
    listed = login(office_reviewer).get(reverse("reports:problems") + "?state=unresolved").content.decode()
    assert listed.count('data-testid="problem-row"') == 1
    bad = login(office_reviewer).get(reverse("reports:problems") + "?state=nope")
    assert bad.status_code == 200 and "没有这个选项" in bad.content.decode()
