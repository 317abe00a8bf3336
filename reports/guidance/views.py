"""业务指导记录: the pilot's guidance unit records guidance it gave (date, form, content, attachments)."""

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots.selectors import access_pilot
from reports.guidance import services as guidance_services
from reports.guidance.models import GuidanceRecord
from workflow.engine.errors import WorkflowError
from workflow.ui.forms import MultipleFileField, StyledMixin


class GuidanceForm(StyledMixin, forms.Form):
    given_on = forms.DateField(
        label=gettext_lazy("指导日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": gettext_lazy("请填写指导日期。"), "invalid": gettext_lazy("请输入有效的日期。")},
    )
    form = forms.ChoiceField(
        label=gettext_lazy("指导形式"),
        choices=[("", gettext_lazy("请选择指导形式")), *GuidanceRecord.Form.choices],
        error_messages={"required": gettext_lazy("请选择指导形式。")},
    )
    content = forms.CharField(
        label=gettext_lazy("指导内容"),
        max_length=4000,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("请填写指导内容。")},
    )
    attachments = MultipleFileField(label=gettext_lazy("附件"))


@login_required
def guidance_new(request, pilot_pk):
    pilot = access_pilot(request.user, pilot_pk)
    if not rules.has_perm("reports.record_guidance", request.user, pilot):
        raise PermissionDenied(_("只有本试点的市级牵头指导单位可以记录业务指导。"))
    form = GuidanceForm(request.POST or None, request.FILES or None, initial={"given_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                guidance_services.record_guidance(
                    actor=request.user,
                    pilot=pilot,
                    given_on=d["given_on"],
                    form=d["form"],
                    content=d["content"],
                    files=d["attachments"],
                )
            except WorkflowError as err:
                form.add_workflow_error(err)
                status = err.status
            else:
                messages.success(request, _("业务指导记录已保存，已记入试点的流转记录。"))
                return redirect(pilot)
    return TemplateResponse(request, "reports/guidance_new.html", {"pilot": pilot, "form": form}, status=status)
