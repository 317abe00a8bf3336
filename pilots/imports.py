"""Excel import of candidates (试点候选名单): the downloadable template, the row checks and the all-or-nothing import.

The sheet is checked completely before anything is written; a single bad cell means nothing is imported.
Every imported row goes through ``services.propose_candidate(accept=True)``, so it is listed through the
audited workflow transition (``candidate.created`` + ``candidate.accept`` log rows), all in one transaction.
"""

import io
import logging
import warnings
import zipfile
from typing import NamedTuple

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import ReformArea, Role, Unit
from pilots.models import Batch, Candidate
from pilots.services import propose_candidate
from workflow.engine.errors import WorkflowError
from workflow.engine.files import sniff

logger = logging.getLogger(__name__)

# The column headers are the file format itself, so they are not translated.
COL_TITLE = "试点项目名称"
COL_AREA = "改革领域"
COL_LEAD_GROUP = "牵头专项小组"
COL_GUIDANCE_UNIT = "建议牵头指导单位"
COL_DESCRIPTION = "改革内容简介"
HEADERS = (COL_TITLE, COL_AREA, COL_LEAD_GROUP, COL_GUIDANCE_UNIT, COL_DESCRIPTION)

DATA_SHEET = "候选项目"
HELP_SHEET = "说明"
CHOICES_SHEET = "选项"
EXAMPLE_MARK = "【示例】"  # a row whose title starts with this is the template's example and is skipped

MAX_ROWS = 500
TITLE_MAX = Candidate._meta.get_field("title").max_length
FILE_MAX_BYTES = 5 * 1024 * 1024  # a 500-row sheet is a few hundred KB
UNZIPPED_MAX_BYTES = 50 * 1024 * 1024  # refuse zip bombs before parsing
HEADER_SCAN_COLS = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "候选项目导入模板.xlsx"


class RowError(NamedTuple):
    """One problem: the Excel row number (None for the file as a whole), the column header, a Chinese message."""

    row: int | None
    column: str
    message: str


class ImportFileError(Exception):
    """The upload cannot be read as a candidate sheet at all."""


# --- shared look-ups ---------------------------------------------------------------------------
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "〝": '"', "〞": '"', "‘": "'", "’": "'", "（": "(", "）": ")"})


def _norm(value):
    """Loose key for matching a typed name against a list: no whitespace, one kind of quotes and brackets."""
    return "".join(str(value).split()).translate(_QUOTES).lower()


