"""项目实施 in the browser: the county files a quarterly report pre-filled from last quarter, the office returns it,
the county resubmits and the office accepts; an inspection's rectification item is reported and verified; an
extension is applied for, consulted on, approved by the committee and the new end date shown.

The starting point (a pilot implementing since 2026-02-10 with its plan's two tasks, the first quarter's report
accepted) is made through the real services; every person uses the real login form in their own browser context.
"""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, watch_page_errors
from reports.monitoring import extension_services, inspection_services, services
from reports.monitoring.models import QuarterlyReport
from reports.tests.factories import fill, implementing_pilot
from workflow.conventions.opinions import opinion_give
from workflow.models import Opinion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return implementing_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


def test_report_prefilled_returned_resubmitted_accepted(people, live_server, pilot, county_nanhu, office_reviewer):
    first = QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=1)
    first = services.submit_report(actor=county_nanhu, report=fill(county_nanhu, first, narrative="起草管理办法"))
    services.review_report(actor=office_reviewer, report=first, name="accept")
    second = QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=2)

    county = people(county_nanhu)
    county.page.goto(f"{live_server.url}/reports/")
    county.page.get_by_role("link", name="2026年第2季度").click()
    county.page.get_by_test_id("edit-link").click()
    expect(county.page.get_by_test_id("prefilled")).to_contain_text("2026年第1季度")
    expect(county.page.locator("#id_p-0-narrative")).to_have_value("起草管理办法")
    county.page.fill("#id_p-0-percentage", "60")
    county.page.fill("#id_p-0-narrative", "管理办法已印发")
    county.page.get_by_test_id("submit").click()
    expect(county.page.get_by_test_id("state")).to_have_attribute("data-state", "submitted")

    office = people(office_reviewer)
    office.page.goto(f"{live_server.url}/reports/quarter/?year=2026&quarter=2")
    office.page.get_by_role("link", name=pilot.title).click()
    office.page.fill("#id_comment", "请补充平台运行数据。")
    office.page.get_by_test_id("action-return_to_county").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "returned")

    county.page.goto(f"{live_server.url}{second.get_absolute_url()}")
    expect(county.page.get_by_test_id("return-reason")).to_contain_text("请补充平台运行数据")
    county.page.get_by_test_id("edit-link").click()
    expect(county.page.locator("#id_p-0-narrative")).to_have_value("管理办法已印发")
    county.page.fill("#id_p-1-narrative", "平台上线，日均调用1200次")
    county.page.get_by_test_id("submit").click()
    expect(county.page.get_by_test_id("state")).to_have_attribute("data-state", "submitted")

    office.page.goto(f"{live_server.url}{second.get_absolute_url()}")
    office.page.get_by_test_id("action-accept").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "accepted")
    expect(office.page.get_by_test_id("progress")).to_contain_text("日均调用1200次")
    assert county.errors == [] and office.errors == []


def test_rectification_item_reported_and_verified(people, live_server, pilot, county_nanhu, office_reviewer):
    inspection = inspection_services.record_inspection(
        actor=office_reviewer,
        held_on=datetime.date(2026, 5, 20),
        team="市委改革办督察组",
        findings="平台建设滞后",
        pilots=[pilot],
        items=[
            {
                "pilot": pilot,
                "content": "加快平台建设",
                "responsible_unit": "区数据局",
                "deadline": datetime.date(2099, 6, 30),
            }
        ],
    )
    item = inspection.items.get()
    county = people(county_nanhu)
    county.page.goto(f"{live_server.url}/reports/inspections/")
    county.page.get_by_role("link", name="加快平台建设").click()
    county.page.fill("#id_comment", "平台已上线试运行。")
    county.page.get_by_test_id("action-rectify").click()
    expect(county.page.get_by_test_id("state")).to_have_attribute("data-state", "rectified")

    office = people(office_reviewer)
    office.page.goto(f"{live_server.url}{item.get_absolute_url()}")
    expect(office.page.get_by_test_id("report-text")).to_contain_text("平台已上线试运行")
    office.page.get_by_test_id("action-verify").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "verified")


def test_extension_approved_and_new_end_shown(
    people, live_server, pilot, county_nanhu, office_reviewer, committee_member, sg_digital, make_user
):
    county = people(county_nanhu)
    county.page.goto(f"{live_server.url}/reports/extensions/new/{pilot.pk}/")
    county.page.get_by_label("改革任务复杂").check()
    county.page.fill("#id_reason_text", "数据确权涉及多部门，需延长半年。")
    county.page.fill("#id_new_end", "2028-08-10")
    county.page.get_by_test_id("apply").click()
    expect(county.page.get_by_test_id("state")).to_have_attribute("data-state", "submitted")
    url = county.page.url

    office = people(office_reviewer)
    office.page.goto(url)
    office.page.get_by_test_id("action-consult").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "consulting")
    ext = extension_services.ExtensionRequest.objects.get(pilot=pilot)
    for o in Opinion.objects.for_object(ext):
        giver = sg_digital if o.unit_id == pilot.special_group_id else make_user("gu", o.unit.code)
        opinion_give(actor=giver, opinion=o, verdict="agree", text="同意延期。")
    office.page.goto(url)
    office.page.get_by_test_id("action-forward").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "committee_review")

    committee = people(committee_member)
    committee.page.goto(url)
    committee.page.fill("#id_meeting_ref", "市委改革委第9次会议")
    committee.page.get_by_test_id("action-approve").click()
    expect(committee.page.get_by_test_id("state")).to_have_attribute("data-state", "approved")
    expect(committee.page.get_by_test_id("old-end")).to_contain_text("2028年2月10日")
    expect(committee.page.get_by_test_id("new-end")).to_contain_text("2028年8月10日")
    pilot.refresh_from_db()
    assert pilot.term_end == datetime.date(2028, 8, 10) and pilot.status == "extended"
