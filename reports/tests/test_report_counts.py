"""ReportCount: the report totals PostgreSQL keeps with statement triggers, which the office's report list shows
instead of counting every report on each page. Elsewhere the list counts, and the totals are the same."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from reports.monitoring.models import QuarterlyReport, ReportCount
from reports.monitoring.selectors import report_total


def _kept():
    return {c.status: c.n for c in ReportCount.objects.all() if c.n}


def _counted():
    from django.db.models import Count

    return {r["status"]: r["n"] for r in QuarterlyReport.objects.values("status").annotate(n=Count("id")).order_by()}


def _total(html):
    return int(re.search(r'data-testid="total">共(\d+)项', html).group(1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_the_database_keeps_the_counts_through_inserts_updates_deletes(pilot, office_reviewer):
    assert _kept() == _counted() and sum(_kept().values()) == QuarterlyReport.objects.count() > 0
    first = QuarterlyReport.objects.filter(pilot=pilot).order_by("year", "quarter").first()
    # Writes that bypass the services (bulk updates, bulk inserts, deletes) are counted as well.
    with connection.cursor() as cur:  # behind the services' back (the queryset refuses status updates)
        cur.execute("UPDATE reports_quarterlyreport SET status = 'accepted' WHERE id = %s", [first.pk])
    assert _kept() == _counted()
    copies = QuarterlyReport.objects.filter(pilot=pilot).order_by("year", "quarter")[:2]
    QuarterlyReport.objects.bulk_create(
        [
            QuarterlyReport(
                pilot=pilot,
                county_id=r.county_id,
                year=r.year - 10,
                quarter=r.quarter,
                period_start=r.period_start,
                period_end=r.period_end,
                due_on=r.due_on,
                status="submitted",
            )
            for r in copies
        ]
    )
    assert _kept() == _counted()
    QuarterlyReport.objects.filter(year__lt=2020).delete()
    assert _kept() == _counted()
    assert report_total(office_reviewer) == QuarterlyReport.objects.count()
    assert report_total(office_reviewer, status="accepted") == QuarterlyReport.objects.filter(status="accepted").count()


def test_the_list_shows_the_same_total_as_a_count(pilot, office_reviewer, county_nanhu, login):
    office = login(office_reviewer)
    html = office.get(reverse("reports:list")).content.decode()
    assert _total(html) == QuarterlyReport.objects.count() > 0
    html = office.get(reverse("reports:list"), {"status": "draft"}).content.decode()
    assert _total(html) == QuarterlyReport.objects.filter(status="draft").count()
    html = office.get(reverse("reports:list"), {"timeliness": "not_due"}).content.decode()
    assert _total(html) == sum(1 for r in QuarterlyReport.objects.all() if r.timeliness() == "not_due")
    # A county sees only its own reports: never the kept totals of everyone.
    assert report_total(county_nanhu) is None
    html = login(county_nanhu).get(reverse("reports:list")).content.decode()
    assert _total(html) == QuarterlyReport.objects.filter(county__in=county_nanhu.units.all()).count()
