"""Exports of the pilots app's lists: batches, candidates (status filter, scope), the decided list of a batch
and the case library (drafts only for those who may see them); each audited, with the filter in the title."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Unit
from applications.tests.factories import BatchFactory, listed_candidate, open_batch
from pilots import services
from pilots.models import Candidate
from pilots.tests.experience_factories import approved_pilot, draft, promote, published
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    assert response.status_code == 200, response.content[:500]
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))


def column(rows, header):
    i = rows[1].index(header)
    return [r[i] for r in rows[2:]]


def test_batches_the_office_sees_drafts_a_county_does_not(office_reviewer, county_nanhu, login):
    open_batch(office_reviewer, name="2026年第一批")
    BatchFactory(name="2027年第一批", year=2027)  # still a draft
    rows = sheet_rows(login(office_reviewer).get(reverse("pilots:batch_export")))
    assert rows[0][0] == "试点批次（全部）" and sorted(column(rows, "批次名称")) == ["2026年第一批", "2027年第一批"]
    assert isinstance(column(rows, "年度")[0], int)
    assert column(sheet_rows(login(county_nanhu).get(reverse("pilots:batch_export"))), "批次名称") == ["2026年第一批"]


def test_candidates_filtered_by_status_and_scoped(office_reviewer, county_nanhu, login):
    from pilots.services import propose_candidate

    batch = open_batch(office_reviewer)
    listed_candidate(office_reviewer, batch, title="公共数据授权运营集成改革")
    propose_candidate(
        actor=office_reviewer,
        data={
            "batch": batch,
            "title": "办公室提出未列入",
            "area": "digital",
            "lead_group": Unit.objects.get(code="sg-digital"),
            "guidance_unit": None,
            "description": "简介",
        },
    )
    office = sheet_rows(login(office_reviewer).get(reverse("pilots:candidate_export")))
    assert sorted(column(office, "试点项目名称")) == ["公共数据授权运营集成改革", "办公室提出未列入"]
    listed = sheet_rows(login(office_reviewer).get(reverse("pilots:candidate_export"), {"status": "listed"}))
    assert listed[0][0] == f"候选项目（状态：{Candidate.Status.LISTED.label}）"
    assert column(listed, "试点项目名称") == ["公共数据授权运营集成改革"]
    county = sheet_rows(login(county_nanhu).get(reverse("pilots:candidate_export")))
    assert column(county, "试点项目名称") == ["公共数据授权运营集成改革"]  # another unit's proposal is not its to read


def test_decided_list_of_the_chosen_batch(office_reviewer, committee_member, county_nanhu, sg_digital, login):
    batch = open_batch(office_reviewer)
    pilot = approved_pilot(
        county_nanhu, office_reviewer, committee_member, sg_digital, listed_candidate(office_reviewer, batch)
    )
    services.batch_act(actor=office_reviewer, batch=batch, name="close")
    services.batch_act(actor=office_reviewer, batch=batch, name="decide")
    rows = sheet_rows(login(county_nanhu).get(reverse("pilots:decided_export"), {"batch": batch.pk}))
    assert rows[0][0] == f"试点项目确定名单（{batch.name}）"
    assert column(rows, "试点项目名称") == [pilot.title] and column(rows, "会议届次") == ["市委改革委第3次会议"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT, details__what="decided_list")
    assert event.details == {**event.details, "rows": 1, "filters": {"batch": batch.pk}}


def test_case_library_drafts_only_for_those_who_may_see_them(
    office_reviewer, committee_member, county_nanhu, sg_digital, login, units
):
    pilot = approved_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    published(office_reviewer, pilot, "已发布的做法")
    draft(office_reviewer, pilot, "草稿做法")
    assert column(sheet_rows(login(county_nanhu).get(reverse("pilots:experience_export"))), "经验做法名称") == [
        "已发布的做法"
    ]
    asked = sheet_rows(login(county_nanhu).get(reverse("pilots:experience_export"), {"status": "draft"}))
    assert column(asked, "经验做法名称") == ["已发布的做法"]  # a county cannot read drafts by asking
    office = sheet_rows(login(office_reviewer).get(reverse("pilots:experience_export"), {"status": "draft"}))
    assert column(office, "经验做法名称") == ["草稿做法"] and "状态：草稿" in office[0][0]
    filtered = sheet_rows(
        login(office_reviewer).get(reverse("pilots:experience_export"), {"county": units["xiuzhou"].pk})
    )
    assert filtered[0][0] == "嘉兴样本（县（市、区）：秀洲区）" and len(filtered) == 2


@pytest.mark.parametrize(
    ("page", "export", "query"),
    [
        ("pilots:candidate_list", "pilots:candidate_export", "status=listed"),
        ("pilots:batch_list", "pilots:batch_export", ""),
        ("pilots:experience_list", "pilots:experience_export", "area=digital"),
        ("pilots:pilot_list", "pilots:pilot_export", "stage=running"),
    ],
)
def test_each_list_links_to_its_export_with_its_query_string(page, export, query, office_reviewer, login):
    html = login(office_reviewer).get(f"{reverse(page)}?{query}").content.decode()
    href = reverse(export) + (f"?{query}" if query else "")
    assert f'href="{href}" data-testid="export-link"' in html


def test_decided_list_links_to_the_export_of_its_batch(
    office_reviewer, committee_member, county_nanhu, sg_digital, login
):
    batch = open_batch(office_reviewer)
    approved_pilot(
        county_nanhu, office_reviewer, committee_member, sg_digital, listed_candidate(office_reviewer, batch)
    )
    services.batch_act(actor=office_reviewer, batch=batch, name="close")
    services.batch_act(actor=office_reviewer, batch=batch, name="decide")
    html = login(county_nanhu).get(reverse("pilots:decided_list")).content.decode()
    assert f'href="{reverse("pilots:decided_export")}?batch={batch.pk}"' in html


def test_case_library_export_reads_promotions_per_chunk_not_per_row(
    office_reviewer, committee_member, county_nanhu, sg_digital, login
):
    pilot = approved_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    promote(office_reviewer, published(office_reviewer, pilot, "做法一"), "city")
    client = login(office_reviewer)

    def export():
        with CaptureQueriesContext(connection) as ctx:
            rows = sheet_rows(client.get(reverse("pilots:experience_export")))
        return len(ctx.captured_queries), rows

    small, rows = export()
    assert column(rows, "推广层级") == ["市级"]
    for n in range(2, 6):
        promote(office_reviewer, published(office_reviewer, pilot, f"做法{n}"), "province")
    large, rows = export()
    assert len(rows) == 2 + 5 and small == large


def test_a_bad_stage_on_the_pilot_list_is_named_and_the_valid_filters_still_apply(
    office_reviewer, committee_member, county_nanhu, sg_digital, login
):
    pilot = approved_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    client = login(office_reviewer)
    page = client.get(reverse("pilots:pilot_list"), {"stage": "xx", "county": pilot.county_id})
    assert page.status_code == 200
    text = page.content.decode()
    assert "筛选条件有误，已忽略：阶段：没有这个选项，请重新选择。" in text and pilot.title in text
    other = Unit.objects.get(code="xiuzhou")
    assert (
        pilot.title
        not in client.get(reverse("pilots:pilot_list"), {"stage": "xx", "county": other.pk}).content.decode()
    )
    export = client.get(reverse("pilots:pilot_export"), {"stage": "xx"})
    assert export.status_code == 400 and "阶段：没有这个选项，请重新选择。" in export.content.decode()


def test_the_case_library_explains_an_unknown_area_next_to_its_field(county_nanhu, login):
    text = login(county_nanhu).get(reverse("pilots:experience_list"), {"area": "xx"}).content.decode()
    assert "没有这个选项，请重新选择。" in text and "不在可用的选项中" not in text


def test_a_bad_status_on_the_candidate_list_is_named_and_refused_by_its_export(office_reviewer, login):
    candidate = listed_candidate(office_reviewer, open_batch(office_reviewer))
    client = login(office_reviewer)
    text = client.get(reverse("pilots:candidate_list"), {"status": "xx"}).content.decode()
    assert "筛选条件有误，已忽略：状态：没有这个选项，请重新选择。" in text and candidate.title in text
    export = client.get(reverse("pilots:candidate_export"), {"status": "xx"})
    assert export.status_code == 400 and "状态：没有这个选项，请重新选择。" in export.content.decode()
