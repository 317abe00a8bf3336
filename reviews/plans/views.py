"""Plan pages: list, start, edit (htmx task list), detail with actions, consultation, answers, print, compare."""

import rules
from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pilots.selectors import access_pilot
from reviews.plans import imports, selectors, services
from reviews.plans.exports import summary_workbook
from reviews.plans.filters import PlanFilter
from reviews.plans.forms import AnswerForm, ConsultationForm, DecisionForm, FlagAnswerForm, PlanForm, TaskForm
from reviews.plans.models import (
    CONSULTATION,
    LEGALITY_FILE,
    PLAN_FIELDS,
    RISK_FILE,
    SECTION_FIELDS,
    Plan,
    PlanTask,
    ReferenceTask,
)
from workflow.conventions.opinions import get_purpose
from workflow.engine.errors import WorkflowError
from workflow.models import Attachment, Opinion
from workflow.services import available_actions
from workflow.ui.compare import compare
from workflow.ui.selectors import timeline, versions_of
from workflow.ui.views import run_action

TASK_KEYS = ["key", "content", "responsible_unit", "milestones", "deadline", "result_form"]


@login_required
def plan_list(request):
    form = PlanFilter(request.GET or None)  # the dashboards' time-in-stage figures link here per county
    page = Paginator(form.apply(selectors.plan_list(request.user)), 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "reviews/list.html",
        {
            "page": page,
            "filter": form,
            "statuses": Plan.Status.choices,
            "to_write": selectors.plans_to_write(request.user),
            "can_manage_reference": rules.has_perm("reviews.manage_reference", request.user),
        },
    )


@login_required
@require_POST
def plan_start(request):

    pilot_id = request.POST.get("pilot", "")
    if not pilot_id.isdigit():
        raise Http404
    pilot = access_pilot(request.user, int(pilot_id))
    try:
        plan = services.start_plan(actor=request.user, pilot=pilot)
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect("reviews:list")
    messages.success(request, _("已根据申报表生成试点方案草稿，请完善后提交。"))
    return redirect("reviews:edit", plan.pk)


# --- editing -----------------------------------------------------------------------------------
def _raw_rows(post):
    """The task rows as typed, in page order (each row posts its position in ``row``)."""
    return [{k: post.get(f"t{i}-{k}", "") for k in TASK_KEYS} for i in post.getlist("row")]


def _apply_op(rows, op):
    """Add, remove or move a row without saving anything (the htmx buttons and their no-script fallback)."""
    verb, _sep, pos = (op or "").partition(":")
    if verb == "add":
        return [*rows, dict.fromkeys(TASK_KEYS, "")]
    if not pos.isdigit() or int(pos) >= len(rows):
        return rows
    i = int(pos)
    if verb == "remove":
        return rows[:i] + rows[i + 1 :]
    j = i - 1 if verb == "up" else i + 1 if verb == "down" else i
    if 0 <= j < len(rows):
        rows[i], rows[j] = rows[j], rows[i]
    return rows


def _unbound(rows):
    return [TaskForm(initial=row, prefix=f"t{i}") for i, row in enumerate(rows)]


def _bound(rows):
    return [TaskForm(data={f"t{i}-{k}": v for k, v in row.items()}, prefix=f"t{i}") for i, row in enumerate(rows)]


def _saved_rows(plan):
    return [
        {k: (getattr(t, k).isoformat() if k == "deadline" and t.deadline else getattr(t, k) or "") for k in TASK_KEYS}
        for t in plan.tasks.all()
    ]


def _files(plan):
    by = {RISK_FILE: [], LEGALITY_FILE: []}
    for a in Attachment.objects.filter(
        content_type__model="plan", content_type__app_label="reviews", object_id=plan.pk
    ):
        by.setdefault(a.description, []).append(a)
    return by


def _edit_page(request, plan, form, task_forms, status=200, error=None):
    files = _files(plan)
    return TemplateResponse(
        request,
        "reviews/edit.html",
        {
            "plan": plan,
            "form": form,
            "task_forms": task_forms,
            "risk_files": files[RISK_FILE],
            "legality_files": files[LEGALITY_FILE],
            "opinions": selectors.consultation(plan),
            "answer_form": AnswerForm(),
            "last_return": _last_return(timeline(plan)),
            "error": error,
        },
        status=status,
    )


