"""Every change to a self-evaluation, an evaluation and its summary: start (pre-filled), save, submit, return,
accept (the evaluation opens), name evaluators, score, complete (total and grade computed), write the summary,
report it (the pilot is completed in the same transaction), the committee's comment."""

import datetime
from decimal import Decimal, InvalidOperation

import rules
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from accounts.roles import memberships
from pilots.selectors import pilots_in_stage
from pilots.services import complete as complete_pilot
from pilots.services import settle_bonus
from reviews.evaluation import grading
from reviews.evaluation.models import (
    EVALUATOR,
    SCORE_ACTION,
    CriteriaSet,
    Criterion,
    Evaluation,
    EvaluatorScore,
    EvaluatorSheet,
    SelfEvaluation,
    SelfEvaluationTask,
    SelfScore,
)
from workflow.engine.errors import WorkflowError
from workflow.inbox import workitems
from workflow.inbox.workitems import sync
from workflow.models import SYSTEM_ROLE, TransitionLog
from workflow.services import change, notify, perform, record, remove_draft_attachment

EVALUATING = "evaluating"  # the pilot's stage (pilots.models.Pilot.Status.EVALUATING)
REPORT_DONE = ("submitted", "accepted")  # quarterly reports whose content counts (reports' states)


def self_evaluation_days():
    return settings.SELF_EVALUATION_DAYS


def _logged(obj, action):
    """The log row ``change`` just wrote for ``obj`` (it returns the record, not the row)."""
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, action=action
    ).latest("id")


# --- the criteria set --------------------------------------------------------------------------
DEFAULT_NAME = "县域集成改革试点评估指标（默认）"
DEFAULT_CRITERIA = [  # the data migration 0003 seeds the same set (migrations keep their own copy)
    ("目标完成情况", 30, "试点方案确定的目标和任务清单完成情况，节点是否按期完成。"),
    ("制度创新", 20, "形成的制度成果、政策文件和标准，突破性和首创性。"),
    ("集成协同", 15, "跨部门、跨领域改革集成和协同推进情况。"),
    ("实际成效", 20, "群众和企业获得感，经济社会效益。"),
    ("可复制推广", 15, "经验做法的可复制性，在市级以上推广情况。"),
]


def ensure_default_criteria_set():
    """The default set, created if missing (the demo, and tests whose database was flushed)."""

    found = CriteriaSet.objects.filter(is_default=True).first()
    if found is not None:
        return found
    criteria_set = CriteriaSet.objects.create(name=DEFAULT_NAME, is_default=True)
    Criterion.objects.bulk_create(
        [
            Criterion(criteria_set=criteria_set, order=i + 1, name=n, weight=Decimal(w), description=d)
            for i, (n, w, d) in enumerate(DEFAULT_CRITERIA)
        ]
    )
    return criteria_set


def default_criteria_set():
    """The default set with its criteria, checked: the weights sum to 100 and the thresholds descend."""
    criteria_set = CriteriaSet.objects.filter(is_default=True).prefetch_related("criteria").first()
    if criteria_set is None:
        raise WorkflowError(_("尚未设置默认的评估指标体系，请联系系统管理员在后台设置。"))
    check_criteria_set(criteria_set)
    return criteria_set


def check_criteria_set(criteria_set):
    criteria = list(criteria_set.criteria.all())
    try:
        grading.check_weights({c.pk: c.weight for c in criteria}, {c.pk: c.name for c in criteria})
        grading.check_thresholds(criteria_set.thresholds())
    except grading.GradingError as err:
        raise WorkflowError(err.message) from None
    return criteria


