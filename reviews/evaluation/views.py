"""Pages of the pilot's last stage: the list, the county's self-evaluation (edit, submit), the office's review,
the evaluation (evaluators named, scores, completion), the summary reported to the committee, and the A4 print."""

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pilots.selectors import access_pilot, pilot_list
from reviews.evaluation import grading, selectors, services
from reviews.evaluation.models import Evaluation, SelfEvaluation
from workflow.engine.errors import WorkflowError
from workflow.services import available_actions
from workflow.ui.forms import ActionForm, MultipleFileField, StyledMixin
from workflow.ui.selectors import attachments_of, timeline
from workflow.ui.views import run_action


class SelfEvaluationForm(StyledMixin, forms.Form):
    overview = forms.CharField(label=gettext_lazy("试点任务总体完成情况"), required=False, widget=forms.Textarea)
    institutional_results = forms.CharField(label=gettext_lazy("制度成果"), required=False, widget=forms.Textarea)
    problems = forms.CharField(label=gettext_lazy("存在问题和改进方向"), required=False, widget=forms.Textarea)
    attachments = MultipleFileField(label=gettext_lazy("附件（自评报告、佐证材料）"))


class SummaryForm(StyledMixin, forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("试点总结"),
        widget=forms.Textarea(attrs={"rows": 18}),
        error_messages={"required": gettext_lazy("请填写试点总结。")},
    )


class CommentForm(StyledMixin, forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("市委改革委意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("请填写意见。")},
    )


# --- the list ----------------------------------------------------------------------------------
@login_required
def evaluation_list(request):
    status, timeliness = request.GET.get("status", ""), request.GET.get("timeliness", "")
    qs = selectors.self_evaluation_list(request.user, status=status, timeliness=timeliness)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "reviews/evaluation_list.html",
        {
            "page": page,
            "statuses": SelfEvaluation.Status.choices,
            "status": status,
            "timeliness_choices": SelfEvaluation.Timeliness.choices,
            "timeliness": timeliness,
            "to_start": selectors.to_start(request.user),
        },
    )


@login_required
@require_POST
def self_evaluation_start(request):

    pilot_id = request.POST.get("pilot", "")
    if not pilot_id.isdigit():
        raise Http404
    pilot = access_pilot(request.user, int(pilot_id))
    try:
        se = services.start_self_evaluation(actor=request.user, pilot=pilot)
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect("reviews:evaluation_list")
    messages.success(request, _("已根据试点方案和最近一期季度报告生成自评草稿，请完善后提交。"))
    return redirect("reviews:self_evaluation_edit", se.pk)


# --- the self-evaluation -----------------------------------------------------------------------
def _last_return(logs):
    return next((log for log in reversed(logs) if log.to_state == SelfEvaluation.Status.RETURNED), None)


def _self_evaluation_context(request, se, action_form=None):
    tasks, scores = selectors.self_evaluation_content(se)
    evaluation = getattr(se, "evaluation", None) if se.status == SelfEvaluation.Status.ACCEPTED else None
    logs = timeline(se)
    return {
        "se": se,
        "tasks": tasks,
        "scores": scores,
        "attachments": attachments_of(se),
        "timeline": logs,
        "last_return": _last_return(logs),
        # A named evaluator reads the self-evaluation, not the pilot's own page (no dead link)
        "sees_pilot": pilot_list(request.user).filter(pk=se.pilot_id).exists(),
        "actions": [t for t in available_actions(se, request.user) if t.name != "submit"],
        "action_form": action_form or ActionForm(initial={"expected_state": se.status}),
        "can_edit": se.is_editable and rules.has_perm("reviews.edit_self_evaluation", request.user, se),
        "evaluation": evaluation
        if evaluation is not None and Evaluation.objects.visible_to(request.user).filter(pk=evaluation.pk).exists()
        else None,
    }


@login_required
def self_evaluation_detail(request, pk):
    se = selectors.access_self_evaluation(request.user, pk)
    return TemplateResponse(request, "reviews/self_evaluation.html", _self_evaluation_context(request, se))


