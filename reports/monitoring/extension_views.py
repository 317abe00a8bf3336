"""Extension request pages: apply (from the county's pilot), list, the request with opinions (answered on it by
the special group and the guidance unit) and actions."""

import rules
from django import forms
from django.conf import settings
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
from reports.monitoring import extension_selectors, extension_services, selectors
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.filters import ExtensionFilter
from workflow.engine.errors import WorkflowError
from workflow.services import available_actions
from workflow.ui.forms import ActionForm, StyledMixin
from workflow.ui.opinion_views import opinion_panel
from workflow.ui.selectors import opinions_of, timeline
from workflow.ui.views import run_action


class ExtensionForm(StyledMixin, forms.Form):
    """The request; the date field knows the latest end date one extension may ask for (EXTENSION_MAX_MONTHS)."""

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

    def __init__(self, *args, latest=None, **kwargs):
        super().__init__(*args, **kwargs)
        if latest is not None:
            self.fields["new_end"].widget.attrs["max"] = latest.isoformat()
            self.fields["new_end"].help_text = _("一次延期最长%(months)s个月，最晚可延至%(latest)s。") % {
                "months": settings.EXTENSION_MAX_MONTHS,
                "latest": latest.isoformat(),
            }


class DecisionForm(ActionForm):
    meeting_ref = forms.CharField(
        label=gettext_lazy("会议届次"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("例如：市委改革委第3次会议"),
    )


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
    latest = extension_services.latest_new_end(pilot.term_end) if pilot.term_end else None
    form = ExtensionForm(request.POST or None, latest=latest)
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
    context = {"pilot": pilot, "form": form, "last_refusal": extension_selectors.last_refusal(request.user, pilot)}
    return TemplateResponse(request, "reports/extension_new.html", context, status=status)


def _ending(logs, ext):
    """The log row that ended the request with a reason the county reads (refused, rejected or withdrawn)."""
    if ext.is_pending:
        return None
    own = f"{ExtensionRequest.workflow_key}."
    return next((log for log in reversed(logs) if log.action.startswith(own) and log.to_state == ext.status), None)


def _context(request, ext, action_form=None):
    actions = available_actions(ext, request.user)
    form = action_form or DecisionForm(initial={"expected_state": ext.status})
    if not any(t.custom.get("needs_meeting") for t in actions):  # the meeting field only for a decision
        form.fields.pop("meeting_ref", None)
    logs = timeline(ext)
    return {
        "ext": ext,
        "timeline": logs,
        "ending": _ending(logs, ext),
        "may_apply": not ext.is_pending and extension_selectors.may_apply(request.user, ext.pilot),
        "actions": actions,
        "action_form": form,
        **opinion_panel(request.user, opinions_of(ext)),
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
    if name not in extension_services.ACTIONS:
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