def parse_score(text, *, what):
    """A typed score as a Decimal (0–100, at most two decimals), or None when left empty."""
    text = (str(text) if text is not None else "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise WorkflowError(_("“%(what)s”的得分应为0至100之间的数字。") % {"what": what}, status=400) from None
    if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(Decimal("0.01")):
        raise WorkflowError(_("“%(what)s”的得分应为0至100之间的数字（最多两位小数）。") % {"what": what}, status=400)
    return value


# --- self-evaluation ---------------------------------------------------------------------------
def last_report(pilot):
    """The pilot's last quarterly report that was submitted (its progress pre-fills the task results)."""
    return (
        pilot.quarterly_reports.filter(status__in=REPORT_DONE)
        .order_by("-period_end", "-id")
        .prefetch_related("progress")
        .first()
    )


def institutional_results_text(pilot):
    """The institutional results the county reported over the term, one line each."""
    lines = []
    reports = pilot.quarterly_reports.filter(status__in=REPORT_DONE).order_by("period_end", "id")
    for report in reports.prefetch_related("results"):
        for r in report.results.all():
            ref = "，".join(x for x in (r.issuing_body, r.doc_number) if x)
            lines.append(f"{r.title}（{ref}）" if ref else r.title)
    return "\n".join(dict.fromkeys(lines))


def self_evaluation_due(pilot):
    """试点期满后做好自评: due ``SELF_EVALUATION_DAYS`` after the term's end, a date fixed by the term itself, so a
    self-evaluation opened or started late is due on the same day (today's date only for a pilot without a term)."""
    return (pilot.term_end or timezone.localdate()) + datetime.timedelta(days=self_evaluation_days())


def start_self_evaluation(*, actor, pilot):
    """The pilot county starts its self-evaluation once the pilot is evaluating (the clock normally opened it
    already: ``open_self_evaluation``; then that one is returned)."""
    if not rules.has_perm("reviews.start_self_evaluation", actor, pilot):
        raise PermissionDenied(_("只有试点县（市、区）可以填报试点自评。"))
    if pilot.status != EVALUATING:
        raise WorkflowError(_("试点尚未进入总结评估阶段，不能开始自评。"))
    return _create_self_evaluation(pilot, actor=actor, role=Role.COUNTY, unit=pilot.county)


def open_self_evaluation(pilot, *, cause_log):
    """The pilot's clock: the day after the term ends the county's self-evaluation opens (in its 我的待办, due
    ``self_evaluation_due``), as the system, naming the term's end as the cause; the county is told."""
    if pilot.status != EVALUATING:
        return None
    existing = SelfEvaluation.objects.filter(pilot=pilot).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        se = _create_self_evaluation(
            pilot, actor=None, role=SYSTEM_ROLE, unit=None, details={"cause": {"log": cause_log.pk}}
        )
        notify(se, _logged(se, "self_evaluation.created"))
    return se


def open_missing_self_evaluations(batch_size=500):
    """The clock's net: every pilot in evaluation without a self-evaluation gets it opened (one that entered evaluation
    before the clock opened them, or whose opening failed on a day the criteria set was broken). Returns the count."""
    opened = 0
    for pilot in pilots_in_stage(EVALUATING).filter(self_evaluation__isnull=True).iterator(chunk_size=batch_size):
        cause = TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(pilot), object_id=pilot.pk, action="pilot.evaluate"
        ).last()
        if cause is not None and open_self_evaluation(pilot, cause_log=cause) is not None:
            opened += 1
    return opened


