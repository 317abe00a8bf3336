"""工作看板 in the browser: a committee member sees the charts drawn (ECharts, from the page's JSON, no console error)
and the tables under them; a click on a number opens the filtered list with the same count; the time-in-stage page
draws its charts too.

Two pilots (南湖 implementing, 秀洲 implementing) are made through the real services."""

import re

import pytest
from playwright.sync_api import expect

from accounts.reference import COUNTIES
from applications.tests.factories import open_batch
from conftest import watch_page_errors
from reports.tests.factories import implementing_pilot

from .site_pages import open_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pilots(office_reviewer, committee_member, sg_digital, make_user):
    batch = open_batch(office_reviewer)
    result = []
    for i in range(2):
        county = make_user(f"c{i}", COUNTIES[i][0])
        result.append(
            implementing_pilot(
                county, office_reviewer, committee_member, sg_digital, candidate_title=f"项目{i}", batch=batch
            )
        )
    return result


def test_committee_member_sees_charts_and_tables_and_a_number_opens_its_list(browser, live_server, pilots):
    context = open_context(browser, live_server, "committee_member")
    page = context.new_page()
    errors = watch_page_errors(page)
    page.goto(f"{live_server.url}/reports/dashboard/")
    expect(page.get_by_role("heading", name="工作看板")).to_be_visible()
    for key in ("pilots_by_stage", "pilots_by_county", "reports"):
        chart = page.locator(f'[data-chart="{key}"]')
        expect(chart).to_have_attribute("data-drawn", "1")
        expect(chart.locator("canvas")).to_have_count(1)
    table = page.get_by_test_id("table-pilots_by_county")
    expect(table).to_be_visible()
    row = table.locator("tr", has_text=pilots[0].county.name)
    implementing = row.locator("td").nth(1).get_by_role("link")  # 方案编制, 实施中, …: the second stage column
    shown = implementing.inner_text()
    assert shown == "1"
    implementing.click()
    page.wait_for_url(re.compile(r"/pilots/\?.*stage=implementing"))
    expect(page.get_by_test_id("total")).to_have_text(f"共{shown}项")
    expect(page.get_by_test_id("pilot-row")).to_have_count(int(shown))

    # the total of a stage: both pilots are implementing
    page.go_back()
    total = page.get_by_test_id("table-pilots_by_stage").locator("tr", has_text="实施中").get_by_role("link")
    expect(total).to_have_text("2")
    total.click()
    expect(page.get_by_test_id("total")).to_have_text("共2项")

    page.goto(f"{live_server.url}/reports/dashboard/time-in-stage/")
    expect(page.locator('[data-chart="stages"]')).to_have_attribute("data-drawn", "1")
    expect(page.get_by_test_id("table-stages")).to_be_visible()
    assert errors == []
    context.close()


def test_printing_hides_the_charts_and_keeps_the_tables(browser, live_server, pilots):
    context = open_context(browser, live_server, "committee_member")
    page = context.new_page()
    page.goto(f"{live_server.url}/reports/dashboard/")
    expect(page.locator('[data-chart="pilots_by_county"]')).to_have_attribute("data-drawn", "1")
    page.emulate_media(media="print")
    expect(page.locator('[data-chart="pilots_by_county"]')).to_be_hidden()
    expect(page.get_by_test_id("table-pilots_by_county")).to_be_visible()
    context.close()
