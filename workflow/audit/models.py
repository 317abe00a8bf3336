"""The audit's record: security events besides transitions (logins, denials, exports, administrators' actions)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.events import Kind

from ..engine.models import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    """Security events besides transitions (等保 audit): logins, failed logins, logouts, denied actions, exports.

    Append-only like the transition log; it carries ids and names, never document contents.
    """

    Kind = Kind  # the kinds accounts announces and the audit adds (``accounts.events.Kind``)

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
