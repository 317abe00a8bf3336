"""Extension requests (延期申请): built in reports/ while reviews/ (design.md's place for them) is being written.

The county applies with the seed's reason and a new end date (at most EXTENSION_MAX_MONTHS past the current end)
and may withdraw it while it is pending; the office asks the pilot's special group and guidance unit (the core's
opinions) and, once both have answered, refuses it with a reason (the county may apply again) or passes it to the
committee; the committee approves or rejects it citing its meeting (or the office records that decision).
Approval moves the pilot's end date through pilots' service, keeps both dates, adds report quarters."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import Role, Unit, User
from accounts.roles import sees_everything, unit_ids
from workflow.engine.base import ProtectedStatusQuerySet, WorkflowModel, condition, perm
from workflow.models import Opinion

EXTENSION_OPINION = "extension_opinion"


def consulted_units(extension):
    """The units whose opinion the office must have before it decides: the pilot's special group and guidance
    unit (seed: 经市委改革办会同市级专项小组、市级牵头指导单位审核)."""
    pilot = extension.pilot
    return [pilot.special_group] + ([pilot.guidance_unit] if pilot.guidance_unit_id else [])


def _answers(extension):
    """``{unit id: set of statuses}`` of the requests for this purpose, read fresh (a condition is checked again
    inside the transaction that may have just asked or answered)."""
    rows = Opinion.objects.for_object(extension).filter(purpose=EXTENSION_OPINION).values_list("unit_id", "status")
    answers = {}
    for unit_id, status in rows:
        answers.setdefault(unit_id, set()).add(status)
    return answers


def units_to_ask(extension):
    """The consulted units with neither an answer nor an open request (never asked, or their request was
    cancelled, or the pilot's guidance unit changed meanwhile)."""
    answers = _answers(extension)
    live = {Opinion.Status.PENDING, Opinion.Status.GIVEN}
    return [u for u in consulted_units(extension) if not answers.get(u.pk, set()) & live]


@condition(_("专项小组和牵头指导单位均已征求意见，无需重复征求。"))
def someone_to_ask(extension):
    return bool(units_to_ask(extension))


@condition(_("市级专项小组和牵头指导单位的意见尚未全部答复，市委改革办还不能作出审核决定。"))
def opinions_in(extension):
    answers = _answers(extension)
    return all(Opinion.Status.GIVEN in answers.get(u.pk, ()) for u in consulted_units(extension))


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
        REFUSED = "refused", _("审核未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Reason(models.TextChoices):
        COMPLEX = "complex", _("改革任务复杂")
        CHANGED = "changed", _("改革形势有新变化")

    PENDING = [Status.SUBMITTED, Status.CONSULTING, Status.COMMITTEE_REVIEW]
    # Ended with a reason the county reads on the request (the office's refusal, the committee's rejection).
    REFUSALS = [Status.REFUSED, Status.REJECTED]
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

    @property
    def is_refused(self):
        return self.status in self.REFUSALS

    @property
    def is_refused_by_office(self):
        return self.status == self.Status.REFUSED

    def units_for_role(self, role):
        if role == Role.COUNTY:
            return [self.county]
        return list(Unit.objects.filter(kind=role))

    def watchers(self):
        """The county hears of every step of its request, and the office too (it runs the review, and a
        withdrawal or the committee's decision leaves nobody else to tell it)."""
        units = Q(memberships__unit_id=self.county_id) | Q(memberships__unit__kind=Role.REFORM_OFFICE)
        return list(User.objects.filter(units, is_active=True).distinct())

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.CONSULTING,
        conditions=[someone_to_ask],
        permission=perm("reports.review_extension"),
        custom={"role": Role.REFORM_OFFICE, "label": _("征求专项小组和牵头指导单位意见")},
    )
    def consult(self):
        pass

    # While consulting, a unit still to ask (its request cancelled, a new guidance unit) is asked again: shown
    # only then (its condition), and never a to-do of its own (the office's item is the decision).
    @transition(
        field=status,
        source=Status.CONSULTING,
        target=Status.CONSULTING,
        conditions=[someone_to_ask],
        permission=perm("reports.review_extension"),
        custom={"role": Role.REFORM_OFFICE, "label": _("再次征求未答复单位意见"), "optional": True},
    )
    def consult_again(self):
        pass

    @transition(
        field=status,
        source=Status.CONSULTING,
        target=Status.COMMITTEE_REVIEW,
        conditions=[opinions_in],
        permission=perm("reports.review_extension"),
        custom={"role": Role.REFORM_OFFICE, "label": _("审核通过，报市委改革委审定")},
    )
    def forward(self):
        pass

    # The office's 审核 may end the request: the county reads the reason and may apply again.
    @transition(
        field=status,
        source=Status.CONSULTING,
        target=Status.REFUSED,
        conditions=[opinions_in],
        permission=perm("reports.review_extension"),
        custom={"role": Role.REFORM_OFFICE, "label": _("审核不通过"), "needs_reason": True},
    )
    def refuse(self):
        pass

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.APPROVED,
        permission=perm("reports.decide_extension"),
        custom={"role": Role.COMMITTEE, "label": _("批准延期"), "needs_meeting": True},
    )
    def approve(self, *, meeting_ref):
        self.meeting_ref = meeting_ref

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.REJECTED,
        permission=perm("reports.decide_extension"),
        custom={"role": Role.COMMITTEE, "label": _("不予延期"), "needs_reason": True, "needs_meeting": True},
    )
    def reject(self, *, meeting_ref):
        self.meeting_ref = meeting_ref

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.APPROVED,
        permission=perm("reports.record_extension"),
        custom={
            "role": Role.REFORM_OFFICE,
            "label": _("代为录入：批准延期"),
            "needs_meeting": True,
            "optional": True,
            "on_behalf_of": Role.COMMITTEE,
        },
    )
    def approve_on_behalf(self, *, meeting_ref):
        self.meeting_ref = meeting_ref

    @transition(
        field=status,
        source=Status.COMMITTEE_REVIEW,
        target=Status.REJECTED,
        permission=perm("reports.record_extension"),
        custom={
            "role": Role.REFORM_OFFICE,
            "label": _("代为录入：不予延期"),
            "needs_meeting": True,
            "optional": True,
            "needs_reason": True,
            "on_behalf_of": Role.COMMITTEE,
        },
    )
    def reject_on_behalf(self, *, meeting_ref):
        self.meeting_ref = meeting_ref

    @transition(
        field=status,
        source=PENDING,
        target=Status.WITHDRAWN,
        permission=perm("reports.withdraw_extension"),
        custom={
            "role": Role.COUNTY,
            "label": _("撤回延期申请"),
            "optional": True,
            "confirm": _("撤回后可重新申请延期，确定撤回吗？"),
        },
    )
    def withdraw(self):
        pass
