"""The security events accounts announces (logins are Django's own signals): ``announce(kind, request, ...)`` sends
``security_event``; the audit (``workflow.audit.events``) writes each as an AuditEvent row. Accounts imports nothing of
``workflow``: it only announces, and ``Kind`` lists every kind of security event the audit table holds."""

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

#: sent with ``kind`` and ``request`` (may be None) and the ``audit()`` keywords: ``user``, ``username``, ``obj``, …
security_event = Signal()


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


def announce(kind, request=None, **details):
    """Announce one security event (``Kind``); ``details`` are ids and names only, never document contents."""
    security_event.send(sender=Kind, kind=kind, request=request, **details)
