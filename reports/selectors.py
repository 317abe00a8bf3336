"""Read queries for reports, each scoped by the user's units."""

from django.db.models import Case, CharField, F, Q, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import QuarterlyReport

T = QuarterlyReport.Timeliness


def report_list(user):
    return (
        QuarterlyReport.objects.visible_to(user)
        .select_related("county", "pilot")
        .order_by("-year", "-quarter", "county__name", "id")
    )


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
    if county:
        qs = qs.filter(county_id=county)
    if status in QuarterlyReport.Status.values:
        qs = qs.filter(status=status)
    return qs


def quarter_counts(user, *, year, quarter):
    """How many reports of the quarter are on time, late, missing, not due (one query)."""
    from django.db.models import Count

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
