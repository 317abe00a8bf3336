"""Self-evaluation (自评), evaluation by named evaluators (评估) with its criteria set, and the summary (试点总结)
that goes to the committee: the records of the pilot's last stage (seed 二（四））."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import Role, Unit, User
from accounts.roles import sees_everything, unit_ids
from reviews.evaluation import grading
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, perm
from workflow.inbox.workitems import assigned_ids

#: the purpose of an evaluator's assignment on an evaluation (``workflow.inbox.workitems.assign``)
EVALUATOR = "evaluator"
#: the non-transition action of an evaluator's open work item (labelled in apps.py)
SCORE_ACTION = "score"
#: who may be named an evaluator: the pilot's special group and guidance unit staff, and invited experts
EVALUATOR_ROLES = (Role.SPECIAL_GROUP, Role.GUIDANCE_UNIT, Role.EXPERT)
#: the units that always evaluate a pilot with the office (seed 二（四）: 会同市级专项小组、市级牵头指导单位做好评估)
UNIT_EVALUATOR_ROLES = (Role.SPECIAL_GROUP, Role.GUIDANCE_UNIT)
SCORE = {"max_digits": 5, "decimal_places": 2}
#: when an item that waits on something else opens (see ``Evaluation.work_item_dates``)
NOT_YET = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


# --- the criteria set --------------------------------------------------------------------------
class CriteriaSet(models.Model):
    """A set of criteria with weights and the grade thresholds; the default set is the one new self-evaluations
    use (support staff edit it in the admin; a set already used by a self-evaluation is kept as it was)."""

    name = models.CharField(_("指标体系名称"), max_length=100, unique=True)
    is_default = models.BooleanField(_("默认使用"), default=False)
    excellent_min = models.DecimalField(_("优秀分数线"), default=Decimal(90), validators=PERCENT, **SCORE)
    good_min = models.DecimalField(_("良好分数线"), default=Decimal(80), validators=PERCENT, **SCORE)
    pass_min = models.DecimalField(_("合格分数线"), default=Decimal(60), validators=PERCENT, **SCORE)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评估指标体系")
        verbose_name_plural = _("评估指标体系")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="criteria_one_default"),
            models.CheckConstraint(
                condition=Q(excellent_min__gt=models.F("good_min"), good_min__gt=models.F("pass_min")),
                name="criteria_thresholds_descending",
            ),
        ]

    def __str__(self):
        return self.name

    def thresholds(self):
        return (
            (grading.EXCELLENT, self.excellent_min),
            (grading.GOOD, self.good_min),
            (grading.PASS, self.pass_min),
        )

    def in_use(self):
        return self.pk is not None and SelfEvaluation.objects.filter(criteria_set=self).exists()


class Criterion(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("评估指标体系")
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("评估指标"), max_length=60)
    description = models.TextField(_("评分要点"), blank=True)
    weight = models.DecimalField(_("权重（%）"), validators=PERCENT, **SCORE)

    class Meta:
        verbose_name = _("评估指标")
        verbose_name_plural = _("评估指标")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["criteria_set", "name"], name="criterion_unique_name")]

    def __str__(self):
        return f"{self.name}（{self.weight_text}%）"

    @property
    def weight_text(self):
        return grading.plain(self.weight)


# --- self-evaluation ---------------------------------------------------------------------------
class SelfEvaluationQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """County: its own (drafts too); the pilot's special group and guidance unit: once submitted; the named
        evaluators of the pilot's evaluation: theirs; office and committee: all."""

        if sees_everything(user):
            return self.all()
        followers = Q(pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP)) | Q(
            pilot__guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT)
        )
        return self.filter(
            Q(county__in=unit_ids(user, Role.COUNTY))
            | (followers & Q(submitted_at__isnull=False))
            | Q(evaluation__in=assigned_ids(user, Evaluation, purpose=EVALUATOR))
        )


