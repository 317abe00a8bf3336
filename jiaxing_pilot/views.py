"""Site-wide pages: the home page with the user's units, roles and 我的待办."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from workflow.inbox import todo_items


@login_required
def home(request):
    return TemplateResponse(request, "home.html", {"todo": todo_items(request.user)})


@login_required
def inbox(request):
    """我的待办 on its own page: everything the user may act on now, overdue first."""
    return TemplateResponse(request, "inbox.html", {"todo": todo_items(request.user)})
