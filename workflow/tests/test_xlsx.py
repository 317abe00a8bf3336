"""The shared Excel export: the filter in the title row, typed cells, user text never a formula, the row cap,
a streamed response and one audit row per export."""

import datetime
import decimal
import io
from types import SimpleNamespace

import pytest
from django import forms
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import RequestFactory
from openpyxl import load_workbook

from accounts.models import Unit
from workflow.models import AuditEvent
from workflow.ui import xlsx

COLUMNS = [
    xlsx.Column("名称", "name"),
    xlsx.Column("县（市、区）", "county.name"),
    xlsx.Column("分数", "points", xlsx.NUMBER),
    xlsx.Column("份数", lambda r: r.count, xlsx.INT),
    xlsx.Column("日期", "day", xlsx.DATE),
    xlsx.Column("提交时间", "at", xlsx.DATETIME),
    xlsx.Column("状态", "get_status_display"),
]


def row(name="甲", **extra):
    values = {
        "name": name,
        "county": SimpleNamespace(name="南湖区"),
        "points": decimal.Decimal("1.50"),
        "count": 3,
        "day": datetime.date(2026, 2, 3),
        "at": datetime.datetime(2026, 2, 3, 1, 30, tzinfo=datetime.UTC),
        "get_status_display": lambda: "已提交",
    }
    values.update(extra)
    return SimpleNamespace(**values)


def read(stream_or_bytes):
    data = stream_or_bytes if isinstance(stream_or_bytes, bytes) else stream_or_bytes.getvalue()
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_title_row_names_the_filter_then_headers_then_typed_cells():
    out = io.BytesIO()
    count, cut = xlsx.write(out, title="试点申报", filters="状态：已提交", columns=COLUMNS, rows=[row()])
    rows = read(out)
    assert (count, cut) == (1, False)
    assert rows[0][0] == "试点申报（状态：已提交）"
    assert rows[1] == ("名称", "县（市、区）", "分数", "份数", "日期", "提交时间", "状态")
    name, county, points, number, day, at, state = rows[2]
    assert (name, county, state) == ("甲", "南湖区", "已提交")
    assert points == 1.5 and isinstance(points, float)
    assert number == 3 and isinstance(number, int)
    assert isinstance(day, datetime.datetime) and day.date() == datetime.date(2026, 2, 3)
    assert at == datetime.datetime(2026, 2, 3, 9, 30)  # shown in Asia/Shanghai, as on the page


def test_no_filter_reads_all_and_missing_values_are_empty_cells():
    out = io.BytesIO()
    xlsx.write(out, title="试点项目", filters="", columns=COLUMNS, rows=[row(county=None, day=None, points=None)])
    rows = read(out)
    assert rows[0][0] == "试点项目（全部）"
    assert rows[2][1] is None and rows[2][2] is None and rows[2][4] is None


def test_user_text_that_looks_like_a_formula_stays_text_and_control_characters_are_dropped():
    out = io.BytesIO()
    xlsx.write(out, title="t", filters="", columns=COLUMNS[:1], rows=[row('=HYPERLINK("http://x")'), row("a\x07b")])
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A3"].data_type == "s" and sheet["A3"].value == '=HYPERLINK("http://x")'
    assert sheet["A4"].value == "ab"


def test_rows_past_the_limit_are_cut_with_a_note():
    out = io.BytesIO()
    count, cut = xlsx.write(
        out, title="t", filters="", columns=COLUMNS[:1], rows=[row(str(i)) for i in range(5)], limit=3
    )
    rows = read(out)
    assert (count, cut) == (3, True)
    assert [r[0] for r in rows[2:5]] == ["0", "1", "2"]
    assert "仅导出了前3行" in rows[5][0]


class Filter(forms.Form):
    county = forms.ModelChoiceField(label="县（市、区）", queryset=Unit.objects.all(), required=False)
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), ("submitted", "已提交")], required=False)
    since = forms.DateField(label="起始日期", required=False)
    q = forms.CharField(label="关键词", required=False)


def test_filter_described_in_words_and_in_ids(units):
    nanhu = units["nanhu"]
    form = Filter({"county": nanhu.pk, "status": "submitted", "since": "2026-01-05", "q": "", "page": "2"})
    assert xlsx.describe_form(form) == "县（市、区）：南湖区，状态：已提交，起始日期：2026年1月5日"
    assert xlsx.form_details(form) == {"county": nanhu.pk, "status": "submitted", "since": "2026-01-05"}
    assert xlsx.describe_form(Filter({})) == "" and xlsx.describe_form(None) == ""
    assert xlsx.describe_form(Filter({"since": "bad"})) == ""  # an invalid filter is the page's 400, never here


@pytest.mark.django_db
def test_export_response_streams_a_workbook_and_audits_who_what_how_many(office_reviewer, units):
    request = RequestFactory().get("/x/export.xlsx", {"county": units["nanhu"].pk})
    request.user = office_reviewer
    form = Filter(request.GET)
    response = xlsx.export_response(
        request, what="test_list", title="试点申报", columns=COLUMNS, rows=[row(), row("乙")], form=form
    )
    assert response.streaming and response["Content-Type"] == xlsx.CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows = read(b"".join(response.streaming_content))
    # Closed as a WSGI server (and Django's test client) does, without request_finished closing the test's connection.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert rows[0][0] == "试点申报（县（市、区）：南湖区）" and len(rows) == 4
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.actor == office_reviewer and event.path == "/x/export.xlsx"
    assert event.details["what"] == "test_list" and event.details["rows"] == 2
    assert event.details["filters"] == {"county": units["nanhu"].pk} and event.details["truncated"] is False


@pytest.mark.django_db
def test_a_queryset_is_read_in_chunks_with_one_query(units, django_assert_num_queries):
    columns = [
        xlsx.Column("单位", "name"),
        xlsx.Column("类型", "get_kind_display"),
        xlsx.Column("排序", "sort_order", xlsx.INT),
    ]
    out = io.BytesIO()
    with django_assert_num_queries(1):
        count, _cut = xlsx.write(out, title="单位", filters="", columns=columns, rows=Unit.objects.order_by("pk"))
    rows = read(out)
    assert count == Unit.objects.count() == len(rows) - 2 > 7
    assert rows[2][0] == Unit.objects.order_by("pk").first().name


@pytest.mark.django_db
def test_a_bad_filter_is_a_chinese_400_and_nothing_is_exported_or_audited(office_reviewer):
    request = RequestFactory().get("/x/export.xlsx", {"since": "2026-13-45"})
    request.user = office_reviewer
    response = xlsx.export_response(
        request, what="test_list", title="t", columns=COLUMNS, rows=[row()], form=Filter(request.GET)
    )
    assert response.status_code == 400 and "筛选条件有误" in response.content.decode()
    assert "起始日期" in response.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_rows_may_be_dicts_as_aggregated_values_give_them():
    out = io.BytesIO()
    rows = [{"county": {"name": "南湖区"}, "n": 3, "points": decimal.Decimal("2.5")}]
    columns = [
        xlsx.Column("县", "county.name"),
        xlsx.Column("数", "n", xlsx.INT),
        xlsx.Column("分", "points", xlsx.NUMBER),
    ]
    xlsx.write(out, title="t", filters="", columns=columns, rows=rows)
    assert read(out)[2] == ("南湖区", 3, 2.5)
