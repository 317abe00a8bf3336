"""经验推广 in the browser: the pilot's guidance unit records an experience, the office publishes it to 嘉兴样本,
another county finds it by a word inside its text, the office records a province promotion whose bonus entry waits
for the pilot's evaluation (试点工作富有成效), the evaluation passes and proposes it, the office confirms it, and the
pilot's county sees the points in its ledger and exports them to Excel.

The pilot itself (in 总结评估 through the real services) is the starting point; its evaluation is made through the
services too (its pages belong to their own journey). Every person uses the real login form in their own browser
context.
"""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from conftest import PASSWORD, watch_page_errors
from pilots.experiences.models import BonusEntry, Experience
from reviews.evaluation import services as evaluation_services
from reviews.tests.evaluation_factories import accepted, evaluating_pilot, score_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Person:
    """One user's own browser context, logged in through the real form, with its console watched."""

    def __init__(self, browser, live_server, user):
        self.context = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
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


def test_experience_published_found_by_a_word_promoted_and_its_points_confirmed_exported(
    people,
    live_server,
    office_reviewer,
    committee_member,
    county_nanhu,
    county_xiuzhou,
    sg_digital,
    guidance_data,
    expert_user,
    shots,
    settings,
):
    settings.BONUS_POINTS = {"city": 1, "province": 2, "national": None}
    evaluation_services.ensure_default_criteria_set()  # transactional tests flush the data migration's rows
    pilot = evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)

    # The pilot's guidance unit records the experience from the case library's menu entry.
    guide = people(guidance_data)
    guide.page.get_by_test_id("nav-experiences").click()
    guide.page.get_by_test_id("experience-new").click()
    guide.page.select_option("#id_pilot", str(pilot.pk))
    guide.page.fill("#id_title", "企业开办“一件事”集成服务")
    guide.page.fill("#id_summary", "企业开办全流程一次办结。")
    guide.page.fill("#id_body", "推行“容缺受理”机制：材料不全时先行受理、限时补齐。")
    guide.page.fill("#id_tags", "一件事、营商环境")
    guide.page.get_by_test_id("experience-save").click()
    expect(guide.page.get_by_test_id("state")).to_have_attribute("data-state", "draft")
    experience = Experience.objects.get(title="企业开办“一件事”集成服务")

    # The office publishes it.
    office = people(office_reviewer)
    office.page.goto(f"{live_server.url}{experience.get_absolute_url()}")
    office.page.get_by_test_id("action-publish").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "published")

    # Another county finds it by a word inside its text (not at the start of anything).
    reader = people(county_xiuzhou)
    reader.page.get_by_test_id("nav-experiences").click()
    reader.page.fill("#id_q", "容缺")
    reader.page.get_by_test_id("library-search").click()
    items = reader.page.get_by_test_id("experience-item")
    expect(items).to_have_count(1)
    items.first.click()
    expect(reader.page.get_by_test_id("experience-body")).to_contain_text("容缺受理")
    expect(reader.page.get_by_test_id("actions")).to_have_count(0)  # reads, cannot publish or withdraw
    expect(reader.page.get_by_test_id("promotion-form")).to_have_count(0)
    reader.page.screenshot(path=shots / "case-library-found.png", full_page=True)

    # The office records a province promotion: the pilot is not evaluated yet, so its bonus entry waits and says so.
    office.page.reload()
    office.page.select_option("#id_level", "province")
    office.page.fill("#id_promoted_on", "2026-03-01")
    office.page.fill("#id_document_number", "浙改办〔2026〕8号")
    office.page.get_by_test_id("promotion-save").click()
    expect(office.page.get_by_test_id("promotion-row")).to_contain_text("浙改办〔2026〕8号")
    office.page.get_by_test_id("promotion-bonus").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "awaiting")
    expect(office.page.get_by_test_id("bonus-note")).to_contain_text("试点尚未完成评估")
    expect(office.page.get_by_test_id("actions")).to_have_count(0)  # nothing to confirm yet

    # The pilot's evaluation (its special group, its guidance unit and an expert) passes: the entry is proposed.
    evaluation = accepted(county_nanhu, office_reviewer, pilot)
    evaluation_services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    for user in (sg_digital, guidance_data, expert_user):
        score_all(evaluation, user, 85)
    evaluation_services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    office.page.reload()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "proposed")
    expect(office.page.get_by_test_id("bonus-note")).to_contain_text("达到加分条件")
    office.page.get_by_test_id("action-confirm").click()
    expect(office.page.get_by_test_id("state")).to_have_attribute("data-state", "confirmed")
    assert BonusEntry.objects.get().status == "confirmed"

    # The pilot's county sees the points in its ledger and exports them.
    owner = people(county_nanhu)
    owner.page.get_by_test_id("nav-bonus").click()
    owner.page.select_option("#id_county", label="南湖区")
    owner.page.fill("#id_year", "2026")
    owner.page.get_by_role("button", name="查询").click()
    expect(owner.page.get_by_test_id("ledger-title")).to_have_text("年度考评加分台账（2026年，南湖区）")
    total = owner.page.locator('[data-testid="ledger-total"][data-year="2026"]')
    expect(total.get_by_test_id("ledger-total-points")).to_have_text("2.00")
    expect(owner.page.get_by_test_id("ledger-row")).to_contain_text("省级推广")
    owner.page.screenshot(path=shots / "bonus-ledger.png", full_page=True)
    with owner.page.expect_download() as download:
        owner.page.get_by_test_id("ledger-export").click()
    assert re.fullmatch(r"年度考评加分台账-\d{8}-\d{4}\.xlsx", download.value.suggested_filename)
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))  # the saved file has no suffix
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "年度考评加分台账（2026年，南湖区）"
    assert rows[2][:4] == (2026, "南湖区", 2, "已确认")

    for person in (guide, office, reader, owner):
        assert person.errors == []
