"""Extension request pages: apply (from the county's pilot), list, the request with opinions and actions."""

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pilots.selectors import access_pilot
from reports.monitoring import extension_services, selectors
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.filters import ExtensionFilter
from workflow.engine.errors import WorkflowError
from workflow.services import available_actions
from workflow.ui.forms import ActionForm, StyledMixin
from workflow.ui.selectors import opinions_of, timeline
from workflow.ui.views import run_action


class ExtensionForm(StyledMixin, forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("延期原因"),
        choices=ExtensionRequest.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择延期原因。")},
    )
    reason_text = forms.CharField(
        label=gettext_lazy("具体说明"),
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("请具体说明延期原因。")},
    )
    new_end = forms.DateField(
        label=gettext_lazy("申请延至"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("请填写申请延至的日期。"),
            "invalid": gettext_lazy("请输入有效的日期。"),
        },
    )


class DecisionForm(ActionForm):
    meeting_ref = forms.CharField(label=gettext_lazy("会议届次"), required=False, max_length=60)


def access_extension(user, pk):
    return get_object_or_404(ExtensionRequest.objects.visible_to(user).select_related("pilot", "county"), pk=pk)


@login_required
def extension_list(request):
    # The dashboards link here: ``status`` "pending" (submitted, consulting or with the committee) or one status.
    form = ExtensionFilter(request.GET or None)
    page = Paginator(form.apply(selectors.extension_list(request.user)), 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "reports/extensions.html", {"page": page, "filter": form})


@login_required
def extension_new(request, pilot_pk):
    pilot = access_pilot(request.user, pilot_pk)
    if not rules.has_perm("reports.apply_extension", request.user, pilot):
        raise PermissionDenied(_("只有试点县（市、区）可以申请延期。"))
    form = ExtensionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ext = extension_services.apply_extension(actor=request.user, pilot=pilot, **form.cleaned_data)
            except WorkflowError as err:
                form.add_workflow_error(err)
                status = err.status
            else:
                messages.success(request, _("延期申请已提交。"))
                return redirect(ext)
    return TemplateResponse(request, "reports/extension_new.html", {"pilot": pilot, "form": form}, status=status)


def _context(request, ext, action_form=None):
    return {
        "ext": ext,
        "opinions": opinions_of(ext),
        "timeline": timeline(ext),
        "actions": available_actions(ext, request.user),
        "action_form": action_form or DecisionForm(initial={"expected_state": ext.status}),
    }


@login_required
def extension_detail(request, pk):
    ext = access_extension(request.user, pk)
    return TemplateResponse(request, "reports/extension.html", _context(request, ext))


@login_required
@require_POST
def extension_act(request, pk):
    ext = access_extension(request.user, pk)
    name = request.POST.get("name", "")
    if name not in {"consult", "forward", *extension_services.DECISIONS}:
        raise Http404

    def do(data):
        return extension_services.act(
            actor=request.user,
            extension=ext,
            name=name,
            comment=data["comment"],
            expected_state=data["expected_state"],
            meeting_ref=data.get("meeting_ref", ""),
        )

    def render(obj, form, status):
        fresh = access_extension(request.user, obj.pk)
        return TemplateResponse(request, "reports/extension.html", _context(request, fresh, form), status=status)

    return run_action(request, ext, do, render, form_class=DecisionForm)