def _editable(request, pk):
    plan = selectors.access_plan(request.user, pk)
    if not rules.has_perm("reviews.edit_plan", request.user, plan):
        raise PermissionDenied(_("只有试点县（市、区）可以修改试点方案。"))
    return plan


@login_required
def plan_edit(request, pk):
    plan = _editable(request, pk)
    if not plan.is_editable:
        messages.warning(request, _("方案当前状态为“%(state)s”，不能修改。") % {"state": plan.get_status_display()})
        return redirect(plan)
    if request.method != "POST":
        return _edit_page(request, plan, PlanForm(instance=plan), _unbound(_saved_rows(plan)))
    rows = _raw_rows(request.POST)
    form = PlanForm(request.POST, request.FILES, instance=plan)
    if request.POST.get("op"):  # a task-list button without JavaScript: re-render, nothing saved, nothing lost
        return _edit_page(request, plan, form, _unbound(_apply_op(rows, request.POST["op"])))
    task_forms = _bound(rows)
    if not (form.is_valid() and all(f.is_valid() for f in task_forms)):
        return _edit_page(request, plan, form, task_forms, status=400)
    data = {name: form.cleaned_data[name] for name in PLAN_FIELDS + SECTION_FIELDS}
    tasks = [f.cleaned_data for f in task_forms]
    try:
        submit = request.POST.get("action") == "submit"
        plan = services.save_plan_and_submit(  # saved first, so a refused submission keeps what was typed
            actor=request.user,
            plan=plan,
            submit=submit,
            data=data,
            tasks=tasks,
            risk_files=form.cleaned_data["risk_files"],
            legality_files=form.cleaned_data["legality_files"],
            expected_state=request.POST.get("expected_state") or None,
        )
        if submit:
            messages.success(request, _("试点方案已提交。"))
            return redirect(plan)
    except WorkflowError as err:
        plan = Plan.objects.get(pk=plan.pk)  # what was saved (the save stands when only the submission is refused)
        return _edit_page(request, plan, PlanForm(instance=plan), _unbound(_saved_rows(plan)), err.status, err.message)
    messages.success(request, _("方案已保存。"))
    return redirect("reviews:edit", plan.pk)


@login_required
@require_POST
def plan_tasks(request, pk):
    """htmx: the task list after one add/remove/move, rebuilt from what was posted; nothing is saved."""
    plan = _editable(request, pk)
    rows = _apply_op(_raw_rows(request.POST), request.POST.get("op", ""))
    return TemplateResponse(request, "reviews/_tasks.html", {"plan": plan, "task_forms": _unbound(rows)})


def _last_return(logs):
    return next((log for log in reversed(logs) if log.to_state == Plan.Status.RETURNED), None)


# --- the plan page -------------------------------------------------------------------------------
def _detail_context(request, plan, *, action_form=None, consultation_form=None):
    user = request.user
    logs = timeline(plan)
    actions = [
        t for t in available_actions(plan, user) if t.name not in {"submit", "resubmit", "consult", "consult_group"}
    ]
    opinions = selectors.consultation(plan)
    mine = next(
        (o for o in opinions if o.is_pending and rules.has_perm("workflow.give_opinion", user, o)),
        None,
    )
    may_consult = plan.status == Plan.Status.SUBMITTED and (
        rules.has_perm("reviews.consult_as_guidance", user, plan)
        or rules.has_perm("reviews.consult_as_group", user, plan)
    )
    is_county = rules.has_perm("reviews.edit_plan", user, plan)
    form = action_form or DecisionForm(initial={"expected_state": plan.status})
    if not any(t.custom.get("needs_meeting") for t in actions):
        form.fields.pop("meeting_ref", None)
    if not any(t.custom.get("sets_term") for t in actions):
        form.fields.pop("term_months", None)
        form.fields.pop("term_reason", None)
    files = _files(plan)
    return {
        "plan": plan,
        "tasks": list(plan.tasks.all()),
        "risk_files": files[RISK_FILE],
        "legality_files": files[LEGALITY_FILE],
        "flags": selectors.flags(plan),
        "opinions": opinions,
        "my_opinion": mine,
        "cancellable": {o.pk for o in opinions if o.is_pending and rules.has_perm("workflow.cancel_opinion", user, o)},
        "timeline": logs,
        "last_return": _last_return(logs),
        "versions": versions_of(plan),
        "actions": actions,
        "action_form": form,
        "can_edit": plan.is_editable and is_county,
        "can_submit": plan.is_editable and is_county,
        "can_answer_flags": is_county and plan.status != Plan.Status.APPROVED,
        "flag_form": FlagAnswerForm(),
        "consultation_form": (consultation_form or ConsultationForm(initial={"expected_state": plan.status}))
        if may_consult
        else None,
    }


