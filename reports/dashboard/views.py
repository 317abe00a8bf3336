"""The committee's and the office's dashboards, time in stage, the goals the office keeps, and the list of
institutional results the dashboards link to."""

from decimal import Decimal

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.roles import has_role
from reports.dashboard import figures as dashboard
from reports.dashboard import goals, time_in_stage
from reports.monitoring.models import InstitutionalResult
from workflow.ui import xlsx
from workflow.ui.forms import StyledMixin
from workflow.ui.views import call_service


def _require_dashboard(user):
    if not rules.has_perm("reports.view_dashboard", user):
        raise PermissionDenied(_("只有市委改革委和市委改革办可以查看工作看板。"))


@login_required
def dashboard_page(request):
    """The committee's dashboard; the office sees the same figures with its own 我的待办 on top."""
    _require_dashboard(request.user)
    office = has_role(request.user, Role.REFORM_OFFICE)
    context = {
        "dash": dashboard.page_context(request.user, office=office),
        "office": office,
        "export": True,
        "can_manage_goals": rules.has_perm("reports.manage_goals", request.user),
    }
    return TemplateResponse(request, "reports/dashboard.html", context)


@login_required
def time_in_stage_page(request):
    """Days records spend in each stage, per county, by quarter and per unit waited on, for one kind of record."""
    _require_dashboard(request.user)
    key = request.GET.get("flow", "pilot")
    if key not in time_in_stage.FLOWS:
        key = "pilot"
    return TemplateResponse(request, "reports/dashboard_stages.html", time_in_stage.report(request.user, key))


# --- goals ---------------------------------------------------------------------------------------
class GoalForm(StyledMixin, forms.ModelForm):
    year = forms.IntegerField(
        label=gettext_lazy("目标年度"),
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy("到该年年底达到"),
        error_messages={
            "required": gettext_lazy("请填写目标年度。"),
            "invalid": gettext_lazy("请填写2000—2100之间的年度。"),
            "min_value": gettext_lazy("请填写2000—2100之间的年度。"),
            "max_value": gettext_lazy("请填写2000—2100之间的年度。"),
        },
    )
    target = forms.IntegerField(
        label=gettext_lazy("目标值"),
        min_value=1,
        max_value=1000000,
        error_messages={
            "required": gettext_lazy("请填写目标值。"),
            "invalid": gettext_lazy("目标值须为正整数。"),
            "min_value": gettext_lazy("目标值须为正整数。"),
            "max_value": gettext_lazy("目标值过大。"),
        },
    )

    class Meta:
        model = goals.Goal
        fields = list(goals.FIELDS)
        error_messages = {
            "title": {"required": gettext_lazy("请填写目标。")},
            "metric": {
                "required": gettext_lazy("请选择衡量指标。"),
                "invalid_choice": gettext_lazy("请选择衡量指标。"),
            },
        }

    def validate_unique(self):
        """The service says it in Chinese (one target per metric and year)."""

    def validate_constraints(self):
        """As ``validate_unique``: the service checks the one target per metric and year."""


def _require_goals(user):
    if not rules.has_perm("reports.manage_goals", user):
        raise PermissionDenied(_("只有市委改革办可以维护工作目标。"))


@login_required
def goal_list(request):
    """The office keeps the goals: the list with progress, and a form for a new one."""
    _require_goals(request.user)
    form = GoalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        saved, status = call_service(form, lambda d: goals.save_goal(actor=request.user, data=d))
        if saved:
            messages.success(request, _("工作目标已保存。"))
            return redirect("reports:goals")
    return TemplateResponse(
        request,
        "reports/dashboard_goals.html",
        {"goals": goals.goal_progress(request.user), "form": form},
        status=status,
    )


@login_required
def goal_edit(request, pk):
    _require_goals(request.user)
    goal = get_object_or_404(goals.Goal, pk=pk)
    form = GoalForm(request.POST or None, instance=goal)
    status = 200
    if request.method == "POST":
        saved, status = call_service(form, lambda d: goals.save_goal(actor=request.user, goal=goal, data=d))
        if saved:
            messages.success(request, _("工作目标已保存。"))
            return redirect("reports:goals")
    return TemplateResponse(request, "reports/dashboard_goal_form.html", {"form": form, "goal": goal}, status=status)


@login_required
@require_POST
def goal_delete(request, pk):
    _require_goals(request.user)
    goal = get_object_or_404(goals.Goal, pk=pk)
    goals.delete_goal(actor=request.user, goal=goal)
    messages.success(request, _("工作目标已删除。"))
    return redirect("reports:goals")


# --- institutional results -----------------------------------------------------------------------------
@login_required
def result_list(request):
    """制度成果: the institutional results of submitted reports the user may see, by kind and county."""
    kind = request.GET.get("kind", "")
    county = request.GET.get("county", "")
    qs = dashboard.reported_results(request.user, kind=kind, county=int(county) if county.isdigit() else None)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "reports/results.html",
        {"page": page, "kinds": InstitutionalResult.Kind.choices, "kind": kind, "county": county},
    )


