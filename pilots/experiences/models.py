"""Experiences (经验做法) of a pilot and the case library 嘉兴样本, their promotion (推广) and the bonus-point
ledger (年度考评加分台账) that promotion at city or province level feeds (seed 二（五）、三（三））."""

import re

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import ReformArea, Role, Unit, User
from accounts.roles import sees_everything, unit_ids
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, perm
from workflow.models import SYSTEM_ROLE

OFFICE = {"role": Role.REFORM_OFFICE}


class PromotionLevel(models.TextChoices):
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


# --- Experience --------------------------------------------------------------------------------
class ExperienceQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """Published experiences are the case library every logged-in user reads; drafts and withdrawn ones
        stay with the office, the committee and the pilot's special group and guidance unit (who draft them)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(status=Experience.Status.PUBLISHED)
            | Q(pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP))
            | Q(pilot__guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT))
        )

    def published(self):
        return self.filter(status=Experience.Status.PUBLISHED)


class Experience(WorkflowModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    workflow_key = "experience"
    display_related = ("pilot__county",)

    pilot = models.ForeignKey(
        "pilots.Pilot", on_delete=models.PROTECT, related_name="experiences", verbose_name=_("试点项目")
    )
    title = models.CharField(_("经验做法名称"), max_length=120)
    summary = models.TextField(_("摘要"), max_length=1000)
    body = models.TextField(_("主要做法"), blank=True)
    tags = models.CharField(_("关键词"), max_length=200, blank=True, help_text=_("多个关键词用顿号或逗号分隔"))
    area = models.CharField(_("改革领域"), max_length=20, choices=ReformArea.choices)
    drafted_by_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("总结单位"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    status = FSMField(_("状态"), default=Status.DRAFT, choices=Status.choices, protected=True, db_index=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = ExperienceQuerySet.as_manager()

    class Meta:
        verbose_name = _("经验做法")
        verbose_name_plural = _("经验做法")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="experience_library_order")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pilots:experience_detail", args=[self.pk])

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def tag_list(self):

        return [t for t in re.split(r"[、，,;；\s]+", self.tags or "") if t]

    def units_for_role(self, role):
        return list(Unit.objects.filter(kind=role)) if role == Role.REFORM_OFFICE else []

    def watchers(self):
        """The pilot's county and whoever drafted it hear that it was published or withdrawn."""

        units = [self.pilot.county_id, self.drafted_by_unit_id]
        return list(User.objects.filter(memberships__unit_id__in=units, is_active=True).distinct())

    def version_data(self):
        return {"title": self.title, "summary": self.summary, "body": self.body, "tags": self.tags, "area": self.area}

    @transition(
        field=status,
        source=[Status.DRAFT, Status.WITHDRAWN],
        target=Status.PUBLISHED,
        permission=perm("pilots.publish_experience"),
        custom={**OFFICE, "label": _("发布到嘉兴样本")},
    )
    def publish(self, *, at):
        self.published_at = at

    @transition(
        field=status,
        source=Status.PUBLISHED,
        target=Status.WITHDRAWN,
        permission=perm("pilots.publish_experience"),
        custom={**OFFICE, "label": _("撤回"), "needs_reason": True, "optional": True},
    )
    def withdraw(self):
        pass


# --- Promotion ---------------------------------------------------------------------------------
class PromotionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A promotion (and its document) is read by whoever reads its experience."""
        return self.filter(experience__in=Experience.objects.visible_to(user))


class Promotion(models.Model):
    """One promotion of an experience (推广): recorded by the office, never changed afterwards."""

    experience = models.ForeignKey(
        Experience, on_delete=models.PROTECT, related_name="promotions", verbose_name=_("经验做法")
    )
    level = models.CharField(_("推广层级"), max_length=10, choices=PromotionLevel.choices)
    promoted_on = models.DateField(_("推广日期"))
    document_number = models.CharField(_("文号"), max_length=80)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = PromotionQuerySet.as_manager()

    class Meta:
        verbose_name = _("经验推广")
        verbose_name_plural = _("经验推广")
        ordering = ["promoted_on", "id"]
        constraints = [
            # One promotion per level: a second one at the same level would earn the points twice.
            models.UniqueConstraint(fields=["experience", "level"], name="promotion_one_per_level"),
        ]

    def __str__(self):
        return f"{self.experience} · {self.get_level_display()}"


# --- Bonus-point ledger ------------------------------------------------------------------------
class BonusEntryQuerySet(ProtectedStatusQuerySet):
    """The ledger is append-only: no bulk update or delete, only new entries (corrections included)."""

    def update(self, **kwargs):
        raise PermissionError("加分台账只能追加，不能修改。")

    def delete(self):
        raise PermissionError("加分台账只能追加，不能删除。")

    def visible_to(self, user):
        """The office and the committee see the whole ledger, a county its own entries, nobody else any."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if sees_everything(user):
            return self.all()
        return self.filter(county__in=unit_ids(user, Role.COUNTY))

    def confirmed(self):
        return self.filter(status=BonusEntry.Status.CONFIRMED)


