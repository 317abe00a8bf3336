"""Every filtered list's Excel export: the list's scoping (a county exports only its rows, whatever it asks),
its filter (named in the title row), typed cells, one audit row, a fixed query count as rows grow."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from applications.tests.factories import open_batch
from reports.monitoring import extension_services, inspection_services
from reports.tests.factories import implementing_pilot, listed_reports
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

# (URL name, the header of the column naming the county, what the audit row calls the list)
SCOPED = [
    ("applications:export", "申报单位", "application_list"),
    ("pilots:pilot_export", "试点县（市、区）", "pilot_list"),
    ("reviews:export", "试点县（市、区）", "plan_list"),
    ("reports:export", "试点县（市、区）", "report_list"),
    ("reports:item_export", "试点县（市、区）", "rectification_items"),
    ("reports:extension_export", "试点县（市、区）", "extension_list"),
]


def add_county(county, office, committee, group, batch, title):
    pilot = implementing_pilot(county, office, committee, group, candidate_title=title, batch=batch)
    inspection_services.record_inspection(
        actor=office,
        held_on=datetime.date(2026, 5, 20),
        team="市委改革办督察组",
        findings="平台上线滞后",
        pilots=[pilot],
        items=[
            {
                "pilot": pilot,
                "content": "加快平台建设",
                "responsible_unit": "数据局",
                "deadline": datetime.date(2026, 6, 30),
            }
        ],
    )
    extension_services.apply_extension(
        actor=county, pilot=pilot, reason="complex", reason_text="任务复杂", new_end=pilot.term_end.replace(year=2029)
    )
    return pilot


@pytest.fixture
def two_counties(county_nanhu, county_xiuzhou, office_reviewer, committee_member, sg_digital):
    batch = open_batch(office_reviewer)
    for county, title in ((county_nanhu, "公共数据授权运营集成改革"), (county_xiuzhou, "强村富民集成改革")):
        add_county(county, office_reviewer, committee_member, sg_digital, batch, title)
    return batch


def sheet_rows(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))


def counties_in(rows, header):
    column = rows[1].index(header)
    return {r[column] for r in rows[2:]}


@pytest.mark.parametrize(("name", "header", "what"), SCOPED)
def test_the_office_exports_both_counties_or_the_one_it_filters(
    name, header, what, two_counties, office_reviewer, login, units
):
    client = login(office_reviewer)
    assert counties_in(sheet_rows(client.get(reverse(name))), header) == {"南湖区", "秀洲区"}
    rows = sheet_rows(client.get(reverse(name), {"county": units["xiuzhou"].pk}))
    assert counties_in(rows, header) == {"秀洲区"}
    assert "县（市、区）：秀洲区" in rows[0][0]
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, details__what=what).latest("id")
    assert event.actor == office_reviewer and event.details["rows"] == len(rows) - 2 >= 1
    assert event.details["filters"] == {"county": units["xiuzhou"].pk}


@pytest.mark.parametrize(("name", "header", "what"), SCOPED)
def test_a_county_exports_only_its_own_rows_whatever_it_asks(
    name, header, what, two_counties, county_nanhu, login, units
):
    client = login(county_nanhu)
    assert counties_in(sheet_rows(client.get(reverse(name))), header) == {"南湖区"}
    assert counties_in(sheet_rows(client.get(reverse(name), {"county": units["xiuzhou"].pk})), header) == set()


def test_cells_are_typed_and_the_status_filter_is_named(two_counties, office_reviewer, login):
    rows = sheet_rows(
        login(office_reviewer).get(reverse("reports:export"), {"status": "draft", "timeliness": "not_due"})
    )
    assert rows[0][0].startswith("季度进展报告（状态：") and "报送情况：未到期" in rows[0][0]
    year, quarter, _title, _county, due = rows[2][:5]
    assert isinstance(year, int) and isinstance(quarter, int) and isinstance(due, datetime.datetime)
    rows = sheet_rows(login(office_reviewer).get(reverse("reports:extension_export"), {"status": "pending"}))
    assert rows[0][0] == "延期申请（状态：待审）" and len(rows) == 4
    assert isinstance(rows[2][rows[1].index("申请延至")], datetime.datetime)


@pytest.mark.parametrize("name", [n for n, _h, _w in SCOPED])
def test_a_bad_filter_is_a_400_in_chinese(name, office_reviewer, login):
    response = login(office_reviewer).get(reverse(name), {"county": "999999"})
    assert response.status_code == 400 and "筛选条件有误" in response.content.decode()


def test_query_count_does_not_grow_with_rows(
    two_counties, office_reviewer, committee_member, sg_digital, make_user, login
):
    client = login(office_reviewer)

    def counts():
        result = {}
        for name, _header, _what in SCOPED:
            with CaptureQueriesContext(connection) as ctx:
                rows = sheet_rows(client.get(reverse(name)))
            result[name] = (len(ctx.captured_queries), len(rows))
        return result

    before = counts()
    add_county(
        make_user("county_haiyan", "haiyan"), office_reviewer, committee_member, sg_digital, two_counties, "海盐改革"
    )
    after = counts()
    for name in before:
        assert after[name][1] > before[name][1], name  # more rows ...
        assert after[name][0] == before[name][0], name  # ... the same queries


@pytest.mark.parametrize(
    ("page", "export", "query"),
    [
        ("reports:list", "reports:export", "status=submitted&amp;county=1"),
        ("reports:inspections", "reports:item_export", "state=open"),
        ("reports:extensions", "reports:extension_export", "status=pending"),
        ("reports:counties", "reports:county_export", "year=2026"),
    ],
)
def test_each_list_links_to_its_export_with_its_query_string(page, export, query, office_reviewer, login):
    html = login(office_reviewer).get(f"{reverse(page)}?{query.replace('&amp;', '&')}").content.decode()
    assert f'href="{reverse(export)}?{query}" data-testid="export-link"' in html


def test_the_quarter_page_exports_its_quarter(two_counties, office_reviewer, login, units):
    client = login(office_reviewer)
    html = client.get(reverse("reports:quarter"), {"year": 2026, "quarter": 2, "county": units["nanhu"].pk}).content
    href = f"{reverse('reports:export')}?year=2026&amp;quarter=2&amp;county={units['nanhu'].pk}"
    assert f'href="{href}" data-testid="export-link"' in html.decode()
    rows = sheet_rows(client.get(href.replace("&amp;", "&")))
    assert rows[0][0] == "季度进展报告（年度：2026，季度：2，县（市、区）：南湖区）"
    assert {(r[0], r[1], r[3]) for r in rows[2:]} == {(2026, 2, "南湖区")}


def test_the_report_list_and_its_export_show_only_the_pilots_reports(two_pilots_in_nanhu, office_reviewer, login):
    first, second = two_pilots_in_nanhu
    client = login(office_reviewer)
    everything = client.get(reverse("reports:list")).content.decode()
    assert {title for _period, title, _county in listed_reports(everything)} == {first.title, second.title}
    html = client.get(reverse("reports:list"), {"pilot": second.pk}).content.decode()
    reports = list(second.quarterly_reports.order_by("-year", "-quarter"))
    assert listed_reports(html) == [(r.period_label, second.title, "南湖区") for r in reports]
    assert f'data-testid="total">共{len(reports)}项<' in html and first.title not in html
    assert f"已按试点项目筛选：{second.title}" in html
    # Choosing a state keeps the pilot; 清除筛选 goes back to every report.
    assert f'<input type="hidden" name="pilot" value="{second.pk}">' in html
    assert f'<a href="{reverse("reports:list")}">清除筛选</a>' in html
    rows = sheet_rows(client.get(reverse("reports:export"), {"pilot": second.pk}))
    assert rows[0][0] == f"季度进展报告（试点项目：{second.title}）"
    assert [row[:4] for row in rows[2:]] == [(r.year, r.quarter, second.title, "南湖区") for r in reports]


# (the list, its export, a valid filter with a bad one, what the warning names, the list's rows, their counties)
BAD_FILTERS = [
    (
        "reports:list",
        "reports:export",
        {"county": "xiuzhou", "year": "abc"},
        "年度：请输入整数。",
        "report",
        {"秀洲区"},
    ),
    (
        "reports:list",
        "reports:export",
        {"county": "xiuzhou", "pilot": "x"},
        "试点项目：请输入正整数。",
        "report",
        {"秀洲区"},
    ),
    (
        "reports:list",
        "reports:export",
        {"county": "xiuzhou", "year": "abc", "quarter": "9"},
        "年度：请输入整数。季度：确保该值小于或等于4。",
        "report",
        {"秀洲区"},
    ),
    (
        "reports:inspections",
        "reports:item_export",
        {"county": "xiuzhou", "overdue": "yes"},
        "逾期：没有这个选项，请重新选择。",
        "item",
        {"秀洲区"},
    ),
    (
        "reports:extensions",
        "reports:extension_export",
        {"county": "xiuzhou", "status": "x"},
        "状态：没有这个选项，请重新选择。",
        "extension",
        {"秀洲区"},
    ),
    (
        "reports:extensions",
        "reports:extension_export",
        {"status": "approved", "county": "999999"},
        "县（市、区）：没有这个县（市、区），请重新选择。",
        "extension",
        set(),
    ),
]


@pytest.mark.parametrize(("page", "export", "query", "problem", "row", "counties"), BAD_FILTERS)
def test_a_bad_filter_is_named_and_ignored_by_the_list_and_refused_by_its_export(
    page, export, query, problem, row, counties, two_counties, office_reviewer, login, units
):
    query = {k: units[v].pk if v in units else v for k, v in query.items()}
    client = login(office_reviewer)
    response = client.get(reverse(page), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-testid="filter-problems">筛选条件有误，已忽略：{problem}' in html
    rows = re.findall(rf'<tr data-testid="{row}-row">.*?</tr>', html, re.S)
    assert {county for county in ("南湖区", "秀洲区") if any(f"<td>{county}</td>" in r for r in rows)} == counties
    refused = client.get(reverse(export), query)
    assert refused.status_code == 400 and f"筛选条件有误，未导出：{problem}" in refused.content.decode()