# --- Excel: each dashboard table as a sheet (workflow.ui.xlsx: streamed, audited) ---------------------------
def _figure_columns(figure):

    numeric = {
        i
        for row in figure.rows
        for i, cell in enumerate(row.cells)
        if isinstance(cell.value, float | Decimal) and cell.value != int(cell.value)
    }
    columns = [xlsx.Column(figure.row_header or _("项目"), lambda r: r.label, width=28)]
    for i, header in enumerate(figure.columns):
        kind = xlsx.NUMBER if i in numeric or header == _("加分（分）") else xlsx.INT
        columns.append(xlsx.Column(header, lambda r, i=i: r.cells[i].value, kind))
    return columns


def _goal_columns():

    return [
        xlsx.Column(_("目标年度"), "year", xlsx.INT),
        xlsx.Column(_("目标"), "title", width=40),
        xlsx.Column(_("衡量指标"), "get_metric_display", width=30),
        xlsx.Column(_("目标值"), "target", xlsx.INT),
        xlsx.Column(_("当前值"), "value", xlsx.NUMBER),
        xlsx.Column(_("完成进度（%）"), "percent", xlsx.INT),
        xlsx.Column(_("依据"), "source", width=40),
    ]


@login_required
def dashboard_export(request, key):
    """One table of the dashboard as an Excel sheet, the same numbers as the page."""

    _require_dashboard(request.user)
    office = has_role(request.user, Role.REFORM_OFFICE)
    context = dashboard.dashboard(request.user, office=office)
    stamp = _("截至%(day)s") % {"day": timezone.localdate().strftime("%Y-%m-%d")}
    if key == "goals":
        return xlsx.export_response(
            request,
            what="dashboard_goals",
            title=_("工作目标完成情况"),
            columns=_goal_columns(),
            rows=context["goals"],
            filters=stamp,
            details={"table": key},
        )
    figures = [*context["pilot_figures"], context["pipeline"], context["reports"], context["rectification"]]
    figures += [context["extensions"], context["problems"], context["results"], context["promotions"]]
    figures += [context["bonus"]]
    figures += [context["my_work"]] if context["my_work"] else []
    figure = next((f for f in figures if f.key == key), None)
    if figure is None:
        raise Http404
    return xlsx.export_response(
        request,
        what=f"dashboard_{key}",
        title=str(figure.title),
        columns=_figure_columns(figure),
        rows=figure.rows,
        filters=stamp,
        details={"table": key},
        sheet_name=key,
    )


STAGE_TABLES = {"stages", "counties", "units", "trend"}


@login_required
def time_in_stage_export(request, key):
    """One table of the time-in-stage page (by stage, county, unit waited on or quarter) as an Excel sheet."""

    _require_dashboard(request.user)
    if key not in STAGE_TABLES:
        raise Http404
    flow_key = request.GET.get("flow", "pilot")
    if flow_key not in time_in_stage.FLOWS:
        flow_key = "pilot"
    data = time_in_stage.report(request.user, flow_key)
    flow = data["flow"]
    median, p90 = _("中位数（天）"), _("90%分位（天）")
    if key == "stages":
        title, rows = _("各阶段停留天数"), data["stage_rows"]
        columns = [
            xlsx.Column(_("阶段"), lambda r: r["label"], width=20),
            xlsx.Column(_("停留次数"), lambda r: r["n"], xlsx.INT),
            xlsx.Column(_("其中尚未离开"), lambda r: r["open"], xlsx.INT),
            xlsx.Column(median, lambda r: r["p50"], xlsx.NUMBER),
            xlsx.Column(p90, lambda r: r["p90"], xlsx.NUMBER),
        ]
    elif key == "units":
        title, rows = _("各等待单位办理天数"), data["units"]
        columns = [
            xlsx.Column(_("等待单位"), lambda r: r["name"], width=30),
            xlsx.Column(_("待办事项数"), lambda r: r["n"], xlsx.INT),
            xlsx.Column(_("其中未办结"), lambda r: r["open"], xlsx.INT),
            xlsx.Column(median, lambda r: r["p50"], xlsx.NUMBER),
            xlsx.Column(p90, lambda r: r["p90"], xlsx.NUMBER),
        ]
    else:
        by_county = key == "counties"
        title = _("各县（市、区）停留天数中位数") if by_county else _("按季度趋势：停留天数中位数")
        rows = data["county_rows"] if by_county else data["trend"]
        cells = "row" if by_county else "cells"
        columns = [xlsx.Column(_("县（市、区）") if by_county else _("季度"), lambda r: r.get("name") or r["label"])]
        for i, label in enumerate(data["stage_labels"]):
            columns.append(xlsx.Column(label, lambda r, i=i, c=cells: (r[c][i] or {}).get("p50"), xlsx.NUMBER))
    return xlsx.export_response(
        request,
        what=f"time_in_stage_{key}",
        title=str(title),
        columns=columns,
        rows=rows,
        filters=_("事项类型：%(flow)s") % {"flow": flow.label},
        details={"table": key, "flow": flow.key},
        sheet_name=key,
    )
