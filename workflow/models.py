"""Shared workflow records: the append-only transition log, attachments, frozen versions and the notification outbox."""

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from . import audit_chain
from .audit_chain import AuditChainHead  # noqa: F401  (a model of this app, kept with the chain code)
from .base import ProtectedStatusQuerySet, WorkflowModel, perm

SYSTEM_ROLE = "system"


def _now():
    """``timezone.now`` looked up at call time, so a clock set for the demo's history (``mock.patch``) reaches the
    log, version and work-item rows a service writes, and time in stage reads those dates."""
    return timezone.now()


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are never changed or removed by the application (等保: audit records protected)."""

    def update(self, **kwargs):
        raise PermissionError("审计记录只能追加，不能修改。")

    def delete(self):
        raise PermissionError("审计记录只能追加，不能删除。")

    def bulk_create(self, objs, *args, **kwargs):
        # Each row must take its place in the hash chain: one insert at a time.
        for obj in objs:
            obj.save(using=self.db)
        return list(objs)


class AppendOnlyModel(models.Model):
    """An audit record: written once, never changed or deleted by the application; on PostgreSQL triggers make
    the database itself refuse an UPDATE, a DELETE or a TRUNCATE, and every row is a link of a hash chain
    (``workflow.audit_chain``) so that an edit made behind the triggers' back is found by ``verify_audit``
    (等保: audit records protected)."""

    chain_seq = models.PositiveBigIntegerField(_("审计链序号"), null=True, unique=True, editable=False)
    prev_hash = models.CharField(_("上一条摘要"), max_length=80, blank=True, editable=False)
    row_hash = models.CharField(_("本条摘要"), max_length=80, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            # Row triggers do not fire on TRUNCATE: a statement trigger refuses it (issue 21). Only a session
            # started with ``-c jiaxing.audit_truncate=allow`` (the test suite's flush, via PGOPTIONS) may.
            pgtrigger.Trigger(
                name="no_truncate",
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                func=(
                    "IF current_setting('jiaxing.audit_truncate', true) = 'allow' THEN RETURN NULL; END IF; "
                    "RAISE EXCEPTION 'pgtrigger: Cannot truncate % table', TG_TABLE_NAME;"
                ),
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("审计记录只能追加，不能修改。")
        using = kwargs.get("using") or "default"
        audit_chain.append(self, lambda: super(AppendOnlyModel, self).save(*args, **kwargs), using)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只能追加，不能删除。")


class TransitionLog(AppendOnlyModel):
    """One row per state change (or audited action): who, in which role and unit, when, from, to, why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    target = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # 代理: the absent colleague the actor acted for (the row reads "张三（代李四）"; ``workflow.deputies``).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被代理人"),
    )
    role = models.CharField(_("角色"), max_length=20)
    unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
    )
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, blank=True)
    comment = models.TextField(_("意见或理由"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    version = models.ForeignKey(
        "workflow.Version",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("版本"),
    )
    created_at = models.DateTimeField(_("时间"), default=_now, editable=False, db_index=True)

    # Columns added after rows were chained: left out of a row's hash while empty, so older rows still verify.
    CHAIN_ADDED_FIELDS = ("on_behalf_of_id",)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="log_object_time")]

    def __str__(self):
        return f"{self.action} {self.from_state}→{self.to_state}"

    def _state_label(self, state):
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        try:
            return dict(model._meta.get_field("status").flatchoices).get(state, state)
        except Exception:  # a model without a status field (e.g. audited non-workflow records)
            return state

    @property
    def from_label(self):
        return self._state_label(self.from_state)

    @property
    def to_label(self):
        return self._state_label(self.to_state)

    @property
    def sentence(self):
        from .registry import log_sentence

        return log_sentence(self)

    @property
    def role_label(self):
        from accounts.models import Role

        if self.role == SYSTEM_ROLE:
            return _("系统")
        return Role(self.role).label if self.role in Role.values else self.role


class Version(AppendOnlyModel):
    """A frozen copy of a submission (fields and rows) that later submissions are compared with."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    number = models.PositiveIntegerField(_("版本号"))
    data = models.JSONField(_("内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    created_at = models.DateTimeField(_("提交时间"), default=_now, editable=False)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("提交版本")
        verbose_name_plural = _("提交版本")
        ordering = ["content_type", "object_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "number"], name="version_unique_number"),
        ]

    def __str__(self):
        return f"v{self.number}"


def attachment_path(instance, filename):
    # The stored name never uses the uploaded name: no path tricks, no personal data in paths.
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{instance.content_type_id}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    target = GenericForeignKey("content_type", "object_id")
    log = models.ForeignKey(
        TransitionLog,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("所属流转"),
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    kind = models.CharField(_("文件类型"), max_length=10)
    description = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_object")]

    def __str__(self):
        return self.original_name


class Notification(models.Model):
    """In-app notice and e-mail outbox row, written in the same transaction as the change that causes it."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无需发送")
        DIGEST = "digest", _("待每日汇总")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    log = models.ForeignKey(TransitionLog, on_delete=models.PROTECT, related_name="+", verbose_name=_("流转记录"))
    url = models.CharField(_("链接"), max_length=300)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    email_status = models.CharField(
        _("邮件状态"),
        max_length=10,
        choices=EmailStatus.choices,
        default=EmailStatus.PENDING,
        db_index=True,
    )
    email_attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    email_claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    email_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.recipient} · {self.log.action}"


