"""Report pages: the list (a county's own), the office's quarter page, the report with its actions, edit, print."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.monitoring import selectors, services
from reports.monitoring.filters import ReportFilter
from reports.monitoring.forms import ProgressFormSet, ReportForm, ResultFormSet, ReviewForm
from reports.monitoring.models import QuarterlyReport
from workflow.engine.errors import WorkflowError
from workflow.services import available_actions
from workflow.ui.selectors import attachments_of, timeline
from workflow.ui.views import run_action
from workflow.ui.widgets import CountyFilterField

PER_PAGE = 20


@login_required
def report_list(request):
    # The dashboards link here with a quarter and a county (a committee member has no quarter page), a pilot's
    # page with the pilot.
    form = ReportFilter(request.GET or None)

    def page():
        qs = form.apply(selectors.with_timeliness(selectors.report_list(request.user)))
        paginator = Paginator(qs, PER_PAGE)
        if not form.beyond_status:
            # Narrowed by the state at most: the total the database keeps, not a COUNT of every report each page.
            total = selectors.report_total(request.user, status=form.given.get("status", ""))
            if total is not None:
                paginator.count = total
        return paginator.get_page(request.GET.get("page"))

    return TemplateResponse(
        request,
        "reports/list.html",
        {
            "page": page(),
            "filter": form,
            "statuses": QuarterlyReport.Status.choices,
            "timeliness_choices": QuarterlyReport.Timeliness.choices,
            "is_office": rules.has_perm("reports.quarter_overview", request.user),
        },
    )


def _int(value, default):
    return int(value) if str(value or "").isdigit() else default


@login_required
def quarter_page(request):
    """The office's view of one quarter: every pilot's report as on time / late / missing, filtered, paginated."""
    if not rules.has_perm("reports.quarter_overview", request.user):
        raise PermissionDenied(_("只有市委改革办可以查看季度报送情况。"))
    today = timezone.localdate()
    current = (today.year, (today.month - 1) // 3 + 1)
    year = _int(request.GET.get("year"), current[0])
    quarter = _int(request.GET.get("quarter"), current[1])
    if not 1 <= quarter <= 4:
        quarter = current[1]
    timeliness = request.GET.get("timeliness", "")
    status = request.GET.get("status", "")
    # A select of the counties, or a search box when there are thousands.
    county = _county_filter(request.GET.get("county"))

    def page():
        qs = selectors.quarter_reports(
            request.user, year=year, quarter=quarter, timeliness=timeliness, county=county["value"], status=status
        )
        return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))

    return TemplateResponse(
        request,
        "reports/quarter.html",
        {
            "page": page(),
            "year": year,
            "quarter": quarter,
            "quarters": [(y, q) for y, q in range_of_quarters(today)],
            "counts": selectors.quarter_counts(request.user, year=year, quarter=quarter),
            "timeliness_choices": QuarterlyReport.Timeliness.choices,
            "timeliness": timeliness,
            "statuses": QuarterlyReport.Status.choices,
            "status": status,
            "county": county,
        },
    )


def _county_filter(raw):
    """The quarter page's county: its value (an id, part of a name, or None) and the box to choose it."""
    field = CountyFilterField(label=_("试点县（市、区）"), empty_label=_("全部县（市、区）"))
    try:
        value = field.clean(raw)
    except ValidationError:  # an id that is no county: the whole quarter, as for any other stale link
        value = None
    widget = field.widget.render("county", "" if value is None else value, {"aria-label": field.label})
    return {"value": value, "widget": widget}


