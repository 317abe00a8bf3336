"""Changes to batches, candidates and pilots; every status change goes through workflow.services.perform."""

import calendar
import datetime

import rules
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import units
from pilots.experiences.services import settle_bonus  # noqa: F401  (the evaluation, once completed, settles the waiting lines)
from pilots.models import Batch, Candidate, Pilot
from pilots.outcomes import (  # noqa: F401  (the later stages register and read the evaluation's outcome here)
    Outcome,
    evaluation_outcome,
    minimum_grade_label,
    register_outcome_reader,
)
from pilots.tolerance import mark_tolerance, may_be_tolerated  # noqa: F401  (容错免责, the committee's mark)
from workflow.engine.errors import WorkflowError
from workflow.inbox import workitems
from workflow.inbox.workitems import sync
from workflow.models import TransitionLog
from workflow.services import change, notify, perform, record


def _require(perm_name, actor, obj=None):
    if not rules.has_perm(perm_name, actor, obj):
        raise PermissionDenied(_("您的角色不能执行此操作。"))


def _office_unit(actor):
    found = units(actor, Role.REFORM_OFFICE)
    return found[0] if found else None


# --- batches -----------------------------------------------------------------------------------
def create_batch(*, actor, data):
    _require("pilots.manage_batch", actor)
    with transaction.atomic():
        batch = Batch.objects.create(**data)
        sync(batch)  # its work items (no signal does it)
        record(
            batch,
            "batch.created",
            actor=actor,
            role=Role.REFORM_OFFICE,
            unit=_office_unit(actor),
            to_state=batch.status,
        )
    return batch


def update_batch(*, actor, batch, data):
    _require("pilots.manage_batch", actor)
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (Batch.Status.DRAFT, Batch.Status.OPEN):  # judged on the row, not the page
            raise WorkflowError(_("批次已截止，不能再修改。"))
        for key, value in data.items():
            setattr(locked, key, value)
        locked.save()
        sync(locked)  # the window's dates decide when the office's work item opens
        record(
            locked,
            "batch.updated",
            actor=actor,
            role=Role.REFORM_OFFICE,
            unit=_office_unit(actor),
            details={"fields": sorted(data)},
        )
    return locked


# --- what later stages add: registries their apps fill in ready(), so the arrows keep running pilots ← apps -----
_BATCH_DECIDE_CHECKS = []  # called with the locked batch before it is marked decided; raise WorkflowError to refuse
_TERM_SET = []  # called with the pilot once its term is set (start_term) or moved (extend_term)


def check_before_deciding_batch(check):
    """Register ``check(batch)``: applications refuses while any application of the batch is undecided."""
    _BATCH_DECIDE_CHECKS.append(check)


def on_term_set(callback):
    """Register ``callback(pilot)``: reports makes the quarterly reports of every quarter of the term."""
    _TERM_SET.append(callback)


def _term_set(pilot):
    for callback in _TERM_SET:
        callback(pilot)
    return pilot


def _batch_decide_checks(batch):
    for check in _BATCH_DECIDE_CHECKS:
        check(batch)