def _text(value):
    """A cell value as stripped text (numbers without a spurious ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _area_labels():
    """The ReformArea labels as the template shows them (always Chinese)."""
    with translation.override("zh-hans"):
        return [(key, str(label)) for key, label in ReformArea.choices]


def _area_lookup():
    lookup = {}
    for key, label in ReformArea.choices:
        lookup[_norm(key)] = key
        lookup[_norm(label)] = key  # the current language's label
    for key, label in _area_labels():
        lookup[_norm(label)] = key
    return lookup


def _units(kind):
    return list(Unit.objects.filter(kind=kind, is_active=True).order_by("sort_order", "code"))


# --- the template ------------------------------------------------------------------------------
def _example_row(areas, groups, guidance):
    area_key, area_label = areas[1] if len(areas) > 1 else areas[0]
    group = next((g for g in groups if g.area == area_key), groups[0] if groups else None)
    guide = next((u for u in guidance if group and u.name == group.lead_unit_name), guidance[0] if guidance else None)
    return [
        f"{EXAMPLE_MARK}公共数据授权运营改革试点",
        area_label,
        group.name if group else "",
        guide.name if guide else "",
        "(示例行，导入时会自动跳过，可删除)围绕公共数据授权运营，探索数据资源开发利用的制度规则和安全保障机制。",
    ]


def _list_validation(ws, column, source_range, *, title, allow_blank):
    dv = DataValidation(
        type="list",
        formula1=source_range,
        allow_blank=allow_blank,
        showErrorMessage=True,
        errorTitle=_("输入值无效"),
        error=_("请从下拉列表中选择%(title)s。") % {"title": title},
        showInputMessage=True,
        promptTitle=title,
        prompt=_("请从下拉列表中选择。"),
    )
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    ws.add_data_validation(dv)


def build_template() -> bytes:
    """The .xlsx the office fills in: data sheet with drop-downs, a 说明 sheet and a hidden sheet of choices."""
    areas = _area_labels()
    groups = _units(Role.SPECIAL_GROUP)
    guidance = _units(Role.GUIDANCE_UNIT)

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(list(HEADERS))
    ws.append(_example_row(areas, groups, guidance))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")
    for letter, width in zip("ABCDE", (40, 34, 44, 22, 70), strict=True):
        ws.column_dimensions[letter].width = width
    for row in range(2, MAX_ROWS + 2):
        ws.cell(row=row, column=1).number_format = "@"  # titles stay text, even "2026"
        ws.cell(row=row, column=5).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"

    # Choices live on a hidden sheet so the lists may be long and names may contain commas.
    choices = wb.create_sheet(CHOICES_SHEET)
    columns = [
        (COL_AREA, [label for _key, label in areas], 2, False),
        (COL_LEAD_GROUP, [g.name for g in groups], 3, False),
        (COL_GUIDANCE_UNIT, [u.name for u in guidance], 4, True),
    ]
    for index, (title, values, data_column, allow_blank) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        choices.cell(row=1, column=index, value=title)
        for row, value in enumerate(values, start=2):
            choices.cell(row=row, column=index, value=value)
        if values:
            source = f"'{CHOICES_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
            _list_validation(ws, data_column, source, title=title, allow_blank=allow_blank)
    choices.sheet_state = "hidden"

    help_ws = wb.create_sheet(HELP_SHEET, index=1)
    help_ws.column_dimensions["A"].width = 110
    lines = [
        _("试点候选项目导入说明"),
        "",
        _("1. 请在“%(sheet)s”工作表中填写，每行一个候选项目；不要修改第1行表头，也不要增删、调换列。")
        % {"sheet": DATA_SHEET},
        _("2. 试点项目名称：必填，不超过%(max)s个字；同一文件内不能重复，也不能与该批次已有的候选项目重名。")
        % {"max": TITLE_MAX},
        _("3. 改革领域：必填，从下拉列表中选择（可选值见下方）。"),
        _("4. 牵头专项小组：必填，从下拉列表中选择市级专项小组的全称。"),
        _("5. 建议牵头指导单位：选填，如填写须从下拉列表中选择市级牵头指导单位的全称。"),
        _("6. 改革内容简介：必填。"),
        _("7. 每次最多导入%(max)s行；空行会被忽略；以“%(mark)s”开头的示例行会被自动跳过。")
        % {"max": MAX_ROWS, "mark": EXAMPLE_MARK},
        _("8. 系统会先检查全部行：只要有一处错误，就不会导入任何一行，并逐行列出错误；请改正后重新上传。"),
        _("9. 导入成功的项目由市委改革办提出并直接列入所选批次的试点候选名单，每条均记入流转记录。"),
        "",
        _("改革领域可选值："),
        *[f"  · {label}" for _key, label in areas],
        "",
        _("牵头专项小组可选值："),
        *[f"  · {g.name}" for g in groups],
        "",
        _("建议牵头指导单位可选值："),
        *[f"  · {u.name}" for u in guidance],
    ]
    for line in lines:
        help_ws.append([line])
    help_ws["A1"].font = Font(bold=True, size=14)

    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- reading an upload -------------------------------------------------------------------------
def _not_xlsx():
    return ImportFileError(
        _("上传的文件不是有效的 Excel（.xlsx）文件，可能已损坏或被改名。请下载模板，填写后另存为 .xlsx 再上传。")
    )


def _check_container(file):
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError(_("请上传 .xlsx 格式的 Excel 文件（不支持 .xls、.csv 等格式），建议使用下载的模板填写。"))
    size = getattr(file, "size", None)
    if not size:
        raise ImportFileError(_("上传的文件是空的。"))
    if size > FILE_MAX_BYTES:
        raise ImportFileError(
            _("文件过大（%(size)s），导入文件不能超过%(limit)s。")
            % {"size": filesizeformat(size), "limit": filesizeformat(FILE_MAX_BYTES)}
        )
    if not sniff(file, "xlsx"):
        raise _not_xlsx()
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_xlsx() from None
    finally:
        file.seek(0)
    if unpacked > UNZIPPED_MAX_BYTES:
        raise ImportFileError(_("文件内容过大，无法导入。请只保留候选项目数据后重新上传。"))


def _pick_sheet(wb):
    sheets = wb.worksheets
    if DATA_SHEET in wb.sheetnames and wb[DATA_SHEET] in sheets:
        return wb[DATA_SHEET]
    if not sheets:
        raise ImportFileError(_("文件中没有工作表。"))
    return sheets[0]


def _read_sheet(file):
    """(header cells, [(excel row number, values)] of non-blank rows, first row number beyond the cap or None)."""
    _check_container(file)
    wb = None
    try:
        with warnings.catch_warnings():
            # Files saved by Excel/WPS carry extensions openpyxl does not know; it warns and ignores them.
            warnings.simplefilter("ignore")
            wb = load_workbook(file, read_only=True, data_only=True)
            ws = _pick_sheet(wb)
            ws.reset_dimensions()  # do not trust the stored size: some writers get it wrong
            header = next(ws.iter_rows(min_row=1, max_row=1, max_col=HEADER_SCAN_COLS, values_only=True), ())
            rows, overflow = [], None
            data = ws.iter_rows(min_row=2, max_col=len(HEADERS), values_only=True)
            for number, values in enumerate(data, start=2):
                if all(_text(v) == "" for v in values):
                    continue
                if len(rows) >= MAX_ROWS:
                    overflow = number
                    break
                rows.append((number, tuple(values) + (None,) * (len(HEADERS) - len(values))))
    except ImportFileError:
        raise
    except Exception:  # any damaged or foreign container (BadZipFile, InvalidFileException, KeyError, XML errors…)
        logger.info("candidate import: unreadable workbook %r", getattr(file, "name", ""), exc_info=True)
        raise _not_xlsx() from None
    finally:
        if wb is not None:
            wb.close()
        file.seek(0)
    return header, rows, overflow


def _check_header(header):
    found = [_text(v) for v in header]
    while found and found[-1] == "":
        found.pop()
    if [_norm(v) for v in found] == [_norm(h) for h in HEADERS]:
        return None
    return RowError(
        None,
        "",
        _("表头与模板不一致：第1行应依次为“%(expected)s”，实际为“%(found)s”。请下载最新模板，按模板填写后再上传。")
        % {"expected": "、".join(HEADERS), "found": "、".join(found) or _("（空）")},
    )


def parse_rows(file, batch):
    """Read and check every row of an uploaded sheet.

    Returns ``(rows, errors)``: rows are dicts ready for ``propose_candidate`` (plus ``row``, the Excel row
    number); errors are ``RowError(row, column, message)`` tuples. Rows are only usable when errors is empty.
    """
    try:
        header, raw_rows, overflow = _read_sheet(file)
    except ImportFileError as err:
        return [], [RowError(None, "", str(err))]
    header_error = _check_header(header)
    if header_error:
        return [], [header_error]

    raw_rows = [(n, v) for n, v in raw_rows if not _text(v[0]).startswith(EXAMPLE_MARK)]
    errors = []
    if not raw_rows:
        errors.append(RowError(None, "", _("表格中没有可导入的数据行，请从第2行开始填写候选项目。")))
    if overflow is not None:
        errors.append(
            RowError(
                overflow, "", _("每次最多导入%(max)s行，本行及以后的行超出了上限，请分批导入。") % {"max": MAX_ROWS}
            )
        )

    areas = _area_lookup()
    groups = {_norm(u.name): u for u in _units(Role.SPECIAL_GROUP)}
    guidance = {_norm(u.name): u for u in _units(Role.GUIDANCE_UNIT)}
    titles = [" ".join(_text(v[0]).split()) for _n, v in raw_rows]
    existing = set(
        Candidate.objects.filter(batch=batch, title__in=[t for t in titles if t]).values_list("title", flat=True)
    )
    first_seen = {}

    rows = []
    for (number, values), title in zip(raw_rows, titles, strict=True):
        area_text, group_text, guide_text, description = (_text(v) for v in values[1:5])

        def bad(column, message, number=number):
            errors.append(RowError(number, column, message))

        if not title:
            bad(COL_TITLE, _("请填写试点项目名称。"))
        elif len(title) > TITLE_MAX:
            bad(
                COL_TITLE,
                _("试点项目名称不能超过%(max)s个字（现有%(n)s个字）。") % {"max": TITLE_MAX, "n": len(title)},
            )
        elif title in first_seen:
            bad(COL_TITLE, _("与第%(row)s行的试点项目名称重复。") % {"row": first_seen[title]})
        elif title in existing:
            bad(COL_TITLE, _("批次“%(batch)s”中已有同名候选项目。") % {"batch": batch.name})
        if title:
            first_seen.setdefault(title, number)

        area = areas.get(_norm(area_text)) if area_text else None
        if not area_text:
            bad(COL_AREA, _("请填写改革领域。"))
        elif area is None:
            bad(COL_AREA, _("“%(value)s”不是有效的改革领域，请从下拉列表中选择。") % {"value": area_text})

        group = groups.get(_norm(group_text)) if group_text else None
        if not group_text:
            bad(COL_LEAD_GROUP, _("请填写牵头专项小组。"))
        elif group is None:
            bad(COL_LEAD_GROUP, _("“%(value)s”不是现有的市级专项小组，请从下拉列表中选择。") % {"value": group_text})

        guide = guidance.get(_norm(guide_text)) if guide_text else None
        if guide_text and guide is None:
            bad(
                COL_GUIDANCE_UNIT,
                _("“%(value)s”不是现有的市级牵头指导单位，请从下拉列表中选择或留空。") % {"value": guide_text},
            )

        if not description:
            bad(COL_DESCRIPTION, _("请填写改革内容简介。"))

        rows.append(
            {
                "row": number,
                "batch": batch,
                "title": title,
                "area": area,
                "lead_group": group,
                "guidance_unit": guide,
                "description": description,
            }
        )

    order = {name: i for i, name in enumerate(HEADERS)}
    errors.sort(key=lambda e: (e.row or 0, order.get(e.column, -1)))
    return (rows if not errors else []), errors


# --- the import --------------------------------------------------------------------------------
def _failure(errors, field="file"):
    whole_file = [e.message for e in errors if e.row is None]
    if whole_file:
        message = " ".join(whole_file)
    else:
        message = _("导入文件中有%(n)s处错误（涉及%(rows)s行），未导入任何候选项目。请按下表逐行修改后重新上传。") % {
            "n": len(errors),
            "rows": len({e.row for e in errors}),
        }
    err = WorkflowError(message, field=field, status=400)
    err.row_errors = list(errors)
    return err


def import_candidates(*, actor, batch, file) -> list[Candidate]:
    """Check the whole sheet, then list every row as a candidate in one transaction (all or nothing).

    Raises PermissionDenied for anyone but the reform office, and WorkflowError (400) whose ``row_errors``
    holds the ``RowError`` list when any row is wrong; in that case nothing is written.
    """
    if not rules.has_perm("pilots.import_candidates", actor):
        raise PermissionDenied(_("只有市委改革办可以导入候选项目。"))
    if batch.status == Batch.Status.DECIDED:
        raise _failure([RowError(None, "", _("该批次已确定，不能再导入候选项目。"))], field="batch")
    rows, errors = parse_rows(file, batch)
    if errors:
        raise _failure(errors)

    created = []
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == Batch.Status.DECIDED:
            raise _failure([RowError(None, "", _("该批次已确定，不能再导入候选项目。"))], field="batch")
        for row in rows:
            data = {key: row[key] for key in ("title", "area", "lead_group", "guidance_unit", "description")}
            try:
                created.append(propose_candidate(actor=actor, data={**data, "batch": locked}, accept=True))
            except WorkflowError as err:  # e.g. a same-named candidate added meanwhile: roll everything back
                column = COL_TITLE if err.field == "title" else ""
                raise _failure([RowError(row["row"], column, err.message)]) from err
    logger.info("candidate import: %s listed %d candidates in batch %s", actor.pk, len(created), batch.pk)
    return created
