"""The one door for every change of a workflow record (``perform`` for transitions, ``change`` for edits that are
not), in one database transaction: lock, check, transition, save, log row (and version, attachments), the record's
work items synced (``workflow.inbox.workitems.sync_items``), the next actors told (the outbox); and
``available_actions``, what a user may do now. Imports the engine and the inbox, never the conventions or the ui."""

import logging

import rules
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from .engine.errors import WorkflowError, rule_violation
from .engine.log import acting_unit, freeze_version, record, save_attachments
from .engine.models import SYSTEM_ROLE, Attachment
from .engine.outbox import tell
from .engine.transitions import (
    current_transition,
    leaves,
    stale_message,
    state_label,
    transition_role,
    transitions_of,
    unmet_condition,
)
from .inbox.deputies import principal_for, represented
from .inbox.workitems import next_actor_users, sync_items

logger = logging.getLogger(__name__)


def available_actions(obj, user):
    """Transitions this user may take now: state allows, conditions hold, permission granted."""
    field = obj._meta.get_field("status")
    result = []
    for t in field.get_all_transitions(type(obj)):
        if not leaves(t, obj.status) or t.name in {a.name for a in result}:
            continue
        if t.conditions and unmet_condition(obj, t):
            continue
        if t.has_perm(obj, user) or _as_deputy(obj, t, user):
            result.append(t)
    return result


def _as_deputy(obj, t, user):
    """The user may take ``t`` as deputy of an absent colleague who holds its item (代理,
    ``workflow.inbox.deputies``)."""
    return represented(obj, t.name, user, lambda absent: t.has_perm(obj, absent)) is not None


def next_actors(obj):
    """Users the record now waits on, read from its open work items (``workflow.inbox.workitems``): the same rows
    我的待办 shows, so who is told and who has the task never disagree."""
    return next_actor_users(obj)


def notify(obj, log, *, exclude=None):
    """Write notification rows (the outbox) now; deliver e-mail after commit."""
    recipients = {u.pk: u for u in next_actors(obj)}
    for u in obj.watchers():
        recipients.setdefault(u.pk, u)
    if exclude is not None:
        recipients.pop(exclude.pk, None)
    if not recipients:
        return []
    return tell(recipients.values(), log, obj.get_absolute_url())


def perform(
    obj,
    name,
    *,
    actor,
    comment="",
    expected_state=None,
    files=(),
    params=None,
    before=None,
    after=None,
    freeze=False,
    system=False,
    details=None,
):
    """Run transition ``name`` on ``obj`` for ``actor`` and return the fresh, saved object.

    Raises PermissionDenied (403) when the actor's role may not take this transition, and WorkflowError
    (4xx, Chinese message) for a stale page, a state that does not allow it, an unmet rule or a missing
    reason. ``before(obj)`` runs after the checks and may raise WorkflowError; ``after(obj, log)`` runs
    after the log row, in the same database transaction. ``details`` (JSON) go into the log row, e.g. the
    record that caused a system transition or who recorded a decision on whose behalf.

    A deputy (代理) acting for an absent colleague is checked with the colleague's rights only and logged as
    acting for them (``workflow.inbox.deputies.principal_for``); a record returned to a chosen step comes back to the
    reviewer who returned it, by name, when that step is taken again (``workflow.conventions.returned_to``).
    """
    model = type(obj)
    comment = (comment or "").strip()
    ts = transitions_of(model, name)
    if not ts:
        raise WorkflowError(_("没有这个操作。"), status=400)
    with transaction.atomic():
        try:
            locked = model.objects.select_for_update().get(pk=obj.pk)
        except model.DoesNotExist:
            raise WorkflowError(_("记录不存在或已被删除。"), status=404) from None
        principal = actor if system else principal_for(locked, name, actor)
        if not system and not ts[0].has_perm(locked, principal):
            raise PermissionDenied(_("您没有权限执行“%(action)s”操作。") % {"action": ts[0].custom.get("label", name)})
        if expected_state and locked.status != expected_state:
            raise WorkflowError(stale_message(locked))
        t = current_transition(locked, name)
        if t is None:
            raise WorkflowError(
                _("当前状态“%(state)s”下不能执行“%(action)s”。")
                % {"state": state_label(locked), "action": ts[0].custom.get("label", name)}
            )
        if not t.has_perm(locked, principal) and not system:
            raise PermissionDenied(_("您没有权限执行“%(action)s”操作。") % {"action": t.custom.get("label", name)})
        if t.custom.get("needs_reason") and not comment:
            raise WorkflowError(_("请填写理由：退回或不同意时必须说明原因。"), field="comment", status=400)
        message = unmet_condition(locked, t)
        if message:
            raise WorkflowError(message)
        if before is not None:
            before(locked)
        from_state = locked.status
        getattr(locked, name)(**(params or {}))
        # 退回到指定步骤: a step taken again after a return goes back to the returner (a no-op unless the model
        # declares the convention: ``workflow.conventions.approval.Conventions``).
        returned = locked.returned_to(from_state, name)
        try:
            with transaction.atomic():
                locked.save()
        except ConcurrentTransition:
            raise WorkflowError(stale_message(model.objects.get(pk=obj.pk))) from None
        except IntegrityError as exc:
            raise (rule_violation(exc) or exc) from None
        version = freeze_version(locked, actor) if freeze else None
        role = SYSTEM_ROLE if system else transition_role(locked, t)
        log = record(
            locked,
            f"{model.workflow_key}.{name}",
            actor=None if system else actor,
            role=role,
            unit=None if system else acting_unit(locked, principal, role),
            comment=comment,
            from_state=from_state,
            to_state=locked.status,
            version=version,
            details=details,
            on_behalf_of=None if system or principal == actor else principal,
        )
        if files:
            save_attachments(locked, files, actor=actor, log=log)
        if after is not None:
            after(locked, log)
        if not system:
            locked.name_the_returner(role, returned, actor=actor)
        sync_items(locked, log=log, actor=None if system else actor, reset=True)  # who it waits on now
        notify(locked, log, exclude=None if system else actor)
    return locked