def _create_self_evaluation(pilot, *, actor, role, unit, details=None):
    """The pilot's self-evaluation: a row per plan task, pre-filled with the last quarterly report's progress; the
    institutional results reported; a self-score per criterion; due ``self_evaluation_due`` (one per pilot)."""
    existing = SelfEvaluation.objects.filter(pilot=pilot).first()
    if existing is not None:
        return existing
    criteria_set = default_criteria_set()
    criteria = check_criteria_set(criteria_set)
    plan = getattr(pilot, "plan", None)
    report = last_report(pilot)
    progress = {p.task_key: p for p in report.progress.all()} if report else {}
    tasks = list(plan.tasks.all()) if plan is not None else []
    rows = [(t.key, t.content) for t in tasks] or [(k, p.task_content) for k, p in progress.items()]
    try:
        with transaction.atomic():
            se = SelfEvaluation.objects.create(
                pilot=pilot,
                county_id=pilot.county_id,
                criteria_set=criteria_set,
                created_by=actor,
                institutional_results=institutional_results_text(pilot),
                due_on=self_evaluation_due(pilot),
            )
            sync(se)  # its work items (no signal does it)
            SelfEvaluationTask.objects.bulk_create(
                [
                    SelfEvaluationTask(
                        self_evaluation=se,
                        order=i + 1,
                        task_key=key,
                        task_content=content,
                        percentage=progress[key].percentage if key in progress else 0,
                        result=progress[key].narrative if key in progress else "",
                    )
                    for i, (key, content) in enumerate(rows)
                ]
            )
            SelfScore.objects.bulk_create([SelfScore(self_evaluation=se, criterion=c) for c in criteria])
            record(
                se,
                "self_evaluation.created",
                actor=actor,
                role=role,
                unit=unit,
                to_state=se.status,
                details={
                    "report": report.pk if report else None,
                    "tasks": len(rows),
                    "due_on": se.due_on.isoformat(),
                    **(details or {}),
                },
            )
    except IntegrityError:
        return SelfEvaluation.objects.get(pilot=pilot)
    return se


def save_self_evaluation(*, actor, self_evaluation, data, tasks=None, scores=None, files=(), expected_state=None):
    """Save what the county typed: the texts, each task's percentage and result (by task key), each self-score
    (by criterion id: ``(score text, note)``) and attachments (removable until submitted)."""
    tasks = tasks or {}
    scores = scores or {}

    def apply(locked):
        for name in SelfEvaluation.TEXT_FIELDS:
            if name in data:
                setattr(locked, name, (data[name] or "").strip())
        for row in locked.task_results.all():
            if row.task_key not in tasks:
                continue
            percentage, result = tasks[row.task_key]
            try:
                percentage = int(percentage or 0)
            except (TypeError, ValueError):
                percentage = -1
            if not 0 <= percentage <= 100:
                raise WorkflowError(
                    _("任务“%(task)s”的完成比例应为0至100之间的整数。") % {"task": row.task_content[:20]},
                    status=400,
                )
            row.percentage, row.result = percentage, (result or "").strip()
            row.save(update_fields=["percentage", "result"])
        for s in locked.self_scores.select_related("criterion"):
            if s.criterion_id not in scores:
                continue
            text, note = scores[s.criterion_id]
            s.score = parse_score(text, what=s.criterion.name)
            s.note = (note or "").strip()
            s.save(update_fields=["score", "note"])
        return {}

    return change(
        self_evaluation,
        "updated",
        actor=actor,
        role=Role.COUNTY,
        apply=apply,
        permission="reviews.edit_self_evaluation",
        denied=_("只有试点县（市、区）可以修改试点自评。"),
        states=SelfEvaluation.EDITABLE,
        state_message=_("自评当前状态为“%(state)s”，不能修改。"),
        expected_state=expected_state,
        files=files,
        files_on_log=False,
    )


def delete_attachment(*, actor, self_evaluation, attachment_id):
    """Remove a file uploaded since the last submission (what the office has already received is kept)."""
    return remove_draft_attachment(
        self_evaluation,
        attachment_id,
        actor=actor,
        missing=_("附件不存在或已随自评提交，不能删除。"),
        since=lambda locked: locked.submitted_at,
        role=Role.COUNTY,
        permission="reviews.edit_self_evaluation",
        denied=_("只有试点县（市、区）可以删除自评附件。"),
        states=SelfEvaluation.EDITABLE,
        state_message=_("自评当前状态为“%(state)s”，不能删除附件。"),
        save=False,
    )