@login_required
@require_POST
def self_evaluation_act(request, pk):
    se = selectors.access_self_evaluation(request.user, pk)
    name = request.POST.get("name", "")
    if name not in {"return_to_county", "accept"}:
        raise Http404

    def do(data):
        return services.review_self_evaluation(
            actor=request.user,
            self_evaluation=se,
            name=name,
            comment=data["comment"],
            expected_state=data["expected_state"] or None,
            files=data["attachments"],
        )

    def render(obj, form, status):
        fresh = selectors.access_self_evaluation(request.user, obj.pk)
        return TemplateResponse(
            request, "reviews/self_evaluation.html", _self_evaluation_context(request, fresh, form), status=status
        )

    return run_action(request, se, do, render)


def _posted_rows(post, tasks, scores):
    task_rows = {t.task_key: (post.get(f"pct-{t.pk}", ""), post.get(f"result-{t.pk}", "")) for t in tasks}
    score_rows = {s.criterion_id: (post.get(f"score-{s.pk}", ""), post.get(f"note-{s.pk}", "")) for s in scores}
    return task_rows, score_rows


def _typed(tasks, scores, post):
    """The rows as typed (so a refused save shows what was entered, not what was stored)."""
    for t in tasks:
        t.percentage, t.result = post.get(f"pct-{t.pk}", t.percentage), post.get(f"result-{t.pk}", t.result)
    for s in scores:
        s.score, s.note = post.get(f"score-{s.pk}", s.score), post.get(f"note-{s.pk}", s.note)


@login_required
def self_evaluation_edit(request, pk):
    se = selectors.access_self_evaluation(request.user, pk)
    if not rules.has_perm("reviews.edit_self_evaluation", request.user, se):
        raise PermissionDenied(_("只有试点县（市、区）可以修改试点自评。"))
    if not se.is_editable:
        messages.warning(request, _("自评当前状态为“%(state)s”，不能修改。") % {"state": se.get_status_display()})
        return redirect(se)
    tasks, scores = selectors.self_evaluation_content(se)
    status, error = 200, None
    if request.method == "POST":
        form = SelfEvaluationForm(request.POST, request.FILES)
        if form.is_valid():
            task_rows, score_rows = _posted_rows(request.POST, tasks, scores)
            try:
                submit = request.POST.get("action") == "submit"
                se = services.save_self_evaluation_and_submit(
                    actor=request.user,
                    self_evaluation=se,
                    submit=submit,
                    data={k: form.cleaned_data[k] for k in SelfEvaluation.TEXT_FIELDS},
                    tasks=task_rows,
                    scores=score_rows,
                    files=form.cleaned_data["attachments"],
                    expected_state=request.POST.get("expected_state") or None,
                )
                if submit:
                    messages.success(request, _("试点自评已提交市委改革办。"))
                    return redirect(se)
            except WorkflowError as err:
                status, error = err.status, err.message
                se = SelfEvaluation.objects.get(pk=se.pk)
                tasks, scores = selectors.self_evaluation_content(se)
                _typed(tasks, scores, request.POST)
            else:
                messages.success(request, _("自评已保存。"))
                return redirect("reviews:self_evaluation_edit", se.pk)
        else:
            status = 400
    else:
        form = SelfEvaluationForm(initial={k: getattr(se, k) for k in SelfEvaluation.TEXT_FIELDS})
    files = attachments_of(se)
    return TemplateResponse(
        request,
        "reviews/self_evaluation_edit.html",
        {
            "se": se,
            "form": form,
            "tasks": tasks,
            "scores": scores,
            "attachments": files,
            "removable": [
                a for a in files if not a.log_id and (se.submitted_at is None or a.created_at > se.submitted_at)
            ],
            "kept": [a for a in files if a.log_id or (se.submitted_at is not None and a.created_at <= se.submitted_at)],
            "error": error,
            "last_return": _last_return(timeline(se)),
        },
        status=status,
    )


@login_required
@require_POST
def self_evaluation_attachment_delete(request, pk, attachment_pk):
    se = selectors.access_self_evaluation(request.user, pk)
    try:
        services.delete_attachment(actor=request.user, self_evaluation=se, attachment_id=attachment_pk)
    except WorkflowError as err:
        if err.status == 404:
            raise Http404 from None
        messages.error(request, err.message)
        return redirect(se)
    messages.success(request, _("附件已删除。"))
    return redirect("reviews:self_evaluation_edit", se.pk)


