"""Maps the domain error to a Chinese error page with its 4xx status (forms show field errors themselves),
and records every denied request in the security audit."""

from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .errors import WorkflowError


class WorkflowErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            from .audit import audit

            audit("denied", request, method=request.method, message=str(exception)[:200])
            return None  # Django's 403 handler renders the Chinese page
        if isinstance(exception, WorkflowError):
            return render(request, "workflow_error.html", {"message": exception.message}, status=exception.status)
        return None


class PrefetchMiddleware:
    """Fetches what every page reads about its user from the generational cache in one round trip instead of five
    (workflow.generation.prefetch): the user (accounts.backends), the second factor's device (accounts.middleware),
    the memberships (accounts.roles), the header's counts (workflow.inbox) and the navigation (workflow.navigation),
    keyed as those read them. After the session and the language are known, before the user is loaded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import generation

        user_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if user_id is None:
            return self.get_response(request)
        from django.utils import timezone
        from django.utils.translation import get_language
        from django_otp import DEVICE_ID_SESSION_KEY

        from .navigation import registry_version

        wanted = [
            ("user", (user_id,)),
            ("memberships", (user_id,)),
            ("header", (user_id, timezone.localdate().isoformat())),
            ("nav", (user_id, get_language(), registry_version())),
        ]
        device = request.session.get(DEVICE_ID_SESSION_KEY)
        if device:
            wanted.append(("otp-device", (device,)))
        generation.prefetch(wanted)
        try:
            return self.get_response(request)
        finally:
            generation.end_prefetch()
