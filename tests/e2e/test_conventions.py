"""The approval conventions on applications in the browser, one short test each: 撤回, 批量审批, 催办, 抄送/传阅,
常用意见, 审批单. Starting points are made through the real services; people log in through the real form."""

import re

import pytest
from playwright.sync_api import expect

from applications import services
from applications.models import Application
from applications.tests.factories import filled_application, listed_candidate, open_batch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submit(office_reviewer):
    batch = open_batch(office_reviewer)

    def make(county_user, title="数字乡村集成改革"):
        candidate = listed_candidate(office_reviewer, batch, title=title)
        app = filled_application(county_user, candidate)
        return services.submit_application(actor=county_user, application=app)

    return make


def test_recall_takes_a_submission_back(browser_login, live_server, submit, county_nanhu, csp_violations):
    app = submit(county_nanhu)
    page = browser_login(county_nanhu)
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("recall").click()
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "draft")
    expect(page.get_by_test_id("timeline")).to_contain_text("撤回")
    assert csp_violations == []


def test_batch_action_on_the_list(browser_login, live_server, submit, county_nanhu, county_xiuzhou, office_reviewer):
    first, second = submit(county_nanhu), submit(county_xiuzhou, title="共富工坊集成改革")
    page = browser_login(office_reviewer)
    page.goto(f"{live_server.url}/applications/")
    for app in (first, second):
        page.locator(f'[data-testid="batch-select"][value="{app.pk}"]').check()
    page.fill("#batch-comment", "材料不全")
    page.get_by_test_id("batch-return_to_county").click()
    expect(page.get_by_test_id("batch-summary")).to_contain_text("已办理2条，未办理0条。")
    assert set(Application.objects.values_list("status", flat=True)) == {"returned"}


def test_office_urges_and_the_county_sees_the_marked_notice(
    browser_login, live_server, submit, county_nanhu, office_reviewer, browser
):
    app = services.review_application(
        actor=office_reviewer, application=submit(county_nanhu), name="return_to_county", comment="请补充"
    )
    page = browser_login(office_reviewer)
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.get_by_test_id("urge").click()
    expect(page.get_by_test_id("urgings")).to_contain_text("南湖区")
    page.context.clear_cookies()
    page = browser_login(county_nanhu)
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_test_id("urge-mark").first).to_be_visible()


def test_copy_to_another_county_shows_in_its_copies(
    browser_login, live_server, submit, county_nanhu, county_xiuzhou, units
):
    app = submit(county_nanhu)
    page = browser_login(county_nanhu)
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.get_by_test_id("copy").click()
    page.select_option("#id_units", str(units["xiuzhou"].pk))
    page.get_by_test_id("copy-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("copies")).to_contain_text("未阅")
    page.context.clear_cookies()
    page = browser_login(county_xiuzhou)
    page.goto(f"{live_server.url}/copies/")
    item = page.get_by_test_id("copy-item").first
    expect(item).to_have_attribute("data-read", "0")
    item.locator("button").click()
    expect(page.get_by_test_id("state")).to_be_visible()  # the record itself, readable by the copied county
    page.goto(f"{live_server.url}/copies/")
    expect(page.get_by_test_id("copy-item").first).to_have_attribute("data-read", "1")


def test_saved_phrase_fills_the_comment_box(browser_login, live_server, submit, county_nanhu, office_reviewer):
    app = submit(county_nanhu)
    page = browser_login(office_reviewer)
    page.goto(f"{live_server.url}/accounts/preferences/")
    page.fill("#phrase-text", "已阅，请按程序办理。")
    page.get_by_test_id("phrase-add").click()
    expect(page.get_by_test_id("phrase")).to_contain_text("已阅，请按程序办理。")
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.get_by_test_id("actions").get_by_role("button", name="已阅，请按程序办理。").click()
    expect(page.locator("#id_comment")).to_have_value("已阅，请按程序办理。")


def test_approval_sheet_prints_the_steps(browser_login, live_server, submit, county_nanhu, office_reviewer):
    app = services.review_application(
        actor=office_reviewer, application=submit(county_nanhu), name="return_to_county", comment="请补充附件"
    )
    page = browser_login(county_nanhu)
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.get_by_test_id("sheet-link").click()
    expect(page.get_by_test_id("sheet-row")).to_have_count(2)
    expect(page.get_by_test_id("sheet-table")).to_contain_text("请补充附件")
    expect(page.get_by_test_id("sheet-table")).to_contain_text("王改革")


def test_inbox_shows_overdue_first_in_red_and_filters_by_workflow(
    browser_login, live_server, submit, county_nanhu, county_xiuzhou, office_reviewer
):
    from datetime import timedelta

    from django.utils import timezone

    from workflow.models import WorkItem

    first, late = submit(county_nanhu), submit(county_xiuzhou, title="共富工坊集成改革")
    WorkItem.objects.filter(object_id=late.pk, closed_at=None).update(due_at=timezone.now() - timedelta(days=2))
    page = browser_login(office_reviewer)
    page.goto(f"{live_server.url}/inbox/")
    top = page.get_by_test_id("todo-item").first
    expect(top).to_contain_text(late.project_name)
    expect(top).to_contain_text("已逾期")
    expect(top).to_have_class(re.compile("list-group-item-danger"))
    page.select_option("#todo-workflow", "application")
    page.select_option("#todo-sort", "newest")
    page.get_by_test_id("todo-filters").get_by_role("button").click()
    expect(page.get_by_test_id("todo-item")).to_have_count(2)
    expect(page.get_by_test_id("todo-item").first).to_contain_text(late.project_name)  # the newest
    assert first.pk != late.pk
