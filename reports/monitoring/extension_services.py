"""Every change to an extension request: apply, withdraw, ask opinions, refuse or forward, decide (approval moves
the pilot's term)."""

import calendar

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from pilots.services import extend_term
from reports.monitoring.extensions import EXTENSION_OPINION, ExtensionRequest, opinions_in, someone_to_ask, units_to_ask
from reports.monitoring.services import REPORTING
from workflow.conventions.opinions import cancel_open, opinion_request
from workflow.engine.errors import WorkflowError
from workflow.inbox.workitems import sync
from workflow.services import notify, perform, record


def add_months(day, months):
    """The same day ``months`` later; the month's last day where it is shorter (31 August + 6 → 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def latest_new_end(term_end):
    """The latest end date one extension may ask for: EXTENSION_MAX_MONTHS after the current end."""
    return add_months(term_end, settings.EXTENSION_MAX_MONTHS)


def apply_extension(*, actor, pilot, reason, reason_text, new_end):
    """The county applies (改革任务复杂 / 改革形势有新变化, with text) for a later end date."""
    if not rules.has_perm("reports.apply_extension", actor, pilot):
        raise PermissionDenied(_("只有试点县（市、区）可以申请延期。"))
    if pilot.status not in REPORTING or pilot.term_end is None:
        raise WorkflowError(_("只有正在实施的试点可以申请延期。"), status=400)
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
    latest = latest_new_end(pilot.term_end)
    if new_end > latest:
        raise WorkflowError(
            _("一次延期最长%(months)s个月：申请延至的日期不能晚于%(latest)s。")
            % {"months": settings.EXTENSION_MAX_MONTHS, "latest": latest.isoformat()},
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
        raise WorkflowError(_("本试点已有正在办理的延期申请。"), status=400) from None
    return ext


def _check_rule(extension, expected_state, rule):
    """A transition's condition said as a rule refusal (400) before the transition, when the page showed the
    record's current state (a stale page is ``perform``'s 409). ``perform`` checks it again under the lock."""
    if expected_state in (None, "", extension.status) and not rule(extension):
        raise WorkflowError(str(rule.message), status=400)


def consult(*, actor, extension, comment="", expected_state=None, due=None, name="consult"):
    """The office asks the pilot's special group and guidance unit for their opinions (the core's opinions); while
    consulting (``consult_again``), only a unit still to ask (its request cancelled, or a new guidance unit)."""
    if name not in {"consult", "consult_again"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    if not rules.has_perm("reports.review_extension", actor, extension):
        raise PermissionDenied(_("只有市委改革办可以审核延期申请。"))
    if extension.status in (ExtensionRequest.Status.SUBMITTED, ExtensionRequest.Status.CONSULTING):
        _check_rule(extension, expected_state, someone_to_ask)

    def ask(locked, log):
        opinion_request(target=locked, invitees=units_to_ask(locked), purpose=EXTENSION_OPINION, actor=actor, due=due)

    return perform(extension, name, actor=actor, comment=comment, expected_state=expected_state, after=ask)


def review(*, actor, extension, name, comment="", expected_state=None):
    """The office's 审核 once the special group and the guidance unit have answered: refuse with a reason (the
    request ends, the county reads why and may apply again) or pass it to the committee."""
    if name not in {"refuse", "forward"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    if not rules.has_perm("reports.review_extension", actor, extension):
        raise PermissionDenied(_("只有市委改革办可以审核延期申请。"))
    if extension.status == ExtensionRequest.Status.CONSULTING:
        _check_rule(extension, expected_state, opinions_in)
    return perform(extension, name, actor=actor, comment=comment, expected_state=expected_state)


def _cancel_open_opinions(locked, log):
    """The units asked no longer answer on a withdrawn request: their open requests end (as the system, since
    the county did not ask them), and with them their 我的待办 items."""
    cancel_open(
        target=locked,
        actor=None,
        comment=_("延期申请已由试点县（市、区）撤回，无需再提出意见。"),
        purpose=EXTENSION_OPINION,
        system=True,
        details={"cause": {"log": log.pk, "action": log.action}},
    )


def withdraw(*, actor, extension, comment="", expected_state=None):
    """The county withdraws its pending request (before the committee's decision); it may apply again."""
    return perform(
        extension,
        "withdraw",
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        after=_cancel_open_opinions,
    )


# Who may take each decision: the committee itself, or the office recording it on the committee's behalf (代为录入).
DECISIONS = {
    "approve": "reports.decide_extension",
    "reject": "reports.decide_extension",
    "approve_on_behalf": "reports.record_extension",
    "reject_on_behalf": "reports.record_extension",
}


def decide(*, actor, extension, name, meeting_ref="", comment="", expected_state=None):
    """The committee's decision, citing its meeting (or the office's record of it). Approval extends the pilot's
    term through pilots' service in the same transaction, keeps old and new end dates here, and adds the report
    quarters."""
    if name not in DECISIONS:
        raise WorkflowError(_("没有这个操作。"), status=400)
    if not rules.has_perm(DECISIONS[name], actor, extension):
        raise PermissionDenied(_("只有市委改革委可以决定是否同意延期（市委改革办可代为录入）。"))
    meeting_ref = (meeting_ref or "").strip()
    if not meeting_ref:
        raise WorkflowError(_("请填写会议届次（例如：市委改革委第3次会议）。"), field="meeting_ref", status=400)
    details = {"meeting_ref": meeting_ref}
    if name.endswith("_on_behalf"):
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


#: Every button of the request page, for the view (anything else is a 404).
ACTIONS = {"consult", "consult_again", "refuse", "forward", "withdraw", *DECISIONS}


def act(*, actor, extension, name, comment="", expected_state=None, meeting_ref=""):
    """A button's transition name, to its service (the view's one entry point)."""
    if name in {"consult", "consult_again"}:
        return consult(actor=actor, extension=extension, comment=comment, expected_state=expected_state, name=name)
    if name in {"refuse", "forward"}:
        return review(actor=actor, extension=extension, name=name, comment=comment, expected_state=expected_state)
    if name == "withdraw":
        return withdraw(actor=actor, extension=extension, comment=comment, expected_state=expected_state)
    return decide(
        actor=actor,
        extension=extension,
        name=name,
        meeting_ref=meeting_ref,
        comment=comment,
        expected_state=expected_state,
    )