class SelfEvaluation(WorkflowModel):
    """The county's self-evaluation (自评): opened by the pilot's clock the day after its term ends (or started by the
    county), due ``SELF_EVALUATION_DAYS`` after the term's end, a date fixed then; reminded and marked overdue like
    the quarterly reports (``evaluation_reminders``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回修改")
        ACCEPTED = "accepted", _("已受理")

    class Timeliness(models.TextChoices):
        ON_TIME = "on_time", _("按时报送")
        LATE = "late", _("逾期报送")
        MISSING = "missing", _("逾期未报")
        NOT_DUE = "not_due", _("未到期")

    workflow_key = "self_evaluation"
    display_related = ("county",)
    EDITABLE = [Status.DRAFT, Status.RETURNED]
    TEXT_FIELDS = ["overview", "institutional_results", "problems"]
    conventions = {"sheet": True, "phrases": True}

    pilot = models.OneToOneField(
        "pilots.Pilot", on_delete=models.PROTECT, related_name="self_evaluation", verbose_name=_("试点项目")
    )
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("试点县（市、区）"))
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("评估指标体系")
    )
    # Empty when the pilot's clock opened it (the system), the county's user when the county started it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    status = FSMField(_("状态"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)
    overview = models.TextField(_("试点任务总体完成情况"), blank=True)
    institutional_results = models.TextField(_("制度成果"), blank=True)
    problems = models.TextField(_("存在问题和改进方向"), blank=True)
    due_on = models.DateField(_("自评报送期限"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    first_submitted_on = models.DateField(_("首次提交日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SelfEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("试点自评")
        verbose_name_plural = _("试点自评")
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return _("%(county)s试点自评") % {"county": self.county}

    def get_absolute_url(self):
        return reverse("reviews:self_evaluation", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_returned(self):
        return self.status == self.Status.RETURNED

    def timeliness(self, today=None):
        """On time, late (first submitted after the due date), overdue and still missing, or not due yet."""
        if self.due_on is None:
            return self.Timeliness.NOT_DUE
        if self.first_submitted_on is not None:
            return self.Timeliness.LATE if self.first_submitted_on > self.due_on else self.Timeliness.ON_TIME
        today = today or timezone.localdate()
        return self.Timeliness.MISSING if today > self.due_on else self.Timeliness.NOT_DUE

    @property
    def timeliness_label(self):
        return self.Timeliness(self.timeliness()).label

    @property
    def is_overdue(self):
        return self.timeliness() in (self.Timeliness.MISSING, self.Timeliness.LATE)

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        return list(Unit.objects.filter(kind=role))

    def work_item_dates(self, role):

        due = None
        if role == Role.COUNTY and self.due_on:
            due = timezone.make_aware(datetime.datetime.combine(self.due_on, datetime.time(23, 59)))
        return None, due

    def watchers(self):
        """The county hears of every step; once submitted, the office too."""

        units = [self.county_id]
        if self.submitted_at is not None:
            units += list(Unit.objects.filter(kind=Role.REFORM_OFFICE).values_list("pk", flat=True))
        return list(User.objects.filter(memberships__unit_id__in=units, is_active=True).distinct())

    def version_data(self):
        fields = {name: getattr(self, name) or "" for name in self.TEXT_FIELDS}
        rows = [
            {"key": r.task_key, "content": r.task_content, "percentage": r.percentage, "result": r.result}
            for r in self.task_results.all()
        ]
        scores = {str(s.criterion_id): str(s.score) if s.score is not None else "" for s in self.self_scores.all()}
        return {"fields": fields, "rows": rows, "scores": scores}

    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED],
        target=Status.SUBMITTED,
        permission=perm("reviews.edit_self_evaluation"),
        custom={"role": Role.COUNTY, "label": _("提交自评")},
    )
    def submit(self, *, at):
        self.submitted_at = at
        self.first_submitted_on = self.first_submitted_on or timezone.localdate(at)

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission=perm("reviews.review_self_evaluation"),
        custom={"role": Role.REFORM_OFFICE, "label": _("退回县（市、区）修改"), "needs_reason": True},
    )
    def return_to_county(self):
        pass

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.ACCEPTED,
        permission=perm("reviews.review_self_evaluation"),
        custom={"role": Role.REFORM_OFFICE, "label": _("受理自评，组织评估")},
    )
    def accept(self):
        pass


class SelfEvaluationReminder(models.Model):
    """One reminder of one self-evaluation (as ``reports.ReminderSent`` for the quarterly reports): the unique key
    makes each reminder go out once, whoever runs the job (``evaluation_reminders``)."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("到期前提醒")
        DUE = "due", _("到期当日提醒")
        OVERDUE = "overdue", _("逾期告知")

    self_evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("提醒类型"), max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("试点自评提醒")
        verbose_name_plural = _("试点自评提醒")
        constraints = [
            models.UniqueConstraint(fields=["self_evaluation", "kind"], name="self_evaluation_reminder_once")
        ]

    def __str__(self):
        return f"{self.self_evaluation_id}:{self.kind}"


