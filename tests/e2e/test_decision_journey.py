"""项目确定 in the browser: the office sends the recommendation list (试点建议名单), the committee decides two
applications on one page with one meeting reference, the office marks the batch decided, and a county user finds
the published decided list (确定名单) in the navigation.

The starting point (two recommended applications of a batch whose window has closed) is made through the real
services; every person uses the real login form in their own browser context.
"""

import pytest
from playwright.sync_api import expect

from applications.models import Application
from applications.tests.factories import open_batch
from applications.tests.test_decisions import _apply, _close, _recommend
from conftest import PASSWORD, watch_page_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Person:
    """One user's own browser context, logged in through the real form, with its console watched."""

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


def test_the_committee_decides_the_recommendation_list_on_one_page(
    people, live_server, office_reviewer, committee_member, county_nanhu, county_xiuzhou, sg_digital, shots
):
    batch = open_batch(office_reviewer)
    nanhu = _recommend(_apply(county_nanhu, office_reviewer, batch, "nanhu"), county_nanhu, office_reviewer, sg_digital)
    xiuzhou = _recommend(
        _apply(county_xiuzhou, office_reviewer, batch, "xiuzhou"), county_xiuzhou, office_reviewer, sg_digital
    )
    _close(batch, office_reviewer)

    # The office sends the list from the batch page.
    office = people(office_reviewer)
    office.page.goto(f"{live_server.url}{batch.get_absolute_url()}")
    office.page.get_by_test_id("recommendation-list-link").click()
    expect(office.page.get_by_test_id("ready-table")).to_contain_text("强村富民集成改革")
    office.page.get_by_test_id("send-list").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "sent")

    # The committee decides both on one page: one meeting reference, a reason for the one not confirmed.
    committee = people(committee_member)
    committee.page.goto(f"{live_server.url}/applications/batches/{batch.pk}/recommendations/")
    committee.page.fill("#id_meeting_ref", "市委改革委第3次会议")
    committee.page.get_by_test_id(f"approve-{nanhu.pk}").check()
    committee.page.get_by_test_id(f"reject-{xiuzhou.pk}").check()
    committee.page.get_by_test_id(f"reason-{xiuzhou.pk}").fill("改革基础尚不充分，建议下一批次再申报。")
    committee.page.get_by_test_id("decide-items").click()
    expect(committee.page.get_by_test_id(f"result-{nanhu.pk}")).to_have_attribute("data-done", "1")
    expect(committee.page.get_by_test_id(f"result-{xiuzhou.pk}")).to_have_attribute("data-done", "1")
    expect(committee.page.get_by_test_id("state")).to_have_attribute("data-state", "decided")
    committee.page.screenshot(path=shots / "recommendation-list-decided.png", full_page=True)
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert (statuses[nanhu.pk], statuses[xiuzhou.pk]) == ("approved", "rejected")

    # The office marks the batch decided; a county user finds the published decided list in the menu.
    office.page.goto(f"{live_server.url}{batch.get_absolute_url()}")
    office.page.get_by_test_id("action-decide").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "decided")

    county = people(county_xiuzhou)
    county.page.get_by_test_id("nav-decided").click()
    table = county.page.get_by_test_id("decided-table")
    expect(table).to_contain_text("公共数据授权运营集成改革")
    expect(table).to_contain_text("市委改革委第3次会议")
    expect(table).not_to_contain_text("强村富民集成改革")
    county.page.screenshot(path=shots / "decided-list.png", full_page=True)

    for person in (office, committee, county):
        assert person.errors == []
