"""The last two approval conventions on applications in the browser: 退回到指定步骤 (the committee returns a
recommended application to the county's submission; the county's resubmission comes straight back to the committee)
and 代理 (a special-group member names a deputy on the preferences page; the deputy finds the member's request in
我的待办 and answers it, logged as "张三（代李四）"). Starting points come from the real services."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications import services
from applications.models import RECOMMENDATION
from applications.tests.factories import filled_application, listed_candidate, open_batch
from workflow.conventions.opinions import opinion_give, opinion_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consulting(county_nanhu, office_reviewer):
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    app = services.submit_application(actor=county_nanhu, application=app)
    return services.review_application(actor=office_reviewer, application=app, name="request_opinion")


def test_return_to_a_chosen_step_and_back_to_the_committee(
    browser_login, live_server, consulting, county_nanhu, office_reviewer, sg_digital, committee_member, csp_violations
):
    opinion_give(actor=sg_digital, opinion=consulting.opinions()[0], verdict="agree", text="同意推荐。")
    app = services.review_application(actor=office_reviewer, application=consulting, name="recommend")
    page = browser_login(committee_member)
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    form = page.get_by_test_id("return-form")
    expect(form.get_by_test_id("return-step").locator("option")).to_have_count(2)  # the county, the office
    form.get_by_test_id("return-step").select_option(label=form.locator("option").first.inner_text())
    form.get_by_test_id("return-to-step").click()  # no reason: the browser keeps the form (required)
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "recommended")
    form.locator("#return-comment").fill("请补充风险评估材料")
    form.get_by_test_id("return-to-step").click()
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "returned")
    expect(page.get_by_test_id("timeline")).to_contain_text("退回到指定步骤")
    expect(page.get_by_test_id("timeline")).to_contain_text("请补充风险评估材料")

    page.context.clear_cookies()
    page = browser_login(county_nanhu)
    page.goto(f"{live_server.url}/applications/{app.pk}/edit/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button[name=action][value=submit]").click()
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "recommended")  # straight back
    assert csp_violations == []


def test_a_deputy_answers_for_an_absent_colleague(
    browser_login, live_server, consulting, office_reviewer, make_user, csp_violations
):
    absent = make_user("sg_absent", "sg-digital", full_name="李四")
    deputy = make_user("sg_deputy", "sg-digital", full_name="张三")
    opinion_request(
        target=consulting, invitees=[absent], purpose=RECOMMENDATION, actor=office_reviewer, role="reform_office"
    )
    today = timezone.localdate().isoformat()
    page = browser_login(absent)
    page.goto(f"{live_server.url}/accounts/preferences/")
    form = page.get_by_test_id("deputy-form")
    form.locator("#id_deputy").select_option(label="张三")
    form.locator("#id_starts_on").fill(today)
    form.locator("#id_ends_on").fill("2000-01-01")  # before the start: refused in Chinese
    form.get_by_test_id("deputy-add").click()
    expect(page.get_by_test_id("deputy-form")).to_contain_text("结束日期不能早于开始日期")
    form = page.get_by_test_id("deputy-form")
    form.locator("#id_deputy").select_option(label="张三")
    form.locator("#id_starts_on").fill(today)
    form.locator("#id_ends_on").fill(today)
    form.get_by_test_id("deputy-add").click()
    expect(page.get_by_test_id("deputy")).to_contain_text("张三")

    page.context.clear_cookies()
    page = browser_login(deputy)
    page.goto(f"{live_server.url}/inbox/")
    item = page.get_by_test_id("todo-item").filter(has=page.get_by_test_id("deputy-mark"))
    expect(item).to_have_count(1)
    item.get_by_role("link").click()
    give = page.get_by_test_id("opinion-give")
    give.get_by_label("同意推荐", exact=True).check()
    give.locator("textarea").fill("同意推荐（李四外出，由张三代为答复）。")
    give.get_by_role("button", name="提交意见").click()
    expect(page.get_by_test_id("state")).to_be_visible()  # back on the application
    page.goto(f"{live_server.url}{consulting.get_absolute_url()}")
    expect(page.get_by_test_id("timeline")).to_contain_text("张三（代李四）")
    # The refused date range answered 400 on purpose; nothing else failed.
    assert [e for e in csp_violations if "400 (Bad Request)" not in e] == []