class SelfEvaluationTask(models.Model):
    """The result of one plan task (pre-filled from the plan and the last quarterly report's progress)."""

    self_evaluation = models.ForeignKey(
        SelfEvaluation, on_delete=models.CASCADE, related_name="task_results", verbose_name=_("试点自评")
    )
    order = models.PositiveIntegerField(_("序号"), default=0)
    task_key = models.CharField(_("任务标识"), max_length=32)
    task_content = models.TextField(_("任务内容"))
    percentage = models.PositiveSmallIntegerField(_("完成比例（%）"), default=0, validators=[MaxValueValidator(100)])
    result = models.TextField(_("完成情况和成效"), blank=True)

    class Meta:
        verbose_name = _("任务完成情况")
        verbose_name_plural = _("任务完成情况")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["self_evaluation", "task_key"], name="self_evaluation_task_once"),
            models.CheckConstraint(condition=Q(percentage__lte=100), name="self_evaluation_task_max_100"),
        ]

    def __str__(self):
        return f"{self.task_content[:30]} {self.percentage}%"


class SelfScore(models.Model):
    self_evaluation = models.ForeignKey(
        SelfEvaluation, on_delete=models.CASCADE, related_name="self_scores", verbose_name=_("试点自评")
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("评估指标"))
    score = models.DecimalField(_("自评得分"), null=True, blank=True, validators=PERCENT, **SCORE)
    note = models.TextField(_("自评说明"), blank=True)

    class Meta:
        verbose_name = _("自评得分")
        verbose_name_plural = _("自评得分")
        ordering = ["criterion__order", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["self_evaluation", "criterion"], name="self_score_once")]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"


# --- evaluation and summary --------------------------------------------------------------------
class EvaluationQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """Office and committee: all; the named evaluators: the evaluations they are named on; the pilot's
        county, special group and guidance unit: once the scoring is over."""

        if sees_everything(user):
            return self.all()
        followers = (
            Q(county__in=unit_ids(user, Role.COUNTY))
            | Q(pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP))
            | Q(pilot__guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT))
        )
        return self.filter(
            Q(pk__in=assigned_ids(user, Evaluation, purpose=EVALUATOR))
            | (followers & ~Q(status=Evaluation.Status.SCORING))
        )