def missing_parts(se):
    """What a self-evaluation still lacks before it can be submitted (names shown to the county)."""
    missing = []
    if not se.overview.strip():
        missing.append(str(se._meta.get_field("overview").verbose_name))
    if any(not r.result.strip() for r in se.task_results.all()):
        missing.append(_("各项任务的完成情况"))
    unscored = [s.criterion.name for s in se.self_scores.select_related("criterion") if s.score is None]
    if unscored:
        missing.append(_("自评得分（%(names)s）") % {"names": "、".join(unscored)})
    return missing


def _check_submittable(se):
    missing = missing_parts(se)
    if missing:
        raise WorkflowError(
            _("不能提交：尚缺%(missing)s。自评已保存，请补充后再提交。") % {"missing": "；".join(missing)},
            status=400,
        )


def save_self_evaluation_and_submit(*, actor, self_evaluation, submit, **typed):
    """The edit page's one door: save (``save_self_evaluation``), then, with ``submit``, submit to the office. The save
    is its own transaction, so a refused submission (its WorkflowError raised to the caller) keeps what was typed."""
    self_evaluation = save_self_evaluation(actor=actor, self_evaluation=self_evaluation, **typed)
    if submit:
        self_evaluation = submit_self_evaluation(actor=actor, self_evaluation=self_evaluation)
    return self_evaluation


def submit_self_evaluation(*, actor, self_evaluation, comment="", expected_state=None):
    return perform(
        self_evaluation,
        "submit",
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        params={"at": timezone.now()},
        before=_check_submittable,
        freeze=True,
    )


def _open_evaluation(se, log):
    """Accepting the self-evaluation opens the pilot's evaluation on the same criteria set, with the pilot's special
    group and guidance unit as its evaluators from the start (they hear of it through the outbox)."""
    evaluation = Evaluation.objects.create(
        pilot_id=se.pilot_id, self_evaluation=se, county_id=se.county_id, criteria_set_id=se.criteria_set_id
    )
    sync(evaluation)  # its work items (no signal does it)
    units = ensure_unit_evaluators(evaluation, actor=log.actor)
    created = record(
        evaluation,
        "evaluation.created",
        actor=log.actor,
        role=log.role,
        unit=log.unit,
        to_state=evaluation.status,
        details={"self_evaluation": se.pk, "evaluator_units": units},
    )
    notify(evaluation, created, exclude=log.actor)


