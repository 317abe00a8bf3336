"""Batches (批次), the candidate list (试点候选名单) and the Pilot (试点项目) itself."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import ReformArea, Role, Unit, User
from accounts.roles import has_role, sees_everything, unit_ids
from pilots.experiences.models import BonusEntry, Experience, Promotion, PromotionLevel  # noqa: F401  (经验推广, seed 二（五）)
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, condition, perm
from workflow.models import SYSTEM_ROLE

OFFICE = {"role": Role.REFORM_OFFICE}
# Granted to nobody: the transition is taken by the system when its causing record moves.
FOLLOWS_RECORDS = perm("pilots.follows_records")


# --- Batch -------------------------------------------------------------------------------------
class BatchQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """The office sees drafts too; everybody else sees batches once they are opened."""
        if has_role(user, Role.REFORM_OFFICE):
            return self.all()
        return self.exclude(status=Batch.Status.DRAFT)


@condition(_("请先设置申报开始和截止时间（截止时间须晚于开始时间）。"))
def has_window(batch):
    return bool(batch.window_opens_at and batch.window_closes_at and batch.window_opens_at < batch.window_closes_at)


class Batch(WorkflowModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("申报中")
        CLOSED = "closed", _("已截止")
        DECIDED = "decided", _("已确定")

    workflow_key = "batch"
    # The office may still change the window (draft or open); once decided, the batch's list is published.
    EDITABLE = [Status.DRAFT, Status.OPEN]

    name = models.CharField(_("批次名称"), max_length=60, unique=True, help_text=_("例如：2021年第一批"))
    year = models.PositiveSmallIntegerField(_("年度"))
    window_opens_at = models.DateTimeField(_("申报开始时间"), null=True, blank=True)
    window_closes_at = models.DateTimeField(_("申报截止时间"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    status = FSMField(_("状态"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pilots:batch_detail", args=[self.pk])

    def units_for_role(self, role):
        return list(Unit.objects.filter(kind=role)) if role == Role.REFORM_OFFICE else []

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_decided(self):
        return self.status == self.Status.DECIDED

    def window_is_open(self, at=None):
        at = at or timezone.now()
        return (
            self.status == self.Status.OPEN
            and self.window_opens_at is not None
            and self.window_opens_at <= at <= self.window_closes_at
        )

    def work_item_dates(self, role):
        """An open batch waits on the office only once its window has ended; it is then due to be closed."""
        if self.status == self.Status.OPEN and self.window_closes_at:
            return self.window_closes_at, self.window_closes_at
        return None, None

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.OPEN,
        conditions=[has_window],
        permission=perm("pilots.manage_batch"),
        custom={**OFFICE, "label": _("开放申报")},
    )
    def open(self):
        pass

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.CLOSED,
        permission=perm("pilots.manage_batch"),
        custom={**OFFICE, "label": _("截止申报")},
    )
    def close(self):
        pass

    @transition(
        field=status,
        source=Status.CLOSED,
        target=Status.DECIDED,
        permission=perm("pilots.manage_batch"),
        custom={**OFFICE, "label": _("标记为已确定")},
    )
    def decide(self):
        pass


# --- Candidate ---------------------------------------------------------------------------------
class CandidateQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        if sees_everything(user):
            return self.all()
        scope = Q(status=Candidate.Status.LISTED)
        scope |= Q(proposer_unit__in=unit_ids(user, Role.COUNTY) | unit_ids(user, Role.SPECIAL_GROUP))
        scope |= Q(lead_group__in=unit_ids(user, Role.SPECIAL_GROUP))
        scope |= Q(addressed_to__in=unit_ids(user, Role.SPECIAL_GROUP))
        # A draft batch is the office's own until it opens; so is what was listed in it.
        return self.filter(scope).exclude(batch__status=Batch.Status.DRAFT)

    def published(self):
        return self.filter(status=Candidate.Status.LISTED)


class Candidate(WorkflowModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("已提出")
        LISTED = "listed", _("已列入候选名单")
        DECLINED = "declined", _("未列入")

    class Channel(models.TextChoices):
        OFFICE = "office", _("市委改革办会同专项小组提出")
        SPECIAL_GROUP = "special_group", _("市级专项小组提出")
        COUNTY_TO_OFFICE = "county_to_office", _("县（市、区）直接向市委改革办提出")
        COUNTY_TO_GROUP = "county_to_group", _("县（市、区）向市级专项小组提出")

    workflow_key = "candidate"

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("批次"))
    title = models.CharField(_("试点项目名称"), max_length=120)
    area = models.CharField(_("改革领域"), max_length=20, choices=ReformArea.choices)
    lead_group = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Role.SPECIAL_GROUP},
        verbose_name=_("牵头专项小组"),
    )
    guidance_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Role.GUIDANCE_UNIT},
        verbose_name=_("建议牵头指导单位"),
    )
    description = models.TextField(_("改革内容简介"))
    channel = models.CharField(_("提出方式"), max_length=20, choices=Channel.choices)
    proposer_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出单位"))
    addressed_to = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("报送至")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    status = FSMField(_("状态"), default=Status.PROPOSED, choices=Status.choices, protected=True, db_index=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("候选项目")
        verbose_name_plural = _("候选项目")
        ordering = ["batch", "area", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "title"], name="candidate_unique_title_per_batch"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pilots:candidate_detail", args=[self.pk])

    def units_for_role(self, role):
        if role == Role.REFORM_OFFICE:
            return list(Unit.objects.filter(kind=role))
        return []

    def watchers(self):
        """A county or special group hears what became of its proposal, and a special group hears of a county's
        proposal addressed to it (the office decides its own without telling itself)."""

        if self.channel == self.Channel.OFFICE:
            return []
        units = [self.proposer_unit_id] + ([self.addressed_to_id] if self.addressed_to_id else [])
        return list(User.objects.filter(memberships__unit_id__in=units, is_active=True).distinct())

    @transition(
        field=status,
        source=Status.PROPOSED,
        target=Status.LISTED,
        permission=perm("pilots.decide_candidate"),
        custom={**OFFICE, "label": _("列入候选名单")},
    )
    def accept(self):
        pass

    @transition(
        field=status,
        source=Status.PROPOSED,
        target=Status.DECLINED,
        permission=perm("pilots.decide_candidate"),
        custom={**OFFICE, "label": _("不列入候选名单"), "needs_reason": True},
    )
    def decline(self):
        pass


# --- Pilot -------------------------------------------------------------------------------------
class PilotQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(county__in=unit_ids(user, Role.COUNTY))
            | Q(special_group__in=unit_ids(user, Role.SPECIAL_GROUP))
            | Q(guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT))
        )

    def running(self):
        return self.filter(status__in=Pilot.RUNNING)


class Pilot(WorkflowModel):
    class Status(models.TextChoices):
        PLANNING = "planning", _("方案编制")
        IMPLEMENTING = "implementing", _("实施中")
        EXTENDED = "extended", _("延期实施")
        EVALUATING = "evaluating", _("总结评估")
        COMPLETED = "completed", _("已完成")
        TERMINATED = "terminated", _("已终止")

    RUNNING = [Status.PLANNING, Status.IMPLEMENTING, Status.EXTENDED, Status.EVALUATING]
    workflow_key = "pilot"
    display_related = ("county",)

    title = models.CharField(_("试点项目名称"), max_length=120)
    county = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="pilots", verbose_name=_("试点县（市、区）")
    )
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="pilots", verbose_name=_("批次"))
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="pilots", verbose_name=_("候选项目")
    )
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="pilot", verbose_name=_("申报")
    )
    area = models.CharField(_("改革领域"), max_length=20, choices=ReformArea.choices)
    special_group = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("市级专项小组"))
    guidance_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("市级牵头指导单位")
    )
    term_start = models.DateField(_("试点开始日期"), null=True, blank=True)
    term_end = models.DateField(_("试点期满日期"), null=True, blank=True)
    # 试点期限原则上为2年: a term of any other length, set when the committee approves the plan, is an exception
    # recorded with its reason (empty for the default term).
    term_exception = models.TextField(_("试点期限例外理由"), blank=True)
    status = FSMField(_("阶段"), default=Status.PLANNING, choices=Status.choices, protected=True, db_index=True)
    created_at = models.DateTimeField(_("确定时间"), auto_now_add=True)
    # 允许试错、包容失败: the committee's 容错免责 mark on a terminated or failed pilot (pilots/tolerance.py). A mark,
    # not a stage: the pilot keeps its stage; the dashboard keeps it out of the negative figures.
    tolerated_at = models.DateTimeField(_("容错免责认定时间"), null=True, blank=True)
    tolerance_reason = models.TextField(_("容错免责理由"), blank=True)
    tolerance_meeting_ref = models.CharField(_("容错免责会议届次"), max_length=60, blank=True)

    objects = PilotQuerySet.as_manager()

    class Meta:
        verbose_name = _("试点项目")
        verbose_name_plural = _("试点项目")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at"], name="pilot_list_order"),
            # The dashboard's counts by county and stage, and by batch and area: index-only scans (COUNT(*)).
            models.Index(fields=["county", "status"], name="pilot_county_status"),
            models.Index(fields=["batch", "area"], name="pilot_batch_area"),
            # The dashboard's 容错免责 count per county: the few marked pilots only.
            models.Index(fields=["county"], condition=Q(tolerated_at__isnull=False), name="pilot_tolerated"),
        ]

    # Written from RUNNING (a nested Meta cannot see it, so it is set here, before Django reads Meta).
    Meta.constraints = [
        # Seed 二（二）: a county runs at most one integrated-reform pilot at a time.
        models.UniqueConstraint(
            fields=["county"], condition=Q(status__in=RUNNING), name="pilot_one_running_per_county"
        ),
    ]

    def __str__(self):
        return f"{self.county} · {self.title}"

    def get_absolute_url(self):
        return reverse("pilots:pilot_detail", args=[self.pk])

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def is_tolerated(self):
        return self.tolerated_at is not None

    def units_for_role(self, role):
        return {
            Role.COUNTY: [self.county],
            Role.SPECIAL_GROUP: [self.special_group],
            Role.GUIDANCE_UNIT: [self.guidance_unit] if self.guidance_unit_id else [],
        }.get(role, list(Unit.objects.filter(kind=role)))

    def watchers(self):
        """The county and the guidance unit hear of every change of the pilot's stage."""

        units = [self.county_id] + ([self.guidance_unit_id] if self.guidance_unit_id else [])
        return list(User.objects.filter(memberships__unit_id__in=units, is_active=True).distinct())

    # The pilot's stage follows its records (no office button): the services in pilots/services.py run these
    # transitions as the system when the causing record moves (plan approved, extension approved, the term's
    # end, the summary reported to the committee), logging that cause. The role names who really takes the
    # causing step, for the diagram and the timeline.
    @transition(
        field=status,
        source=Status.PLANNING,
        target=Status.IMPLEMENTING,
        permission=FOLLOWS_RECORDS,
        custom={"role": Role.COMMITTEE, "label": _("试点方案获批，开始实施"), "automatic": True, "optional": True},
    )
    def start(self, *, term_start, term_end, term_exception=""):
        self.term_start, self.term_end, self.term_exception = term_start, term_end, term_exception

    @transition(
        field=status,
        source=[Status.IMPLEMENTING, Status.EXTENDED],
        target=Status.EXTENDED,
        permission=FOLLOWS_RECORDS,
        custom={"role": Role.COMMITTEE, "label": _("延期申请获批，调整试点期限"), "automatic": True, "optional": True},
    )
    def extend(self, *, term_end):
        self.term_end = term_end

    @transition(
        field=status,
        source=[Status.IMPLEMENTING, Status.EXTENDED],
        target=Status.EVALUATING,
        permission=FOLLOWS_RECORDS,
        custom={"role": SYSTEM_ROLE, "label": _("试点期满，进入总结评估"), "automatic": True, "optional": True},
    )
    def evaluate(self):
        pass

    @transition(
        field=status,
        source=Status.EVALUATING,
        target=Status.COMPLETED,
        permission=FOLLOWS_RECORDS,
        # Completed when the office reports the summary to the committee (试点总结及时报市委改革委): no
        # committee approval of the summary exists; the committee reads it and may comment (阅示) afterwards.
        custom={
            "role": Role.REFORM_OFFICE,
            "label": _("市委改革办报送试点总结，试点完成"),
            "automatic": True,
            "optional": True,
        },
    )
    def complete(self):
        pass

    @transition(
        field=status,
        source=RUNNING,
        target=Status.TERMINATED,
        permission=perm("pilots.terminate_pilot"),
        # An exceptional step, not a task: no running pilot waits on the committee for it.
        custom={"role": Role.COMMITTEE, "label": _("终止试点"), "needs_reason": True, "optional": True},
    )
    def terminate(self):
        pass
