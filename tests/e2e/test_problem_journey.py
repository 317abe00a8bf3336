"""Issue 28, point 8 in the browser: the county raises a problem from its quarterly report (the form starts from the
report's 存在问题), the office finds it in 我的待办 and assigns it to 市财政局 with a due date, the bureau finds it in
its 我的待办 and replies, and the county confirms it resolved; the pilot page then lists no open item.

The starting point (a pilot implementing since 2026-02-10, its first quarter's report submitted with a problem) is
made through the real services; every person uses the real login form in their own browser context."""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, watch_page_errors
from reports.models import QuarterlyReport
from reports.monitoring import services
from reports.tests.factories import fill, implementing_pilot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PROBLEM = "市级部门数据回流不及时，影响数据产品上架。"


class Person:
    def __init__(self, browser, live_server, user):
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors = watch_page_errors(self.page)
        self.page.goto(f"{live_server.url}/accounts/login/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def people(browser, live_server):
    opened = []

    def open_as(user):
        opened.append(Person(browser, live_server, user))
        return opened[-1]

    yield open_as
    for person in opened:
        person.context.close()


def test_problem_raised_in_a_report_assigned_replied_and_resolved(
    people, live_server, county_nanhu, office_reviewer, committee_member, sg_digital, make_user
):
    pilot = implementing_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    report = QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=1)
    services.submit_report(actor=county_nanhu, report=fill(county_nanhu, report, problems=PROBLEM))
    finance = make_user("md_finance", "md-finance", full_name="市财政局联络员")

    county = people(county_nanhu)
    county.page.goto(f"{live_server.url}{report.get_absolute_url()}")
    county.page.get_by_test_id("raise-problem").click()
    expect(county.page.locator("#id_content")).to_have_value(PROBLEM)  # starts from the report's 存在问题
    county.page.get_by_test_id("raise").click()
    expect(county.page.get_by_test_id("state")).to_have_attribute("data-state", "open")
    expect(county.page.get_by_test_id("source")).to_have_text("2026年第1季度进展报告")
    item_url = county.page.url

    office = people(office_reviewer)
    office.page.goto(f"{live_server.url}/inbox/?workflow=problem")
    office.page.get_by_test_id("todo-item").get_by_role("link").click()
    office.page.select_option("#id_unit", label="市财政局")
    due = datetime.date.today() + datetime.timedelta(days=10)
    office.page.fill("#id_due_on", due.isoformat())
    office.page.fill("#id_comment", "请研究数据回流机制并答复。")
    office.page.get_by_test_id("action-assign").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "assigned")
    expect(office.page.get_by_test_id("handler")).to_have_text("市财政局")

    bureau = people(finance)
    bureau.page.goto(f"{live_server.url}/inbox/")
    todo = bureau.page.get_by_test_id("todo-item")
    expect(todo).to_contain_text("数据回流")
    todo.get_by_role("link").click()
    bureau.page.fill("#id_comment", "已与市数据局建立数据回流周报机制。")
    bureau.page.get_by_test_id("action-reply_to").click()
    expect(bureau.page.get_by_test_id("state")).to_have_attribute("data-state", "replied")

    county.page.goto(item_url)
    expect(county.page.get_by_test_id("reply")).to_contain_text("数据回流周报机制")
    county.page.get_by_test_id("action-resolve").click()
    expect(county.page.get_by_test_id("state")).to_have_attribute("data-state", "resolved")
    expect(county.page.get_by_test_id("timeline")).to_contain_text("确认已解决")

    county.page.goto(f"{live_server.url}{pilot.get_absolute_url()}")
    expect(county.page.get_by_test_id("pilot-problems")).to_contain_text("暂无未办结事项")
    assert county.errors == [] and office.errors == [] and bureau.errors == []
