"""Application pages: list, start, edit/submit, detail with actions (and its opinions), version diff, print."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.privacy import mask_changes, mask_mapping, mask_rows
from workflow.engine.errors import WorkflowError
from workflow.services import available_actions
from workflow.ui.compare import compare
from workflow.ui.opinion_views import opinion_panel
from workflow.ui.selectors import attachments_of, opinions_of, timeline, versions_of
from workflow.ui.views import run_action

from . import selectors, services
from .forms import ApplicationFilter, ApplicationForm, DecisionForm
from .models import FORM_FIELDS, LONG_FIELDS, Application


@login_required
def application_list(request):
    filterset = ApplicationFilter(request.GET or None, queryset=selectors.application_list(request.user))
    page = Paginator(filterset.qs, 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "applications/list.html",
        {
            "filter": filterset,
            "page": page,
            "can_start": rules.has_perm("applications.start_application", request.user),
        },
    )


@login_required
def application_start(request):
    if not rules.has_perm("applications.start_application", request.user):
        raise PermissionDenied(_("只有县（市、区）用户可以填写申报表。"))
    candidates = selectors.open_candidates()
    if request.method == "POST":
        candidate_id = request.POST.get("candidate", "")
        if not candidate_id.isdigit():
            raise Http404
        candidate = get_object_or_404(candidates, pk=candidate_id)
        try:
            app = services.start_application(actor=request.user, candidate=candidate)
        except WorkflowError as err:
            messages.error(request, err.message)
            return TemplateResponse(request, "applications/start.html", {"candidates": candidates}, status=err.status)
        messages.success(request, _("已创建申报表草稿，请填写后提交。"))
        return redirect("applications:edit", app.pk)
    return TemplateResponse(request, "applications/start.html", {"candidates": candidates})


def _detail_context(request, app, *, action_form=None):
    user = request.user
    opinions = opinions_of(app)
    logs = timeline(app)
    actions = [t for t in available_actions(app, user) if t.name != "submit" and not t.custom.get("convention")]
    return {
        "app": app,
        # Phones and e-mails masked outside the county.
        "rows": mask_rows(user, app.county, _rows(app)),
        "attachments": attachments_of(app),
        "timeline": logs,
        "last_return": _last_return(logs),
        "versions": versions_of(app),
        "actions": actions,
        "can_edit": app.is_editable and rules.has_perm("applications.edit_application", user, app),
        "action_form": _action_form(action_form or DecisionForm(initial={"expected_state": app.status}), actions),
        **opinion_panel(user, opinions),
    }


def _action_form(form, actions):
    """Offer the meeting field only to whoever records a committee decision."""
    if not any(t.custom.get("needs_meeting") for t in actions):
        form.fields.pop("meeting_ref", None)
    return form


def _rows(app):
    return [
        (
            app._meta.get_field(name).verbose_name,
            app.get_area_display() if name == "area" else getattr(app, name),
            name in LONG_FIELDS,
        )
        for name in FORM_FIELDS
    ]


@login_required
def application_detail(request, pk):
    app = selectors.access_application(request.user, pk)
    return TemplateResponse(request, "applications/detail.html", _detail_context(request, app))


@login_required
def application_edit(request, pk):
    app = selectors.access_application(request.user, pk)
    if not rules.has_perm("applications.edit_application", request.user, app):
        raise PermissionDenied(_("只有申报县（市、区）可以修改申报表。"))
    if not app.is_editable:
        messages.warning(request, _("申报当前状态为“%(state)s”，不能修改。") % {"state": app.get_status_display()})
        return redirect(app)
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, instance=app)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in FORM_FIELDS}
            files = form.cleaned_data["attachments"]
            submitting = request.POST.get("action") == "submit"
            try:
                if submitting:  # one service: saves what was typed, then submits (the save stays if refused)
                    app = services.submit_application(
                        actor=request.user,
                        application=app,
                        data=data,
                        files=files,
                        expected_state=request.POST.get("expected_state"),
                    )
                else:
                    app = services.save_draft(actor=request.user, application=app, data=data, files=files)
            except WorkflowError as err:
                form.add_workflow_error(err)  # what was typed is saved; the page says what is missing
                status = err.status
            else:
                if submitting:
                    messages.success(request, _("申报表已提交，等待市委改革办审核。"))
                    return redirect(app)
                messages.success(request, _("草稿已保存。"))
                return redirect("applications:edit", app.pk)
        else:
            status = 400
    else:
        form = ApplicationForm(instance=app)
    return TemplateResponse(
        request,
        "applications/edit.html",
        {
            "app": app,
            "form": form,
            "attachments": attachments_of(app),
            "last_return": _last_return(timeline(app)),
        },
        status=status,
    )


def _last_return(logs):
    return next((log for log in reversed(logs) if log.to_state == Application.Status.RETURNED), None)


@login_required
@require_POST
def application_act(request, pk):
    app = selectors.access_application(request.user, pk)

    def do(data):
        return services.act(
            actor=request.user,
            application=app,
            name=request.POST.get("name", ""),
            comment=data["comment"],
            expected_state=data["expected_state"],
            meeting_ref=data["meeting_ref"],
            files=data["attachments"],
        )

    def render(obj, form, status):
        fresh = selectors.access_application(request.user, obj.pk)
        return TemplateResponse(
            request, "applications/detail.html", _detail_context(request, fresh, action_form=form), status=status
        )

    return run_action(request, app, do, render, form_class=DecisionForm)


@login_required
def application_diff(request, pk, number):
    app = selectors.access_application(request.user, pk)
    return compare(
        request,
        app,
        number,
        labels=Application.field_labels(),
        back_label=_("返回申报详情"),
        field_filter=lambda fields: mask_changes(request.user, app.county, fields),
    )


@login_required
def application_print(request, pk):
    app = selectors.access_application(request.user, pk)
    return TemplateResponse(
        request,
        "applications/print.html",
        {
            "app": app,
            "attachments": attachments_of(app),
            "opinions": opinions_of(app),
            "f": mask_mapping(request.user, app.county, {name: getattr(app, name) for name in FORM_FIELDS}),
        },
    )


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    app = selectors.access_application(request.user, pk)
    try:
        services.delete_attachment(actor=request.user, application=app, attachment_id=attachment_pk)
    except WorkflowError as err:
        if err.status == 404:
            raise Http404 from None
        raise
    messages.success(request, _("附件已删除。"))
    return redirect("applications:edit", app.pk)
