"""The conventions' records: urgings, copies, saved phrases, openings (``workflow.conventions.approval``) and opinions
(``workflow.conventions.opinions``)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import User
from accounts.roles import memberships, sees_everything

from ..engine.base import ProtectedStatusQuerySet, WorkflowModel, perm
from ..engine.models import TransitionLog
from .purposes import get_purpose, purposes


def _user(name, **kw):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=name, **kw
    )


def _unit(name):
    return models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=name
    )


class RecordRowQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Urging(models.Model):
    """催办: the office urged whoever a record waits on (a unit, or a named person), at most once a day each."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    unit = _unit(_("被催办单位"))
    user = _user(_("被催办人"), null=True, blank=True)
    day = models.DateField(_("催办日期"), default=timezone.localdate)
    urged_by = _user(_("催办人"))
    log = models.ForeignKey(TransitionLog, on_delete=models.PROTECT, related_name="+", verbose_name=_("流转记录"))
    created_at = models.DateTimeField(_("催办时间"), default=timezone.now)

    objects = RecordRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["created_at", "id"]
        constraints = [
            # Once a day per record and unit (or person): the database refuses a second one even in a race.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "unit", "day"],
                condition=Q(unit__isnull=False),
                name="urging_once_a_day_unit",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user", "day"],
                condition=Q(unit__isnull=True),
                name="urging_once_a_day_user",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="urging_object")]

    def __str__(self):
        return f"{self.unit or self.user} · {self.day}"


class Copy(models.Model):
    """抄送/传阅: a record copied to a unit or a person, who may read it; read once any of them opened it."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    title = models.CharField(_("事项"), max_length=300)
    url = models.CharField(_("链接"), max_length=300)
    unit = _unit(_("传阅单位"))
    user = _user(_("传阅人"), null=True, blank=True)
    copied_by = _user(_("抄送人"))
    log = models.ForeignKey(TransitionLog, on_delete=models.PROTECT, related_name="+", verbose_name=_("流转记录"))
    created_at = models.DateTimeField(_("抄送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = RecordRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("传阅")
        verbose_name_plural = _("传阅")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=False) | Q(user__isnull=False), name="copy_unit_or_user")
        ]
        indexes = [
            models.Index(fields=["unit", "created_at"], name="copy_unit"),
            models.Index(fields=["user", "created_at"], name="copy_user"),
        ]

    def __str__(self):
        return f"{self.title} → {self.unit or self.user}"


class SavedPhrase(models.Model):
    """常用意见: a user's own phrase for comment boxes (the defaults per action live in the code)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_phrases", verbose_name=_("用户")
    )
    text = models.CharField(_("意见内容"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("常用意见")
        verbose_name_plural = _("常用意见")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "text"], name="saved_phrase_unique")]

    def __str__(self):
        return self.text


class Opening(models.Model):
    """Someone the record waited on opened it (recall is possible only before that)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("查看人")
    )
    log = models.ForeignKey(TransitionLog, on_delete=models.CASCADE, related_name="+", verbose_name=_("流转记录"))
    at = models.DateTimeField(_("查看时间"), default=timezone.now)

    objects = RecordRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理人查看")
        verbose_name_plural = _("办理人查看")
        constraints = [models.UniqueConstraint(fields=["log", "user"], name="opening_once")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="opening_object")]

    def __str__(self):
        return f"{self.user} · {self.at}"


class OpinionQuerySet(ProtectedStatusQuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def asked_of(self, user):
        """Opinions addressed to this user: by name, or to a unit in the role the user holds there."""
        scope = models.Q(user=user) if getattr(user, "is_authenticated", False) else models.Q(pk__in=[])
        for m in memberships(user):
            scope |= models.Q(unit_id=m.unit_id, role=m.role)
        return self.filter(scope)

    def asked_by(self, user):
        """Opinions requested by one of the user's units in the role it asked in (that side may cancel)."""
        scope = models.Q(pk__in=[])
        for m in memberships(user):
            scope |= models.Q(requested_unit_id=m.unit_id, requested_role=m.role)
        return self.filter(scope)

    def awaiting(self, user):
        """What this user still has to answer (我的待办, calendar)."""
        return self.asked_of(user).filter(status=Opinion.Status.PENDING)

    def visible_to(self, user):
        """The office and the committee see all; others see what was asked of them or by them, and the
        opinions on every record they may read (the record page shows them)."""
        if sees_everything(user):
            return self.all()
        scope = models.Q(pk__in=self.asked_of(user).values("pk")) | models.Q(pk__in=self.asked_by(user).values("pk"))
        for ct_id in self.order_by().values_list("content_type", flat=True).distinct():
            model = ContentType.objects.get_for_id(ct_id).model_class()
            if model is not None and model is not Opinion and hasattr(model.objects, "visible_to"):
                scope |= models.Q(content_type_id=ct_id, object_id__in=model.objects.visible_to(user).values("pk"))
        return self.filter(scope)


