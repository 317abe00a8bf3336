"""The stacking check misses nothing at the threshold (issue 28, point 15): a reworded task of an existing reform
task that shares only about a third of its wording is flagged (the former band keys, 42 bands of 3 rows, shared
no key with it), and among stored tasks written from the same phrases every pair at or above the threshold is found.
"""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from rapidfuzz import fuzz

from reviews.models import ReferenceTask, StackingFlag
from reviews.plans import imports, services, stacking
from reviews.tests.factories import filled_plan

pytestmark = pytest.mark.django_db

EXISTING = "深化医保支付方式改革，推行按病种分值付费，建立医保基金监管考核评价体系"
REWORDED = "推进医保支付方式改革，建立按病种付费考核评价机制"


def _rows(*texts):
    return [{"content": t, "responsible_unit": "区医保分局"} for t in texts]


def _xlsx(rows):
    wb = Workbook()
    wb.active.append(list(imports.HEADERS))
    for r in rows:
        wb.active.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("tasks.xlsx", out.getvalue(), content_type=imports.XLSX_CONTENT_TYPE)


def test_a_reworded_task_of_the_reference_list_is_flagged_though_it_shares_a_third_of_its_bigrams(
    office_reviewer, county_nanhu, county_xiuzhou, pilot, login
):
    shared = stacking.shingles(EXISTING) & stacking.shingles(REWORDED)
    assert len(shared) / len(stacking.shingles(EXISTING) | stacking.shingles(REWORDED)) < 0.4
    assert stacking.score(EXISTING, REWORDED) >= stacking.DEFAULT_THRESHOLD

    upload = login(office_reviewer).post(
        reverse("reviews:references"), {"file": _xlsx([(EXISTING, "嘉兴市2020年医保改革任务清单", "南湖区", 2020)])}
    )
    assert upload.status_code == 302 and ReferenceTask.objects.count() == 1
    plan = filled_plan(county_nanhu, pilot, tasks=_rows(REWORDED, "建立基层减负长效机制"))
    plan = services.submit_plan(actor=county_nanhu, plan=plan)

    flag = StackingFlag.objects.get(plan=plan)
    assert (flag.task_content, flag.matched_text, flag.source) == (REWORDED, EXISTING, "reference")
    assert (flag.source_label, flag.source_county, flag.source_year) == ("嘉兴市2020年医保改革任务清单", "南湖区", 2020)
    assert flag.score == stacking.score(REWORDED, EXISTING) >= 60
    page = login(office_reviewer).get(plan.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200 and text.count('data-testid="flag"') == 1
    assert EXISTING in text and "嘉兴市2020年医保改革任务清单" in text
    assert f'data-testid="score">{flag.score}<' in text
    # Another county does not see the plan or its flags.
    assert login(county_xiuzhou).get(plan.get_absolute_url()).status_code == 404


VERBS = ["建立", "完善", "推进", "深化", "探索", "健全"]
OBJECTS = [
    "公共数据授权运营机制",
    "企业开办“一件事”集成服务",
    "农村宅基地有偿退出机制",
    "医保支付方式改革",
    "矛盾纠纷多元化解机制",
    "信用分级分类监管",
    "社区养老服务网络",
    "排污权交易市场",
]
RESULTS = [
    "制定管理办法",
    "出台实施细则",
    "建设统一平台",
    "建立考核评价体系",
    "形成可复制经验",
    "建立部门联席会议制度",
    "推动数据共享",
    "完善配套政策",
    "形成典型案例",
]


def _sentences(seed, n):
    rng = random.Random(seed)
    return [f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(RESULTS)}，{rng.choice(RESULTS)}" for _ in range(n)]


def test_every_pair_at_or_above_the_threshold_is_flagged_among_tasks_written_from_the_same_phrases(
    office_reviewer, county_nanhu, pilot, monkeypatch
):
    """200 reference tasks and a 6-task plan from the same verbs, objects and results: many pairs share the object
    or a result and nothing else. The flags are exactly the pairs an exhaustive comparison scores at or above the
    threshold (93 here; the former band keys found 88 of them). The plan's tasks are looked up 4 to a query."""
    monkeypatch.setattr(stacking, "TASKS_PER_QUERY", 4)
    texts = _sentences(1, 200)
    refs = ReferenceTask.objects.bulk_create(
        [ReferenceTask(content=c, source="基准清单", year=2020, imported_by=office_reviewer) for c in texts]
    )
    stacking.index_references(refs)
    plan = services.submit_plan(
        actor=county_nanhu, plan=filled_plan(county_nanhu, pilot, tasks=_rows(*_sentences(1001, 6)))
    )
    expected = {
        (task.key, ref.pk)
        for task in plan.tasks.all()
        for ref in refs
        if stacking.score(task.content, ref.content) >= stacking.threshold()
    }
    assert len(expected) == 93
    assert {(f.task_key, f.source_id) for f in StackingFlag.objects.filter(plan=plan)} == expected


@pytest.mark.parametrize("other", [REWORDED, "建立公共数据授权运营机制", "。", "", "医保"])
def test_the_score_is_the_larger_of_the_edit_and_the_sorted_bigram_similarity(other):
    def grams(text):
        return " ".join(sorted(stacking.shingles(text)))

    a, b = stacking.normalise(EXISTING), stacking.normalise(other)
    expected = round(max(fuzz.ratio(a, b), fuzz.token_sort_ratio(grams(EXISTING), grams(other)))) if a and b else 0
    assert stacking.score(EXISTING, other) == expected
