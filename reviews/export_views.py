"""The plan list as an Excel sheet: the same scoping and filters as the list page (workflow.xlsx)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, Unit
from workflow import xlsx

from . import selectors
from .models import Plan

C = xlsx.Column


class PlanFilter(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", ""), *Plan.Status.choices]
        self.fields["county"] = forms.ModelChoiceField(
            label=_("县（市、区）"), required=False, queryset=Unit.objects.filter(kind=Role.COUNTY)
        )


COLUMNS = [
    C(gettext_lazy("方案名称"), "title", width=36),
    C(gettext_lazy("试点项目"), "pilot.title", width=30),
    C(gettext_lazy("试点县（市、区）"), "county.name"),
    C(gettext_lazy("批次"), "pilot.batch.name"),
    C(gettext_lazy("市级专项小组"), "pilot.special_group.name"),
    C(gettext_lazy("市级牵头指导单位"), "pilot.guidance_unit.name"),
    C(gettext_lazy("状态"), "get_status_display"),
    C(gettext_lazy("最近提交时间"), "submitted_at", xlsx.DATETIME),
    C(gettext_lazy("批准时间"), "approved_at", xlsx.DATETIME),
    C(gettext_lazy("会议届次"), "meeting_ref"),
    C(gettext_lazy("更新时间"), "updated_at", xlsx.DATETIME),
]


@login_required
def plan_export(request):
    form = PlanFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.plan_list(request.user)
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("county"):
        qs = qs.filter(county=data["county"])
    return xlsx.export_response(request, what="plan_list", title=_("试点方案"), columns=COLUMNS, rows=qs, form=form)
