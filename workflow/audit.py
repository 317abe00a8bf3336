"""Writes AuditEvent rows: login signals, denied requests (403) and downloads/exports."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent
from .request_context import with_request_id


def client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit(kind, request=None, *, user=None, username="", **details):
    """Append one security event; ``details`` must hold ids and names only, never document contents."""
    if user is None and request is not None and getattr(request, "user", None) and request.user.is_authenticated:
        user = request.user
    return AuditEvent.objects.create(
        kind=kind,
        actor=user,
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
