"""The application's whole way through the browser: county fills in and submits, office returns, county revises,
special group gives its opinion, office recommends, committee approves, the pilot appears; plus the
one-application-per-batch rule and the "required field empty" message on submit.

Every person uses the real login form in their own browser context; the data the journey starts from (an open
batch and its listed candidates) is made through the real services.
"""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Application
from applications.services import FILLED_EXAMPLE
from applications.tests.factories import listed_candidate, open_batch
from conftest import PASSWORD, watch_page_errors
from pilots.models import Pilot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_REASON = "“改革目标”不够具体，请补充量化指标后重新提交。"
REVISED_GOALS = "到2027年底，形成可复制的制度成果6项以上，群众办事时间平均压缩60%。"


# --- helpers -----------------------------------------------------------------------------------
def refused(status, reason):
    """What Chromium logs as a console error whenever a page answers 4xx (a form's 400, a rule's 409)."""
    return f"Failed to load resource: the server responded with a status of {status} ({reason})"


def login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


class Person:
    """One user's own browser context, logged in through the real form, with its console watched."""

    def __init__(self, browser, live_server, user):
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors = watch_page_errors(self.page)
        login(self.page, live_server, user)

    def close(self):
        self.context.close()


@pytest.fixture
def people(browser, live_server):
    opened = []

    def open_as(user):
        person = Person(browser, live_server, user)
        opened.append(person)
        return person

    yield open_as
    for person in opened:
        person.close()


def fill_form(page, data):
    for name, value in data.items():
        page.fill(f"#id_{name}", value)


def submit_form(page):
    page.once("dialog", lambda d: d.accept())
    page.click("button[name=action][value=submit]")


def state_of(page):
    return page.get_by_test_id("state")


