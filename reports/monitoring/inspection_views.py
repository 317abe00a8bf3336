"""Inspection pages: the list, recording one (the office), an inspection with its items, an item with actions."""

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pilots.selectors import pilot_list
from reports.monitoring import inspection_services, selectors
from reports.monitoring.filters import ItemFilter
from reports.monitoring.inspections import Inspection, RectificationItem
from workflow.engine.errors import WorkflowError
from workflow.services import available_actions
from workflow.ui.forms import ActionForm, StyledMixin
from workflow.ui.selectors import timeline
from workflow.ui.views import run_action

DATE = {"type": "date"}


def _pilot_field(user, **kwargs):
    return forms.ModelChoiceField(queryset=pilot_list(user).running(), **kwargs)


class InspectionForm(StyledMixin, forms.Form):
    held_on = forms.DateField(label=gettext_lazy("督察日期"), widget=forms.DateInput(attrs=DATE))
    team = forms.CharField(label=gettext_lazy("督察组成员"), max_length=200)
    findings = forms.CharField(label=gettext_lazy("发现的问题"), widget=forms.Textarea)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilots"] = forms.ModelMultipleChoiceField(
            label=gettext_lazy("督察试点"), queryset=pilot_list(user).running()
        )
        self.style_fields()


class ItemForm(StyledMixin, forms.Form):
    content = forms.CharField(label=gettext_lazy("整改事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible_unit = forms.CharField(label=gettext_lazy("责任单位"), max_length=150, required=False)
    deadline = forms.DateField(label=gettext_lazy("整改时限"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilot"] = _pilot_field(user, label=gettext_lazy("试点项目"), required=False)
        self.style_fields()

    def clean(self):
        data = super().clean()
        if data.get("content"):
            for name in ("pilot", "responsible_unit", "deadline"):
                if not data.get(name):
                    self.add_error(name, _("请填写此项。"))
        return data


ItemFormSet = formset_factory(ItemForm, extra=3)


@login_required
def inspection_list(request):
    """The office's inspections; everyone else (and the office when it filters items) the rectification items."""
    can_record = rules.has_perm("reports.record_inspection", request.user)
    form = ItemFilter(request.GET or None)

    def page():
        if can_record and not form.narrows:
            qs = Inspection.objects.prefetch_related("pilots__county").order_by("-held_on", "-id")
        else:
            qs = form.apply(selectors.item_list(request.user))
        return Paginator(qs, 20).get_page(request.GET.get("page"))

    return TemplateResponse(
        request,
        "reports/inspections.html",
        {"page": page(), "filter": form, "can_record": can_record},
    )


@login_required
def inspection_new(request):
    if not rules.has_perm("reports.record_inspection", request.user):
        raise PermissionDenied(_("只有市委改革办可以录入调研督察。"))
    form = InspectionForm(request.POST or None, user=request.user)
    items = ItemFormSet(request.POST or None, prefix="i", form_kwargs={"user": request.user})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and items.is_valid():
            d = form.cleaned_data
            rows = [f.cleaned_data for f in items if f.cleaned_data.get("content")]
            try:
                inspection = inspection_services.record_inspection(
                    actor=request.user,
                    held_on=d["held_on"],
                    team=d["team"],
                    findings=d["findings"],
                    pilots=d["pilots"],
                    items=rows,
                )
            except WorkflowError as err:
                form.add_workflow_error(err)
                status = err.status
            else:
                messages.success(request, _("调研督察已录入，整改事项已交办。"))
                return redirect(inspection)
    return TemplateResponse(request, "reports/inspection_new.html", {"form": form, "items": items}, status=status)


@login_required
def inspection_detail(request, pk):
    inspection = get_object_or_404(Inspection, pk=pk)
    items = RectificationItem.objects.visible_to(request.user).filter(inspection=inspection)
    if not rules.has_perm("reports.record_inspection", request.user) and not items.exists():
        raise get_object_or_404(Inspection, pk=0)  # not theirs: the same 404 as a missing one
    return TemplateResponse(
        request,
        "reports/inspection.html",
        {"inspection": inspection, "items": list(items.select_related("pilot", "county"))},
    )


def access_item(user, pk):
    return get_object_or_404(
        RectificationItem.objects.visible_to(user).select_related("inspection", "pilot", "county"), pk=pk
    )


def _item_context(request, item, form=None):
    return {
        "item": item,
        "timeline": timeline(item),
        "actions": available_actions(item, request.user),
        "action_form": form or ActionForm(initial={"expected_state": item.status}),
    }


@login_required
def item_detail(request, pk):
    item = access_item(request.user, pk)
    return TemplateResponse(request, "reports/item.html", _item_context(request, item))


@login_required
@require_POST
def item_act(request, pk):
    item = access_item(request.user, pk)

    def do(data):
        return inspection_services.act(
            actor=request.user,
            item=item,
            name=request.POST.get("name", ""),
            comment=data["comment"],
            files=data["attachments"],
            expected_state=data["expected_state"],
        )

    def render(obj, form, status):
        fresh = access_item(request.user, obj.pk)
        return TemplateResponse(request, "reports/item.html", _item_context(request, fresh, form), status=status)

    return run_action(request, item, do, render)
