"""The check against mechanical stacking, with real Chinese task sentences: rewordings and near-copies of other
plans' tasks and of the imported reference list are flagged; unrelated tasks of the same field are not."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from reviews.plans import imports, services, stacking
from reviews.plans.models import ReferenceTask, StackingFlag, TaskSignatureBand
from reviews.tests.factories import filled_plan, make_pilot

pytestmark = pytest.mark.django_db

EXISTING = [
    "建立公共数据授权运营机制，制定数据授权运营管理办法",
    "推进企业开办“一件事”集成改革，实现全流程网上办理",
    "完善数据安全风险评估制度，开展数据分类分级保护",
]
NEAR_COPY = "建立公共数据授权运营机制，制定数据授权运营管理办法（试行）"
REWORDED = "制定公共数据授权运营管理办法，建立数据授权运营工作机制"
REWORDED_2 = "建立数据安全风险评估制度，推进数据分类分级管理"
SAME_FIELD_UNRELATED = [
    "建设城市大脑数字驾驶舱，提升基层治理数字化水平",
    "推进政务服务数字化转型，建设掌上办事平台",
    "深化农村集体经营性建设用地入市改革，完善收益分配机制",
]


@pytest.mark.parametrize("text", [NEAR_COPY, REWORDED])
def test_rewordings_and_near_copies_score_above_the_threshold(text):
    assert stacking.score(EXISTING[0], text) >= stacking.DEFAULT_THRESHOLD
    assert set(stacking.band_keys(EXISTING[0])) & set(stacking.band_keys(text))  # found through the band index


@pytest.mark.parametrize("text", SAME_FIELD_UNRELATED)
def test_unrelated_tasks_of_the_same_field_score_below_it(text):
    assert all(stacking.score(e, text) < stacking.DEFAULT_THRESHOLD for e in EXISTING)


def _rows(*texts):
    return [{"content": t, "responsible_unit": "区数据局"} for t in texts]


@pytest.fixture
def other_plan(county_nanhu, pilot):
    plan = filled_plan(county_nanhu, pilot, tasks=_rows(*EXISTING))
    return services.submit_plan(actor=county_nanhu, plan=plan)


@pytest.fixture
def xiuzhou_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital, pilot):
    return make_pilot(
        county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="数据要素市场化配置改革"
    )


def test_a_submitted_plan_is_flagged_against_other_plans_with_source_and_score(
    other_plan, county_xiuzhou, xiuzhou_pilot, office_reviewer, login
):
    plan = filled_plan(county_xiuzhou, xiuzhou_pilot, tasks=_rows(NEAR_COPY, REWORDED_2, *SAME_FIELD_UNRELATED))
    assert TaskSignatureBand.objects.filter(task__plan=plan).count() == 5 * stacking.BANDS
    plan = services.submit_plan(actor=county_xiuzhou, plan=plan)
    flags = {f.task_content: f for f in StackingFlag.objects.filter(plan=plan)}
    assert set(flags) == {NEAR_COPY, REWORDED_2}
    flag = flags[NEAR_COPY]
    assert flag.matched_text == EXISTING[0] and flag.source == "plan" and flag.source_county == "南湖区"
    assert flag.source_label == other_plan.title and flag.source_year == 2026 and flag.score >= 90
    page = login(office_reviewer).get(plan.get_absolute_url()).content.decode()
    assert page.count('data-testid="flag"') == 2 and EXISTING[0] in page and "南湖区" in page


def test_the_county_answers_a_flag_and_the_answer_survives_a_resubmission(
    other_plan, county_xiuzhou, xiuzhou_pilot, county_nanhu, login
):
    plan = services.submit_plan(
        actor=county_xiuzhou, plan=filled_plan(county_xiuzhou, xiuzhou_pilot, tasks=_rows(NEAR_COPY))
    )
    flag = StackingFlag.objects.get(plan=plan)
    url = reverse("reviews:answer_flag", args=[plan.pk, flag.pk])
    assert login(county_nanhu).post(url, {"answer": "x"}).status_code == 404  # not their plan
    assert (
        login(county_xiuzhou).post(url, {"answer": "本县侧重数据产品交易，与南湖区的办法制定不同。"}).status_code == 302
    )
    flag.refresh_from_db()
    assert flag.answer.startswith("本县侧重") and flag.answered_by == county_xiuzhou
    stacking.check_plan(plan)
    assert StackingFlag.objects.get(plan=plan).answer.startswith("本县侧重")


def _xlsx(rows, headers=imports.HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("tasks.xlsx", out.getvalue(), content_type=imports.XLSX_CONTENT_TYPE)


def test_the_office_imports_the_reference_list_and_plans_are_checked_against_it(
    office_reviewer, county_nanhu, pilot, login
):
    client = login(office_reviewer)
    rows = [(EXISTING[1], "嘉兴市2020年改革工作要点", "南湖区", 2020), (EXISTING[2], "省数据安全改革清单", "", "")]
    response = client.post(reverse("reviews:references"), {"file": _xlsx(rows)})
    assert response.status_code == 302 and ReferenceTask.objects.count() == 2
    plan = filled_plan(
        county_nanhu, pilot, tasks=_rows("推进企业开办“一件事”集成改革，全流程实现网上办理", "建立基层减负长效机制")
    )
    plan = services.submit_plan(actor=county_nanhu, plan=plan)
    flag = StackingFlag.objects.get(plan=plan)
    assert (flag.source, flag.source_label, flag.source_year) == ("reference", "嘉兴市2020年改革工作要点", 2020)


def test_a_bad_row_imports_nothing_and_every_row_error_is_shown(office_reviewer, county_nanhu, login):
    rows = [(EXISTING[0], "来源甲", "", 2021), ("", "来源乙", "", 2021), (EXISTING[1], "", "", "二〇二一")]
    response = login(office_reviewer).post(reverse("reviews:references"), {"file": _xlsx(rows)})
    text = response.content.decode()
    assert response.status_code == 400 and ReferenceTask.objects.count() == 0
    assert "请填写任务内容" in text and "请填写来源" in text and "年份须为四位数字" in text
    bad_header = login(office_reviewer).post(reverse("reviews:references"), {"file": _xlsx(rows, ("内容",))})
    assert bad_header.status_code == 400 and "表头缺少" in bad_header.content.decode()
    not_excel = SimpleUploadedFile("x.xlsx", b"not a workbook")
    assert login(office_reviewer).post(reverse("reviews:references"), {"file": not_excel}).status_code == 400
    assert login(county_nanhu).get(reverse("reviews:references")).status_code == 403


def test_another_countys_unsubmitted_draft_is_not_a_source(county_nanhu, pilot, county_xiuzhou, xiuzhou_pilot):
    filled_plan(county_nanhu, pilot, tasks=_rows(*EXISTING))  # Nanhu's draft, never submitted
    plan = services.submit_plan(
        actor=county_xiuzhou, plan=filled_plan(county_xiuzhou, xiuzhou_pilot, tasks=_rows(NEAR_COPY))
    )
    assert not StackingFlag.objects.filter(plan=plan).exists()