def batch_act(*, actor, batch, name, comment="", expected_state=None):
    if name not in {"open", "close", "decide"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    before = _batch_decide_checks if name == "decide" else None
    return perform(batch, name, actor=actor, comment=comment, expected_state=expected_state, before=before)


# --- candidates --------------------------------------------------------------------------------
def channel_for(actor, addressed_to):
    """How a proposal reaches the office, from the proposer's role (seed 二（一）)."""
    if units(actor, Role.REFORM_OFFICE):
        return Candidate.Channel.OFFICE, _office_unit(actor), None
    if units(actor, Role.SPECIAL_GROUP):
        return Candidate.Channel.SPECIAL_GROUP, units(actor, Role.SPECIAL_GROUP)[0], None
    county = units(actor, Role.COUNTY)[0]
    if addressed_to is not None and addressed_to.kind == Role.SPECIAL_GROUP:
        return Candidate.Channel.COUNTY_TO_GROUP, county, addressed_to
    return Candidate.Channel.COUNTY_TO_OFFICE, county, None


def propose_candidate(*, actor, data, addressed_to=None, accept=False):
    """A topic proposed by the office (optionally listed at once), a special group or a county."""
    _require("pilots.propose_candidate", actor)
    channel, proposer, addressed = channel_for(actor, addressed_to)
    role = {Candidate.Channel.OFFICE: Role.REFORM_OFFICE, Candidate.Channel.SPECIAL_GROUP: Role.SPECIAL_GROUP}.get(
        channel, Role.COUNTY
    )
    try:
        with transaction.atomic():
            batch = Batch.objects.select_for_update().get(pk=data["batch"].pk)  # its state now, not the page's
            if batch.status == Batch.Status.DECIDED:
                raise WorkflowError(_("该批次已确定，不能再提出候选项目。"), field="batch", status=400)
            candidate = Candidate.objects.create(
                **data, channel=channel, proposer_unit=proposer, addressed_to=addressed, proposed_by=actor
            )
            sync(candidate)  # its work items (no signal does it)
            log = record(
                candidate, "candidate.created", actor=actor, role=role, unit=proposer, to_state=candidate.status
            )
            if accept and channel == Candidate.Channel.OFFICE:
                candidate = perform(candidate, "accept", actor=actor)
            else:
                notify(candidate, log, exclude=actor)
    except IntegrityError:
        raise WorkflowError(_("本批次已有同名候选项目，请更换名称。"), field="title", status=400) from None
    return candidate


def decide_candidate(*, actor, candidate, name, comment="", expected_state=None):
    if name not in {"accept", "decline"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    return perform(candidate, name, actor=actor, comment=comment, expected_state=expected_state)


# --- pilots ------------------------------------------------------------------------------------
def create_pilot_for(application, log):
    """The committee's approval makes the application a Pilot in planning (called inside the approval)."""
    candidate = application.candidate
    try:
        with transaction.atomic():
            pilot = Pilot.objects.create(
                title=application.project_name,
                county=application.county,
                batch=application.batch,
                candidate=candidate,
                application=application,
                area=application.area,
                special_group=candidate.lead_group,
                guidance_unit=candidate.guidance_unit,
            )
            sync(pilot)  # its work items (no signal does it)
    except IntegrityError:
        raise WorkflowError(_("该县（市、区）已有正在开展的集成改革试点，不能再确定新的试点。")) from None
    if pilot.guidance_unit_id:  # the candidate's suggested guidance unit guides it until the office changes it
        workitems.assign(pilot, role=Role.GUIDANCE_UNIT, unit=pilot.guidance_unit, purpose="guidance", actor=log.actor)
    record(
        pilot,
        "pilot.created",
        actor=log.actor,
        role=log.role,
        unit=log.unit,
        to_state=pilot.status,
        details={
            "application": application.pk,
            "meeting_ref": application.meeting_ref,
            **({"on_behalf_of": log.details["on_behalf_of"]} if log.details.get("on_behalf_of") else {}),
        },
    )
    return pilot


# --- the pilot's stage follows its records -----------------------------------------------------
# No user moves a pilot through its stages: the record that decides (the committee's approval of the plan or of
# an extension, the term's end, the office reporting the summary to the committee) calls one of these inside its
# own transaction, and the pilot's log names that record as the cause. Only termination is a committee action
# (terminate_pilot).
def _cause(cause_log):
    """The causing log row as log details and as the comment shown in the pilot's timeline."""
    ct = cause_log.content_type
    details = {
        "cause": {
            "log": cause_log.pk,
            "action": cause_log.action,
            "object": f"{ct.app_label}.{ct.model}:{cause_log.object_id}",
            "actor": cause_log.actor_id,
            "role": cause_log.role,
        }
    }
    return details, _("依据：%(cause)s") % {"cause": cause_log.sentence}


def _system_step(pilot, name, *, cause_log, params=None, before=None, note="", extra=None):
    details, comment = _cause(cause_log)
    details.update(extra or {})
    comment = f"{comment}{note}"
    return perform(
        pilot,
        name,
        actor=None,
        system=True,
        comment=comment,
        params=params,
        before=before,
        details=details,
    )


def add_years(day, years):
    """The same calendar day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day, months):
    """The same day ``months`` later, or the month's last day when it has no such day (31 March + 1 → 30 April)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def default_term_months():
    """试点期限原则上为2年: the default term in months (``PILOT_TERM_YEARS``)."""
    return settings.PILOT_TERM_YEARS * 12


def start_term(pilot, *, cause_log, approved_at, months=None, exception_reason=""):
    """The plan was approved: the pilot starts implementing, its term running from that day for the months the
    committee set (``PILOT_TERM_YEARS`` by default). A term of any other length is an exception: its reason is
    kept on the pilot and written, with the months, on the pilot's log row."""
    start = timezone.localdate(approved_at) if isinstance(approved_at, datetime.datetime) else approved_at
    months = months or default_term_months()
    exception_reason = (exception_reason or "").strip() if months != default_term_months() else ""
    if months != default_term_months() and not exception_reason:
        raise ValueError("a term other than PILOT_TERM_YEARS needs its reason (the plan's decision asks for it)")
    end = add_months(start, months)
    note, extra = "", {"term_months": months}
    if exception_reason:
        note = _("；试点期限%(months)s个月（例外，理由：%(reason)s）") % {"months": months, "reason": exception_reason}
        extra["term_exception"] = exception_reason
    pilot = _system_step(
        pilot,
        "start",
        cause_log=cause_log,
        params={"term_start": start, "term_end": end, "term_exception": exception_reason},
        note=note,
        extra=extra,
    )
    return _term_set(pilot)


def extend_term(pilot, *, new_end, cause_log):
    """An extension was approved: the term ends later."""

    def check(locked):
        if locked.term_end is not None and new_end <= locked.term_end:
            raise WorkflowError(
                _("延期后的期满日期须晚于当前期满日期（%(end)s）。") % {"end": locked.term_end.isoformat()},
                field="new_end",
                status=400,
            )

    return _term_set(_system_step(pilot, "extend", cause_log=cause_log, params={"term_end": new_end}, before=check))


def begin_evaluation(pilot, *, cause_log):
    """The term has ended (or the self-evaluation arrived): the pilot is summarised and evaluated."""
    return _system_step(pilot, "evaluate", cause_log=cause_log)


def complete(pilot, *, cause_log):
    """The office reported the summary to the committee: the pilot is completed."""
    return _system_step(pilot, "complete", cause_log=cause_log)


def terminate_pilot(*, actor, pilot, comment="", expected_state=None):
    """The committee ends a pilot before its term (the one stage change a person makes), with a reason."""
    return perform(pilot, "terminate", actor=actor, comment=comment, expected_state=expected_state)


# --- the guidance unit of a pilot --------------------------------------------------------------
def assign_guidance_unit(*, actor, pilot, unit, comment=""):
    """The office assigns or changes the pilot's municipal guidance unit (市级牵头指导单位), through the one path
    for edits (lock, permission, log, work items); the new unit's people are told."""
    _require("pilots.assign_guidance_unit", actor, pilot)
    if unit is None or unit.kind != Role.GUIDANCE_UNIT:
        raise WorkflowError(_("请选择市级牵头指导单位。"), field="unit", status=400)

    def apply(locked):
        previous = locked.guidance_unit
        if previous is not None and previous.pk == unit.pk:
            raise WorkflowError(_("该单位已是本试点的牵头指导单位。"), field="unit", status=400)
        # Who guides the pilot: the acting assignment (who takes the guidance unit's steps, its work items) and
        # the field that lists filter on and ``visible_to`` reads, changed together.
        workitems.end_assignment(locked, actor=actor, role=Role.GUIDANCE_UNIT)
        workitems.assign(locked, role=Role.GUIDANCE_UNIT, unit=unit, purpose="guidance", actor=actor)
        locked.guidance_unit = unit
        return {
            "from": previous.pk if previous else None,
            "from_name": previous.name if previous else "",
            "to": unit.pk,
            "to_name": unit.name,
        }

    with transaction.atomic():
        changed = change(
            pilot,
            "guidance_unit_assigned",
            actor=actor,
            apply=apply,
            permission="pilots.assign_guidance_unit",
            role=Role.REFORM_OFFICE,
            comment=comment,
            states=Pilot.RUNNING,
            state_message=_("试点已结束，不能再调整牵头指导单位。"),
        )
        log = TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Pilot),
            object_id=changed.pk,
            action="pilot.guidance_unit_assigned",
        ).latest("id")
        notify(changed, log, exclude=actor)
    return changed