def review_self_evaluation(*, actor, self_evaluation, name, comment="", expected_state=None, files=()):
    """The office returns the self-evaluation (with a reason) or accepts it, which opens the evaluation."""
    if name not in {"return_to_county", "accept"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    return perform(
        self_evaluation,
        name,
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        files=files,
        after=_open_evaluation if name == "accept" else None,
    )


# --- evaluators --------------------------------------------------------------------------------
def evaluator_units(evaluation):
    """``[(role, unit)]``: the units that always evaluate the pilot with the office (seed 二（四）: 会同市级专项小组、
    市级牵头指导单位做好评估): its special group's lead unit and its guidance unit (when it has one)."""
    pilot = evaluation.pilot
    units = [(Role.SPECIAL_GROUP, pilot.special_group)]
    if pilot.guidance_unit_id:
        units.append((Role.GUIDANCE_UNIT, pilot.guidance_unit))
    return units


def ensure_unit_evaluators(evaluation, *, actor=None):
    """The pilot's special group and guidance unit each get a sheet of their own on the evaluation (any of the unit's
    staff fills it in, scoring or giving the unit's opinion), read access and a work item; idempotent. Returns the
    names of the units added."""
    added = []
    for role, unit in evaluator_units(evaluation):
        if evaluation.sheets.filter(evaluator__isnull=True, unit=unit, role=role).exists():
            continue
        EvaluatorSheet.objects.create(evaluation=evaluation, role=role, unit=unit)
        workitems.assign(evaluation, role=role, unit=unit, purpose=EVALUATOR, acts=False, actor=actor)
        workitems.open_item(evaluation, role=role, unit=unit, action=SCORE_ACTION)
        added.append(unit.name)
    return added


def evaluator_candidates(evaluation):
    """Memberships the office may add by name: the experts (专家学者、改革智库). The pilot's special group and
    guidance unit evaluate as units (``ensure_unit_evaluators``), whoever of their staff fills the sheet in."""
    return (
        Membership.objects.filter(role=Role.EXPERT, user__is_active=True, unit__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__name", "user__full_name", "id")
    )


def assign_evaluators(*, actor, evaluation, user_ids, comment=""):
    """The office adds experts by name (the core's person assignments): each gets read access to this evaluation
    only, a score sheet and a work item; they are told through the outbox. The pilot's special group and guidance unit
    are evaluators already; one missing (a guidance unit assigned since the evaluation opened) is added here too."""
    wanted = {int(i) for i in user_ids}

    def apply(locked):
        units = ensure_unit_evaluators(locked, actor=actor)
        if not wanted and not units:
            raise WorkflowError(_("请选择评估专家。"), field="evaluators", status=400)
        by_user = {}
        for m in evaluator_candidates(locked):
            by_user.setdefault(m.user_id, m)
        if wanted - set(by_user):
            raise WorkflowError(
                _("只能指定专家为评估人员：本试点的市级专项小组和市级牵头指导单位已作为评估单位参加评估。"),
                field="evaluators",
                status=400,
            )
        named = set(locked.sheets.values_list("evaluator_id", flat=True))
        added = []
        for user_id in sorted(wanted - named):
            m = by_user[user_id]
            EvaluatorSheet.objects.create(evaluation=locked, evaluator=m.user, role=m.role, unit=m.unit)
            workitems.assign(locked, role=m.role, user=m.user, purpose=EVALUATOR, acts=False, actor=actor)
            workitems.open_item(locked, role=m.role, user=m.user, action=SCORE_ACTION)
            added.append(m.user.display_name)
        if not added and not units:
            raise WorkflowError(_("所选人员已是本次评估的评估人员。"), field="evaluators", status=400)
        return {"evaluators": added, **({"evaluator_units": units} if units else {})}

    with transaction.atomic():
        changed = change(
            evaluation,
            "evaluators_assigned",
            actor=actor,
            apply=apply,
            permission="reviews.manage_evaluation",
            denied=_("只有市委改革办可以指定评估人员。"),
            role=Role.REFORM_OFFICE,
            comment=comment,
            states=[Evaluation.Status.SCORING],
            state_message=_("评估当前状态为“%(state)s”，不能再指定评估人员。"),
            save=False,
        )
        notify(changed, _logged(changed, "evaluation.evaluators_assigned"), exclude=actor)
    return changed


def remove_evaluator(*, actor, evaluation, user_id, comment=""):
    """The office withdraws an evaluator who has not scored yet (access and work item end with it)."""

    def apply(locked):
        sheet = locked.sheets.filter(evaluator_id=user_id).select_related("evaluator").first()
        if sheet is None:
            raise WorkflowError(_("该人员不是本次评估的评估人员。"), status=404)
        if sheet.has_scored:
            raise WorkflowError(_("该评估人员已评分，不能撤销。"), status=409)
        name = sheet.evaluator.display_name
        sheet.delete()
        workitems.end_assignment(locked, actor=actor, user_id=user_id, purpose=EVALUATOR)
        workitems.close_items(locked, actor=actor, user_id=user_id, derived=False)
        return {"evaluator": name}

    return change(
        evaluation,
        "evaluator_removed",
        actor=actor,
        apply=apply,
        permission="reviews.manage_evaluation",
        denied=_("只有市委改革办可以撤销评估人员。"),
        role=Role.REFORM_OFFICE,
        comment=comment,
        states=[Evaluation.Status.SCORING],
        state_message=_("评估当前状态为“%(state)s”，不能再撤销评估人员。"),
        save=False,
    )


def sheet_of(sheets, user):
    """The sheet ``user`` fills in among ``sheets``: their own as a named expert, else their unit's (the pilot's
    special group or guidance unit, in the role the sheet is for); None if neither."""
    own = next((s for s in sheets if s.evaluator_id == user.pk), None)
    if own is not None:
        return own
    held = {(m.unit_id, m.role) for m in memberships(user)}
    return next((s for s in sheets if s.is_unit_sheet and (s.unit_id, s.role) in held), None)


def submit_scores(*, actor, evaluation, scores, comment="", expected_state=None, opinion_only=False):
    """An evaluator scores every criterion (0–100, with a comment each) and hands the sheet in: a named expert their
    own, any staff member of the pilot's special group or guidance unit the unit's, which may instead carry the unit's
    opinion alone (``opinion_only``: the overall comment, no scores). A sheet may be revised until the office
    completes the evaluation. When the last sheet is in, the office is told."""
    if not rules.has_perm("reviews.score_evaluation", actor, evaluation):
        raise PermissionDenied(_("您不是本次评估的评估人员。"))

    def apply(locked):
        sheet = sheet_of(list(locked.sheets.all()), actor)
        if opinion_only:
            return _hand_in_opinion(locked, sheet)
        criteria = list(locked.criteria_set.criteria.all())
        errors, values = {}, {}
        for c in criteria:
            text, remark = scores.get(c.pk, ("", ""))
            try:
                value = parse_score(text, what=c.name)
            except WorkflowError as err:
                errors[f"score-{c.pk}"] = [err.message]
                continue
            if value is None:
                errors[f"score-{c.pk}"] = [_("请为“%(what)s”打分。") % {"what": c.name}]
                continue
            values[c.pk] = (value, (remark or "").strip())
        if errors:
            raise WorkflowError(next(iter(errors.values()))[0], errors=errors, status=400)
        sheet.scores.all().delete()
        EvaluatorScore.objects.bulk_create(
            [EvaluatorScore(sheet=sheet, criterion_id=k, score=v, comment=r) for k, (v, r) in values.items()]
        )
        return _handed_in(locked, sheet, comment=comment, opinion_only=False)

    def _hand_in_opinion(locked, sheet):
        if not sheet.is_unit_sheet:
            raise WorkflowError(_("专家须对各项评估指标打分。"), status=400)
        if not (comment or "").strip():
            raise WorkflowError(_("请填写评估意见。"), errors={"comment": [_("请填写评估意见。")]}, status=400)
        sheet.scores.all().delete()
        return _handed_in(locked, sheet, comment=comment, opinion_only=True)

    def _handed_in(locked, sheet, *, comment, opinion_only):
        sheet.comment = (comment or "").strip()
        sheet.opinion_only, sheet.submitted_by, sheet.submitted_at = opinion_only, actor, timezone.now()
        sheet.save(update_fields=["comment", "opinion_only", "submitted_by", "submitted_at"])
        if sheet.is_unit_sheet:
            workitems.close_items(
                locked, actor=actor, unit=sheet.unit, role=sheet.role, user__isnull=True, derived=False
            )
        else:
            workitems.close_items(locked, actor=actor, user=actor, derived=False)
        waiting = locked.sheets.filter(submitted_at__isnull=True).count()
        return {
            "evaluator": actor.display_name,
            **({"unit": sheet.unit.name} if sheet.is_unit_sheet else {}),
            **({"opinion_only": True} if opinion_only else {}),
            "waiting": waiting,
        }

    sheet = sheet_of(list(evaluation.sheets.all()), actor)
    with transaction.atomic():
        changed = change(
            evaluation,
            SCORE_ACTION,
            actor=actor,
            apply=apply,
            permission="reviews.score_evaluation",
            denied=_("您不是本次评估的评估人员。"),
            role=sheet.role if sheet else "",
            states=[Evaluation.Status.SCORING],
            state_message=_("评估当前状态为“%(state)s”，不能再评分。"),
            expected_state=expected_state,
            save=False,
        )
        log = _logged(changed, f"evaluation.{SCORE_ACTION}")
        if log.details.get("waiting") == 0:
            notify(changed, log, exclude=actor)
    return changed


# --- scores and the grade ----------------------------------------------------------------------
def score_sheets(evaluation):
    """``(sheets, criteria)``: every sheet with its evaluator, unit and scores by criterion id (three queries)."""
    criteria = list(evaluation.criteria_set.criteria.all())
    sheets = list(evaluation.sheets.select_related("evaluator", "unit", "submitted_by").prefetch_related("scores"))
    for sheet in sheets:
        sheet.by_criterion = {s.criterion_id: s for s in sheet.scores.all()}
    return sheets, criteria


def not_scored(sheets):
    return [s.name for s in sheets if not s.has_scored]


def missing_units(evaluation, sheets):
    """The names of the units that must evaluate the pilot (its special group, its guidance unit) and have not
    handed in a sheet, scores or an opinion (seed 二（四）: 会同市级专项小组、市级牵头指导单位做好评估)."""
    pilot = evaluation.pilot
    missing = [] if pilot.guidance_unit_id else [_("市级牵头指导单位（本试点尚未指定）")]
    for role, unit in evaluator_units(evaluation):
        if not any(s.has_scored and s.role == role and s.unit_id == unit.pk for s in sheets):
            missing.append(unit.name)
    return missing


def compute(evaluation, sheets=None, criteria=None):
    """The grading result of the sheets handed in with scores (``grading.evaluate``, keyed by sheet); GradingError
    when it cannot be."""
    if sheets is None:
        sheets, criteria = score_sheets(evaluation)
    done = {s.pk: {k: v.score for k, v in s.by_criterion.items()} for s in sheets if s.counts_in_total}
    return grading.evaluate(
        done,
        {c.pk: c.weight for c in criteria},
        evaluation.criteria_set.thresholds(),
        {c.pk: c.name for c in criteria},
    )


def complete_evaluation(*, actor, evaluation, comment="", expected_state=None):
    """The office completes the evaluation: refused while an evaluator has not scored (named); the weighted total
    and the grade are computed here, on the locked row, and stored (never typed)."""
    params, details = {"at": timezone.now()}, {}

    def grade(locked):
        sheets, criteria = score_sheets(locked)
        if not sheets:
            raise WorkflowError(_("尚未指定评估人员，不能完成评估。"), status=400)
        units = missing_units(locked, sheets)
        if units:
            raise WorkflowError(
                _("本试点的市级专项小组和市级牵头指导单位须参加评估（评分或提出意见）后才能完成评估，尚缺：%(names)s。")
                % {"names": "、".join(units)},
                status=400,
            )
        missing = not_scored(sheets)
        if missing:
            raise WorkflowError(
                _("还有评估人员尚未评分：%(names)s。全部评分后才能完成评估。") % {"names": "、".join(missing)},
                status=400,
            )
        try:
            result = compute(locked, sheets, criteria)
        except grading.GradingError as err:
            raise WorkflowError(err.message, status=400) from None
        # perform passes these to the transition and the log row after this check
        params.update(total=result.total, grade=result.grade)
        details.update(total=str(result.total), grade=result.grade)

    return perform(
        evaluation,
        "complete",
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        before=grade,
        params=params,
        details=details,
        # 试点工作富有成效: promotions of the pilot that waited for its grade now propose points, or say why not
        after=lambda locked, log: settle_bonus(locked.pilot, cause_log=log),
    )


# --- the summary -------------------------------------------------------------------------------
def initial_summary(evaluation):
    """The summary's first draft: the grade and total, each criterion's mean, the evaluators' totals, and the
    county's results from its self-evaluation."""
    se = evaluation.self_evaluation
    sheets, criteria = score_sheets(evaluation)
    result = compute(evaluation, sheets, criteria)
    lines = [
        _("一、评估结果"),
        _("综合得分%(total)s分，评估等次为“%(grade)s”。")
        % {"total": result.total, "grade": grading.grade_label(result.grade)},
    ]
    for c in criteria:
        lines.append(
            _("%(name)s（权重%(weight)s%%）：平均得分%(score)s分。")
            % {"name": c.name, "weight": c.weight_text, "score": result.criterion_means[c.pk]}
        )
    lines.append(
        _("评估人员：%(names)s。")
        % {"names": "、".join(f"{s.name}（{result.evaluator_totals[s.pk]}）" for s in sheets if s.counts_in_total)}
    )
    for s in sheets:
        if s.opinion_only:
            lines.append(_("%(unit)s评估意见：%(opinion)s") % {"unit": s.name, "opinion": s.comment})
    lines += [_("二、主要成效"), se.overview]
    for row in se.task_results.all():
        lines.append(f"{row.order}. {row.task_content}（{row.percentage}%）：{row.result}")
    if se.institutional_results:
        lines += [_("三、制度成果"), se.institutional_results]
    if se.problems:
        lines += [_("四、存在问题和改进方向"), se.problems]
    return "\n".join(line for line in lines if line)


def save_summary(*, actor, evaluation, summary, expected_state=None):
    """The office writes the summary (after the evaluation is complete, until it is reported)."""

    def apply(locked):
        locked.summary = (summary or "").strip()

    return change(
        evaluation,
        "summary_saved",
        actor=actor,
        apply=apply,
        permission="reviews.manage_evaluation",
        denied=_("只有市委改革办可以撰写试点总结。"),
        role=Role.REFORM_OFFICE,
        states=[Evaluation.Status.SCORED],
        state_message=_("评估当前状态为“%(state)s”，不能修改试点总结。"),
        expected_state=expected_state,
    )


def _check_summary(locked):
    if not locked.summary.strip():
        raise WorkflowError(_("请先撰写并保存试点总结，再报送市委改革委。"), status=400)


COMMENT_ACTION = "committee_commented"
COMMENT_ITEM = "comment_summary"  # the committee's 待办 item: 阅示试点总结


def _complete_the_pilot(locked, log):
    complete_pilot(locked.pilot, cause_log=log)
    # The committee's 阅示 waits in its 我的待办 until it comments (the summary's state no longer moves).
    for unit in locked.units_for_role(Role.COMMITTEE):
        workitems.open_item(locked, role=Role.COMMITTEE, unit=unit, action=COMMENT_ITEM)


def report_summary(*, actor, evaluation, comment="", expected_state=None, files=()):
    """The office reports the summary to the committee (报); the pilot is completed in the same transaction."""
    return perform(
        evaluation,
        "report",
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        files=files,
        params={"at": timezone.now()},
        before=_check_summary,
        after=_complete_the_pilot,
        freeze=True,
    )


def comment_summary(*, actor, evaluation, comment):
    """The committee comments on the reported summary (阅示); its 待办 item closes; the office is told."""
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(_("请填写意见。"), field="comment", status=400)
    with transaction.atomic():
        changed = change(
            evaluation,
            "committee_commented",
            actor=actor,
            apply=lambda locked: None,
            permission="reviews.comment_evaluation",
            denied=_("只有市委改革委可以对试点总结提出意见。"),
            role=Role.COMMITTEE,
            comment=comment,
            states=[Evaluation.Status.REPORTED],
            state_message=_("试点总结尚未报送，不能提出意见。"),
            save=False,
        )
        log = _logged(changed, f"evaluation.{COMMENT_ACTION}")
        workitems.close_items(changed, log=log, actor=actor, role=Role.COMMITTEE, derived=False)
        notify(changed, log, exclude=actor)
    return changed


def act(*, actor, evaluation, name, comment="", expected_state=None, files=()):
    """A button's transition name on the evaluation page, to its service."""
    if name == "complete":
        return complete_evaluation(actor=actor, evaluation=evaluation, comment=comment, expected_state=expected_state)
    if name == "report":
        return report_summary(
            actor=actor, evaluation=evaluation, comment=comment, expected_state=expected_state, files=files
        )
    raise WorkflowError(_("没有这个操作。"), status=400)