# --- the evaluation ----------------------------------------------------------------------------
def _evaluation_context(request, evaluation, action_form=None, summary_form=None, comment_form=None):
    user = request.user
    sheets, criteria = services.score_sheets(evaluation)
    mine = services.sheet_of(sheets, user)
    everyone_scored = bool(sheets) and not services.not_scored(sheets)
    is_office = rules.has_perm("reviews.manage_evaluation", user, evaluation)
    se = evaluation.self_evaluation
    tasks, self_scores = selectors.self_evaluation_content(se)
    rows = [
        {
            "criterion": c,
            "self_score": next((s.score for s in self_scores if s.criterion_id == c.pk), None),
            "scores": [s.by_criterion.get(c.pk) for s in sheets],
        }
        for c in criteria
    ]
    result = None
    if everyone_scored:
        try:
            result = services.compute(evaluation, sheets, criteria)
        except grading.GradingError:
            result = None
    for row in rows:
        row["mean"] = result.criterion_means.get(row["criterion"].pk) if result else None
    for sheet in sheets:
        sheet.total = result.evaluator_totals.get(sheet.pk) if result else None
    return {
        "evaluation": evaluation,
        "pilot": evaluation.pilot,
        "se": se,
        "tasks": tasks,
        "plan_tasks": selectors.plan_tasks(evaluation.pilot),
        "se_attachments": attachments_of(se),
        "sheets": sheets,
        "criteria": criteria,
        "rows": rows,
        "mine": mine,
        # Scores are shown once every named evaluator has scored (each evaluator sees their own meanwhile).
        "scores_visible": everyone_scored,
        "result": result,
        "is_office": is_office,
        "candidates": services.evaluator_candidates(evaluation) if is_office and evaluation.is_scoring else [],
        "timeline": timeline(evaluation),
        "actions": available_actions(evaluation, user),
        "action_form": action_form or ActionForm(initial={"expected_state": evaluation.status}),
        "can_comment": evaluation.is_reported and rules.has_perm("reviews.comment_evaluation", user, evaluation),
        "comment_form": comment_form or CommentForm(),
        "grade_label": grading.grade_label(evaluation.grade) if evaluation.grade else "",
    }


@login_required
def evaluation_detail(request, pk):
    evaluation = selectors.access_evaluation(request.user, pk)
    return TemplateResponse(request, "reviews/evaluation.html", _evaluation_context(request, evaluation))


@login_required
@require_POST
def evaluation_act(request, pk):
    evaluation = selectors.access_evaluation(request.user, pk)
    name = request.POST.get("name", "")
    if name not in {"complete", "report"}:
        raise Http404

    def do(data):
        return services.act(
            actor=request.user,
            evaluation=evaluation,
            name=name,
            comment=data["comment"],
            expected_state=data["expected_state"] or None,
            files=data["attachments"],
        )

    def render(obj, form, status):
        fresh = selectors.access_evaluation(request.user, obj.pk)
        return TemplateResponse(
            request, "reviews/evaluation.html", _evaluation_context(request, fresh, action_form=form), status=status
        )

    return run_action(request, evaluation, do, render)


def _office_only(request, evaluation):
    if not rules.has_perm("reviews.manage_evaluation", request.user, evaluation):
        raise PermissionDenied(_("只有市委改革办可以组织评估。"))


@login_required
@require_POST
def evaluation_assign(request, pk):
    evaluation = selectors.access_evaluation(request.user, pk)
    _office_only(request, evaluation)
    ids = [i for i in request.POST.getlist("evaluators") if i.isdigit()]
    try:
        services.assign_evaluators(
            actor=request.user, evaluation=evaluation, user_ids=ids, comment=request.POST.get("comment", "")
        )
    except WorkflowError as err:
        messages.error(request, err.message)
        return TemplateResponse(
            request, "reviews/evaluation.html", _evaluation_context(request, evaluation), status=err.status
        )
    messages.success(request, _("已指定评估人员，并通知其评分。"))
    return redirect(evaluation)


@login_required
@require_POST
def evaluation_remove(request, pk, user_pk):
    evaluation = selectors.access_evaluation(request.user, pk)
    _office_only(request, evaluation)
    try:
        services.remove_evaluator(actor=request.user, evaluation=evaluation, user_id=user_pk)
    except WorkflowError as err:
        if err.status == 404:
            raise Http404 from None
        messages.error(request, err.message)
        return redirect(evaluation)
    messages.success(request, _("已撤销该评估人员。"))
    return redirect(evaluation)


