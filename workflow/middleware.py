"""Maps the domain error to a Chinese error page with its 4xx status; forms show field errors themselves."""

from django.shortcuts import render

from .errors import WorkflowError


class WorkflowErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, WorkflowError):
            return render(request, "workflow_error.html", {"message": exception.message}, status=exception.status)
        return None
