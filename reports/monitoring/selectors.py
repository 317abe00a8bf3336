"""Read queries for reports, each scoped by the user's units."""

import rules
from django.db import connection
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import sees_everything
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.inspections import RectificationItem
from reports.monitoring.models import InstitutionalResult, QuarterlyReport, ReportCount
from workflow.ui.widgets import filter_county

T = QuarterlyReport.Timeliness


def report_list(user):
    return (
        QuarterlyReport.objects.visible_to(user)
        .select_related("county", "pilot")
        .order_by("-year", "-quarter", "county_id", "id")  # read in order from report_list_order
    )


def report_total(user, *, status=""):
    """How many reports the list of a user who sees every report holds (all, or those in ``status``), read from
    ReportCount, which the database keeps (PostgreSQL: one small read instead of counting 300,000 rows at national
    scale); None where the list counts itself (another database, or a user who sees only some reports)."""

    if connection.vendor != "postgresql" or not sees_everything(user):
        return None
    rows = ReportCount.objects.filter(status=status) if status else ReportCount.objects.all()
    return rows.aggregate(n=Sum("n"))["n"] or 0


def access_report(user, pk):
    """The report if the user may see it; 404 for both "missing" and "not yours"."""
    return get_object_or_404(report_list(user), pk=pk)


def with_timeliness(qs, today=None):
    """Annotate ``timeliness`` (on time / late / missing / not due) in SQL, for filters and the quarter page."""
    today = today or timezone.localdate()
    return qs.annotate(
        timeliness_key=Case(
            When(first_submitted_on__gt=F("due_on"), then=Value(T.LATE)),
            When(first_submitted_on__isnull=False, then=Value(T.ON_TIME)),
            When(due_on__lt=today, then=Value(T.MISSING)),
            default=Value(T.NOT_DUE),
            output_field=CharField(),
        )
    )


def quarter_reports(user, *, year, quarter, timeliness="", county=None, status=""):
    """The office's quarter page: every pilot's report of one quarter, filtered."""
    qs = with_timeliness(report_list(user).filter(year=year, quarter=quarter))
    if timeliness in T.values:
        qs = qs.filter(timeliness_key=timeliness)
    qs = filter_county(qs, county)  # an id, or part of a name (workflow.ui.widgets.CountyFilterField)
    if status in QuarterlyReport.Status.values:
        qs = qs.filter(status=status)
    return qs


def quarter_counts(user, *, year, quarter):
    """How many reports of the quarter are on time, late, missing, not due (one query)."""

    qs = with_timeliness(QuarterlyReport.objects.visible_to(user).filter(year=year, quarter=quarter))
    rows = qs.values("timeliness_key").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(T.values, 0)
    counts.update({r["timeliness_key"]: r["n"] for r in rows})
    return counts


def quarters(user):
    """The quarters that have reports, newest first (the quarter page's choice)."""
    return list(
        QuarterlyReport.objects.visible_to(user).values_list("year", "quarter").distinct().order_by("-year", "-quarter")
    )


def overdue_scope():
    """Reports still owed past their due date (county not submitted)."""
    return Q(first_submitted_on__isnull=True, due_on__lt=timezone.localdate())


def pilot_clock(pilot, user):
    """What the pilot page shows of its clock: days elapsed and remaining, the next deadline (the earliest report
    still owed or open rectification item), and what the user may do (two queries)."""

    today = timezone.localdate()
    context = {"pilot": pilot, "started": pilot.term_start is not None}
    if pilot.term_start is None:
        return context
    report = (
        QuarterlyReport.objects.filter(pilot=pilot, first_submitted_on__isnull=True, period_end__lt=today)
        .order_by("due_on")
        .first()
    ) or QuarterlyReport.objects.filter(pilot=pilot, due_on__gte=today).order_by("due_on").first()
    item = RectificationItem.objects.filter(pilot=pilot, status__in=RectificationItem.OPEN).order_by("deadline").first()
    candidates = (
        [(report.due_on, report.period_label + str(_("进展报告")), report.get_absolute_url())] if report else []
    )
    if item:
        candidates.append((item.deadline, str(_("整改事项")), item.get_absolute_url()))
    nxt = min(candidates, default=None)
    context.update(
        elapsed=max(0, (min(today, pilot.term_end) - pilot.term_start).days),
        remaining=max(0, (pilot.term_end - today).days),
        next_deadline=nxt,
        overdue=bool(nxt and nxt[0] < today),
        may_extend=rules.has_perm("reports.apply_extension", user, pilot)
        and pilot.status in ("implementing", "extended")
        and not ExtensionRequest.objects.filter(pilot=pilot, status__in=ExtensionRequest.PENDING).exists(),
    )
    return context


def item_list(user):
    """The rectification items ``user`` may see, by deadline (reports.monitoring.filters.ItemFilter narrows them as the
    dashboards link: open or overdue, by county)."""

    return (
        RectificationItem.objects.visible_to(user)
        .select_related("inspection", "pilot", "county")
        .order_by("deadline", "id")
    )


def extension_list(user):
    """The extension requests ``user`` may see, newest first (ExtensionFilter narrows them)."""

    return ExtensionRequest.objects.visible_to(user).select_related("pilot", "county").order_by("-created_at", "-id")


def submitted_results(user):
    """The results of reports submitted at least once that ``user`` may see, in SQL terms cheap at national scale:
    "not in a report never submitted" (an anti-join with the few drafts, index ``report_never_submitted``) instead of
    joining every result to its report, and no ``IN (every report)`` for those who see all reports."""

    drafts = QuarterlyReport.objects.filter(pk=OuterRef("report_id"), first_submitted_on__isnull=True)
    qs = InstitutionalResult.objects.filter(~Exists(drafts))
    visible = QuarterlyReport.objects.visible_to(user)
    if visible.query.where:  # a county, special group or guidance unit: only their reports' results
        qs = qs.filter(report__in=visible)
    return qs
