"""Excel exports of any list: a title row naming the filter, Chinese headers, typed cells, streamed, audited.

One helper for every list and dashboard table. openpyxl's write-only mode writes each row to a temporary
file as it comes, the querysets are read with ``iterator(chunk_size=…)``, and the finished workbook is sent
from a temporary file through ``FileResponse`` (a ``StreamingHttpResponse``): 100,000 rows keep memory flat
(``bench/export_memory.py``). An app describes its sheet with ``Column``s and calls ``export_response``."""

import datetime
import decimal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..audit.events import audit
from ..audit.models import AuditEvent
from .forms import filter_problems

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
# The sheet is written before the first byte is sent (a zip needs its parts): about 4 s per 10,000 rows of ten
# columns here (bench/RESULTS.md), so 100,000 rows stay inside gunicorn's 60 s timeout; past that, ask for a filter.
MAX_ROWS = 100_000

TEXT, INT, NUMBER, DATE, DATETIME = "text", "int", "number", "date", "datetime"
# Only decimals get a format object: openpyxl gives dates (yyyy-mm-dd) and times (yyyy-mm-dd h:mm:ss) a date
# format of their own, and a cell object per value costs a quarter of the writing time.
FORMATS = {NUMBER: "0.00"}
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, how to read the value from a row, and the cell type.

    ``value`` is a dotted path of attributes or dict keys (``"county.name"``, ``"get_status_display"`` —
    callables are called; rows may be model objects or dicts, e.g. aggregated ``values()``) or a function of the
    row."""

    header: Any
    value: str | Callable[[Any], Any]
    kind: str = TEXT
    width: int | None = None

    def read(self, row):
        if callable(self.value):
            return self.value(row)
        obj = row
        for part in self.value.split("."):
            if obj is None:
                return None
            obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part)
            if callable(obj) and not isinstance(obj, Model):
                obj = obj()
        return obj


# --- cells -------------------------------------------------------------------------------------
def _typed(value, kind):
    """The value as Excel should hold it: numbers as numbers, dates as dates (local, naive), text as text."""
    if value is None or value == "":
        return None
    if kind == DATETIME:
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.replace(tzinfo=None)
        return value
    if kind == DATE:
        if isinstance(value, datetime.datetime):
            return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        return value
    if kind == INT:
        return int(value)
    if kind == NUMBER:
        return float(value) if isinstance(value, decimal.Decimal) else value
    return value if isinstance(value, int | float) else str(value)


def _illegal_free(text):
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _cell(sheet, value, kind):
    value = _typed(value, kind)
    if value is None:
        return None
    if isinstance(value, str):
        value = _illegal_free(value)
        if value[:1] in "=+-@":  # text typed by a user is never a formula in the exported sheet
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value
    if kind in FORMATS:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = FORMATS[kind]
        return cell
    return value


# --- the filter, written in the title ----------------------------------------------------------
def _display(field, value):
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, QuerySet | list | tuple):
        return "、".join(_display(field, v) for v in value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    choices = getattr(field, "choices", None)
    if choices:
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    return str(value)


def _raw(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple):
        return [_raw(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _filled(form):
    if form is None or not form.is_bound or not form.is_valid():
        return []
    return [
        (name, form.fields[name], value)
        for name, value in form.cleaned_data.items()
        if name in form.fields and name != "page" and value not in (None, "", [], ()) and value is not False
    ]


def describe_form(form):
    """The active filter in words, e.g. ``批次：2021年第一批，状态：已提交``; empty when nothing is filtered."""
    if hasattr(form, "form") and not isinstance(form, forms.BaseForm):  # a django-filter FilterSet
        form = form.form
    return "，".join(f"{field.label}：{_display(field, value)}" for _name, field, value in _filled(form))


def form_details(form):
    """The active filter as ids and plain values, for the audit row."""
    if hasattr(form, "form") and not isinstance(form, forms.BaseForm):
        form = form.form
    return {name: _raw(value) for name, _field, value in _filled(form)}


def sheet_title(title, filters):
    return _("%(title)s（%(filters)s）") % {"title": title, "filters": filters or _("全部")}


# --- the workbook ------------------------------------------------------------------------------
def _rows(rows, limit):
    if isinstance(rows, QuerySet):
        return rows[: limit + 1].iterator(chunk_size=CHUNK_SIZE)
    return iter(rows)


def write(stream, *, title, filters, columns, rows, sheet_name=None, limit=MAX_ROWS):
    """Write the workbook to ``stream`` (a binary file); return ``(rows written, whether cut at the limit)``."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(sheet_name or title).translate(_SHEET_NAME_FORBIDDEN)[:31])
    for index, column in enumerate(columns, start=1):
        width = column.width or {DATE: 12, DATETIME: 17, INT: 10, NUMBER: 10}.get(column.kind, 20)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    head = WriteOnlyCell(sheet, value=_illegal_free(sheet_title(title, filters)))
    head.font = Font(bold=True, size=14)
    sheet.append([head])
    bold = Font(bold=True)
    headers = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        headers.append(cell)
    sheet.append(headers)
    count, cut = 0, False
    for row in _rows(rows, limit):
        if count >= limit:
            cut = True
            break
        sheet.append([_cell(sheet, column.read(row), column.kind) for column in columns])
        count += 1
    if cut:
        sheet.append([_("仅导出了前%(limit)s行，请缩小筛选范围后再导出。") % {"limit": limit}])
    book.save(stream)
    return count, cut


def export_response(
    request,
    *,
    what,
    title,
    columns,
    rows,
    form=None,
    filters=None,
    details=None,
    filename=None,
    sheet_name=None,
    limit=MAX_ROWS,
):
    """The rows as an .xlsx download, streamed from a temporary file, with one security-audit row.

    ``what`` names the list in the audit (``application_list``); the filter is described from ``form`` (a
    bound form or FilterSet, the same one the list page uses) unless ``filters``/``details`` are given."""
    bound = form.form if form is not None and not isinstance(form, forms.BaseForm) else form
    if bound is not None and bound.is_bound and not bound.is_valid():
        return HttpResponseBadRequest(
            _("筛选条件有误，未导出：%(problems)s") % {"problems": filter_problems(bound)},
            content_type="text/plain; charset=utf-8",
        )
    description = describe_form(form) if filters is None else filters
    stream = tempfile.TemporaryFile()  # noqa: SIM115 -- the response closes (and so removes) it when sent
    try:
        count, cut = write(
            stream, title=title, filters=description, columns=columns, rows=rows, sheet_name=sheet_name, limit=limit
        )
        audit(
            AuditEvent.Kind.EXPORT,
            request,
            what=what,
            rows=count,
            truncated=cut,
            filters=form_details(form) if details is None else details,
        )
    except BaseException:
        stream.close()
        raise
    stream.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = FileResponse(
        stream, as_attachment=True, filename=f"{filename or title}-{stamp}.xlsx", content_type=CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response