@login_required
def plan_detail(request, pk):
    plan = selectors.access_plan(request.user, pk)
    return TemplateResponse(request, "reviews/detail.html", _detail_context(request, plan))


@login_required
@require_POST
def plan_act(request, pk):
    plan = selectors.access_plan(request.user, pk)

    def do(data):
        return services.act(
            actor=request.user,
            plan=plan,
            name=request.POST.get("name", ""),
            comment=data["comment"],
            expected_state=data["expected_state"],
            meeting_ref=data["meeting_ref"],
            files=data["attachments"],
            term_months=data["term_months"],
            term_reason=data["term_reason"],
        )

    def render(obj, form, status):
        fresh = selectors.access_plan(request.user, obj.pk)
        return TemplateResponse(
            request, "reviews/detail.html", _detail_context(request, fresh, action_form=form), status=status
        )

    return run_action(request, plan, do, render, form_class=DecisionForm)


@login_required
@require_POST
def plan_consult(request, pk):
    plan = selectors.access_plan(request.user, pk)
    if not (
        rules.has_perm("reviews.consult_as_guidance", request.user, plan)
        or rules.has_perm("reviews.consult_as_group", request.user, plan)
    ):
        raise PermissionDenied(_("只有本试点的市级牵头指导单位或专项小组可以组织征求意见。"))
    form = ConsultationForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.open_consultation(
                actor=request.user,
                plan=plan,
                invitees=list(d["units"]) + list(d["experts"]),
                due=d["due"],
                comment=d["comment"],
                expected_state=d["expected_state"] or None,
            )
        except WorkflowError as err:
            form.add_workflow_error(err)
            status = err.status
        else:
            messages.success(request, _("已发出征求意见。"))
            return redirect(plan)
    plan = selectors.access_plan(request.user, pk)
    return TemplateResponse(
        request, "reviews/detail.html", _detail_context(request, plan, consultation_form=form), status=status
    )


@login_required
def plan_opinion(request, pk, opinion_pk):
    """The consultation opinion form: verdict, text and a remark per task."""
    plan = selectors.access_plan(request.user, pk)
    opinion = Opinion.objects.for_object(plan).filter(pk=opinion_pk, purpose=CONSULTATION).first()
    if opinion is None:
        raise Http404
    if not (opinion.is_pending and rules.has_perm("workflow.give_opinion", request.user, opinion)):
        raise PermissionDenied(_("您不是被征求意见的单位或人员，不能提出意见。"))
    tasks = list(plan.tasks.all())
    purpose = get_purpose(CONSULTATION)
    errors, status = {}, 200
    if request.method == "POST":
        remarks = {t.key: request.POST.get(f"remark-{t.key}", "") for t in tasks}
        try:
            services.give_opinion(
                actor=request.user,
                opinion=opinion,
                verdict=request.POST.get("verdict", ""),
                text=request.POST.get("text", ""),
                remarks=remarks,
                expected_state=request.POST.get("expected_state") or None,
            )
        except WorkflowError as err:
            errors, status = err.errors or {"all": [err.message]}, err.status
        else:
            messages.success(request, str(purpose.given_message))
            return redirect(plan)
    return TemplateResponse(
        request,
        "reviews/opinion.html",
        {"plan": plan, "opinion": opinion, "tasks": tasks, "verdicts": purpose.verdicts, "errors": errors},
        status=status,
    )


