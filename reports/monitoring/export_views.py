"""Excel sheets of the reports app's lists (quarterly reports, rectification items, extension requests), each
with the same scoping and filters as its page, through the shared export (workflow.ui.xlsx)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots.selectors import pilot_list
from reports.monitoring import selectors
from reports.monitoring.filters import ExtensionFilter, ItemFilter, ReportFilter
from reports.monitoring.models import QuarterlyReport
from workflow.ui import xlsx

C = xlsx.Column


# --- quarterly reports -------------------------------------------------------------------------
REPORT_COLUMNS = [
    C(gettext_lazy("年度"), "year", xlsx.INT),
    C(gettext_lazy("季度"), "quarter", xlsx.INT),
    C(gettext_lazy("试点项目"), "pilot.title", width=36),
    C(gettext_lazy("试点县（市、区）"), "county.name"),
    C(gettext_lazy("报送截止日期"), "due_on", xlsx.DATE),
    C(gettext_lazy("状态"), "get_status_display"),
    C(gettext_lazy("报送情况"), lambda r: QuarterlyReport.Timeliness(r.timeliness_key).label),
    C(gettext_lazy("首次报送日期"), "first_submitted_on", xlsx.DATE),
    C(gettext_lazy("最近报送时间"), "submitted_at", xlsx.DATETIME),
    C(gettext_lazy("接收时间"), "accepted_at", xlsx.DATETIME),
]


@login_required
def report_export(request):
    form = ReportFilter(request.GET or None)
    form.name_pilot(pilot_list(request.user))
    qs = form.apply(selectors.with_timeliness(selectors.report_list(request.user)))
    return xlsx.export_response(
        request, what="report_list", title=_("季度进展报告"), columns=REPORT_COLUMNS, rows=qs, form=form
    )


# --- rectification items -----------------------------------------------------------------------
ITEM_COLUMNS = [
    C(gettext_lazy("督察日期"), "inspection.held_on", xlsx.DATE),
    C(gettext_lazy("督察组成员"), "inspection.team"),
    C(gettext_lazy("试点项目"), "pilot.title", width=30),
    C(gettext_lazy("试点县（市、区）"), "county.name"),
    C(gettext_lazy("整改事项"), "content", width=50),
    C(gettext_lazy("责任单位"), "responsible_unit"),
    C(gettext_lazy("整改时限"), "deadline", xlsx.DATE),
    C(gettext_lazy("状态"), "get_status_display"),
    C(gettext_lazy("已逾期"), lambda i: _("是") if i.is_overdue else ""),
]


@login_required
def item_export(request):
    """Rectification items (the office's inspections one row per item), filtered as the items page is."""
    form = ItemFilter(request.GET or None)
    qs = form.apply(selectors.item_list(request.user))
    return xlsx.export_response(
        request, what="rectification_items", title=_("整改事项"), columns=ITEM_COLUMNS, rows=qs, form=form
    )


# --- extension requests ------------------------------------------------------------------------
EXTENSION_COLUMNS = [
    C(gettext_lazy("试点项目"), "pilot.title", width=36),
    C(gettext_lazy("试点县（市、区）"), "county.name"),
    C(gettext_lazy("延期原因"), "get_reason_display"),
    C(gettext_lazy("原期满日期"), "old_end", xlsx.DATE),
    C(gettext_lazy("申请延至"), "new_end", xlsx.DATE),
    C(gettext_lazy("状态"), "get_status_display"),
    C(gettext_lazy("会议届次"), "meeting_ref"),
    C(gettext_lazy("申请时间"), "created_at", xlsx.DATETIME),
]


@login_required
def extension_export(request):
    form = ExtensionFilter(request.GET or None)
    qs = form.apply(selectors.extension_list(request.user))
    return xlsx.export_response(
        request, what="extension_list", title=_("延期申请"), columns=EXTENSION_COLUMNS, rows=qs, form=form
    )