# --- the whole journey -------------------------------------------------------------------------
def test_application_from_county_to_pilot(
    live_server,
    page,
    browser_login,
    people,
    shots,
    csp_violations,
    county_nanhu,
    office_reviewer,
    committee_member,
    sg_digital,
):
    batch = open_batch(office_reviewer)
    candidate = listed_candidate(office_reviewer, batch)
    url = live_server.url

    # The county finds the candidate in the published list and applies.
    county = browser_login(county_nanhu)
    county.goto(f"{url}/pilots/candidates/published/")
    expect(county.get_by_test_id("published-table")).to_contain_text(candidate.title)
    county.get_by_test_id(f"apply-{candidate.pk}").click()
    county.wait_for_url(re.compile(r"/applications/\d+/edit/$"))
    app = Application.objects.get(batch=batch, county__code="nanhu")
    expect(state_of(county)).to_have_text("草稿")
    expect(county.locator("#id_project_name")).to_have_value(candidate.title)

    fill_form(county, FILLED_EXAMPLE)
    county.screenshot(path=shots / "journey-01-county-filled.png", full_page=True)
    submit_form(county)
    county.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(state_of(county)).to_have_text("已提交")
    expect(county.get_by_role("alert").filter(has_text="申报表已提交")).to_be_visible()
    county.screenshot(path=shots / "journey-02-county-submitted.png", full_page=True)

    # The office returns it with a reason.
    office = people(office_reviewer)
    office.page.goto(f"{url}/applications/{app.pk}/")
    expect(state_of(office.page)).to_have_text("已提交")
    office.page.fill("#id_comment", RETURN_REASON)
    office.page.get_by_test_id("action-return_to_county").click()
    office.page.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(state_of(office.page)).to_have_text("已退回修改")

    # The county sees the reason, revises and resubmits.
    county.goto(f"{url}/applications/{app.pk}/")
    expect(state_of(county)).to_have_text("已退回修改")
    expect(county.get_by_test_id("return-reason")).to_contain_text(RETURN_REASON)
    county.screenshot(path=shots / "journey-03-county-sees-return.png", full_page=True)
    county.get_by_test_id("edit-link").click()
    county.wait_for_url(f"{url}/applications/{app.pk}/edit/")
    expect(county.get_by_test_id("return-reason")).to_contain_text(RETURN_REASON)
    expect(county.locator("#id_goals")).to_have_value(FILLED_EXAMPLE["goals"])
    county.fill("#id_goals", REVISED_GOALS)
    submit_form(county)
    county.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(state_of(county)).to_have_text("已提交")
    expect(county.get_by_test_id("return-reason")).to_have_count(0)

    # The office compares the resubmission with the first version, then asks the special group.
    office.page.goto(f"{url}/applications/{app.pk}/")
    expect(state_of(office.page)).to_have_text("已提交")
    office.page.get_by_test_id("diff-link").click()
    office.page.wait_for_url(re.compile(rf"/applications/{app.pk}/versions/2/$"))
    diff = office.page.get_by_test_id("diff")
    changed = diff.locator("tbody tr[data-field]")
    expect(changed).to_have_count(1)
    goals = diff.locator('tr[data-field="goals"]')
    expect(goals.locator("th")).to_have_text("改革目标")
    expect(goals.locator(".diff-old")).to_have_text(FILLED_EXAMPLE["goals"])
    expect(goals.locator(".diff-new")).to_have_text(REVISED_GOALS)
    office.page.screenshot(path=shots / "journey-04-office-diff.png", full_page=True)
    office.page.get_by_role("link", name="返回申报详情").click()
    office.page.wait_for_url(f"{url}/applications/{app.pk}/")
    office.page.get_by_test_id("action-request_opinion").click()
    office.page.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(state_of(office.page)).to_have_text("征求意见中")
    # The group has not answered yet.
    expect(office.page.get_by_test_id("opinions")).to_contain_text("待提出意见")

    # The special group gives its opinion.
    group = people(sg_digital)
    group.page.goto(f"{url}/applications/{app.pk}/")
    form = group.page.get_by_test_id("opinion-form")
    expect(form).to_be_visible()
    form.get_by_label("同意推荐", exact=True).check()
    form.locator("#id_text").fill("该项目改革基础扎实，同意推荐列为试点。")
    group.page.screenshot(path=shots / "journey-05-group-opinion.png", full_page=True)
    form.get_by_role("button", name="提交意见").click()
    group.page.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(group.page.get_by_role("alert").filter(has_text="意见已提交")).to_be_visible()
    expect(group.page.get_by_test_id("opinion-form")).to_have_count(0)
    expect(group.page.get_by_test_id("opinions")).to_contain_text("同意推荐")

    # The office recommends.
    office.page.goto(f"{url}/applications/{app.pk}/")
    expect(office.page.get_by_test_id("opinions")).to_contain_text("同意推荐")
    office.page.fill("#id_comment", "经审核，建议列为试点。")
    office.page.get_by_test_id("action-recommend").click()
    office.page.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(state_of(office.page)).to_have_text("已建议列为试点")

    # The committee approves, citing its meeting.
    committee = people(committee_member)
    committee.page.goto(f"{url}/applications/{app.pk}/")
    expect(state_of(committee.page)).to_have_text("已建议列为试点")
    committee.page.fill("#id_meeting_ref", "第3次会议")
    committee.page.get_by_test_id("action-approve").click()
    committee.page.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(state_of(committee.page)).to_have_text("已确定为试点")
    pilot_link = committee.page.get_by_test_id("pilot-link")
    expect(pilot_link).to_contain_text("第3次会议")
    timeline = committee.page.get_by_test_id("timeline")
    for step in ("退回修改", "征求专项小组意见", "建议列为试点", "确定为试点"):
        expect(timeline).to_contain_text(step)
    for comment in (RETURN_REASON, "经审核，建议列为试点。"):
        expect(timeline).to_contain_text(comment)
    expect(timeline.locator("li", has_text="提交申报")).to_have_count(2)
    # The group's answer is kept with the application, in its opinions card.
    expect(committee.page.get_by_test_id("opinions")).to_contain_text("该项目改革基础扎实，同意推荐列为试点。")
    committee.page.screenshot(path=shots / "journey-06-committee-approved.png", full_page=True)

    # The pilot appears: linked from the application and listed in the pilot list, for the committee and the county.
    pilot = Pilot.objects.get(application=app)
    pilot_link.get_by_role("link").click()
    committee.page.wait_for_url(f"{url}/pilots/{pilot.pk}/")
    expect(committee.page.locator("h1")).to_have_text(candidate.title)
    expect(committee.page.locator("table")).to_contain_text("南湖区")
    for viewer in (committee.page, county):
        viewer.goto(f"{url}/pilots/")
        row = viewer.get_by_test_id("pilot-table").locator("tbody tr", has_text=candidate.title)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("南湖区")
        expect(row).to_contain_text(batch.name)
    county.screenshot(path=shots / "journey-07-county-pilot-list.png", full_page=True)

    assert csp_violations == []
    for person in (office, group, committee):
        assert person.errors == []


