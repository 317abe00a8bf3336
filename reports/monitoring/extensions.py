"""Extension requests (延期申请): built in reports/ while reviews/ (design.md's place for them) is being written.

The county applies with the seed's reason and a new end date; the office asks the special group and the guidance
unit (the core's opinions), then forwards it; the committee approves or rejects (or the office records its
decision). Approval moves the pilot's end date through pilots' service, keeps both dates, adds report quarters."""

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

EXTENSION_OPINION = "extension_opinion"


@condition(_("还有被征求意见单位尚未答复，不能报市委改革委审定。"))
def opinions_in(extension):

    return all_answered(extension, EXTENSION_OPINION)


class ExtensionQuerySet(ProtectedStatusQuerySet):
    def visible_to(self, user):
        if sees_everything(user):
            return self.all()
        return self.filter(
            Q(county__in=unit_ids(user, Role.COUNTY))
            | Q(pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP))
            | Q(pilot__guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT))
        )


class ExtensionRequest(WorkflowModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已申请")
        CONSULTING = "consulting", _("征求意见中")
        COMMITTEE_REVIEW = "committee_review", _("待市委改革委审定")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    class Reason(models.TextChoices):
        COMPLEX = "complex", _("改革任务复杂")
        CHANGED = "changed", _("改革形势有新变化")

    PENDING = [Status.SUBMITTED, Status.CONSULTING, Status.COMMITTEE_REVIEW]
    workflow_key = "extension"
    display_related = ("county",)

    pilot = models.ForeignKey(
        "pilots.Pilot", on_delete=models.PROTECT, related_name="extension_requests", verbose_name=_("试点项目")
    )
    county = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("试点县（市、区）"))
    reason = models.CharField(_("延期原因"), max_length=20, choices=Reason.choices)
    reason_text = models.TextField(_("具体说明"))
    old_end = models.DateField(_("原期满日期"))
    new_end = models.DateField(_("申请延至"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    meeting_ref = models.CharField(_("会议届次"), max_length=60, blank=True)
    status = FSMField(_("状态"), default=Status.SUBMITTED, choices=Status.choices, protected=True, db_index=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at", "-id"]

    Meta.constraints = [
        models.UniqueConstraint(fields=["pilot"], condition=Q(status__in=PENDING), name="extension_one_pending"),
        models.CheckConstraint(condition=Q(new_end__gt=models.F("old_end")), name="extension_new_end_later"),
    ]

    def __str__(self):
        return _("%(county)s延期申请（延至%(end)s）") % {"county": self.county, "end": self.new_end.isoformat()}

    def get_absolute_url(self):
        return reverse("reports:extension", args=[self.pk])

    @property
    def is_pending(self):
        return self.status in self.PENDING

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        return list(Unit.objects.filter(kind=role))

    def watchers(self):

        return list(User.objects.filter(memberships__unit_id=self.county_id, is_active=True).distinct())

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.CONSULTING,
        permission=perm("reports.review_extension"),
        custom={"role": Role.REFORM_OFFICE, "label": _("征求专项小组和牵头指导单位意见")},
    )
    def consult(self):
        pass

    @transition(
        field=status,
        source=Status.CONSULTING,
        target=Status.COMMITTEE_REVIEW,
        conditions=[opinions_in],
        permission=perm("reports.review_extension"),
        custom={"role": Role.REFORM_OFFICE, "label": _("报市委改革委审定")},
    )
    def forward(self):
        pass

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.APPROVED,
        permission=perm("reports.decide_extension"),
        custom={"role": Role.COMMITTEE, "label": _("批准延期")},
    )
    def approve(self, *, meeting_ref=""):
        self.meeting_ref = meeting_ref

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.REJECTED,
        permission=perm("reports.decide_extension"),
        custom={"role": Role.COMMITTEE, "label": _("不予延期"), "needs_reason": True},
    )
    def reject(self, *, meeting_ref=""):
        self.meeting_ref = meeting_ref

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.APPROVED,
        permission=perm("reports.record_extension"),
        custom={
            "role": Role.REFORM_OFFICE,
            "label": _("代为录入：批准延期"),
            "optional": True,
            "on_behalf_of": Role.COMMITTEE,
        },
    )
    def approve_on_behalf(self, *, meeting_ref=""):
        self.meeting_ref = meeting_ref

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.REJECTED,
        permission=perm("reports.record_extension"),
        custom={
            "role": Role.REFORM_OFFICE,
            "label": _("代为录入：不予延期"),
            "optional": True,
            "needs_reason": True,
            "on_behalf_of": Role.COMMITTEE,
        },
    )
    def reject_on_behalf(self, *, meeting_ref=""):
        self.meeting_ref = meeting_ref
