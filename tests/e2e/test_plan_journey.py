"""The plan's whole way through the browser: the county's pre-filled draft, a submission refused without the
legality review, the submission, a near-copy task flagged and answered, a consultation with two opinions and its
summary sheet, the office's return, the county's answers and resubmission, the diff, the office's pass and the
committee's approval that starts the pilot with its end date."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from pilots.models import Pilot
from reviews.plans import services
from reviews.plans.models import Plan
from reviews.tests.factories import MEETING, filled_plan, make_pilot

from .test_application_journey import Person, refused, state_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXISTING = "建立公共数据授权运营机制，制定数据授权运营管理办法"
NEAR_COPY = "建立公共数据授权运营机制，制定数据授权运营管理办法（试行）"
RETURN_REASON = "请逐条答复征求意见并补充资金保障。"


@pytest.fixture
def people(browser, live_server):
    opened = []

    def open_as(user):
        opened.append(Person(browser, live_server, user))
        return opened[-1]

    yield open_as
    for person in opened:
        person.close()


@pytest.fixture
def finance_dept(make_user):
    return make_user("finance_dept", "md-finance", full_name="市财政局联络员")


def _pdf(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return str(path)


def test_plan_from_pre_filled_draft_to_the_implementing_pilot(
    live_server,
    people,
    shots,
    tmp_path,
    county_nanhu,
    county_xiuzhou,
    office_reviewer,
    committee_member,
    sg_digital,
    guidance_data,
    finance_dept,
    expert_user,
):
    url = live_server.url
    other = make_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    services.submit_plan(
        actor=county_nanhu, plan=filled_plan(county_nanhu, other, tasks=[{"content": EXISTING}])
    )  # Nanhu's plan holds the task Xiuzhou will nearly copy
    pilot = make_pilot(
        county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="数据要素市场化配置改革"
    )

    # The county starts its plan from the list: pre-filled from the application.
    county = people(county_xiuzhou)
    c = county.page
    c.goto(f"{url}/plans/")
    c.get_by_test_id("write-plan").get_by_role("button").click()
    c.wait_for_url(re.compile(r"/plans/\d+/edit/$"))
    plan = Plan.objects.get(pilot=pilot)
    expect(c.locator("#id_goals")).to_have_value(pilot.application.goals)
    expect(c.get_by_test_id("task-row")).to_have_count(3)

    # htmx: add a task (the near copy), remove the last pre-filled one; fill the risk section only.
    c.locator("#id_goals").fill("到试点期满，形成数据要素市场化配置制度成果5项。")
    c.get_by_test_id("task-add").click()
    expect(c.get_by_test_id("task-row")).to_have_count(4)
    c.locator("#id_t3-content").fill(NEAR_COPY)
    c.get_by_test_id("task-remove").nth(2).click()
    expect(c.get_by_test_id("task-row")).to_have_count(3)
    expect(c.locator("#id_t2-content")).to_have_value(NEAR_COPY)
    expect(c.locator("#id_goals")).to_have_value("到试点期满，形成数据要素市场化配置制度成果5项。")
    c.locator("#id_risk_conclusion").fill("低风险，可以实施。")
    c.locator("#id_risk_body").fill("秀洲区社会稳定风险评估中心")
    c.locator("#id_risk_date").fill("2026-03-01")
    c.locator("#id_risk_files").set_input_files(_pdf(tmp_path, "风险评估报告.pdf"))
    c.get_by_test_id("submit").click()
    expect(c.get_by_test_id("form-error")).to_contain_text("合法性审查")
    county.errors[:] = [e for e in county.errors if e != refused(400, "Bad Request")]
    expect(c.locator("#id_t2-content")).to_have_value(NEAR_COPY)  # saved, though not submitted
    c.screenshot(path=shots / "plan-01-refused-without-legality.png", full_page=True)

    c.locator("#id_legality_conclusion").fill("符合法律法规规定。")
    c.locator("#id_legality_body").fill("秀洲区司法局")
    c.locator("#id_legality_date").fill("2026-03-05")
    c.locator("#id_legality_files").set_input_files(_pdf(tmp_path, "合法性审查意见书.pdf"))
    c.get_by_test_id("submit").click()
    c.wait_for_url(f"{url}/plans/{plan.pk}/")
    expect(state_of(c)).to_have_text("已提交")

    # The near copy is flagged beside Nanhu's task; the county explains it.
    flag = c.get_by_test_id("flag").filter(has_text=NEAR_COPY)
    expect(flag).to_have_count(1)
    expect(flag).to_contain_text(EXISTING)
    expect(flag).to_contain_text("南湖区")
    flag.locator("input[name=answer]").fill("本区侧重数据产品交易，办法内容与南湖区不同。")
    flag.get_by_role("button").click()
    expect(flag.get_by_test_id("flag-answer")).to_contain_text("本区侧重数据产品交易")

    # The guidance unit consults the finance bureau and an expert.
    guide = people(guidance_data)
    g = guide.page
    g.goto(f"{url}/plans/{plan.pk}/")
    form = g.get_by_test_id("consultation-form")
    form.get_by_label("市财政局").check()
    form.get_by_label("周专家").check()
    form.locator("#id_due").fill((datetime.date.today() + datetime.timedelta(days=7)).isoformat())
    form.get_by_test_id("consult").click()
    g.wait_for_url(f"{url}/plans/{plan.pk}/")
    expect(state_of(g)).to_have_text("征求意见中")

    for user, verdict, text in (
        (finance_dept, "修改后同意", "建议明确资金保障。"),
        (expert_user, "同意", "任务清单化，同意。"),
    ):
        giver = people(user)
        giver.page.goto(f"{url}/plans/{plan.pk}/")
        giver.page.get_by_test_id("give-opinion").click()
        giver.page.get_by_label(verdict, exact=True).check()
        giver.page.locator("#id_text").fill(text)
        giver.page.locator("input[name^=remark-]").first.fill("请补充时间节点。")
        giver.page.get_by_test_id("give").click()
        giver.page.wait_for_url(f"{url}/plans/{plan.pk}/")

    g.reload()
    g.get_by_test_id("action-close_consultation").click()
    g.wait_for_url(f"{url}/plans/{plan.pk}/")
    expect(state_of(g)).to_have_text("市委改革办审核中")
    g.get_by_test_id("summary-link").click()
    expect(g.get_by_test_id("summary")).to_contain_text("修改后同意")
    expect(g.get_by_test_id("summary")).to_contain_text("周专家")
    g.screenshot(path=shots / "plan-02-summary-sheet.png", full_page=True)

    # The office returns it to the county.
    office = people(office_reviewer)
    o = office.page
    o.goto(f"{url}/plans/{plan.pk}/")
    o.fill("#id_comment", RETURN_REASON)
    o.get_by_test_id("action-return_to_county").click()
    o.wait_for_url(f"{url}/plans/{plan.pk}/")
    expect(state_of(o)).to_have_text("已退回修改")

    # The county answers each opinion, revises and resubmits.
    c.goto(f"{url}/plans/{plan.pk}/edit/")
    expect(c.get_by_test_id("return-reason")).to_contain_text(RETURN_REASON)
    for i, decision in enumerate(("采纳", "部分采纳")):
        form = c.get_by_test_id("answers").locator("form").nth(i)
        form.get_by_label(decision, exact=True).check()
        form.locator("input[name=reason]").fill("已按意见修改。")
        form.get_by_role("button").click()
        c.wait_for_url(f"{url}/plans/{plan.pk}/edit/")
    expect(c.get_by_test_id("answer")).to_have_count(2)
    c.locator("#id_safeguards").fill("设立数据要素市场化配置专项资金。")
    c.get_by_test_id("submit").click()
    c.wait_for_url(f"{url}/plans/{plan.pk}/")
    expect(state_of(c)).to_have_text("市委改革办审核中")

    # The office sees the diff with the answered opinions, then passes it on.
    o.goto(f"{url}/plans/{plan.pk}/")
    o.get_by_test_id("diff-link").click()
    expect(o.get_by_test_id("diff").locator('tr[data-field="safeguards"]')).to_contain_text("专项资金")
    expect(o.get_by_test_id("answered")).to_contain_text("部分采纳")
    o.screenshot(path=shots / "plan-03-diff.png", full_page=True)
    o.goto(f"{url}/plans/{plan.pk}/")
    o.get_by_test_id("action-pass_to_committee").click()
    o.wait_for_url(f"{url}/plans/{plan.pk}/")
    expect(state_of(o)).to_have_text("待市委改革委审批")

    # The committee approves at its meeting: the pilot implements, its term ending PILOT_TERM_YEARS later.
    committee = people(committee_member)
    m = committee.page
    m.goto(f"{url}/plans/{plan.pk}/")
    m.fill("#id_meeting_ref", MEETING)
    m.get_by_test_id("action-approve").click()
    m.wait_for_url(f"{url}/plans/{plan.pk}/")
    expect(state_of(m)).to_have_text("已批准")
    pilot = Pilot.objects.get(pk=pilot.pk)
    assert pilot.status == "implementing" and pilot.term_end is not None
    expect(m.get_by_test_id("term-end")).to_be_visible()
    m.screenshot(path=shots / "plan-04-approved.png", full_page=True)
    for person in (county, guide, office, committee):
        assert person.errors == [], person.errors
