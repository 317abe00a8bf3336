"""Excel sheets of the reports app's lists (quarterly reports, rectification items, extension requests), each
with the same scoping and filters as its page, through the shared export (workflow.xlsx)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow import xlsx
from workflow.widgets import CountyFilterField, filter_county

from . import selectors
from .extensions import ExtensionRequest
from .inspections import RectificationItem
from .models import QuarterlyReport

C = xlsx.Column


def _county_field():
    """A county's id (the lists' and dashboards' links) or part of a name (the search box at national scale)."""
    return CountyFilterField(label=_("县（市、区）"), empty_label=_("全部县（市、区）"))


# --- quarterly reports -------------------------------------------------------------------------
class ReportFilter(forms.Form):
    """The report list's filters, read as its page reads them."""

    status = forms.ChoiceField(label=_("状态"), required=False)
    timeliness = forms.ChoiceField(label=_("报送情况"), required=False)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label=_("季度"), required=False, min_value=1, max_value=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", ""), *QuarterlyReport.Status.choices]
        self.fields["timeliness"].choices = [("", ""), *QuarterlyReport.Timeliness.choices]
        self.fields["county"] = _county_field()


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
    qs = selectors.with_timeliness(selectors.report_list(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("timeliness"):
        qs = qs.filter(timeliness_key=data["timeliness"])
    if data.get("year"):
        qs = qs.filter(year=data["year"])
    if data.get("quarter"):
        qs = qs.filter(quarter=data["quarter"])
    qs = filter_county(qs, data.get("county"))
    return xlsx.export_response(
        request, what="report_list", title=_("季度进展报告"), columns=REPORT_COLUMNS, rows=qs, form=form
    )


# --- rectification items -----------------------------------------------------------------------
class ItemFilter(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False)
    overdue = forms.ChoiceField(label=_("逾期"), required=False, choices=[("", ""), ("1", _("仅已逾期"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", ""), ("open", _("未完成整改")), *RectificationItem.Status.choices]
        self.fields["county"] = _county_field()


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
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.item_list(
        request.user, state=data.get("state") or "", overdue=data.get("overdue") == "1", county=data.get("county")
    )
    return xlsx.export_response(
        request, what="rectification_items", title=_("整改事项"), columns=ITEM_COLUMNS, rows=qs, form=form
    )


# --- extension requests ------------------------------------------------------------------------
class ExtensionFilter(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", ""), ("pending", _("待审")), *ExtensionRequest.Status.choices]
        self.fields["county"] = _county_field()


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
    data = form.cleaned_data if form.is_valid() else {}
    qs = ExtensionRequest.objects.visible_to(request.user).select_related("pilot", "county").order_by("-created_at")
    if data.get("status") == "pending":
        qs = qs.filter(status__in=ExtensionRequest.PENDING)
    elif data.get("status"):
        qs = qs.filter(status=data["status"])
    qs = filter_county(qs, data.get("county"))
    return xlsx.export_response(
        request, what="extension_list", title=_("延期申请"), columns=EXTENSION_COLUMNS, rows=qs, form=form
    )
