"""The pilot plan (试点方案): its task list, risk and legality sections, consultation answers, stacking check rows."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import Role, Unit, User
from accounts.roles import sees_everything, unit_ids
from workflow.conventions.opinions import all_answered
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, condition, perm
from workflow.inbox.workitems import assigned_ids
from workflow.models import Attachment

# The purpose of the consultation's opinions (registered with its verdicts in apps.py).
CONSULTATION = "plan_consultation"
# The plan's own text fields, in page order; each is a row of the page, the print view and the version diff.
PLAN_FIELDS = ["title", "goals", "schedule", "safeguards"]
SECTION_FIELDS = [
    "risk_conclusion",
    "risk_body",
    "risk_date",
    "legality_conclusion",
    "legality_body",
    "legality_date",
]
# Attachments of the two required sections are told apart by their description.
RISK_FILE = "risk_assessment"
LEGALITY_FILE = "legality_review"
TASK_FIELDS = ["content", "responsible_unit", "milestones", "deadline", "result_form"]


def new_key():
    return uuid.uuid4().hex


class PlanQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """County: its own (drafts too); the pilot's guidance unit and special group, and whoever is invited to
        the consultation: once submitted; office and committee: all."""

        if sees_everything(user):
            return self.all()
        scope = Q(county__in=unit_ids(user, Role.COUNTY)) | Q(pk__in=assigned_ids(user, Plan))
        reviewers = Q(pilot__guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT)) | Q(
            pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP)
        )
        return self.filter(scope | (reviewers & Q(submitted_at__isnull=False)))


def missing_sections(plan):
    """The names of the required parts still empty (conclusion, body, date, document of each section; tasks)."""

    files = set(
        Attachment.objects.filter(content_type__app_label="reviews", content_type__model="plan", object_id=plan.pk)
        .values_list("description", flat=True)
        .distinct()
    )
    missing = []
    for prefix, label, key in (
        ("risk", _("风险评估"), RISK_FILE),
        ("legality", _("合法性审查"), LEGALITY_FILE),
    ):
        parts = [
            str(plan._meta.get_field(f"{prefix}_{name}").verbose_name)
            for name in ("conclusion", "body", "date")
            if not str(getattr(plan, f"{prefix}_{name}") or "").strip()
        ]
        if key not in files:
            parts.append(str(_("附件")))
        if parts:
            missing.append(_("%(section)s（%(parts)s）") % {"section": label, "parts": "、".join(parts)})
    return missing


@condition(_("本方案已征求过意见，修改后请重新提交至市委改革办审核。"))
def not_consulted_yet(plan):
    return plan.consult_unit_id is None


@condition(_("本方案尚未征求意见。"))
def consulted(plan):
    return plan.consult_unit_id is not None


@condition(_("还有被征求意见单位尚未答复（可先撤销），不能结束征求意见。"))
def consultation_answered(plan):

    return all_answered(plan, CONSULTATION)


class Plan(WorkflowModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        CONSULTING = "consulting", _("征求意见中")
        OFFICE_REVIEW = "office_review", _("市委改革办审核中")
        COMMITTEE_REVIEW = "committee_review", _("待市委改革委审批")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回修改")

    workflow_key = "plan"
    display_related = ("county",)
    EDITABLE = [Status.DRAFT, Status.RETURNED]

    pilot = models.OneToOneField(
        "pilots.Pilot", on_delete=models.PROTECT, related_name="plan", verbose_name=_("试点项目")
    )
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("试点县（市、区）"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制人")
    )
    status = FSMField(_("状态"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)

    title = models.CharField(_("方案名称"), max_length=150)
    goals = models.TextField(_("改革目标"), blank=True)
    schedule = models.TextField(_("进度安排"), blank=True)
    safeguards = models.TextField(_("保障措施"), blank=True)

    risk_conclusion = models.TextField(_("风险评估结论"), blank=True)
    risk_body = models.CharField(_("风险评估机构"), max_length=100, blank=True)
    risk_date = models.DateField(_("风险评估日期"), null=True, blank=True)
    legality_conclusion = models.TextField(_("合法性审查结论"), blank=True)
    legality_body = models.CharField(_("合法性审查机关"), max_length=100, blank=True)
    legality_date = models.DateField(_("合法性审查日期"), null=True, blank=True)

    consult_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("征求意见组织单位")
    )
    consult_role = models.CharField(_("征求意见组织角色"), max_length=20, blank=True)
    meeting_ref = models.CharField(_("会议届次"), max_length=60, blank=True, help_text=_("例如：市委改革委第3次会议"))
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("试点方案")
        verbose_name_plural = _("试点方案")
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return f"{self.county} · {self.title}"

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_returned(self):
        return self.status == self.Status.RETURNED

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    def units_for_role(self, role):
        pilot = self.pilot
        if role == Role.COUNTY:
            return [self.county]
        if role == Role.GUIDANCE_UNIT:
            if self.status == self.Status.CONSULTING and self.consult_role == role:
                return [self.consult_unit]
            return [pilot.guidance_unit] if pilot.guidance_unit_id else []
        if role == Role.SPECIAL_GROUP:
            if self.status == self.Status.CONSULTING and self.consult_role == role:
                return [self.consult_unit]
            return [pilot.special_group]
        return list(Unit.objects.filter(kind=role))

    def watchers(self):
        """The county hears of every step of its plan; once submitted, the office too (it runs the process)."""

        units = [self.county_id]
        if self.submitted_at is not None:
            units += list(Unit.objects.filter(kind=Role.REFORM_OFFICE).values_list("pk", flat=True))
        return list(User.objects.filter(memberships__unit_id__in=units, is_active=True).distinct())

    def version_data(self):
        fields = {name: str(getattr(self, name) or "") for name in PLAN_FIELDS + SECTION_FIELDS}
        rows = [
            {"key": t.key, "order": i + 1, **{f: str(getattr(t, f) or "") for f in TASK_FIELDS}}
            for i, t in enumerate(self.tasks.order_by("order", "id"))
        ]
        return {"fields": fields, "rows": rows}

    @classmethod
    def field_labels(cls):
        return {name: cls._meta.get_field(name).verbose_name for name in PLAN_FIELDS + SECTION_FIELDS}

    # --- transitions (state and facts only; services.py orchestrates) ---
    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED],
        target=Status.SUBMITTED,
        # The sections are checked by the submit service on the locked row, so its message can name what is missing.
        conditions=[not_consulted_yet],
        permission=perm("reviews.edit_plan"),
        custom={"role": Role.COUNTY, "label": _("提交方案")},
    )
    def submit(self, *, at):
        self.submitted_at = at

    # After a consultation the revised plan (with the county's answers to the opinions) goes straight back to the
    # office; the office may send it back to consultation if it needs another round.
    @transition(
        field=status,
        source=Status.RETURNED,
        target=Status.OFFICE_REVIEW,
        conditions=[consulted],
        permission=perm("reviews.edit_plan"),
        custom={"role": Role.COUNTY, "label": _("修改后重新提交")},
    )
    def resubmit(self, *, at):
        self.submitted_at = at

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.CONSULTING,
        permission=perm("reviews.consult_as_guidance"),
        custom={"role": Role.GUIDANCE_UNIT, "label": _("组织征求意见")},
    )
    def consult(self, *, unit):
        self.consult_unit, self.consult_role = unit, Role.GUIDANCE_UNIT

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.CONSULTING,
        permission=perm("reviews.consult_as_group"),
        custom={"role": Role.SPECIAL_GROUP, "label": _("专项小组组织征求意见")},
    )
    def consult_group(self, *, unit):
        self.consult_unit, self.consult_role = unit, Role.SPECIAL_GROUP

    @transition(
        field=status,
        source=Status.CONSULTING,
        target=Status.OFFICE_REVIEW,
        conditions=[consultation_answered],
        permission=perm("reviews.organise_consultation"),
        custom={"role_attr": "consult_role", "label": _("结束征求意见，报市委改革办审核")},
    )
    def close_consultation(self):
        pass

    @transition(
        field=status,
        source=Status.OFFICE_REVIEW,
        target=Status.COMMITTEE_REVIEW,
        permission=perm("reviews.review_plan"),
        custom={"role": Role.REFORM_OFFICE, "label": _("审核通过，报市委改革委审批")},
    )
    def pass_to_committee(self):
        pass

    @transition(
        field=status,
        source=Status.OFFICE_REVIEW,
        target=Status.RETURNED,
        permission=perm("reviews.review_plan"),
        custom={"role": Role.REFORM_OFFICE, "label": _("退回县（市、区）修改"), "needs_reason": True},
    )
    def return_to_county(self):
        pass

    @transition(
        field=status,
        source=Status.OFFICE_REVIEW,
        target=Status.CONSULTING,
        permission=perm("reviews.review_plan"),
        custom={"role": Role.REFORM_OFFICE, "label": _("退回重新征求意见"), "needs_reason": True, "optional": True},
    )
    def back_to_consultation(self):
        pass

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.RETURNED,
        permission=perm("reviews.approve_plan"),
        custom={"role": Role.COMMITTEE, "label": _("审批退回修改"), "needs_reason": True, "needs_meeting": True},
    )
    def committee_return(self, *, meeting_ref, at):
        self.meeting_ref = meeting_ref

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.APPROVED,
        permission=perm("reviews.approve_plan"),
        # The committee sets the pilot's term with its approval (``sets_term``: the form asks for it).
        custom={"role": Role.COMMITTEE, "label": _("批准方案"), "needs_meeting": True, "sets_term": True},
    )
    def approve(self, *, meeting_ref, at):
        self.meeting_ref, self.approved_at = meeting_ref, at

    # 代为录入: the office records the committee's approval at its meeting, on the committee's behalf.
    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.APPROVED,
        permission=perm("reviews.record_approval"),
        custom={
            "role": Role.REFORM_OFFICE,
            "label": _("代为录入：批准方案"),
            "needs_meeting": True,
            "sets_term": True,
            "optional": True,
            "on_behalf_of": Role.COMMITTEE,
        },
    )
    def approve_on_behalf(self, *, meeting_ref, at):
        self.meeting_ref, self.approved_at = meeting_ref, at


class PlanTask(models.Model):
    """One task of the plan's list (清单式、项目化); ``key`` stays the same across versions (the diff's row key)."""

    class ResultForm(models.TextChoices):
        POLICY = "policy", _("制度文件")
        PLATFORM = "platform", _("平台")
        CASE = "case", _("案例")
        STANDARD = "standard", _("标准")
        OTHER = "other", _("其他")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("试点方案"))
    key = models.CharField(_("任务标识"), max_length=32, default=new_key)
    order = models.PositiveIntegerField(_("序号"), default=0)
    content = models.TextField(_("任务内容"))
    responsible_unit = models.CharField(_("责任单位"), max_length=150, blank=True)
    milestones = models.TextField(_("节点安排"), blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    result_form = models.CharField(_("成果形式"), max_length=20, choices=ResultForm.choices, blank=True)

    class Meta:
        verbose_name = _("方案任务")
        verbose_name_plural = _("方案任务")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="plan_task_unique_key")]

    def __str__(self):
        return self.content[:40]

    @classmethod
    def field_labels(cls):
        return {name: cls._meta.get_field(name).verbose_name for name in TASK_FIELDS}


class OpinionAnswer(models.Model):
    """The county's answer to one consultation opinion (采纳 / 部分采纳 / 不采纳), given with its next version."""

    class Decision(models.TextChoices):
        ADOPTED = "adopted", _("采纳")
        PARTLY = "partly", _("部分采纳")
        NOT_ADOPTED = "not_adopted", _("不采纳")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="answers", verbose_name=_("试点方案"))
    opinion = models.OneToOneField(
        "workflow.Opinion", on_delete=models.PROTECT, related_name="plan_answer", verbose_name=_("意见")
    )
    decision = models.CharField(_("采纳情况"), max_length=20, choices=Decision.choices)
    reason = models.TextField(_("理由"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), auto_now=True)

    class Meta:
        verbose_name = _("意见采纳情况")
        verbose_name_plural = _("意见采纳情况")

    def __str__(self):
        return f"{self.opinion_id}: {self.get_decision_display()}"


