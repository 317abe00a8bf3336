"""Excel import of the reference list of existing reform tasks (现有改革任务清单) the stacking check compares with.

All or nothing, as the candidate import: every row is checked first; one bad cell and nothing is imported, each
problem listed with its row and column. Imported rows get their band keys in the same transaction.
"""

import io
from typing import NamedTuple

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from reviews.plans import stacking
from reviews.plans.models import ReferenceTask
from workflow.engine.errors import WorkflowError

COL_CONTENT = "任务内容"
COL_SOURCE = "来源"
COL_COUNTY = "县（市、区）"
COL_YEAR = "年份"
HEADERS = (COL_CONTENT, COL_SOURCE, COL_COUNTY, COL_YEAR)
MAX_ROWS = 5000
FILE_MAX_BYTES = 5 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RowError(NamedTuple):
    row: int | None
    column: str
    message: str


def _fail(message, row_errors=()):
    err = WorkflowError(message, status=400)
    err.row_errors = list(row_errors)
    return err


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def build_template():
    wb = Workbook()
    ws = wb.active
    ws.title = "现有改革任务"
    ws.append(list(HEADERS))
    ws.append(["推进企业开办“一件事”集成改革，实现全流程网上办理", "嘉兴市2020年改革工作要点", "南湖区", 2020])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_rows(file):
    """``[(row number, {header: text})]`` of the sheet's non-empty rows; ImportFileError-like WorkflowError."""
    if file.size > FILE_MAX_BYTES:
        raise _fail(_("文件过大：不能超过5MB。"))
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # any unreadable upload is the same problem for the user
        raise _fail(_("无法读取文件：请上传按模板填写的 .xlsx 文件。")) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise _fail(_("表头缺少：%(cols)s。请使用模板，不要修改第1行。") % {"cols": "、".join(missing)})
    index = {h: header.index(h) for h in HEADERS}
    found = []
    for number, values in enumerate(rows, start=2):
        cells = {h: _text(values[i]) if i < len(values) else "" for h, i in index.items()}
        if any(cells.values()):
            found.append((number, cells))
    wb.close()
    return found


def check(rows):
    errors, clean = [], []
    if not rows:
        errors.append(RowError(None, "", _("文件中没有任务。")))
    if len(rows) > MAX_ROWS:
        errors.append(RowError(None, "", _("每次最多导入%(max)s行。") % {"max": MAX_ROWS}))
    for number, cells in rows:
        if not cells[COL_CONTENT]:
            errors.append(RowError(number, COL_CONTENT, _("请填写任务内容。")))
        if not cells[COL_SOURCE]:
            errors.append(RowError(number, COL_SOURCE, _("请填写来源（文件或清单名称）。")))
        elif len(cells[COL_SOURCE]) > 200:
            errors.append(RowError(number, COL_SOURCE, _("来源不能超过200个字。")))
        if len(cells[COL_COUNTY]) > 60:
            errors.append(RowError(number, COL_COUNTY, _("县（市、区）不能超过60个字。")))
        year = cells[COL_YEAR]
        if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
            errors.append(RowError(number, COL_YEAR, _("年份须为四位数字，例如2021。")))
        clean.append(cells)
    return errors, clean


def import_references(*, actor, file):
    """Check the whole sheet, then create every row (with its band keys) in one transaction."""
    if not rules.has_perm("reviews.manage_reference", actor):
        raise PermissionDenied(_("只有市委改革办可以导入现有改革任务清单。"))
    rows = read_rows(file)
    errors, clean = check(rows)
    if errors:
        whole = [e for e in errors if e.row is None]
        if whole:
            raise _fail(whole[0].message)
        raise _fail(_("发现%(n)s处错误，未导入任何任务，请改正后重新上传。") % {"n": len(errors)}, errors)
    with transaction.atomic():
        created = ReferenceTask.objects.bulk_create(
            [
                ReferenceTask(
                    content=c[COL_CONTENT],
                    source=c[COL_SOURCE],
                    county=c[COL_COUNTY],
                    year=int(c[COL_YEAR]) if c[COL_YEAR] else None,
                    imported_by=actor,
                )
                for c in clean
            ]
        )
        if not all(r.pk for r in created):  # no RETURNING: read the rows back
            created = list(ReferenceTask.objects.filter(imported_by=actor).order_by("-id")[: len(clean)])
        stacking.index_references(created)
    return created