# The content of an entry never changes once written; only its status moves (proposed → confirmed | declined),
# through workflow.services.perform. On PostgreSQL the database itself refuses the rest.
CONTENT_FIELDS = ("year", "county_id", "points", "reason", "promotion_id", "corrects_id", "created_by_id")


class BonusEntry(WorkflowModel):
    """One line of the 年度考评加分 ledger: proposed by a promotion (or written as a correction of an earlier
    line), counted once the office confirms it. A correction is a new line whose points are added to the
    corrected line's (negative to take points back, zero to put a note on record); nothing is overwritten."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("不予加分")
        # 试点工作富有成效: a promotion of a pilot not yet evaluated waits for the evaluation; one whose evaluation
        # did not reach BONUS_MIN_GRADE proposes nothing, and the line says why (``note``).
        AWAITING = "awaiting", _("待试点评估后提出")
        WITHHELD = "withheld", _("未提出加分")

    workflow_key = "bonus"
    display_related = ("county",)

    year = models.PositiveSmallIntegerField(_("考评年度"))
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）"))
    points = models.DecimalField(_("加分（分）"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("加分事由"))
    promotion = models.ForeignKey(
        Promotion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bonus_entries",
        verbose_name=_("来源推广"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("更正的台账条目"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    status = FSMField(_("状态"), default=Status.PROPOSED, choices=Status.choices, protected=True, db_index=True)
    # Why a line waits or proposes nothing (the pilot's evaluation); written with its status, never content.
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = BonusEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度考评加分")
        verbose_name_plural = _("年度考评加分")
        ordering = ["year", "county", "created_at", "id"]
        indexes = [models.Index(fields=["year", "county", "status"], name="bonus_ledger_year_county")]
        constraints = [
            # A promotion proposes one entry; later lines about it are corrections of that entry.
            models.UniqueConstraint(
                fields=["promotion"],
                condition=Q(corrects__isnull=True, promotion__isnull=False),
                name="bonus_one_entry_per_promotion",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="bonus_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="bonus_content_frozen",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(*CONTENT_FIELDS),
            ),
        ]

    def __str__(self):
        return f"{self.year} · {self.county} · {self.points}"

    def get_absolute_url(self):
        return reverse("pilots:bonus_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") and set(kwargs["update_fields"]) - {"status", "note"}:
            raise PermissionError("加分台账条目的内容不能修改，请登记更正条目。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("加分台账只能追加，不能删除。")

    def work_item_title(self):
        return _("%(county)s%(year)s年度考评加分（%(points)s分）") % {
            "county": self.county.name,
            "year": self.year,
            "points": self.points,
        }

    @property
    def is_correction(self):
        return self.corrects_id is not None

    def units_for_role(self, role):
        return list(Unit.objects.filter(kind=role)) if role == Role.REFORM_OFFICE else []

    def watchers(self):
        """The county hears when its points are confirmed or declined."""

        return list(User.objects.filter(memberships__unit_id=self.county_id, is_active=True).distinct())

    @transition(
        field=status,
        source=Status.PROPOSED,
        target=Status.CONFIRMED,
        permission=perm("pilots.confirm_bonus"),
        custom={**OFFICE, "label": _("确认加分")},
    )
    def confirm(self):
        pass

    @transition(
        field=status,
        source=Status.PROPOSED,
        target=Status.DECLINED,
        permission=perm("pilots.confirm_bonus"),
        custom={**OFFICE, "label": _("不予加分"), "needs_reason": True},
    )
    def decline(self):
        pass

    # The pilot's evaluation decides a waiting line (the system, when the evaluation is completed).
    @transition(
        field=status,
        source=Status.AWAITING,
        target=Status.PROPOSED,
        permission=perm("pilots.follows_records"),
        custom={"role": SYSTEM_ROLE, "label": _("试点评估达到加分等次，提出加分"), "automatic": True},
    )
    def release(self, *, note=""):
        self.note = note

    @transition(
        field=status,
        source=Status.AWAITING,
        target=Status.WITHHELD,
        permission=perm("pilots.follows_records"),
        custom={"role": SYSTEM_ROLE, "label": _("试点评估未达加分等次，不提出加分"), "automatic": True},
    )
    def withhold(self, *, note):
        self.note = note
