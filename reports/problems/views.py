"""Problem item pages: the list, raising one from a source record, an item with its actions (assign, answer, reply,
send back, confirm resolved, reopen)."""

import datetime

import rules
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role, Unit
from reports.problems import selectors
from reports.problems import services as problem_services
from reports.problems.models import ProblemItem
from workflow.engine.errors import WorkflowError
from workflow.services import available_actions
from workflow.ui.forms import ActionForm, ListFilter, StyledMixin
from workflow.ui.selectors import timeline
from workflow.ui.views import run_action
from workflow.ui.widgets import CountyFilterField, filter_county

DATE = {"type": "date"}


class ProblemFilter(ListFilter):
    """The items: unresolved (or one state), one kind, overdue, one county or pilot, as the dashboards link."""

    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("类别"), required=False)
    overdue = forms.ChoiceField(
        label=gettext_lazy("逾期"), required=False, choices=[("", ""), ("1", gettext_lazy("仅交办逾期"))]
    )
    pilot = forms.IntegerField(
        label=gettext_lazy("试点项目"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"invalid": gettext_lazy("请输入正整数。"), "min_value": gettext_lazy("请输入正整数。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", ""), ("unresolved", _("未办结")), *ProblemItem.Status.choices]
        self.fields["kind"].choices = [("", ""), *ProblemItem.Kind.choices]
        self.fields["county"] = CountyFilterField(label=_("县（市、区）"), empty_label=_("全部县（市、区）"))

    def apply(self, qs):
        data = self.given
        state = data.get("state")
        if state == "unresolved":
            qs = qs.unresolved()
        elif state:
            qs = qs.filter(status=state)
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("overdue") == "1":
            qs = qs.overdue()
        if data.get("pilot"):
            qs = qs.filter(pilot_id=data["pilot"])
        return filter_county(qs, data.get("county"))


class RaiseForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("类别"),
        choices=ProblemItem.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择类别。")},
    )
    content = forms.CharField(
        label=gettext_lazy("事项内容"),
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("请填写事项内容。")},
    )


class ProblemActionForm(ActionForm):
    """The action form; the office's 交办 also names the unit and the due date."""

    unit = forms.ModelChoiceField(label=gettext_lazy("承办单位"), queryset=Unit.objects.none(), required=False)
    due_on = forms.DateField(
        label=gettext_lazy("办理时限"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        error_messages={"invalid": gettext_lazy("请输入有效的日期。")},
    )

    def __init__(self, *args, item, assigning, **kwargs):
        super().__init__(*args, **kwargs)
        if not assigning:
            del self.fields["unit"], self.fields["due_on"]
            return
        scope = Q(kind=Role.MUNICIPAL_DEPT)
        if item.pilot_id and item.pilot.guidance_unit_id:
            scope |= Q(pk=item.pilot.guidance_unit_id)
        self.fields["unit"].queryset = Unit.objects.filter(scope, is_active=True).order_by("kind", "sort_order", "code")
        self.fields["unit"].empty_label = _("请选择承办单位")
        self.fields["unit"].help_text = _("市级有关单位，或本试点的市级牵头指导单位。")
        if not self.is_bound:
            self.initial.setdefault(
                "due_on", timezone.localdate() + datetime.timedelta(days=settings.PROBLEM_REPLY_DAYS)
            )
        self.style_fields()


def _action_form(item, actions):
    assigning = any(t.name == "assign" for t in actions)
    return ProblemActionForm(item=item, assigning=assigning, initial={"expected_state": item.status})


@login_required
def problem_list(request):
    form = ProblemFilter(request.GET or None)
    page = Paginator(form.apply(selectors.problem_list(request.user)), 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "reports/problems.html", {"page": page, "filter": form})


@login_required
def problem_new(request, source, pk):
    """Raise an item from the application, plan or quarterly report ``pk`` (the county's, or the office for it)."""
    record = selectors.access_source(request.user, source, pk)
    if not rules.has_perm("reports.raise_problem", request.user, record):
        raise PermissionDenied(_("只有提交该材料的县（市、区）和市委改革办可以提出问题和需市级支持事项。"))
    kind = request.GET.get("kind") if request.GET.get("kind") in ProblemItem.Kind.values else ProblemItem.Kind.PROBLEM
    form = RaiseForm(request.POST or None, initial={"kind": kind, "content": selectors.suggested_content(record, kind)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = problem_services.raise_problem(actor=request.user, source=record, **form.cleaned_data)
            except WorkflowError as err:
                form.add_workflow_error(err)
                status = err.status
            else:
                messages.success(request, _("已提出，市委改革办将协调办理。"))
                return redirect(item)
    facts = selectors.source_facts(record)
    return TemplateResponse(
        request,
        "reports/problem_new.html",
        {"form": form, "record": record, "facts": facts, "submitted": facts.submitted},
        status=status,
    )


def _context(request, item, action_form=None):
    actions = available_actions(item, request.user)
    source_link, pilot_link = selectors.links_open_to(request.user, item)
    return {
        "item": item,
        "source_link": source_link,
        "pilot_link": pilot_link,
        "timeline": timeline(item),
        "actions": actions,
        "action_form": action_form or _action_form(item, actions),
    }


@login_required
def problem_detail(request, pk):
    item = selectors.access_problem(request.user, pk)
    return TemplateResponse(request, "reports/problem.html", _context(request, item))


@login_required
@require_POST
def problem_act(request, pk):
    item = selectors.access_problem(request.user, pk)
    name = request.POST.get("name", "")

    def form_class(data, files):
        return ProblemActionForm(data, files, item=item, assigning=name == "assign")

    def do(data):
        return problem_services.act(
            actor=request.user,
            item=item,
            name=name,
            comment=data["comment"],
            files=data["attachments"],
            expected_state=data["expected_state"],
            unit=data.get("unit"),
            due_on=data.get("due_on"),
        )

    def render(obj, form, status):
        fresh = selectors.access_problem(request.user, obj.pk)
        return TemplateResponse(request, "reports/problem.html", _context(request, fresh, form), status=status)

    return run_action(request, item, do, render, form_class=form_class)
