"""Inspections (调研督察) over one or more pilots and their rectification items (整改事项)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from accounts.models import Role, Unit, User
from accounts.roles import sees_everything, unit_ids
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, perm


class Inspection(models.Model):
    """One inspection the office organised: when, who went, what they found, over which pilots."""

    held_on = models.DateField(_("督察日期"))
    team = models.CharField(_("督察组成员"), max_length=200)
    findings = models.TextField(_("发现的问题"))
    pilots = models.ManyToManyField("pilots.Pilot", related_name="inspections", verbose_name=_("督察试点"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调研督察")
        verbose_name_plural = _("调研督察")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return _("%(day)s调研督察") % {"day": self.held_on.isoformat()}

    def get_absolute_url(self):
        return reverse("reports:inspection", args=[self.pk])


class ItemQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(county__in=unit_ids(user, Role.COUNTY))
            | Q(pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP))
            | Q(pilot__guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT))
        )

    def overdue(self, today=None):
        return self.filter(status__in=RectificationItem.OPEN, deadline__lt=today or timezone.localdate())


class RectificationItem(WorkflowModel):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        RECTIFIED = "rectified", _("已报整改情况")
        VERIFIED = "verified", _("已验收")
        REOPENED = "reopened", _("重新整改")

    OPEN = [Status.OPEN, Status.REOPENED]
    workflow_key = "rectification"
    display_related = ("county",)
    # 催办 by the pilot's special group (协调督促, monitoring/supervision.py); the office has its own step (督促整改).
    conventions = {"urge": {"roles": [Role.SPECIAL_GROUP], "targets": [Role.COUNTY]}}

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="items", verbose_name=_("督察"))
    pilot = models.ForeignKey("pilots.Pilot", on_delete=models.PROTECT, related_name="+", verbose_name=_("试点项目"))
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("试点县（市、区）"))
    content = models.TextField(_("整改事项"))
    responsible_unit = models.CharField(_("责任单位"), max_length=150)
    deadline = models.DateField(_("整改时限"))
    report_text = models.TextField(_("整改情况"), blank=True)
    status = FSMField(_("状态"), default=Status.OPEN, choices=Status.choices, protected=True, db_index=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="rectification_overdue")]

    def __str__(self):
        return _("整改事项 · %(county)s %(content)s") % {"county": self.county, "content": self.content[:30]}

    def get_absolute_url(self):
        return reverse("reports:item", args=[self.pk])

    @property
    def is_overdue(self):
        return self.status in self.OPEN and self.deadline < timezone.localdate()

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        return list(Unit.objects.filter(kind=role))

    def work_item_dates(self, role):
        """The county's task is due on the deadline; the office's (督促整改) appears only once it is overdue."""
        tz = timezone.get_default_timezone()
        due = datetime.datetime.combine(self.deadline, datetime.time(23, 59), tzinfo=tz)
        if role == Role.REFORM_OFFICE and self.status in self.OPEN:
            return datetime.datetime.combine(self.deadline + datetime.timedelta(1), datetime.time.min, tzinfo=tz), due
        return None, due if role == Role.COUNTY else None

    def watchers(self):

        return list(User.objects.filter(memberships__unit_id=self.county_id, is_active=True).distinct())

    @transition(
        field=status,
        source=[Status.OPEN, Status.REOPENED],
        target=Status.RECTIFIED,
        permission=perm("reports.rectify_item"),
        custom={"role": Role.COUNTY, "label": _("报送整改情况")},
    )
    def rectify(self, *, text):
        self.report_text = text

    @transition(
        field=status,
        source=Status.RECTIFIED,
        target=Status.VERIFIED,
        permission=perm("reports.verify_item"),
        custom={"role": Role.REFORM_OFFICE, "label": _("验收通过")},
    )
    def verify(self):
        pass

    @transition(
        field=status,
        source=Status.RECTIFIED,
        target=Status.REOPENED,
        permission=perm("reports.verify_item"),
        custom={"role": Role.REFORM_OFFICE, "label": _("退回重新整改"), "needs_reason": True},
    )
    def reopen(self):
        pass

    # The office's step on an overdue item: urge the county (the state stays); its work item opens after the deadline.
    @transition(
        field=status,
        source=[Status.OPEN, Status.REOPENED],
        target=RETURN_VALUE(Status.OPEN, Status.REOPENED),
        permission=perm("reports.verify_item"),
        custom={"role": Role.REFORM_OFFICE, "label": _("督促整改")},
    )
    def urge(self):
        return self.status
