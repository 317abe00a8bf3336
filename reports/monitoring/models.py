"""Quarterly progress reports (季度进展报告) of implementing pilots, their content rows and the reminders sent."""

import datetime

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import Role, Unit, User
from accounts.roles import sees_everything, unit_ids
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, perm


def quarter_bounds(year, quarter):
    """First and last day of a calendar quarter."""
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = (datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)) - datetime.timedelta(1)
    return start, end


def quarters_between(first, last):
    """``[(year, quarter)]`` of every quarter that overlaps the days ``first``..``last``."""
    year, quarter = first.year, (first.month - 1) // 3 + 1
    result = []
    while quarter_bounds(year, quarter)[0] <= last:
        result.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return result


class ReportQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """The office, the committee and the administrators: all; a county: its own; the pilot's special group
        and guidance unit: the reports of the pilots they follow."""
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(county__in=unit_ids(user, Role.COUNTY))
            | Q(pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP))
            | Q(pilot__guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT))
        )


def _count_sql(changes):
    """A statement trigger's body adding the state counts of a statement's changed rows to ReportCount."""
    return (
        "INSERT INTO reports_reportcount AS c (status, n)"  # noqa: S608 - the model's own constant SQL
        f" SELECT status, SUM(d) FROM ({changes}) AS x GROUP BY status HAVING SUM(d) <> 0"
        " ON CONFLICT (status) DO UPDATE SET n = c.n + EXCLUDED.n; RETURN NULL;"
    )


class ReportCount(models.Model):
    """How many quarterly reports are in each state, kept by the database itself (statement triggers on the report
    table, PostgreSQL only): the office's report list shows its exact total without counting 300,000 rows on every
    page (``reports.monitoring.selectors.report_total``). Elsewhere the table stays empty and the list counts."""

    status = models.CharField(_("状态"), max_length=20, primary_key=True)
    n = models.BigIntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("报告数量")
        verbose_name_plural = _("报告数量")

    def __str__(self):
        return f"{self.status}: {self.n}"