@login_required
def evaluation_score(request, pk):
    """An evaluator's score sheet: every criterion 0–100 with a comment, and an overall comment."""
    evaluation = selectors.access_evaluation(request.user, pk)
    if not rules.has_perm("reviews.score_evaluation", request.user, evaluation):
        raise PermissionDenied(_("您不是本次评估的评估人员。"))
    if not evaluation.is_scoring:
        messages.warning(request, _("评估已完成，不能再评分。"))
        return redirect(evaluation)
    sheets, criteria = services.score_sheets(evaluation)
    sheet = services.sheet_of(sheets, request.user)
    errors, status = {}, 200
    opinion_only = sheet.opinion_only
    values = {
        c.pk: (
            str(sheet.by_criterion[c.pk].score) if c.pk in sheet.by_criterion else "",
            sheet.by_criterion[c.pk].comment if c.pk in sheet.by_criterion else "",
        )
        for c in criteria
    }
    comment = sheet.comment
    if request.method == "POST":
        values = {
            c.pk: (request.POST.get(f"score-{c.pk}", ""), request.POST.get(f"comment-{c.pk}", "")) for c in criteria
        }
        comment = request.POST.get("comment", "")
        opinion_only = sheet.is_unit_sheet and request.POST.get("opinion_only") == "1"
        try:
            services.submit_scores(
                actor=request.user,
                evaluation=evaluation,
                scores=values,
                comment=comment,
                expected_state=request.POST.get("expected_state") or None,
                opinion_only=opinion_only,
            )
        except WorkflowError as err:
            errors, status = err.errors or {"all": [err.message]}, err.status
        else:
            messages.success(request, _("评分已提交。"))
            return redirect(evaluation)
    rows = [
        {
            "criterion": c,
            "score": values[c.pk][0],
            "comment": values[c.pk][1],
            "errors": errors.get(f"score-{c.pk}", []),
        }
        for c in criteria
    ]
    return TemplateResponse(
        request,
        "reviews/evaluation_score.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "comment": comment,
            "comment_errors": errors.get("comment", []),
            "errors": errors.get("all", []),
            "sheet": sheet,
            "opinion_only": opinion_only,
        },
        status=status,
    )


@login_required
def evaluation_summary(request, pk):
    """The office writes the summary, pre-filled with the grade, the scores and the county's results."""
    evaluation = selectors.access_evaluation(request.user, pk)
    _office_only(request, evaluation)
    if not evaluation.is_scored:
        messages.warning(request, _("评估完成后、报送之前才能撰写试点总结。"))
        return redirect(evaluation)
    status = 200
    if request.method == "POST":
        form = SummaryForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                evaluation = services.save_summary(
                    actor=request.user,
                    evaluation=evaluation,
                    summary=form.cleaned_data["summary"],
                    expected_state=request.POST.get("expected_state") or None,
                )
            except WorkflowError as err:
                form.add_workflow_error(err)
                status = err.status
            else:
                messages.success(request, _("试点总结已保存。"))
                return redirect(evaluation)
    else:
        form = SummaryForm(initial={"summary": evaluation.summary or services.initial_summary(evaluation)})
    return TemplateResponse(
        request, "reviews/summary_edit.html", {"evaluation": evaluation, "form": form}, status=status
    )


@login_required
@require_POST
def evaluation_comment(request, pk):
    evaluation = selectors.access_evaluation(request.user, pk)
    if not rules.has_perm("reviews.comment_evaluation", request.user, evaluation):
        raise PermissionDenied(_("只有市委改革委可以对试点总结提出意见。"))
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.comment_summary(actor=request.user, evaluation=evaluation, comment=form.cleaned_data["comment"])
        except WorkflowError as err:
            form.add_workflow_error(err)
            status = err.status
        else:
            messages.success(request, _("意见已提交。"))
            return redirect(evaluation)
    return TemplateResponse(
        request, "reviews/evaluation.html", _evaluation_context(request, evaluation, comment_form=form), status=status
    )


@login_required
def evaluation_print(request, pk):
    """A4 evaluation result: every criterion, every evaluator's score, the total and grade, the signers."""
    evaluation = selectors.access_evaluation(request.user, pk)
    context = _evaluation_context(request, evaluation)
    if not context["scores_visible"]:
        raise PermissionDenied(_("全部评估人员评分后才能打印评估结果。"))
    signers = [log for log in context["timeline"] if log.action in {"evaluation.complete", "evaluation.report"}]
    context.update(signers=signers, printed_at=timezone.now())
    return TemplateResponse(request, "reviews/evaluation_print.html", context)
