"""协调督促: the special group's page of its pilots' overdue reports and open rectification items, and its 催办."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.monitoring import supervision
from workflow.engine.errors import WorkflowError


@login_required
def supervision_page(request):
    return TemplateResponse(request, "reports/supervision.html", supervision.page(request.user))


@login_required
@require_POST
def supervision_urge(request, kind, pk):
    try:
        rows = supervision.urge(actor=request.user, kind=kind, pk=pk, comment=request.POST.get("comment", ""))
    except WorkflowError as err:
        messages.error(request, err.message)
        response = TemplateResponse(request, "reports/supervision.html", supervision.page(request.user))
        response.status_code = err.status
        return response
    messages.success(request, _("已催办%(n)d个单位，已通知县（市、区）。") % {"n": len(rows)})
    return redirect("reports:supervision")
