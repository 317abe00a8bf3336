"""Site-wide pages: the home page with the user's units, roles and 我的待办."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from workflow.inbox import todo_page


@login_required
def home(request):
    """The first page of 我的待办 (overdue first); the rest is one click away on /inbox/."""
    return TemplateResponse(request, "home.html", {"page": todo_page(request.user), "on_home": True})


@login_required
def inbox(request):
    """我的待办 on its own page, 20 items a page, overdue first."""
    return TemplateResponse(request, "inbox.html", {"page": todo_page(request.user, request.GET.get("page"))})
