"""Every change to an extension request: apply, ask opinions, forward, decide (approval moves the pilot's term)."""

import rules
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from pilots.services import extend_term
from reports.monitoring.extensions import EXTENSION_OPINION, ExtensionRequest
from reports.monitoring.services import REPORTING
from workflow.conventions.opinions import opinion_request
from workflow.engine.errors import WorkflowError
from workflow.inbox.workitems import sync
from workflow.services import notify, perform, record


def apply_extension(*, actor, pilot, reason, reason_text, new_end):
    """The county applies (改革任务复杂 / 改革形势有新变化, with text) for a later end date."""
    if not rules.has_perm("reports.apply_extension", actor, pilot):
        raise PermissionDenied(_("只有试点县（市、区）可以申请延期。"))
    if pilot.status not in REPORTING or pilot.term_end is None:
        raise WorkflowError(_("只有正在实施的试点可以申请延期。"))
    if reason not in ExtensionRequest.Reason.values:
        raise WorkflowError(_("请选择延期原因。"), field="reason", status=400)
    if not (reason_text or "").strip():
        raise WorkflowError(_("请具体说明延期原因。"), field="reason_text", status=400)
    if new_end is None or new_end <= pilot.term_end:
        raise WorkflowError(
            _("延期后的期满日期须晚于当前期满日期（%(end)s）。") % {"end": pilot.term_end.isoformat()},
            field="new_end",
            status=400,
        )
    try:
        with transaction.atomic():
            ext = ExtensionRequest.objects.create(
                pilot=pilot,
                county_id=pilot.county_id,
                reason=reason,
                reason_text=reason_text.strip(),
                old_end=pilot.term_end,
                new_end=new_end,
                requested_by=actor,
            )
            sync(ext)  # its work items (no signal does it)
            log = record(
                ext,
                "extension.created",
                actor=actor,
                role=Role.COUNTY,
                unit=pilot.county,
                to_state=ext.status,
                details={"old_end": ext.old_end.isoformat(), "new_end": new_end.isoformat()},
            )
            notify(ext, log, exclude=actor)
    except IntegrityError:
        raise WorkflowError(_("本试点已有正在办理的延期申请。")) from None
    return ext


def consult(*, actor, extension, comment="", expected_state=None, due=None):
    """The office asks the pilot's special group and guidance unit for their opinions (the core's opinions)."""

    def ask(locked, log):
        pilot = locked.pilot
        invitees = [pilot.special_group] + ([pilot.guidance_unit] if pilot.guidance_unit_id else [])
        opinion_request(target=locked, invitees=invitees, purpose=EXTENSION_OPINION, actor=actor, due=due)

    return perform(extension, "consult", actor=actor, comment=comment, expected_state=expected_state, after=ask)


DECISIONS = {"approve", "reject", "approve_on_behalf", "reject_on_behalf"}


def decide(*, actor, extension, name, meeting_ref="", comment="", expected_state=None):
    """The committee's decision (or the office's record of it). Approval extends the pilot's term through pilots'
    service in the same transaction, keeps old and new end dates here, and adds the report quarters."""
    if name not in DECISIONS:
        raise WorkflowError(_("没有这个操作。"), status=400)
    meeting_ref = (meeting_ref or "").strip()
    details = {"meeting_ref": meeting_ref} if meeting_ref else {}
    if name.endswith("_on_behalf"):
        if not meeting_ref:
            raise WorkflowError(_("代为录入时请填写会议届次。"), field="meeting_ref", status=400)
        details.update(on_behalf_of=Role.COMMITTEE, recorded_by=actor.pk)

    def moved(locked, log):
        extend_term(locked.pilot, new_end=locked.new_end, cause_log=log)  # and its reports (on_term_set)

    return perform(
        extension,
        name,
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        params={"meeting_ref": meeting_ref},
        after=moved if name.startswith("approve") else None,
        details=details,
    )


def act(*, actor, extension, name, comment="", expected_state=None, meeting_ref=""):
    if name == "consult":
        return consult(actor=actor, extension=extension, comment=comment, expected_state=expected_state)
    if name == "forward":
        return perform(extension, "forward", actor=actor, comment=comment, expected_state=expected_state)
    return decide(
        actor=actor,
        extension=extension,
        name=name,
        meeting_ref=meeting_ref,
        comment=comment,
        expected_state=expected_state,
    )