def range_of_quarters(today, back=8, ahead=8):
    """Quarters offered in the quarter page's choice: two years around today (no query)."""
    y, q = today.year, (today.month - 1) // 3 + 1
    index = y * 4 + q - 1
    return [((i // 4), i % 4 + 1) for i in range(index + ahead, index - back - 1, -1)]


def _detail_context(request, report, *, action_form=None):
    user = request.user
    logs = timeline(report)
    actions = [t for t in available_actions(report, user) if t.name != "submit"]
    is_county = rules.has_perm("reports.edit_report", user, report)
    last_return = next((log for log in reversed(logs) if log.action.endswith("return_to_county")), None)
    return {
        "report": report,
        "progress": list(report.progress.all()),
        "results": list(report.results.all()),
        "attachments": attachments_of(report),
        "timeline": logs,
        "last_return": last_return,
        "actions": actions,
        "action_form": action_form or ReviewForm(initial={"expected_state": report.status}),
        "can_edit": report.is_editable and is_county,
        "timeliness": report.timeliness(),
    }


@login_required
def report_detail(request, pk):
    report = selectors.access_report(request.user, pk)
    return TemplateResponse(request, "reports/detail.html", _detail_context(request, report))


@login_required
@require_POST
def report_act(request, pk):
    report = selectors.access_report(request.user, pk)

    def do(data):
        return services.act(
            actor=request.user,
            report=report,
            name=request.POST.get("name", ""),
            comment=data["comment"],
            expected_state=data["expected_state"],
        )

    def render(obj, form, status):
        fresh = selectors.access_report(request.user, obj.pk)
        return TemplateResponse(
            request, "reports/detail.html", _detail_context(request, fresh, action_form=form), status=status
        )

    return run_action(request, report, do, render, form_class=ReviewForm)


def _edit_page(request, report, form, progress, results, status=200, source=None):
    return TemplateResponse(
        request,
        "reports/edit.html",
        {
            "report": report,
            "form": form,
            "progress": progress,
            "results": results,
            "source": source,
            "attachments": attachments_of(report),
        },
        status=status,
    )


@login_required
def report_edit(request, pk):
    """The county fills the report (pre-filled from last quarter) and saves it, or saves and submits it."""
    report = selectors.access_report(request.user, pk)
    if not rules.has_perm("reports.edit_report", request.user, report):
        raise PermissionDenied(_("只有试点县（市、区）可以填报本试点的季度报告。"))
    if not report.is_editable:
        messages.error(request, _("报告当前状态为“%(state)s”，不能修改。") % {"state": report.get_status_display()})
        return redirect(report)
    if request.method != "POST":
        fields, rows, result_rows, source = services.initial_content(report)
        form = ReportForm(initial={**fields, "expected_state": report.status})
        return _edit_page(
            request,
            report,
            form,
            ProgressFormSet(initial=rows, prefix="p"),
            ResultFormSet(initial=result_rows, prefix="r"),
            source=source,
        )
    form = ReportForm(request.POST, request.FILES)
    progress = ProgressFormSet(request.POST, prefix="p")
    results = ResultFormSet(request.POST, prefix="r")
    if not (form.is_valid() and progress.is_valid() and results.is_valid()):
        return _edit_page(request, report, form, progress, results, status=400)
    d = form.cleaned_data
    rows = [
        {k: f.cleaned_data[k] for k in ("task_key", "task_content", "status", "percentage", "narrative")}
        for f in progress
    ]
    result_rows = [
        {
            k: f.cleaned_data.get(k) or ("" if k != "issued_on" else None)
            for k in ("title", "kind", "issuing_body", "doc_number", "issued_on")
        }
        for f in results
        if not f.is_blank
    ]
    try:
        submit = bool(request.POST.get("submit"))
        report = services.save_report_and_submit(
            actor=request.user,
            report=report,
            submit=submit,
            data={k: d[k] for k in ("achievements", "problems", "next_plan")},
            progress=rows,
            results=result_rows,
            files=d["attachments"],
            expected_state=d["expected_state"] or None,
        )
        if submit:
            messages.success(request, _("季度报告已报送。"))
            return redirect(report)
    except WorkflowError as err:
        form.add_workflow_error(err)
        fresh = selectors.access_report(request.user, pk)
        return _edit_page(request, fresh, form, progress, results, status=err.status)
    messages.success(request, _("已保存。"))
    return redirect("reports:edit", report.pk)


@login_required
def report_print(request, pk):
    report = selectors.access_report(request.user, pk)
    return TemplateResponse(
        request,
        "reports/print.html",
        {"report": report, "progress": list(report.progress.all()), "results": list(report.results.all())},
    )