# --- one application per county and batch -----------------------------------------------------
def test_second_application_in_the_same_batch_is_refused(
    live_server, page, browser_login, shots, csp_violations, county_nanhu, office_reviewer
):
    batch = open_batch(office_reviewer)
    first = listed_candidate(office_reviewer, batch)
    second = listed_candidate(
        office_reviewer, batch, title="企业全生命周期服务集成改革", group="sg-economy", guide=None, area="economy"
    )
    url = live_server.url

    county = browser_login(county_nanhu)
    county.goto(f"{url}/applications/new/")
    county.get_by_test_id(f"start-{first.pk}").click()
    county.wait_for_url(re.compile(r"/applications/\d+/edit/$"))
    expect(county.get_by_role("alert").filter(has_text="已创建申报表草稿")).to_be_visible()

    expected = (
        f"本县（市、区）在“{batch.name}”已有一份申报（{first.title}，状态：草稿）。"
        "按照工作方案，同一批次最多申报一个项目。"
    )

    # From the 填写申报表 page ...
    county.goto(f"{url}/applications/new/")
    county.get_by_test_id(f"start-{second.pk}").click()
    county.wait_for_load_state()
    expect(county.locator(".alert-danger")).to_have_text(expected)
    assert county.url == f"{url}/applications/new/"
    county.screenshot(path=shots / "second-application-refused.png", full_page=True)

    # ... and from the published 试点候选名单.
    county.goto(f"{url}/pilots/candidates/published/")
    county.get_by_test_id(f"apply-{second.pk}").click()
    county.wait_for_load_state()
    expect(county.locator(".alert-danger")).to_have_text(expected)

    assert list(Application.objects.filter(batch=batch).values_list("candidate_id", flat=True)) == [first.pk]
    # Only the two refusals themselves (answered 409) were logged: no CSP violation, no failed load.
    assert csp_violations == [refused(409, "Conflict")] * 2


# --- submitting an incomplete form -------------------------------------------------------------
def test_submit_with_a_required_field_empty_explains_it_and_keeps_what_was_typed(
    live_server, page, browser_login, shots, csp_violations, county_nanhu, office_reviewer
):
    batch = open_batch(office_reviewer)
    candidate = listed_candidate(office_reviewer, batch)
    url = live_server.url

    county = browser_login(county_nanhu)
    county.goto(f"{url}/applications/new/")
    county.get_by_test_id(f"start-{candidate.pk}").click()
    county.wait_for_url(re.compile(r"/applications/\d+/edit/$"))
    app = Application.objects.get(batch=batch)
    edit_url = f"{url}/applications/{app.pk}/edit/"

    typed = {**FILLED_EXAMPLE, "leader_phone": "", "goals": "到试点期满，形成制度成果5项（本次输入）。"}
    fill_form(county, typed)
    submit_form(county)
    county.wait_for_load_state()

    # The message stands next to the empty field, in Chinese; the page is still the form.
    assert county.url == edit_url
    field_block = county.locator(".mb-3", has=county.locator("#id_leader_phone"))
    expect(field_block.locator('[data-field-error="leader_phone"]')).to_have_text("提交前请填写“分管领导电话”。")
    expect(county.locator("[data-field-error]")).to_have_count(1)
    expect(county.locator("#id_goals")).to_have_value(typed["goals"])
    expect(county.locator("#id_leader_name")).to_have_value(typed["leader_name"])
    expect(state_of(county)).to_have_text("草稿")
    county.screenshot(path=shots / "submit-missing-field.png", full_page=True)

    # What was typed was saved as the draft: a fresh load of the edit page shows it.
    county.goto(edit_url)
    expect(county.locator("[data-field-error]")).to_have_count(0)
    expect(county.locator("#id_goals")).to_have_value(typed["goals"])
    expect(county.locator("#id_contact_email")).to_have_value(typed["contact_email"])
    expect(county.locator("#id_leader_phone")).to_have_value("")
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT
    assert app.goals == typed["goals"]

    # Filling the field in lets it through.
    county.fill("#id_leader_phone", "0573-82000001")
    submit_form(county)
    county.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(state_of(county)).to_have_text("已提交")

    # Only the refused submission itself (answered 400) was logged: no CSP violation, no failed load.
    assert csp_violations == [refused(400, "Bad Request")]
