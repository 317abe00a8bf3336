"""总结评估 in the browser, then 经验推广: the county's pre-filled self-evaluation, the office's acceptance and the
evaluators it names, three evaluators scoring (each blind to the others until all have scored), the grade computed
and shown, the summary reported to the committee and the pilot completed; then, on the existing case-library
pages, the experience published and found by a word from another county's login, a province promotion whose bonus
entry the office confirms, and the county's ledger showing and exporting it.

The pilot (plan approved, a quarterly report submitted, term ended) is made through the real services; every
person uses the real login form in their own browser context."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from pilots.experiences.models import Experience
from pilots.models import Pilot
from reviews.evaluation import services as evaluation_services
from reviews.evaluation.models import Evaluation, SelfEvaluation
from reviews.tests.evaluation_factories import evaluating_pilot

from .test_application_journey import refused
from .test_case_library import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCORES = {"sg_digital": "92", "guidance_data": "88", "expert_user": "90"}


@pytest.fixture
def people(browser, live_server):
    opened = []

    def open_as(user):
        opened.append(Person(browser, live_server, user))
        return opened[-1]

    yield open_as
    for person in opened:
        person.context.close()


def test_self_evaluation_scored_graded_summarised_completed_then_promoted_and_its_points_exported(
    people,
    live_server,
    shots,
    settings,
    county_nanhu,
    county_xiuzhou,
    office_reviewer,
    committee_member,
    sg_digital,
    guidance_data,
    expert_user,
):
    settings.BONUS_POINTS = {"city": 1, "province": 2, "national": None}
    url = live_server.url
    evaluation_services.ensure_default_criteria_set()  # transactional tests flush the data migration's rows
    pilot = evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)

    # The county starts its self-evaluation from the menu: pre-filled from the plan and the last report.
    county = people(county_nanhu)
    c = county.page
    c.get_by_test_id("nav-evaluations").click()
    c.get_by_test_id("start-self-evaluation").get_by_role("button").click()
    c.wait_for_url(re.compile(r"/self-evaluations/\d+/edit/$"))
    se = SelfEvaluation.objects.get(pilot=pilot)
    expect(c.get_by_test_id("task-row")).to_have_count(2)
    expect(c.get_by_test_id("task-row").first.locator("textarea")).to_have_value("管理办法已出台")
    c.fill("#id_overview", "试点任务全部完成，公共数据授权运营平台上线运行。")
    c.fill("#id_institutional_results", "公共数据授权运营管理办法（试行）")
    for row in c.get_by_test_id("task-row").all():
        row.locator("input[type=number]").fill("100")
    score_inputs = c.get_by_test_id("self-score-row").locator("input[inputmode=decimal]")
    expect(score_inputs).to_have_count(5)
    for i in range(4):
        score_inputs.nth(i).fill("90")
    c.get_by_test_id("submit").click()  # one self-score is missing: saved, not submitted, the criterion named
    expect(c.get_by_test_id("error")).to_contain_text("可复制推广")
    score_inputs.nth(4).fill("85")
    c.get_by_test_id("submit").click()
    expect(c.get_by_test_id("state")).to_have_attribute("data-state", "submitted")

    # The office accepts it, which opens the evaluation with the pilot's special group and guidance unit as its
    # evaluators, and adds an expert.
    office = people(office_reviewer)
    o = office.page
    o.goto(f"{url}{se.get_absolute_url()}")
    o.get_by_test_id("action-accept").click()
    expect(o.get_by_test_id("state")).to_have_attribute("data-state", "accepted")
    o.get_by_test_id("evaluation-link").click()
    evaluation = Evaluation.objects.get(pilot=pilot)
    expect(o.get_by_test_id("evaluator-row")).to_have_count(2)
    o.select_option("#evaluators", [str(expert_user.pk)])
    o.get_by_test_id("assign").click()
    expect(o.get_by_test_id("evaluator-row")).to_have_count(3)
    expect(o.get_by_test_id("not-scored")).to_have_count(3)

    # Each evaluator finds the evaluation in the menu and scores every criterion.
    evaluators = {}
    for user in (sg_digital, guidance_data, expert_user):
        person = evaluators[user.username] = people(user)
        p = person.page
        p.get_by_test_id("nav-evaluations").click()
        p.get_by_test_id("evaluation-link").click()
        expect(p.get_by_test_id("scores-hidden")).to_be_visible()  # nobody's scores shown before all are in
        p.get_by_test_id("score-link").click()
        inputs = p.get_by_test_id("criterion-row").locator("input")
        expect(inputs).to_have_count(5)
        for i in range(5):
            inputs.nth(i).fill(SCORES[user.username])
        p.fill("#comment", "试点成效明显。")
        p.get_by_test_id("score-submit").click()
        expect(p.get_by_test_id("score-invite")).to_contain_text("您已评分")
    expert_page = evaluators["expert_user"].page
    expect(expert_page.get_by_test_id("score-table")).to_be_visible()  # the last one in sees every score
    expect(expert_page.get_by_test_id("evaluator-total")).to_have_text(["92.00", "88.00", "90.00"])
    # The expert reads this evaluation only: not the pilot's own page.
    assert expert_page.goto(f"{url}{pilot.get_absolute_url()}").status == 404
    assert expert_page.goto(f"{url}{pilot.plan.get_absolute_url()}").status == 404

    # The office completes the evaluation: total and grade computed, not typed.
    o.reload()
    o.get_by_test_id("action-complete").click()
    expect(o.get_by_test_id("result-total")).to_have_text("90.00")
    expect(o.get_by_test_id("result-grade")).to_have_text("优秀")  # exactly at the threshold
    o.screenshot(path=shots / "evaluation-graded.png", full_page=True)

    # The summary, pre-filled with the grade and scores, reported to the committee: the pilot is completed.
    o.get_by_test_id("summary-edit").click()
    expect(o.locator("#id_summary")).to_contain_text("综合得分90.00分")
    o.get_by_test_id("summary-save").click()
    expect(o.get_by_test_id("summary-text")).to_contain_text("目标完成情况")
    o.get_by_test_id("action-report").click()
    expect(o.get_by_test_id("state")).to_have_attribute("data-state", "reported")
    assert Pilot.objects.get(pk=pilot.pk).status == "completed"
    committee = people(committee_member)
    m = committee.page
    m.goto(f"{url}{evaluation.get_absolute_url()}")
    m.fill("#id_comment", "同意，请总结经验在全市推广。")
    m.get_by_test_id("comment").click()
    expect(m.get_by_test_id("timeline")).to_contain_text("同意，请总结经验在全市推广。")
    m.get_by_test_id("print-link").click()
    sheet = m.get_by_test_id("evaluation-sheet")
    expect(sheet).to_contain_text("周专家")
    expect(sheet).to_contain_text("可复制推广")
    expect(m.get_by_test_id("print-grade")).to_have_text("优秀")
    m.screenshot(path=shots / "evaluation-print.png", full_page=True)

    # 经验推广 on the case library's pages: the office records and publishes the experience.
    o.get_by_test_id("nav-experiences").click()
    o.get_by_test_id("experience-new").click()
    o.select_option("#id_pilot", str(pilot.pk))
    o.fill("#id_title", "公共数据授权运营“数据专班”机制")
    o.fill("#id_summary", "集中归集公共数据，分级授权运营。")
    o.fill("#id_body", "组建数据专班，推行“容缺受理”式授权申请，运营收益反哺数据治理。")
    o.fill("#id_tags", "公共数据、授权运营")
    o.get_by_test_id("experience-save").click()
    o.get_by_test_id("action-publish").click()
    expect(o.get_by_test_id("state")).to_have_attribute("data-state", "published")

    # Another county finds it by a word inside its text.
    reader = people(county_xiuzhou)
    r = reader.page
    r.get_by_test_id("nav-experiences").click()
    r.fill("#id_q", "专班")
    r.get_by_test_id("library-search").click()
    expect(r.get_by_test_id("experience-item")).to_have_count(1)
    r.get_by_test_id("experience-item").first.click()
    expect(r.get_by_test_id("experience-body")).to_contain_text("容缺受理")

    # A province promotion proposes a bonus entry; the office confirms it.
    experience = Experience.objects.get(title="公共数据授权运营“数据专班”机制")
    o.goto(f"{url}{experience.get_absolute_url()}")
    o.select_option("#id_level", "province")
    o.fill("#id_promoted_on", "2026-03-01")
    o.fill("#id_document_number", "浙改办〔2026〕9号")
    o.get_by_test_id("promotion-save").click()
    o.get_by_test_id("promotion-bonus").click()
    expect(o.get_by_test_id("state")).to_have_attribute("data-state", "proposed")
    o.get_by_test_id("action-confirm").click()
    expect(o.get_by_test_id("state")).to_have_attribute("data-state", "confirmed")

    # The pilot's county sees the points in its ledger and exports them.
    c.get_by_test_id("nav-bonus").click()
    c.select_option("#id_county", label="南湖区")
    c.fill("#id_year", "2026")
    c.get_by_role("button", name="查询").click()
    expect(c.get_by_test_id("ledger-row")).to_contain_text("省级推广")
    total = c.locator('[data-testid="ledger-total"][data-year="2026"]')
    expect(total.get_by_test_id("ledger-total-points")).to_have_text("2.00")
    with c.expect_download() as download:
        c.get_by_test_id("ledger-export").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][:4] == (2026, "南湖区", 2, "已确认")

    assert county.errors == [refused(400, "Bad Request")]  # the refused submission without a self-score
    for person in (office, committee, reader, evaluators["sg_digital"], evaluators["guidance_data"]):
        assert person.errors == []
    assert evaluators["expert_user"].errors == [refused(404, "Not Found")] * 2
