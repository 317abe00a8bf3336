"""Attachment downloads (access-checked) and the user's notifications."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..audit.events import audit
from ..engine.errors import WorkflowError
from ..engine.models import Attachment, Notification
from .forms import ActionForm


def access_attachment(user, pk):
    """The attachment if the user may see the record it belongs to; 404 otherwise (existence not revealed)."""
    att = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    model = att.content_type.model_class()
    if model is None or not model.objects.visible_to(user).filter(pk=att.object_id).exists():
        raise Http404
    return att


@login_required
def attachment_download(request, pk):
    att = access_attachment(request.user, pk)
    try:
        handle = att.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None

    audit("export", request, attachment=att.pk, object=f"{att.content_type.model}:{att.object_id}")
    ctype = mimetypes.guess_type(att.original_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=att.original_name, content_type=ctype)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user).select_related(
        "log", "log__actor", "log__on_behalf_of", "log__unit", "log__content_type"
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "workflow/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk):
    n = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    return redirect(n.url)


@login_required
@require_POST
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at=None).update(read_at=timezone.now())
    return redirect("workflow:notifications")


def run_action(request, obj, do, render_detail, form_class=None):
    """Shared POST handling for a record's action buttons.

    ``do(cleaned_data)`` calls the app's service and returns the changed object; ``render_detail(obj, form,
    status)`` re-renders the record page. Field errors go next to the fields (400); a stale page or a rule
    that does not hold is shown above the fresh record with its 4xx status; success redirects to the record.
    """
    form = (form_class or ActionForm)(request.POST, request.FILES)
    if not form.is_valid():
        return render_detail(obj, form, 400)
    try:
        changed = do(form.cleaned_data)
    except WorkflowError as err:
        fresh = type(obj).objects.get(pk=obj.pk)
        if err.errors:
            form.add_workflow_error(err)
            return render_detail(fresh, form, err.status)
        messages.error(request, err.message)
        return render_detail(fresh, None, err.status)
    messages.success(request, _("操作成功，当前状态：%(state)s。") % {"state": changed.get_status_display()})
    return redirect(changed)


def call_service(form, do):
    """Validate ``form`` and call ``do(cleaned_data)``; return (result, HTTP status).

    A WorkflowError lands on the form (next to its fields, or above them) with its 4xx status.
    """
    if not form.is_valid():
        return None, 400
    try:
        return do(form.cleaned_data), 200
    except WorkflowError as err:
        form.add_workflow_error(err)
        return None, err.status