class TaskRemark(models.Model):
    """A per-task remark inside one consultation opinion (the task is named by its stable key)."""

    opinion = models.ForeignKey(
        "workflow.Opinion", on_delete=models.CASCADE, related_name="task_remarks", verbose_name=_("意见")
    )
    task_key = models.CharField(_("任务标识"), max_length=32)
    task_content = models.TextField(_("任务内容"))
    remark = models.TextField(_("逐项意见"))

    class Meta:
        verbose_name = _("逐项意见")
        verbose_name_plural = _("逐项意见")
        ordering = ["id"]

    def __str__(self):
        return self.remark[:40]


# --- 机械叠加 check ---------------------------------------------------------------------------------
class ReferenceTask(models.Model):
    """An existing reform task (现有改革任务) the office imported from Excel; plans are checked against these."""

    content = models.TextField(_("任务内容"))
    source = models.CharField(_("来源"), max_length=200)
    county = models.CharField(_("县（市、区）"), max_length=60, blank=True)
    year = models.PositiveIntegerField(_("年份"), null=True, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现有改革任务")
        verbose_name_plural = _("现有改革任务")
        ordering = ["-imported_at", "id"]

    def __str__(self):
        return self.content[:40]


class TaskSignatureBand(models.Model):
    """One LSH band key of a task's MinHash signature: tasks sharing a (band, hash) are candidate matches."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, null=True, blank=True, related_name="bands")
    reference = models.ForeignKey(ReferenceTask, on_delete=models.CASCADE, null=True, blank=True, related_name="bands")
    band = models.PositiveSmallIntegerField()
    hash = models.BigIntegerField()

    class Meta:
        # The lookup counts a plan task's keys per stored task from this index alone (both ids are in it).
        indexes = [models.Index(fields=["hash", "reference", "task"], name="signature_band_match")]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False, reference__isnull=True) | Q(task__isnull=True, reference__isnull=False),
                name="signature_band_task_or_reference",
            )
        ]

    def __str__(self):
        return f"{self.band}:{self.hash}"


class StackingFlag(models.Model):
    """A plan task that repeats an existing one: what it matched, where that comes from, the score, the answer."""

    class Source(models.TextChoices):
        PLAN = "plan", _("其他试点方案")
        REFERENCE = "reference", _("现有改革任务清单")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="flags", verbose_name=_("试点方案"))
    task_key = models.CharField(_("任务标识"), max_length=32)
    task_content = models.TextField(_("任务内容"))
    matched_text = models.TextField(_("相似任务"))
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_label = models.CharField(_("出处"), max_length=250)
    source_county = models.CharField(_("县（市、区）"), max_length=60, blank=True)
    source_year = models.PositiveIntegerField(_("年份"), null=True, blank=True)
    source_id = models.PositiveBigIntegerField()
    score = models.PositiveSmallIntegerField(_("相似度"))
    answer = models.TextField(_("县（市、区）说明"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("机械叠加提示")
        verbose_name_plural = _("机械叠加提示")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "task_key", "source", "source_id"], name="stacking_flag_unique")
        ]

    def __str__(self):
        return f"{self.task_content[:20]} ~ {self.matched_text[:20]} ({self.score})"
