"""Writes AuditEvent rows (``audit``): the security events accounts announces (``accounts.events.security_event``:
second factor, passwords, the administrators' actions), Django's login signals, denied requests (403), exports."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.events import security_event
from accounts.roles import memberships

from ..engine.request_context import with_request_id
from .models import AuditEvent


def client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


FAILURE_KINDS = {AuditEvent.Kind.LOGIN_FAILED, AuditEvent.Kind.DENIED, AuditEvent.Kind.OTP_FAILED}


def audit(kind, request=None, *, user=None, username="", result=None, unit=None, obj=None, **details):
    """Append one security event; ``details`` must hold ids and names only, never document contents.

    ``result`` defaults by kind (failed logins and denied requests are failures); ``unit`` defaults to the
    actor's first unit; ``obj`` is the record the event is about (a user whose password was reset, an export)."""
    if user is None and request is not None and getattr(request, "user", None) and request.user.is_authenticated:
        user = request.user
    if unit is None and user is not None:
        unit = next((m.unit for m in memberships(user)), None)
    return AuditEvent.objects.create(
        kind=kind,
        result=result or (AuditEvent.Result.FAILURE if kind in FAILURE_KINDS else AuditEvent.Result.SUCCESS),
        actor=user,
        unit=unit,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        username=username or (user.get_username() if user else ""),
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        details=with_request_id(details),  # the request id links the row to the request log (issue 15)
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit(AuditEvent.Kind.LOGIN, request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(AuditEvent.Kind.LOGOUT, request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit(AuditEvent.Kind.LOGIN_FAILED, request, username=str(credentials.get("username", ""))[:150])


@receiver(security_event)
def _announced(sender, kind, request=None, signal=None, **details):
    audit(kind, request, **details)
