"""Every change to a plan: start (pre-filled), save with its task list, submit, consult, review, approve, answers."""

import re

import rules
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import units
from pilots.services import default_term_months, start_term
from reviews.plans import stacking
from reviews.plans.models import (
    CONSULTATION,
    LEGALITY_FILE,
    PLAN_FIELDS,
    RISK_FILE,
    SECTION_FIELDS,
    OpinionAnswer,
    Plan,
    PlanTask,
    StackingFlag,
    TaskRemark,
    missing_sections,
)
from workflow.conventions.opinions import opinion_give, opinion_request
from workflow.engine.errors import WorkflowError
from workflow.inbox.workitems import sync
from workflow.models import Opinion
from workflow.services import change, perform, record, save_attachments

EDIT_FIELDS = PLAN_FIELDS + SECTION_FIELDS
MAX_TERM_MONTHS = 120  # the longest term the committee may set (ten years)
_NUMBERING = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[\.、．)）]\s*")


def split_tasks(text):
    """The application's 主要任务和举措 as separate tasks: one per numbered item, line or ；-separated clause."""
    parts = re.split(r"[；;\n]+", text or "")
    return [p for p in (_NUMBERING.sub("", part).strip(" 。.") for part in parts) if p]


def start_plan(*, actor, pilot):
    """The pilot county starts its plan, pre-filled from the approved application (goals, main tasks as the
    first task list, schedule, safeguards); one plan per pilot."""
    if not rules.has_perm("reviews.start_plan", actor, pilot):
        raise PermissionDenied(_("只有试点县（市、区）可以编制试点方案。"))
    if pilot.status != "planning":
        raise WorkflowError(_("试点已不在方案编制阶段。"), status=409)
    existing = Plan.objects.filter(pilot=pilot).first()
    if existing is not None:
        return existing
    app = pilot.application
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                pilot=pilot,
                county=pilot.county,
                created_by=actor,
                title=_("%(title)s试点方案") % {"title": pilot.title},
                goals=app.goals,
                schedule=app.schedule,
                safeguards=app.safeguards,
            )
            sync(plan)  # its work items (no signal does it)
            tasks = PlanTask.objects.bulk_create(
                [PlanTask(plan=plan, order=i + 1, content=c) for i, c in enumerate(split_tasks(app.main_tasks))]
            )
            stacking.index_tasks(PlanTask.objects.filter(plan=plan))
            record(
                plan,
                "plan.created",
                actor=actor,
                role=Role.COUNTY,
                unit=pilot.county,
                to_state=plan.status,
                details={"application": app.pk, "tasks": len(tasks)},
            )
    except IntegrityError:
        return Plan.objects.get(pilot=pilot)
    return plan


def _sync_tasks(plan, rows):
    """Make the plan's tasks equal ``rows`` (dicts with ``key``; a new row has none): keys are kept, so a task
    is the same task across versions; only changed texts get new band keys."""
    current = {t.key: t for t in plan.tasks.all()}
    keep, changed, new = set(), [], []
    for i, row in enumerate(rows):
        data = {k: (row.get(k) or "").strip() for k in ("content", "responsible_unit", "milestones", "result_form")}
        data["deadline"] = row.get("deadline") or None
        data["order"] = i + 1
        task = current.get(row.get("key") or "")
        if task is None or task.key in keep:
            new.append(PlanTask(plan=plan, **data))
            continue
        keep.add(task.key)
        if any(getattr(task, k) != v for k, v in data.items()):
            text_changed = task.content != data["content"]
            for k, v in data.items():
                setattr(task, k, v)
            task.save()
            if text_changed:
                changed.append(task)
    removed = [t.pk for k, t in current.items() if k not in keep]
    PlanTask.objects.filter(pk__in=removed).delete()
    PlanTask.objects.bulk_create(new)
    stacking.index_tasks(changed + list(PlanTask.objects.filter(plan=plan, key__in=[t.key for t in new])))
    return {"tasks": len(rows), "added": len(new), "removed": len(removed)}