class OpinionQuerySet(ProtectedStatusQuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def asked_of(self, user):
        """Opinions addressed to this user: by name, or to a unit in the role the user holds there."""
        from accounts.roles import memberships

        scope = models.Q(user=user) if getattr(user, "is_authenticated", False) else models.Q(pk__in=[])
        for m in memberships(user):
            scope |= models.Q(unit_id=m.unit_id, role=m.role)
        return self.filter(scope)

    def asked_by(self, user):
        """Opinions requested by one of the user's units in the role it asked in (that side may cancel)."""
        from accounts.roles import memberships

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
        from accounts.roles import sees_everything

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
    whose choices come from the request's purpose (``workflow.opinions``)."""

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
        from .opinions import get_purpose

        return get_purpose(self.purpose)

    @property
    def verdict_label(self):
        from .opinions import purposes

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
        from django.utils import timezone

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
        from .opinions import purposes

        spec = purposes().get(self.purpose)
        return spec.label if spec else self.purpose

    def watchers(self):
        """The unit (in its role) that asked hears of each answer and each cancellation."""
        from accounts.models import User

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
        from django.utils import timezone

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


# --- Assignments and work items (我的待办 as rows; owned by workflow.workitems) -----------------------------
class AssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Assignment(models.Model):
    """A unit in a role, or a named person, given a part on one record (the pilot's guidance unit, an invited
    expert, an inspection team). ``acts`` assignments say who takes the record's steps in that role (they
    replace ``units_for_role`` for it); the others only let the assignee read the record while active."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    target = GenericForeignKey("content_type", "object_id")
    role = models.CharField(_("角色"), max_length=20)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("人员"),
    )
    purpose = models.CharField(_("用途"), max_length=40, blank=True)
    acts = models.BooleanField(_("承办"), default=True, help_text=_("否：仅在有效期间可以查看该记录"))
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("指派人"),
    )
    created_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("指派")
        verbose_name_plural = _("指派")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "role"], condition=models.Q(active=True), name="assignment_object"
            ),
            models.Index(
                fields=["unit", "content_type"], condition=models.Q(active=True), name="assignment_unit_active"
            ),
            models.Index(
                fields=["user", "content_type"], condition=models.Q(active=True), name="assignment_user_active"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(user__isnull=False), name="assignment_unit_or_user"
            ),
        ]

    def __str__(self):
        return f"{self.user or self.unit} · {self.role}"


class WorkItemQuerySet(models.QuerySet):
    def open(self):
        from django.utils import timezone

        return self.filter(closed_at__isnull=True, opened_at__lte=timezone.now())

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def open_for(self, user):
        """The user's open items, in one indexed query: items for any (unit, role) the user holds, or named
        to the user. Reads the memberships cached on the user (no extra query once they are loaded)."""
        scope = models.Q()
        for part in todo_scopes(user):
            scope |= part
        return self.open().filter(scope)

    def in_order(self):
        """Overdue first, then by due date, undated last, then the longest waiting (the overdue items are the
        ones with the earliest due dates, so one plain ordering does it)."""
        return self.order_by(models.F("due_at").asc(nulls_last=True), "opened_at", "id")


def todo_scopes(user):
    """The parts of ``open_for``: the items named to the user, then those of each (unit, role) the user holds
    (each part reads its own index in 我的待办's order: workflow.inbox merges them on PostgreSQL), then those named
    to colleagues the user deputises today (代理, ``workflow.deputies``), a part only a deputy has: whether the user
    deputises anyone is one small query (``deputising``, read once a request), and most users' scopes then carry
    no subquery at all.

    The parts are disjoint (named to the user; to nobody, for one (unit, role) each; named to another user), so
    counts may be added up part by part (``workflow.inbox.header_counts``). The deputies' part names the absent
    colleagues' ids (``user_id IN``): without it the database cannot narrow that part by an index and reads every
    open item of everyone for it (2-45 ms a page at national scale, JIT compilation included).

    Built once per user object (a request's user, like its memberships in ``accounts.roles``): the header's count,
    the page's rows and the filtered list all read them, and building the deputies' subqueries costs more Python
    than their SQL costs the database."""
    cached = getattr(user, "_todo_scopes_cache", None)
    if cached is None:
        from accounts.roles import memberships

        from .deputies import deputising, todo_scope

        cached = [models.Q(user_id=user.pk)] + [
            models.Q(unit_id=m.unit_id, role=m.role, user__isnull=True) for m in memberships(user)
        ]
        absent = sorted({row.user_id for row in deputising(user)})
        if absent:
            cached.append(models.Q(user_id__in=absent) & todo_scope(user))
        user._todo_scopes_cache = cached
    return list(cached)


class WorkItem(models.Model):
    """One open task on one record for a unit in a role, or for a named person (我的待办 reads only this table).

    ``derived`` items are written by ``workflow.workitems.sync_items`` from the django-fsm definitions; the
    others are opened and closed by a service (``open_item``/``close_items``). Title and URL are copied in so
    the list never loads the records; ``action`` holds transition names, shown through ``action_label``."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    target = GenericForeignKey("content_type", "object_id")
    workflow = models.CharField(_("流程"), max_length=40)
    title = models.CharField(_("事项"), max_length=300)
    url = models.CharField(_("链接"), max_length=300)
    action = models.CharField(_("待办操作"), max_length=200)
    unit = models.ForeignKey(
        "accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    role = models.CharField(_("角色"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("承办人"),
    )
    derived = models.BooleanField(_("由流程生成"), default=True)
    opened_at = models.DateTimeField(_("待办开始时间"), default=_now)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("办结人"),
    )
    closed_log = models.ForeignKey(
        TransitionLog, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("办结记录")
    )

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        ordering = ["opened_at", "id"]
        indexes = [
            models.Index(
                fields=["unit", "role", "opened_at"],
                condition=models.Q(closed_at__isnull=True),
                name="workitem_open_unit_role",
            ),
            models.Index(
                fields=["user", "opened_at"], condition=models.Q(closed_at__isnull=True), name="workitem_open_user"
            ),
            # The header's count of a (unit, role) scope (items named to nobody): an index-only count, where the
            # index above also holds the items named to a person and sent the count to the table (5,000 rows).
            models.Index(
                fields=["unit", "role", "opened_at"],
                condition=models.Q(closed_at__isnull=True, user__isnull=True),
                name="workitem_waiting_unit_role",
            ),
            models.Index(fields=["content_type", "object_id", "closed_at"], name="workitem_object"),
            # 我的待办's order (overdue first, by due date, undated last, longest waiting), per scope: a page is
            # the first rows of these indexes, not a sort of every open item (PostgreSQL's ascending order keeps
            # nulls last, as in_order() asks).
            models.Index(
                fields=["unit", "role", "due_at", "opened_at", "id"],
                condition=models.Q(closed_at__isnull=True),
                name="workitem_todo_unit_order",
            ),
            models.Index(
                fields=["user", "due_at", "opened_at", "id"],
                condition=models.Q(closed_at__isnull=True),
                name="workitem_todo_user_order",
            ),
            # Waiting time per unit waited on (reports.time_in_stage): one workflow's items, read from the index.
            models.Index(fields=["workflow", "unit", "opened_at", "closed_at"], name="workitem_wait_times"),
        ]

    def __str__(self):
        return f"{self.title} · {self.action}"

    @property
    def kind(self):
        """The record type's name (the lists select_related the content type, so this costs no query)."""
        model = self.content_type.model_class()
        return model._meta.verbose_name if model else ""

    @property
    def action_label(self):
        from .registry import action_label

        return "、".join(action_label(n if "." in n else f"{self.workflow}.{n}") for n in self.action.split(",") if n)

    @property
    def overdue(self):
        return bool(self.due_at and self.closed_at is None and self.due_at < _now())

    @property
    def deadline(self):
        return self.due_at


class CalendarFeed(models.Model):
    """A personal ICS subscription (我的日程订阅). Only the SHA-256 hash of the secret token is stored: the
    plain URL is shown once when it is created, so a database leak does not leak anybody's calendar."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("用户"),
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日程订阅")
        verbose_name_plural = _("日程订阅")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @staticmethod
    def hash_token(token):
        import hashlib

        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_active(self):
        return self.revoked_at is None


class AuditEvent(AppendOnlyModel):
    """Security events besides transitions (等保 audit): logins, failed logins, logouts, denied actions, exports.

    Append-only like the transition log; it carries ids and names, never document contents.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        DENIED = "denied", _("越权访问被拒绝")
        EXPORT = "export", _("导出或下载")
        OTP_ENROLLED = "otp_enrolled", _("启用双因素认证")
        OTP_VERIFIED = "otp_verified", _("双因素认证通过")
        OTP_FAILED = "otp_failed", _("双因素认证失败")
        OTP_BACKUP_CODES = "otp_backup_codes", _("生成备用验证码")
        OTP_RESET = "otp_reset", _("重置双因素认证")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        PASSWORD_RESET = "password_reset", _("管理员重置密码")
        UNLOCKED = "unlocked", _("解除账号锁定")
        USER_CHANGED = "user_changed", _("用户信息变更")
        ROLE_CHANGED = "role_changed", _("授予或撤销角色")
        UNIT_CHANGED = "unit_changed", _("单位信息变更")
        AUDIT_VERIFIED = "audit_verified", _("审计链校验")
        AUDIT_PURGED = "audit_purged", _("清理过期审计记录")

    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")

    kind = models.CharField(_("事件类型"), max_length=20, choices=Kind.choices, db_index=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, default=Result.SUCCESS)
    unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
    )
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("用户"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    path = models.CharField(_("访问路径"), max_length=300, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("安全审计事件")
        verbose_name_plural = _("安全审计事件")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username}"


from .convention_models import Copy, Deputyship, Opening, SavedPhrase, Urging  # noqa: E402, F401  (the conventions' rows)
