"""The engine's records: the append-only transition log and versions (links of the audit hash chain), attachments
and the notification outbox. ``workflow.models`` imports every model of the app from where it lives."""

import uuid

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

from . import chain
from .registry import log_sentence

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
    (``workflow.engine.chain``) so that an edit made behind the triggers' back is found by ``verify_audit``
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
        chain.append(self, lambda: super(AppendOnlyModel, self).save(*args, **kwargs), using)

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
    # 代理: the absent colleague the actor acted for (the row reads "张三（代李四）"; ``workflow.inbox.deputies``).
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
        return log_sentence(self)

    @property
    def role_label(self):
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