class Opinion(WorkflowModel):
    """One question to one unit (in a role) or one named person about any record, answered with a verdict
    whose choices come from the request's purpose (``workflow.conventions.opinions``)."""

    class Status(models.TextChoices):
        NEW = "new", _("待发出")  # only inside the requesting transaction: the request is a logged transition
        PENDING = "pending", _("待提出意见")
        GIVEN = "given", _("已提出意见")
        CANCELLED = "cancelled", _("已撤销")

    workflow_key = "opinion"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    target = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("征求事项"), max_length=40)
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被征求意见单位"),
    )
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被征求意见人"),
    )
    role = models.CharField(_("答复角色"), max_length=20)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("征求人")
    )
    requested_unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("征求单位"),
    )
    requested_role = models.CharField(_("征求角色"), max_length=20, blank=True)
    requested_at = models.DateTimeField(_("征求时间"), auto_now_add=True)
    due_at = models.DateTimeField(_("答复期限"), null=True, blank=True)
    status = FSMField(_("状态"), default=Status.PENDING, choices=Status.choices, protected=True, db_index=True)
    verdict = models.CharField(_("意见"), max_length=30, blank=True)
    text = models.TextField(_("意见说明"), blank=True)
    given_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("答复人")
    )
    given_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="opinion_object"),
            models.Index(fields=["unit", "role", "status"], name="opinion_unit_waiting"),
            models.Index(fields=["user", "status"], name="opinion_user_waiting"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(unit__isnull=False) & models.Q(user__isnull=True))
                | (models.Q(unit__isnull=True) & models.Q(user__isnull=False)),
                name="opinion_unit_or_user",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "purpose", "unit", "role"],
                condition=models.Q(status__in=["new", "pending"], unit__isnull=False),
                name="opinion_one_open_per_unit",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "purpose", "user"],
                condition=models.Q(status__in=["new", "pending"], user__isnull=False),
                name="opinion_one_open_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.invitee_name} · {self.get_status_display()}"

    @property
    def invitee_name(self):
        if self.user_id:
            return self.user.display_name
        return self.unit.name if self.unit_id else ""

    @property
    def purpose_def(self):
        return get_purpose(self.purpose)

    @property
    def verdict_label(self):
        spec = purposes().get(self.purpose)
        return spec.verdict_label(self.verdict) if spec else self.verdict

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_given(self):
        return self.status == self.Status.GIVEN

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def overdue(self):
        return self.is_pending and self.due_at is not None and self.due_at < timezone.now()

    def get_absolute_url(self):
        return reverse("workflow:opinion", args=[self.pk])

    def units_for_role(self, role):
        if role == self.role and self.unit_id:
            return [self.unit]
        if role == self.requested_role and self.requested_unit_id and role != self.role:
            return [self.requested_unit]
        return []

    def users_for_role(self, role):
        """A person asked by name answers alone, not every member of their unit (three experts, three answers)."""
        return [self.user] if role == self.role and self.user_id else []

    def work_item_title(self):
        target = self.target
        return f"{self.purpose_label} · {target}" if target is not None else str(self.purpose_label)

    @property
    def purpose_label(self):
        spec = purposes().get(self.purpose)
        return spec.label if spec else self.purpose

    def watchers(self):
        """The unit (in its role) that asked hears of each answer and each cancellation."""
        if not self.requested_unit_id:
            return [self.requested_by] if self.requested_by.is_active else []
        members = User.objects.filter(
            memberships__unit_id=self.requested_unit_id, memberships__role=self.requested_role, is_active=True
        )
        return list(members.distinct())

    @transition(
        field=status,
        source=Status.NEW,
        target=Status.PENDING,
        permission=perm("workflow.request_opinion"),
        # optional: nobody waits on a request being sent (it is sent in the same transaction it is created)
        custom={"role_attr": "requested_role", "label": _("征求意见"), "optional": True},
    )
    def request(self):
        pass

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.GIVEN,
        permission=perm("workflow.give_opinion"),
        custom={"role_attr": "role", "label": _("提出意见")},
    )
    def give(self, *, verdict, text, user):
        self.verdict, self.text, self.given_by, self.given_at = verdict, text, user, timezone.now()

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.CANCELLED,
        permission=perm("workflow.cancel_opinion"),
        custom={"role_attr": "requested_role", "label": _("撤销征求意见"), "needs_reason": True, "optional": True},
    )
    def cancel(self):
        pass
