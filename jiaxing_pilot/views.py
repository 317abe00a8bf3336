"""Site-wide pages: the home page with the user's units, roles and 我的待办."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from workflow.engine.registry import workflow_models
from workflow.inbox.todo import ORDERS, todo_page
from workflow.ui.forms import TodoFilter


@login_required
def home(request):
    """The first page of 我的待办 (overdue first); the rest is one click away on /inbox/."""
    page = todo_page(request.user)
    return TemplateResponse(request, "home.html", {"page": page, "on_home": True})


@login_required
def inbox(request):
    """我的待办 on its own page, 20 items a page, overdue first; filtered by workflow and sorted on request."""

    workflows = {m.workflow_key: m._meta.verbose_name for m in workflow_models() if m.workflow_key}
    form = TodoFilter(request.GET or None, workflows=workflows)  # a bad one is named on the page (and ignored)
    workflow = form.given.get("workflow")
    order = form.given.get("sort") if form.given.get("sort") in ORDERS else None
    page = todo_page(request.user, request.GET.get("page"), workflow=workflow, order=order)
    return TemplateResponse(
        request,
        "inbox.html",
        {"page": page, "workflows": workflows, "workflow": workflow, "sort": order or "", "filter": form},
    )
