"""Every change to a quarterly report: the quarters of a pilot's term, saving, submitting, accepting, returning."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from reports.monitoring.models import (
    InstitutionalResult,
    QuarterlyReport,
    TaskProgress,
    quarter_bounds,
    quarters_between,
)
from workflow.engine.errors import WorkflowError
from workflow.inbox.workitems import sync
from workflow.services import change, perform, save_attachments

# A pilot in these stages reports every quarter of its term (一季度一报).
REPORTING = ("implementing", "extended")


def due_date(period_end):
    return period_end + datetime.timedelta(days=settings.REPORT_DUE_DAYS)


def ensure_report_quarters(pilot):
    """Create the missing reports of every quarter of the pilot's term; idempotent. Called when the term is set
    or moves (plan approval, the extension's approval, and the job ``fill_report_quarters`` that beat runs every
    ten minutes); returns how many it made."""
    if pilot.term_start is None or pilot.term_end is None or pilot.status not in REPORTING:
        return 0
    have = set(QuarterlyReport.objects.filter(pilot=pilot).values_list("year", "quarter"))
    made = 0
    for year, quarter in quarters_between(pilot.term_start, pilot.term_end):
        if (year, quarter) in have:
            continue
        start, end = quarter_bounds(year, quarter)
        # Each with its work item (the county's, opening when the quarter ends), synced at once.
        with transaction.atomic():
            created = QuarterlyReport.objects.create(
                pilot=pilot,
                county_id=pilot.county_id,
                year=year,
                quarter=quarter,
                period_start=max(start, pilot.term_start),
                period_end=end,
                due_on=due_date(end),
            )
            sync(created)  # its work item (no signal does it)
        made += 1
    return made


def fill_report_quarters(batch_size=500):
    """Every reporting pilot gets its missing quarters (run by beat every ten minutes: a net under the services that
    set or move a term, which call ``ensure_report_quarters`` themselves, for a term moved any other way)."""

    # Only pilots whose last quarter is missing (a new term, or a term moved later): one indexed query, so the job
    # can run every few minutes and a newly approved plan's quarters appear soon after.
    covered = QuarterlyReport.objects.filter(pilot=OuterRef("pk"), period_end__gte=OuterRef("term_end"))
    made = 0
    for pilot in reporting_pilots().exclude(Exists(covered)).iterator(chunk_size=batch_size):
        made += ensure_report_quarters(pilot)
    return made


def reporting_pilots():
    """Pilots whose term is set and running. Read through the report's foreign key (pilots' model is not
    imported: pilots offers no selector for this system-side read yet)."""
    pilot_model = QuarterlyReport._meta.get_field("pilot").related_model
    return pilot_model.objects.filter(status__in=REPORTING, term_start__isnull=False, term_end__isnull=False).order_by(
        "pk"
    )


def previous_report(report):
    """The pilot's report of the quarter before (the source of the pre-filled content), or None."""
    return (
        QuarterlyReport.objects.filter(pilot_id=report.pilot_id, period_end__lt=report.period_start)
        .order_by("-period_end")
        .first()
    )


def plan_tasks(pilot):
    """``[(key, content)]`` of the pilot's approved plan task list, read through the plan's relation."""
    plan = getattr(pilot, "plan", None)
    if plan is None:
        return []
    return [(t.key, t.content) for t in plan.tasks.all()]


def initial_content(report):
    """What the edit page starts from: the report as saved, or (never saved) the previous quarter's content with
    a row for every plan task (new tasks start empty)."""
    source = report if report.saved_at else previous_report(report)
    fields = {f: getattr(source, f) if source else "" for f in ("achievements", "problems", "next_plan")}
    rows = {p.task_key: p for p in source.progress.all()} if source else {}
    progress = []
    for key, content in plan_tasks(report.pilot) or [(k, p.task_content) for k, p in rows.items()]:
        p = rows.get(key)
        progress.append(
            {
                "task_key": key,
                "task_content": content,
                "status": p.status if p else TaskProgress.Status.NOT_STARTED,
                "percentage": p.percentage if p else 0,
                "narrative": p.narrative if p else "",
            }
        )
    results = (
        [
            {f: getattr(r, f) for f in ("title", "kind", "issuing_body", "doc_number", "issued_on")}
            for r in report.results.all()
        ]
        if report.saved_at
        else []
    )  # a result belongs to the quarter it was issued in: not carried over
    return fields, progress, results, (source if source is not report else None)


def save_report(*, actor, report, data, progress, results, files=(), expected_state=None):
    """Save what the county typed (fields, task progress rows, institutional result rows, attachments)."""

    def apply(locked):
        for key in ("achievements", "problems", "next_plan"):
            if key in data:
                setattr(locked, key, data[key])
        locked.saved_at = timezone.now()
        TaskProgress.objects.filter(report=locked).delete()
        TaskProgress.objects.bulk_create(
            [TaskProgress(report=locked, order=i, **row) for i, row in enumerate(progress)]
        )
        InstitutionalResult.objects.filter(report=locked).delete()
        InstitutionalResult.objects.bulk_create(
            [InstitutionalResult(report=locked, order=i, **row) for i, row in enumerate(results)]
        )
        save_attachments(locked, files, actor=actor)
        return {"tasks": len(progress), "results": len(results)}

    return change(
        report,
        "updated",
        actor=actor,
        role=Role.COUNTY,
        apply=apply,
        permission="reports.edit_report",
        denied=_("只有试点县（市、区）可以填报本试点的季度报告。"),
        states=QuarterlyReport.EDITABLE,
        state_message=_("报告当前状态为“%(state)s”，不能修改。"),
        expected_state=expected_state,
        files=files,
        files_on_log=False,
    )


def save_report_and_submit(*, actor, report, submit, **typed):
    """The edit page's one door: save (``save_report``), then, with ``submit``, report it to the office. The save is
    its own transaction, so a refused submission (its WorkflowError raised to the caller) keeps what was typed."""
    report = save_report(actor=actor, report=report, **typed)
    if submit:
        report = submit_report(actor=actor, report=report)
    return report


def submit_report(*, actor, report, comment="", expected_state=None):
    def check(locked):
        if locked.saved_at is None:
            raise WorkflowError(_("请先填写并保存报告内容，再报送。"))
        if locked.period_end >= timezone.localdate():
            raise WorkflowError(_("本季度尚未结束，季度结束后才能报送。"))

    return perform(
        report,
        "submit",
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        params={"at": timezone.now()},
        before=check,
        freeze=True,
    )


def review_report(*, actor, report, name, comment="", expected_state=None):
    """The office accepts (a late one too, marked late) or returns with a reason."""
    if name == "accept":
        return perform(
            report, "accept", actor=actor, comment=comment, expected_state=expected_state, params={"at": timezone.now()}
        )
    if name == "return_to_county":
        return perform(report, name, actor=actor, comment=comment, expected_state=expected_state)
    raise WorkflowError(_("没有这个操作。"), status=400)


def act(*, actor, report, name, comment="", expected_state=None):
    if name == "submit":
        return submit_report(actor=actor, report=report, comment=comment, expected_state=expected_state)
    return review_report(actor=actor, report=report, name=name, comment=comment, expected_state=expected_state)
