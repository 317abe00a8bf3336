"""The consultation's summary sheet (意见汇总表) as an Excel file."""

import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def summary_workbook(plan, opinions):
    wb = Workbook()
    ws = wb.active
    ws.title = _("意见汇总表")
    ws.append([_("意见汇总表")])
    ws.append([_("方案名称"), plan.title, _("试点县（市、区）"), plan.county.name])
    headers = [_("序号"), _("被征求意见单位"), _("意见"), _("意见说明"), _("逐项意见"), _("采纳情况"), _("理由")]
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=14)
    for i, o in enumerate(opinions, 1):
        ws.append(
            [
                i,
                o.invitee_name,
                o.verdict_label if o.status == "given" else o.get_status_display(),
                o.text,
                "\n".join(f"{r.task_content[:30]}：{r.remark}" for r in o.remarks),
                o.answer.get_decision_display() if o.answer else "",
                o.answer.reason if o.answer else "",
            ]
        )
    for col, width in zip("ABCDEFG", (6, 24, 14, 50, 50, 12, 40), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''plan-{plan.pk}-opinions.xlsx"
    return response