class Evaluation(WorkflowModel):
    """The office's evaluation of one pilot: named evaluators score each criterion; the weighted total and the
    grade are computed when the office completes it; the office then writes the summary and reports it."""

    class Status(models.TextChoices):
        SCORING = "scoring", _("评估打分中")
        SCORED = "scored", _("评估完成，撰写总结")
        REPORTED = "reported", _("总结已报市委改革委")

    workflow_key = "evaluation"
    display_related = ("county",)
    conventions = {"sheet": True, "phrases": True, "urge": True}

    pilot = models.OneToOneField(
        "pilots.Pilot", on_delete=models.PROTECT, related_name="evaluation", verbose_name=_("试点项目")
    )
    self_evaluation = models.OneToOneField(
        SelfEvaluation, on_delete=models.PROTECT, related_name="evaluation", verbose_name=_("试点自评")
    )
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("试点县（市、区）"))
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("评估指标体系")
    )
    status = FSMField(_("状态"), default=Status.SCORING, choices=Status.choices, protected=True, db_index=True)
    total = models.DecimalField(_("综合得分"), null=True, blank=True, **SCORE)
    grade = models.CharField(_("评估等次"), max_length=20, choices=grading.GRADE_CHOICES, blank=True)
    completed_at = models.DateTimeField(_("评估完成时间"), null=True, blank=True)
    summary = models.TextField(_("试点总结"), blank=True)
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("试点评估")
        verbose_name_plural = _("试点评估")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return _("%(county)s试点评估") % {"county": self.county}

    def get_absolute_url(self):
        return reverse("reviews:evaluation", args=[self.pk])

    @property
    def is_scoring(self):
        return self.status == self.Status.SCORING

    @property
    def is_scored(self):
        return self.status == self.Status.SCORED

    @property
    def is_reported(self):
        return self.status == self.Status.REPORTED

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        return list(Unit.objects.filter(kind=role))

    def work_item_dates(self, role):
        """The office's 完成评估 waits in 我的待办 from the moment the last named evaluator has scored, not before
        (until then the item exists but opens in the far future, out of the list and its count)."""
        if role != Role.REFORM_OFFICE or self.status != self.Status.SCORING:
            return None, None
        stamps = list(self.sheets.values_list("submitted_at", flat=True))
        if not stamps or None in stamps:
            return NOT_YET, None
        return max(stamps), None

    def watchers(self):
        """The office follows the whole evaluation; the county once it is scored; the committee once reported."""

        kinds = [Role.REFORM_OFFICE] + ([Role.COMMITTEE] if self.status == self.Status.REPORTED else [])
        scope = Q(memberships__unit__kind__in=kinds)
        if self.status != self.Status.SCORING:
            scope |= Q(memberships__unit_id=self.county_id)
        return list(User.objects.filter(scope, is_active=True).distinct())

    def version_data(self):
        return {"fields": {"summary": self.summary, "total": str(self.total or ""), "grade": self.grade}}

    @transition(
        field=status,
        source=Status.SCORING,
        target=Status.SCORED,
        permission=perm("reviews.manage_evaluation"),
        custom={"role": Role.REFORM_OFFICE, "label": _("完成评估，计算得分和等次")},
    )
    def complete(self, *, total, grade, at):
        self.total, self.grade, self.completed_at = total, grade, at

    @transition(
        field=status,
        source=Status.SCORED,
        target=Status.REPORTED,
        permission=perm("reviews.manage_evaluation"),
        custom={"role": Role.REFORM_OFFICE, "label": _("报送试点总结（报市委改革委）")},
    )
    def report(self, *, at):
        self.reported_at = at


class EvaluatorSheet(models.Model):
    """One evaluator's part: a named expert, or one of the units that always evaluate the pilot (its special group
    and its guidance unit: ``evaluator`` empty, filled in by any of the unit's staff); in which role and unit, and
    when the scores, or the unit's opinion alone, were handed in."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="sheets")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评估人员"),
    )
    role = models.CharField(_("身份"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    comment = models.TextField(_("总体评价"), blank=True)
    # A unit may give its opinion without scoring (评分或提出意见): its sheet then counts in no total.
    opinion_only = models.BooleanField(_("只提出评估意见"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    assigned_at = models.DateTimeField(_("指定时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("评分时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评估人员评分表")
        verbose_name_plural = _("评估人员评分表")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "evaluator"], name="evaluator_once"),
            models.UniqueConstraint(
                fields=["evaluation", "unit", "role"], condition=Q(evaluator__isnull=True), name="evaluator_unit_once"
            ),
        ]

    def __str__(self):
        return f"{self.evaluation_id}: {self.evaluator_id or self.unit_id}"

    @property
    def has_scored(self):
        return self.submitted_at is not None

    @property
    def is_unit_sheet(self):
        return self.evaluator_id is None

    @property
    def counts_in_total(self):
        """Handed in with scores (an opinion alone counts in no total)."""
        return self.has_scored and not self.opinion_only

    @property
    def name(self):
        return self.unit.name if self.is_unit_sheet else self.evaluator.display_name


class EvaluatorScore(models.Model):
    sheet = models.ForeignKey(EvaluatorSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("评估指标"))
    score = models.DecimalField(_("得分"), validators=PERCENT, **SCORE)
    comment = models.TextField(_("评价意见"), blank=True)

    class Meta:
        verbose_name = _("评估得分")
        verbose_name_plural = _("评估得分")
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="evaluator_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="evaluator_score_0_100"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"