class QuarterlyReport(WorkflowModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("待填报")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回修改")
        ACCEPTED = "accepted", _("已接收")

    class Timeliness(models.TextChoices):
        ON_TIME = "on_time", _("按时报送")
        LATE = "late", _("逾期报送")
        MISSING = "missing", _("逾期未报")
        NOT_DUE = "not_due", _("未到期")

    workflow_key = "quarterly_report"
    display_related = ("county",)
    EDITABLE = [Status.DRAFT, Status.RETURNED]
    # 催办 a report the county owes: by the office, or by the special group (协调督促, monitoring/supervision.py).
    conventions = {"urge": {"roles": [Role.REFORM_OFFICE, Role.SPECIAL_GROUP], "targets": [Role.COUNTY]}}

    pilot = models.ForeignKey(
        "pilots.Pilot", on_delete=models.PROTECT, related_name="quarterly_reports", verbose_name=_("试点项目")
    )
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("试点县（市、区）"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    period_start = models.DateField(_("报告期开始"))
    period_end = models.DateField(_("报告期结束"))
    due_on = models.DateField(_("报送截止日期"))
    status = FSMField(_("状态"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)

    achievements = models.TextField(_("其他工作成效"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_plan = models.TextField(_("下季度工作计划"), blank=True)
    saved_at = models.DateTimeField(_("最近保存时间"), null=True, blank=True)
    first_submitted_on = models.DateField(_("首次报送日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("最近报送时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    # A fact fixed at acceptance (first submission after the due date), not a state: late reports are accepted.
    late = models.BooleanField(_("逾期报送"), default=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("季度进展报告")
        verbose_name_plural = _("季度进展报告")
        ordering = ["-year", "-quarter", "county_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "year", "quarter"], name="report_one_per_pilot_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="report_quarter_1_to_4"),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "county"], name="report_quarter_page"),
            # The report list's order (the latest quarter first, counties in their official order): a page is
            # the index's first rows; ordered by the county's name it sorted the whole quarter (10 ms nationally).
            models.Index(F("year").desc(), F("quarter").desc(), "county", "id", name="report_list_order"),
            models.Index(fields=["due_on", "id"], name="report_due_scan"),
            # The reports never submitted (drafts): the dashboard counts the results of the others by excluding these.
            models.Index(fields=["id"], condition=Q(first_submitted_on__isnull=True), name="report_never_submitted"),
        ]
        # ReportCount kept by the database (PostgreSQL), one statement at a time: bulk inserts and updates too.
        triggers = [
            pgtrigger.Trigger(
                name="report_count_insert",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                referencing=pgtrigger.Referencing(new="new_rows"),
                func=_count_sql("SELECT status, 1 AS d FROM new_rows"),
            ),
            pgtrigger.Trigger(
                name="report_count_update",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
                func=_count_sql("SELECT status, 1 AS d FROM new_rows UNION ALL SELECT status, -1 FROM old_rows"),
            ),
            pgtrigger.Trigger(
                name="report_count_delete",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Delete,
                referencing=pgtrigger.Referencing(old="old_rows"),
                func=_count_sql("SELECT status, -1 AS d FROM old_rows"),
            ),
            pgtrigger.Trigger(
                name="report_count_truncate",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=pgtrigger.Truncate,
                func="DELETE FROM reports_reportcount; RETURN NULL;",
            ),
        ]

    def __str__(self):
        return _("%(pilot)s %(year)s年第%(q)s季度进展报告") % {
            "pilot": self.county,
            "year": self.year,
            "q": self.quarter,
        }

    @property
    def period_label(self):
        return _("%(year)s年第%(q)s季度") % {"year": self.year, "q": self.quarter}

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_returned(self):
        return self.status == self.Status.RETURNED

    @property
    def accepted_late(self):
        return self.status == self.Status.ACCEPTED and self.late

    def timeliness(self, today=None):
        today = today or timezone.localdate()
        if self.first_submitted_on is not None:
            return self.Timeliness.LATE if self.first_submitted_on > self.due_on else self.Timeliness.ON_TIME
        return self.Timeliness.MISSING if today > self.due_on else self.Timeliness.NOT_DUE

    @property
    def timeliness_key_label(self):
        """The label of the ``timeliness_key`` the list selectors annotate (computed in SQL)."""
        key = getattr(self, "timeliness_key", None) or self.timeliness()
        return self.Timeliness(key).label

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        return list(Unit.objects.filter(kind=role))

    def work_item_dates(self, role):
        """The county's task opens when the quarter ends and is due on the due date; the office's at once."""
        tz = timezone.get_default_timezone()
        due = datetime.datetime.combine(self.due_on, datetime.time(23, 59), tzinfo=tz)
        if role == Role.COUNTY and self.status == self.Status.DRAFT:
            opens = datetime.datetime.combine(self.period_end + datetime.timedelta(1), datetime.time.min, tzinfo=tz)
            return opens, due
        return None, due if role == Role.COUNTY else None

    def watchers(self):
        """The county hears what became of its report."""

        if self.status == self.Status.DRAFT:
            return []
        return list(User.objects.filter(memberships__unit_id=self.county_id, is_active=True).distinct())

    def version_data(self):
        return {
            "fields": {f: getattr(self, f) for f in ("achievements", "problems", "next_plan")},
            "rows": [
                {"key": p.task_key, "status": p.status, "percentage": p.percentage, "narrative": p.narrative}
                for p in self.progress.all()
            ],
        }

    # --- transitions ---
    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED],
        target=Status.SUBMITTED,
        permission=perm("reports.edit_report"),
        custom={"role": Role.COUNTY, "label": _("报送季度报告")},
    )
    def submit(self, *, at):
        self.submitted_at = at
        self.first_submitted_on = self.first_submitted_on or timezone.localdate(at)

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.ACCEPTED,
        permission=perm("reports.review_report"),
        custom={"role": Role.REFORM_OFFICE, "label": _("接收报告")},
    )
    def accept(self, *, at):
        self.accepted_at = at
        self.late = self.first_submitted_on is not None and self.first_submitted_on > self.due_on

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission=perm("reports.review_report"),
        custom={"role": Role.REFORM_OFFICE, "label": _("退回修改"), "needs_reason": True},
    )
    def return_to_county(self):
        pass


class TaskProgress(models.Model):
    """Progress of one plan task in one report (the task is named by its stable plan key)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未启动")
        ON_TRACK = "on_track", _("按计划推进")
        BEHIND = "behind", _("进度滞后")
        DONE = "done", _("已完成")

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="progress")
    order = models.PositiveIntegerField(_("序号"), default=0)
    task_key = models.CharField(_("任务标识"), max_length=32)
    task_content = models.TextField(_("任务内容"))
    status = models.CharField(_("推进情况"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    percentage = models.PositiveSmallIntegerField(_("完成比例（%）"), default=0)
    narrative = models.TextField(_("进展说明"), blank=True)

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "task_key"], name="progress_one_per_task"),
            models.CheckConstraint(condition=Q(percentage__lte=100), name="progress_percentage_max_100"),
        ]

    def __str__(self):
        return f"{self.task_content[:30]} {self.percentage}%"


class InstitutionalResult(models.Model):
    """One institutional result (制度成果) reported in a quarter; the dashboards count these rows."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("政策文件")
        REGULATION = "regulation", _("制度规范")
        STANDARD = "standard", _("标准")
        MECHANISM = "mechanism", _("工作机制")
        OTHER = "other", _("其他")

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="results")
    order = models.PositiveIntegerField(_("序号"), default=0)
    title = models.CharField(_("成果名称"), max_length=200)
    kind = models.CharField(_("成果类型"), max_length=20, choices=Kind.choices)
    issuing_body = models.CharField(_("发文机关"), max_length=100, blank=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("制度成果")
        verbose_name_plural = _("制度成果")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class ReminderSent(models.Model):
    """One reminder of one report; the unique key makes each reminder go out once, whoever runs the job."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("到期前提醒")
        DUE = "due", _("到期当日提醒")
        OVERDUE = "overdue", _("逾期告知")

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("提醒类型"), max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("已发送提醒")
        verbose_name_plural = _("已发送提醒")
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="reminder_once_per_kind")]

    def __str__(self):
        return f"{self.report_id}:{self.kind}"


# Settings read by the services (defaults here so tests and the bench may override them).
def reminder_days_before():
    return getattr(settings, "REPORT_REMINDER_DAYS_BEFORE", 5)
