"""Quarterly reports: quarters of the term, pre-filled content, submit / return / accept, late marking."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from reports.monitoring import services
from reports.monitoring.models import QuarterlyReport
from reports.tests.factories import fill
from workflow.engine.errors import WorkflowError
from workflow.models import TransitionLog, WorkItem

pytestmark = pytest.mark.django_db


def quarter(pilot, year, q):
    return QuarterlyReport.objects.get(pilot=pilot, year=year, quarter=q)


def test_one_report_per_quarter_of_the_term_due_after_the_quarter(pilot, settings):
    reports = list(QuarterlyReport.objects.filter(pilot=pilot).order_by("year", "quarter"))
    # 2026-02-10 .. 2028-02-10: 2026 Q1 .. 2028 Q1 = 9 quarters
    assert [(r.year, r.quarter) for r in reports] == [
        (2026, 1),
        (2026, 2),
        (2026, 3),
        (2026, 4),
        (2027, 1),
        (2027, 2),
        (2027, 3),
        (2027, 4),
        (2028, 1),
    ]
    first = reports[0]
    assert first.period_start == datetime.date(2026, 2, 10)
    assert first.due_on == datetime.date(2026, 3, 31) + datetime.timedelta(days=settings.REPORT_DUE_DAYS)
    assert services.ensure_report_quarters(pilot) == 0  # idempotent
    assert services.fill_report_quarters() == 0


def test_county_item_opens_when_the_quarter_ends(pilot, county_nanhu, clock):
    report = quarter(pilot, 2026, 2)
    item = WorkItem.objects.for_object(report).open().get()
    assert item.unit_id == county_nanhu.memberships.get().unit_id
    assert item.opened_at.date() == datetime.date(2026, 6, 30)  # 07-01 00:00 Shanghai
    assert item.due_at.astimezone().date() >= report.due_on


def test_submit_return_resubmit_accept_on_time(pilot, county_nanhu, office_reviewer, clock):
    clock.set(datetime.date(2026, 4, 5))
    report = fill(county_nanhu, quarter(pilot, 2026, 1))
    report = services.submit_report(actor=county_nanhu, report=report)
    assert report.status == "submitted" and report.first_submitted_on == datetime.date(2026, 4, 5)
    with pytest.raises(WorkflowError) as err:
        services.review_report(actor=office_reviewer, report=report, name="return_to_county")
    assert err.value.field == "comment"
    report = services.review_report(actor=office_reviewer, report=report, name="return_to_county", comment="请补充数据")
    assert report.status == "returned"
    clock.set(datetime.date(2026, 4, 20))  # resubmitted after the due date: first submission counts
    report = fill(county_nanhu, report, narrative="补充了数据")
    report = services.submit_report(actor=county_nanhu, report=report)
    report = services.review_report(actor=office_reviewer, report=report, name="accept")
    assert report.status == "accepted" and report.late is False
    log = list(
        TransitionLog.objects.filter(object_id=report.pk, action__startswith="quarterly_report.")
        .exclude(action="quarterly_report.updated")
        .order_by("id")
    )
    assert [entry.action.rsplit(".", 1)[1] for entry in log] == ["submit", "return_to_county", "submit", "accept"]


def test_late_report_is_accepted_and_marked_late(pilot, county_nanhu, office_reviewer, clock):
    clock.set(datetime.date(2026, 5, 3))
    report = services.submit_report(actor=county_nanhu, report=fill(county_nanhu, quarter(pilot, 2026, 1)))
    report = services.review_report(actor=office_reviewer, report=report, name="accept")
    assert report.status == "accepted" and report.late is True
    assert report.timeliness() == QuarterlyReport.Timeliness.LATE


def test_next_quarter_is_prefilled_from_the_previous(pilot, county_nanhu, clock):
    clock.set(datetime.date(2026, 4, 5))
    fill(county_nanhu, quarter(pilot, 2026, 1), narrative="起草管理办法", percentage=30, problems="人手不足")
    fields, rows, results, source = services.initial_content(quarter(pilot, 2026, 2))
    assert source == quarter(pilot, 2026, 1)
    assert fields["problems"] == "人手不足"
    assert [(r["percentage"], r["narrative"]) for r in rows] == [(30, "起草管理办法")] * 2
    assert results == []


def test_no_submission_before_the_quarter_ends_or_unsaved(pilot, county_nanhu, clock):
    clock.set(datetime.date(2026, 5, 3))
    with pytest.raises(WorkflowError, match="先填写"):
        services.submit_report(actor=county_nanhu, report=quarter(pilot, 2026, 1))
    report = fill(county_nanhu, quarter(pilot, 2026, 2))
    with pytest.raises(WorkflowError, match="尚未结束"):
        services.submit_report(actor=county_nanhu, report=report)


def test_no_role_takes_another_roles_step(pilot, county_nanhu, county_xiuzhou, office_reviewer, clock):
    clock.set(datetime.date(2026, 4, 5))
    report = quarter(pilot, 2026, 1)
    with pytest.raises(PermissionDenied):
        fill(office_reviewer, report)
    with pytest.raises(PermissionDenied):
        fill(county_xiuzhou, report)
    report = services.submit_report(actor=county_nanhu, report=fill(county_nanhu, report))
    with pytest.raises(PermissionDenied):
        services.review_report(actor=county_nanhu, report=report, name="accept")


def test_the_filling_job_adds_the_quarters_of_a_new_or_moved_term(pilot):
    QuarterlyReport.objects.filter(pilot=pilot, year=2028).delete()  # as if the term had just been moved later
    assert services.fill_report_quarters() == 1
    assert QuarterlyReport.objects.filter(pilot=pilot, year=2028, quarter=1).exists()
    assert services.fill_report_quarters() == 0
