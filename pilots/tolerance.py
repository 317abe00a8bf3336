"""容错免责 (seed 一（二）: 允许试错、包容失败、及时纠错): the committee marks a pilot that was terminated or whose
evaluation failed (不合格) as 容错免责, with its reason and meeting. The mark is an audited edit of the pilot
(``workflow.services.change``), not a stage: the pilot page shows it, the dashboard keeps the pilot out of its
negative figures (reports.dashboard.figures), and the bonus ledger is never touched."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from pilots.models import Pilot
from pilots.outcomes import evaluation_outcome
from workflow.engine.errors import WorkflowError
from workflow.models import TransitionLog
from workflow.services import change, notify


def may_be_tolerated(pilot):
    """A terminated pilot, or one whose completed evaluation failed (不合格), not marked yet."""
    if pilot.is_tolerated:
        return False
    if pilot.status == Pilot.Status.TERMINATED:
        return True
    outcome = evaluation_outcome(pilot)
    return outcome is not None and outcome.failed


def mark_tolerance(*, actor, pilot, reason, meeting_ref, expected_state=None):
    """The committee's 容错免责 mark: refused without a reason or a meeting reference, on a pilot that neither was
    terminated nor failed its evaluation, and a second time (each refusal a 400 with its reason)."""
    reason, meeting_ref = (reason or "").strip(), (meeting_ref or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("请填写容错免责的理由。")]
    if not meeting_ref:
        errors["meeting_ref"] = [_("请填写会议届次（例如：市委改革委第3次会议）。")]
    if errors:
        raise WorkflowError(next(iter(errors.values()))[0], errors=errors, status=400)

    def apply(locked):
        if locked.is_tolerated:
            raise WorkflowError(_("该试点已认定容错免责。"), status=400)
        if not may_be_tolerated(locked):
            raise WorkflowError(
                _("只有已终止或评估不合格的试点可以认定容错免责（当前阶段“%(state)s”）。")
                % {"state": locked.get_status_display()},
                status=400,
            )
        locked.tolerated_at = timezone.now()
        locked.tolerance_reason, locked.tolerance_meeting_ref = reason, meeting_ref
        return {"meeting_ref": meeting_ref}

    with transaction.atomic():
        changed = change(
            pilot,
            "tolerance_marked",
            actor=actor,
            apply=apply,
            permission="pilots.mark_tolerance",
            denied=_("只有市委改革委可以认定容错免责。"),
            role=Role.COMMITTEE,
            comment=reason,
            expected_state=expected_state,
        )
        log = TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Pilot), object_id=changed.pk, action="pilot.tolerance_marked"
        ).latest("id")
        notify(changed, log, exclude=actor)  # the county and the guidance unit hear of it
    return changed
