"""Maps the domain error to a Chinese error page with its 4xx status (forms show field errors themselves),
and records every denied request in the security audit."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .audit.events import audit
from .engine.errors import WorkflowError


class WorkflowErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            audit("denied", request, method=request.method, message=str(exception)[:200])
            return None  # Django's 403 handler renders the Chinese page
        if isinstance(exception, WorkflowError):
            return render(request, "workflow_error.html", {"message": exception.message}, status=exception.status)
        return None