def save_plan(*, actor, plan, data, tasks, risk_files=(), legality_files=(), expected_state=None):
    """Save what the county typed and its task list while the plan is editable: one ``change`` (locked,
    permission-checked, logged as 保存草稿, work items re-synced); the sections' documents are attached."""

    def apply(locked):
        for key in EDIT_FIELDS:
            if key in data:
                setattr(locked, key, data[key])
        extra = _sync_tasks(locked, tasks) if tasks is not None else {}
        save_attachments(locked, risk_files, actor=actor, description=RISK_FILE)
        save_attachments(locked, legality_files, actor=actor, description=LEGALITY_FILE)
        return extra

    return change(
        plan,
        "updated",
        actor=actor,
        role=Role.COUNTY,
        apply=apply,
        permission="reviews.edit_plan",
        denied=_("只有试点县（市、区）可以修改试点方案。"),
        states=Plan.EDITABLE,
        state_message=_("方案当前状态为“%(state)s”，不能修改。"),
        expected_state=expected_state,
    )


def unanswered_opinions(plan):
    """Opinions given in a consultation that the county has not answered yet."""
    return list(
        Opinion.objects.for_object(plan)
        .filter(purpose=CONSULTATION, status=Opinion.Status.GIVEN, plan_answer__isnull=True)
        .select_related("unit", "user")
    )


def _check_submittable(plan):
    missing = missing_sections(plan)
    if missing:
        raise WorkflowError(
            _("不能提交：尚缺%(missing)s。方案已保存，请补充后再提交。")
            % {"missing": "；".join(str(m) for m in missing)},
            status=400,
        )
    if not plan.tasks.exists():
        raise WorkflowError(_("不能提交：任务清单为空，请至少填写一项任务。"), status=400)
    waiting = unanswered_opinions(plan)
    if waiting:
        raise WorkflowError(
            _("不能提交：还有%(n)s条征求意见未答复采纳情况（%(names)s）。")
            % {"n": len(waiting), "names": "、".join(o.invitee_name for o in waiting)},
            status=400,
        )


def save_plan_and_submit(*, actor, plan, submit, expected_state=None, **typed):
    """The edit page's one door: save what was typed (``save_plan``), then, with ``submit``, submit it. The save is
    its own transaction, so a refused submission (its WorkflowError raised to the caller) keeps what was typed."""
    plan = save_plan(actor=actor, plan=plan, expected_state=expected_state, **typed)
    if submit:
        plan = submit_plan(actor=actor, plan=plan, expected_state=expected_state)
    return plan


def submit_plan(*, actor, plan, comment="", expected_state=None):
    """Submit (a version is frozen); the stacking check runs on the submitted task list in the same transaction.
    A plan already consulted on goes back to the office (``resubmit``), otherwise to its consultation."""
    return perform(
        plan,
        "resubmit" if plan.consult_unit_id else "submit",
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        params={"at": timezone.now()},
        before=_check_submittable,
        after=lambda locked, log: stacking.check_plan(locked),
        freeze=True,
    )


def answer_opinion(*, actor, plan, opinion_id, decision, reason):
    """The county says how it took one consultation opinion (采纳 / 部分采纳 / 不采纳, with a reason)."""
    reason = (reason or "").strip()
    if decision not in OpinionAnswer.Decision.values:
        raise WorkflowError(_("请选择采纳情况。"), field="decision", status=400)
    if not reason:
        raise WorkflowError(_("请填写采纳或不采纳的理由。"), field="reason", status=400)

    def apply(locked):
        opinion = (
            Opinion.objects.for_object(locked)
            .filter(pk=opinion_id, purpose=CONSULTATION, status=Opinion.Status.GIVEN)
            .first()
        )
        if opinion is None:
            raise WorkflowError(_("意见不存在。"), status=404)
        OpinionAnswer.objects.update_or_create(
            opinion=opinion, defaults={"plan": locked, "decision": decision, "reason": reason, "answered_by": actor}
        )
        return {"opinion": opinion.pk, "decision": decision}

    return change(
        plan,
        "opinion_answered",
        actor=actor,
        role=Role.COUNTY,
        apply=apply,
        permission="reviews.edit_plan",
        denied=_("只有试点县（市、区）可以答复意见采纳情况。"),
        states=Plan.EDITABLE,
        state_message=_("方案当前状态为“%(state)s”，请在修改方案时答复意见。"),
        comment=reason,
        save=False,
    )


