"""Problems and requests for city-level support (存在问题, 需市级支持事项) that a county raises from its
application, its pilot plan or a quarterly report, tracked until the county confirms them resolved (seed 三（二）:
市委改革办要……主动协调解决试点遇到的问题; 市级有关单位要根据各自职责支持试点工作).

The office answers an item itself or assigns it, with a due date, to a 市级有关单位 or the pilot's guidance unit; the
assigned unit replies (or sends it back as not its duty); the county confirms it resolved or reopens it, with a
reason, and the office takes it up again. Every step is a django-fsm transition through
``workflow.services.perform``."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import Role, Unit, User
from accounts.roles import memberships, sees_everything, unit_ids
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, perm
from workflow.inbox.workitems import assigned_ids

# The units an item may be assigned to (the pilot's guidance unit only, among guidance units: problem_services).
HANDLER_ROLES = (Role.MUNICIPAL_DEPT, Role.GUIDANCE_UNIT)


class ProblemQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        """The office and the committee: all; a county: its own; the pilot's special group and guidance unit: their
        pilots' items; a unit an item is or was assigned to: that item."""
        if sees_everything(user):
            return self.all()
        handlers = {m.unit_id for m in memberships(user) if m.role in HANDLER_ROLES}
        return self.filter(
            Q(county__in=unit_ids(user, Role.COUNTY))
            | Q(pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP))
            | Q(pilot__guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT))
            | Q(handler__in=handlers)
            | Q(pk__in=assigned_ids(user, self.model))  # units it was assigned to before (problem_services)
        )

    def unresolved(self):
        return self.filter(status__in=ProblemItem.UNRESOLVED)

    def overdue(self, today=None):
        """Assigned items whose unit has not replied by the due date."""
        return self.filter(status=ProblemItem.Status.ASSIGNED, due_on__lt=today or timezone.localdate())


class ProblemItem(WorkflowModel):
    class Status(models.TextChoices):
        OPEN = "open", _("待市委改革办办理")
        ASSIGNED = "assigned", _("已交办")
        REPLIED = "replied", _("已答复，待县确认")
        RESOLVED = "resolved", _("已解决")
        REOPENED = "reopened", _("重新办理")

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("存在问题")
        SUPPORT = "support", _("需市级支持事项")

    class Source(models.TextChoices):
        APPLICATION = "application", _("试点申报")
        PLAN = "plan", _("试点方案")
        REPORT = "quarterly_report", _("季度进展报告")

    UNRESOLVED = [Status.OPEN, Status.ASSIGNED, Status.REPLIED, Status.REOPENED]
    WITH_OFFICE = [Status.OPEN, Status.REOPENED]
    workflow_key = "problem"
    display_related = ("county",)
    # 催办: the office urges whoever an item waits on (the assigned unit, or the county to confirm).
    conventions = {"urge": True}

    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）"))
    pilot = models.ForeignKey(
        "pilots.Pilot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("试点项目"),
    )
    source_kind = models.CharField(_("提出于"), max_length=20, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(_("来源编号"))
    source_label = models.CharField(_("来源"), max_length=200)
    source_url = models.CharField(_("来源链接"), max_length=300)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    content = models.TextField(_("事项内容"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    handler = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("承办单位")
    )
    handler_role = models.CharField(_("承办单位角色"), max_length=20, blank=True)
    due_on = models.DateField(_("办理时限"), null=True, blank=True)
    reply = models.TextField(_("答复意见"), blank=True)
    replied_by = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("答复单位")
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    status = FSMField(_("状态"), default=Status.OPEN, choices=Status.choices, protected=True, db_index=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题和需市级支持事项")
        verbose_name_plural = _("问题和需市级支持事项")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="problem_overdue"),
            models.Index(fields=["source_kind", "source_id"], name="problem_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(handler__isnull=False, due_on__isnull=False),
                name="problem_assigned_has_unit_and_due_date",
            ),
        ]

    def __str__(self):
        return _("%(kind)s · %(county)s %(content)s") % {
            "kind": self.get_kind_display(),
            "county": self.county,
            "content": self.content[:30],
        }

    def get_absolute_url(self):
        return reverse("reports:problem", args=[self.pk])

    @property
    def is_resolved(self):
        return self.status == self.Status.RESOLVED

    @property
    def is_overdue(self):
        return self.status == self.Status.ASSIGNED and self.due_on is not None and self.due_on < timezone.localdate()

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        if role == Role.REFORM_OFFICE:
            return list(Unit.objects.filter(kind=role))
        if self.handler_id and role == self.handler_role:
            return [self.handler]
        return []

    def work_item_dates(self, role):
        """The assigned unit's reply is due at the end of the due date; the other steps carry no date."""
        if self.status == self.Status.ASSIGNED and role == self.handler_role and self.due_on:
            tz = timezone.get_default_timezone()
            return None, datetime.datetime.combine(self.due_on, datetime.time(23, 59), tzinfo=tz)
        return None, None

    def watchers(self):
        """The county hears of every step of what it raised."""
        return list(User.objects.filter(memberships__unit_id=self.county_id, is_active=True).distinct())

    # --- transitions ---
    @transition(
        field=status,
        source=WITH_OFFICE,
        target=Status.ASSIGNED,
        permission=perm("reports.handle_problem"),
        custom={"role": Role.REFORM_OFFICE, "label": _("交办")},
    )
    def assign(self, *, unit, due_on):
        self.handler, self.handler_role, self.due_on = unit, unit.kind, due_on

    @transition(
        field=status,
        source=WITH_OFFICE,
        target=Status.REPLIED,
        permission=perm("reports.handle_problem"),
        custom={"role": Role.REFORM_OFFICE, "label": _("直接答复")},
    )
    def answer(self, *, text, unit, at):
        self.reply, self.replied_by, self.replied_at = text, unit, at

    @transition(
        field=status,
        source=Status.ASSIGNED,
        target=Status.REPLIED,
        permission=perm("reports.reply_problem"),
        custom={"role_attr": "handler_role", "label": _("答复")},
    )
    def reply_to(self, *, text, unit, at):
        self.reply, self.replied_by, self.replied_at = text, unit, at

    @transition(
        field=status,
        source=Status.ASSIGNED,
        target=Status.REOPENED,
        permission=perm("reports.reply_problem"),
        custom={
            "role_attr": "handler_role",
            "label": _("非本单位职责，退回改办"),
            "needs_reason": True,
            "optional": True,
        },
    )
    def send_back(self):
        pass

    @transition(
        field=status,
        source=Status.REPLIED,
        target=Status.RESOLVED,
        permission=perm("reports.confirm_problem"),
        custom={"role": Role.COUNTY, "label": _("确认已解决")},
    )
    def resolve(self):
        pass

    @transition(
        field=status,
        source=Status.REPLIED,
        target=Status.REOPENED,
        permission=perm("reports.confirm_problem"),
        custom={"role": Role.COUNTY, "label": _("未解决，重新提出"), "needs_reason": True},
    )
    def reopen(self):
        pass