def _may(permission, obj, actor):
    if callable(permission):
        return bool(permission(obj, actor))
    return bool(actor and actor.is_authenticated and rules.has_perm(permission, actor, obj))


def change(
    obj,
    action,
    *,
    actor,
    apply,
    permission,
    role,
    comment="",
    freeze=False,
    expected_state=None,
    states=None,
    state_message=None,
    denied=None,
    files=(),
    files_on_log=True,
    details=None,
    save=True,
):
    """The one path for an edit that is not a transition (save a draft, delete an attachment, edit a task list,
    enter scores): the same row lock, permission check, stale check, log row, optional version and work-item
    re-sync as ``perform``, without a state change. Returns the fresh, saved object.

    ``apply(locked)`` makes the edit on the locked row (it may raise WorkflowError; a dict it returns is added to
    the log row's details). ``permission`` is a ``rules`` permission name or ``fn(obj, user)``; refused → 403
    (message ``denied``). ``states``: the states in which the edit is allowed (409 otherwise, message
    ``state_message`` with ``%(state)s``). The log action
    is ``"<workflow_key>.<action>"`` with ``from_state == to_state``; its sentence comes from
    ``workflow.engine.registry`` (``EXTRA_LABELS``). ``files`` are saved as attachments, on the log row unless
    ``files_on_log=False`` (a draft's files stay removable until it is submitted)."""
    model = type(obj)
    comment = (comment or "").strip()
    with transaction.atomic():
        try:
            locked = model.objects.select_for_update().get(pk=obj.pk)
        except model.DoesNotExist:
            raise WorkflowError(_("记录不存在或已被删除。"), status=404) from None
        if not _may(permission, locked, actor):
            raise PermissionDenied(denied or _("您没有权限执行此操作。"))
        if expected_state and locked.status != expected_state:
            raise WorkflowError(stale_message(locked))
        if states is not None and locked.status not in states:
            message = state_message or _("当前状态“%(state)s”下不能修改。")
            raise WorkflowError(message % {"state": state_label(locked)})
        extra = apply(locked) or {}
        if save:
            try:
                with transaction.atomic():
                    locked.save()
            except IntegrityError as exc:
                raise (rule_violation(exc) or exc) from None
        version = freeze_version(locked, actor) if freeze else None
        log = record(
            locked,
            f"{model.workflow_key}.{action}",
            actor=actor,
            role=role,
            unit=acting_unit(locked, actor, role),
            comment=comment,
            from_state=locked.status,
            to_state=locked.status,
            details={**(details or {}), **extra, **({"files": [f.name[:200] for f in files]} if files else {})},
            version=version,
        )
        if files:
            save_attachments(locked, files, actor=actor, log=log if files_on_log else None)
        sync_items(locked, log=log, actor=actor)  # who it waits on now
    return locked


def remove_draft_attachment(obj, attachment_id, *, actor, missing, since=None, **change_options):
    """Delete one file the record's author uploaded and has not yet handed on: an attachment of the record itself,
    not on a log row (files submitted with a step are kept), and, where ``since(locked)`` gives a time, uploaded
    after it. Not found (or already handed on) → 404 with ``missing``. The rest is ``change``'s: the permission,
    the states, the log row "attachment_removed" naming the file."""

    def apply(locked):
        files = Attachment.objects.filter(
            pk=attachment_id,
            content_type=ContentType.objects.get_for_model(type(locked)),
            object_id=locked.pk,
            log__isnull=True,
        )
        after = since(locked) if since else None
        if after is not None:
            files = files.filter(created_at__gt=after)
        attachment = files.first()
        if attachment is None:
            raise WorkflowError(missing, status=404)
        name = attachment.original_name
        attachment.delete()
        return {"file": name}

    return change(obj, "attachment_removed", actor=actor, apply=apply, **change_options)