def answer_flag(*, actor, plan, flag_id, answer):
    """The county explains a task flagged as repeating an existing one (any time before approval)."""
    answer = (answer or "").strip()
    if not answer:
        raise WorkflowError(_("请填写说明。"), field="answer", status=400)

    def apply(locked):
        flag = StackingFlag.objects.filter(plan=locked, pk=flag_id).first()
        if flag is None:
            raise WorkflowError(_("提示不存在。"), status=404)
        flag.answer, flag.answered_by = answer, actor
        flag.save(update_fields=["answer", "answered_by"])
        return {"flag": flag.pk}

    return change(
        plan,
        "flag_answered",
        actor=actor,
        role=Role.COUNTY,
        apply=apply,
        permission="reviews.edit_plan",
        denied=_("只有试点县（市、区）可以说明机械叠加提示。"),
        states=[s for s in Plan.Status.values if s != Plan.Status.APPROVED],
        comment=answer,
        save=False,
    )


def open_consultation(*, actor, plan, invitees, due, comment="", expected_state=None):
    """The pilot's guidance unit (or its special group) opens the consultation, inviting departments, the
    special group and experts with a deadline; one transaction with the opinion requests."""
    if rules.has_perm("reviews.consult_as_guidance", actor, plan):
        name, role = "consult", Role.GUIDANCE_UNIT
    elif rules.has_perm("reviews.consult_as_group", actor, plan):
        name, role = "consult_group", Role.SPECIAL_GROUP
    else:
        raise PermissionDenied(_("只有本试点的市级牵头指导单位或专项小组可以组织征求意见。"))
    unit = next(u for u in units(actor, role) if u.pk in {x.pk for x in plan.units_for_role(role)})
    invitees = list(invitees)
    if not invitees:
        raise WorkflowError(_("请选择被征求意见单位或人员。"), field="invitees", status=400)

    def ask(locked, log):
        opinion_request(
            target=locked, invitees=invitees, purpose=CONSULTATION, due=due, actor=actor, role=role, comment=comment
        )

    return perform(
        plan, name, actor=actor, comment=comment, expected_state=expected_state, params={"unit": unit}, after=ask
    )


def give_opinion(*, actor, opinion, verdict, text, remarks=None, expected_state=None, files=()):
    """A structured consultation opinion: the verdict (同意 / 修改后同意 / 不同意), its text and remarks on tasks."""
    with transaction.atomic():
        given = opinion_give(
            actor=actor, opinion=opinion, verdict=verdict, text=text, expected_state=expected_state, files=files
        )
        plan = given.target
        contents = dict(plan.tasks.values_list("key", "content"))
        TaskRemark.objects.bulk_create(
            [
                TaskRemark(opinion=given, task_key=key, task_content=contents[key], remark=remark.strip())
                for key, remark in (remarks or {}).items()
                if key in contents and (remark or "").strip()
            ]
        )
    return given


def close_consultation(*, actor, plan, comment="", expected_state=None):
    return perform(plan, "close_consultation", actor=actor, comment=comment, expected_state=expected_state)