@login_required
@require_POST
def answer_opinion(request, pk, opinion_pk):
    plan = _editable(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择采纳情况并填写理由。"))
        return redirect("reviews:edit", plan.pk)
    try:
        services.answer_opinion(
            actor=request.user,
            plan=plan,
            opinion_id=opinion_pk,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except WorkflowError as err:
        if err.status == 404:
            raise Http404 from None
        messages.error(request, err.message)
        return redirect(plan)
    messages.success(request, _("已答复意见采纳情况。"))
    return redirect("reviews:edit", plan.pk)


@login_required
@require_POST
def answer_flag(request, pk, flag_pk):
    plan = _editable(request, pk)
    form = FlagAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写说明。"))
        return redirect(plan)
    try:
        services.answer_flag(actor=request.user, plan=plan, flag_id=flag_pk, answer=form.cleaned_data["answer"])
    except WorkflowError as err:
        if err.status == 404:
            raise Http404 from None
        messages.error(request, err.message)
        return redirect(plan)
    messages.success(request, _("说明已保存。"))
    return redirect(plan)


@login_required
def plan_print(request, pk):
    plan = selectors.access_plan(request.user, pk)
    return TemplateResponse(
        request,
        "reviews/print.html",
        {"plan": plan, "tasks": list(plan.tasks.all()), "rows": _rows(plan), "flags": selectors.flags(plan)},
    )


def _rows(plan):
    return [(plan._meta.get_field(name).verbose_name, getattr(plan, name)) for name in PLAN_FIELDS + SECTION_FIELDS]


@login_required
def plan_compare(request, pk, number):
    """What changed since the previous version: fields, tasks (added, removed, changed, moved), and the
    consultation opinions with the county's answers."""

    plan = selectors.access_plan(request.user, pk)
    return compare(
        request,
        plan,
        number,
        labels=Plan.field_labels(),
        row_labels=PlanTask.field_labels(),
        extra={"answered": [o for o in selectors.consultation(plan) if o.status == Opinion.Status.GIVEN]},
    )


@login_required
def plan_summary(request, pk):
    """意见汇总表 (A4): every consultation opinion, its task remarks and the county's answer."""
    plan = selectors.access_plan(request.user, pk)
    return TemplateResponse(request, "reviews/summary.html", {"plan": plan, "opinions": selectors.consultation(plan)})


@login_required
def plan_summary_xlsx(request, pk):

    plan = selectors.access_plan(request.user, pk)
    return summary_workbook(plan, selectors.consultation(plan))


# --- reference list of existing reform tasks -----------------------------------------------------
@login_required
def reference_list(request):

    if not rules.has_perm("reviews.manage_reference", request.user):
        raise PermissionDenied(_("只有市委改革办可以管理现有改革任务清单。"))

    class UploadForm(dj_forms.Form):
        file = dj_forms.FileField(label=_("Excel文件"), error_messages={"required": _("请选择文件。")})

    form = UploadForm(request.POST or None, request.FILES or None)
    row_errors, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = imports.import_references(actor=request.user, file=form.cleaned_data["file"])
            except WorkflowError as err:
                row_errors = getattr(err, "row_errors", [])
                form.add_error(None, err.message)
                status = err.status
            else:
                messages.success(request, _("已导入%(n)s条现有改革任务。") % {"n": len(created)})
                return redirect("reviews:references")
        else:
            status = 400
    page = Paginator(ReferenceTask.objects.order_by("-id"), 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "reviews/references.html",
        {"form": form, "row_errors": row_errors, "page": page, "headers": imports.HEADERS},
        status=status,
    )


@login_required
def reference_template(request):

    if not rules.has_perm("reviews.manage_reference", request.user):
        raise PermissionDenied(_("只有市委改革办可以管理现有改革任务清单。"))
    response = HttpResponse(imports.build_template(), content_type=imports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "现有改革任务导入模板.xlsx")
    return response
