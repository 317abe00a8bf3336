"""Changes to batches, candidates and pilots; every status change goes through workflow.services.perform."""

import rules
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import units
from workflow.errors import WorkflowError
from workflow.services import notify, perform, record

from .models import Batch, Candidate, Pilot


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
        record(
            locked,
            "batch.updated",
            actor=actor,
            role=Role.REFORM_OFFICE,
            unit=_office_unit(actor),
            details={"fields": sorted(data)},
        )
    return locked


def batch_act(*, actor, batch, name, comment="", expected_state=None):
    if name not in {"open", "close", "decide"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    return perform(batch, name, actor=actor, comment=comment, expected_state=expected_state)


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
    except IntegrityError:
        raise WorkflowError(_("该县（市、区）已有正在开展的集成改革试点，不能再确定新的试点。")) from None
    record(
        pilot,
        "pilot.created",
        actor=log.actor,
        role=log.role,
        unit=log.unit,
        to_state=pilot.status,
        details={"application": application.pk, "meeting_ref": application.meeting_ref},
    )
    return pilot