def review_plan(*, actor, plan, name, comment="", expected_state=None, files=()):
    """The office's steps: pass to the committee, return to the county, or send back to consultation."""
    if name not in {"pass_to_committee", "return_to_county", "back_to_consultation"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    return perform(plan, name, actor=actor, comment=comment, expected_state=expected_state, files=files)


DECISIONS = {
    "approve": "reviews.approve_plan",
    "approve_on_behalf": "reviews.record_approval",
    "committee_return": "reviews.approve_plan",
}


def _starter(months, reason):
    def start(plan, log):
        """The term starts, and with it the quarterly reports of every quarter of the term (一季度一报: reports adds
        them through pilots.services.on_term_set)."""
        start_term(plan.pilot, cause_log=log, approved_at=plan.approved_at, months=months, exception_reason=reason)

    return start


def term_of(term_months, term_reason):
    """The term the committee sets with its approval: ``(months, exception reason)``. The default
    (``PILOT_TERM_YEARS``) needs no reason; any other length is an exception and needs one (试点期限原则上为2年)."""
    default = default_term_months()
    if term_months in (None, ""):
        months = default
    else:
        try:
            months = int(str(term_months).strip())
        except ValueError:
            months = 0
    if not 1 <= months <= MAX_TERM_MONTHS:
        raise WorkflowError(
            _("试点期限应为1至%(max)s之间的整数（月）。") % {"max": MAX_TERM_MONTHS}, field="term_months", status=400
        )
    reason = (term_reason or "").strip()
    if months == default:
        return months, ""
    if not reason:
        raise WorkflowError(
            _("试点期限%(months)s个月与默认的%(default)s个月不同，属于例外情形，请填写理由。")
            % {"months": months, "default": default},
            field="term_reason",
            status=400,
        )
    return months, reason


def decide_plan(
    *, actor, plan, name, meeting_ref, comment="", expected_state=None, files=(), term_months=None, term_reason=""
):
    """The committee approves (the pilot starts implementing and its term runs from today, for the months it sets:
    ``PILOT_TERM_YEARS`` by default, any other term with a recorded reason) or returns it, citing its meeting; or
    the office records the approval on the committee's behalf (代为录入)."""
    if name not in DECISIONS:
        raise WorkflowError(_("没有这个操作。"), status=400)
    if not rules.has_perm(DECISIONS[name], actor, plan):
        raise PermissionDenied(_("只有市委改革委可以审批试点方案（市委改革办可代为录入）。"))
    meeting_ref = (meeting_ref or "").strip()
    if not meeting_ref:
        raise WorkflowError(_("请填写会议届次（例如：市委改革委第3次会议）。"), field="meeting_ref", status=400)
    details = {"meeting_ref": meeting_ref}
    approving = name != "committee_return"
    months, reason = term_of(term_months, term_reason) if approving else (None, "")
    if approving:
        details["term_months"] = months
        if reason:
            details["term_exception"] = reason
            note = _("试点期限%(months)s个月（原则上为%(default)s个月，例外理由：%(reason)s）。") % {
                "months": months,
                "default": default_term_months(),
                "reason": reason,
            }
            comment = f"{note}{(comment or '').strip()}"
    if name == "approve_on_behalf":
        details.update(on_behalf_of=Role.COMMITTEE, recorded_by=actor.pk, recorded_by_name=actor.display_name)
        note = _("代为录入：%(meeting)s的决定（由%(user)s录入）。") % {
            "meeting": meeting_ref,
            "user": actor.display_name,
        }
        comment = f"{note}{(comment or '').strip()}"
    return perform(
        plan,
        name,
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        files=files,
        params={"meeting_ref": meeting_ref, "at": timezone.now()},
        after=_starter(months, reason) if approving else None,
        details=details,
    )


def act(
    *, actor, plan, name, comment="", expected_state=None, meeting_ref="", files=(), term_months=None, term_reason=""
):
    """Dispatch a button's transition name to its service (the view's one entry point)."""
    if name in {"submit", "resubmit"}:
        return submit_plan(actor=actor, plan=plan, comment=comment, expected_state=expected_state)
    if name == "close_consultation":
        return close_consultation(actor=actor, plan=plan, comment=comment, expected_state=expected_state)
    if name in DECISIONS:
        return decide_plan(
            actor=actor,
            plan=plan,
            name=name,
            meeting_ref=meeting_ref,
            comment=comment,
            expected_state=expected_state,
            files=files,
            term_months=term_months,
            term_reason=term_reason,
        )
    return review_plan(actor=actor, plan=plan, name=name, comment=comment, expected_state=expected_state, files=files)
