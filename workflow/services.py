"""The one path for every state change: lock, check, transition, save, log, version, notify (outbox)."""

import logging

import rules
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.roles import memberships

from . import audit_chain
from .errors import WorkflowError, rule_violation
from .models import SYSTEM_ROLE, Attachment, Notification, TransitionLog, Version
from .request_context import with_request_id
from .workitems import sync_items, synced_by_caller

logger = logging.getLogger(__name__)


def state_label(obj, state=None):
    field = obj._meta.get_field("status")
    value = obj.status if state is None else state
    return dict(field.flatchoices).get(value, value)


def transitions_of(model_or_obj, name):
    """All django-fsm Transition objects of one transition method (one per source state)."""
    method = getattr(model_or_obj, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        return []
    return list(meta.transitions.values())


def transition_label(model_or_obj, name):
    for t in transitions_of(model_or_obj, name):
        return t.custom.get("label", name)
    return name


def all_transitions(model):
    """Every distinct transition of a model: (name, Transition for each source) in definition order."""
    field = model._meta.get_field("status")
    seen = {}
    for t in field.get_all_transitions(model):
        seen.setdefault(t.name, []).append(t)
    return seen


def current_transition(obj, name):
    method = getattr(obj, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None or not meta.has_transition(obj.status):
        return None
    return meta.get_transition(obj.status)


def transition_role(obj, t):
    """The role that takes transition ``t`` on ``obj`` (fixed, or read from the object, e.g. an opinion's)."""
    attr = t.custom.get("role_attr")
    return getattr(obj, attr) if attr else t.custom.get("role", "")


def may_act(obj, name, user):
    """True if the user's role may take this transition on this object at all (state aside)."""
    ts = transitions_of(obj, name)
    return bool(ts) and ts[0].has_perm(obj, user)


def leaves(t, state):
    """True if transition ``t`` can start from ``state`` ("*" = any state, "+" = any other state)."""
    return t.source in (state, "*") or (t.source == "+" and t.target != state)


def unmet_condition(obj, transition):
    for cond in transition.conditions:
        if not cond(obj):
            return getattr(cond, "message", _("当前条件下不能执行此操作。"))
    return None


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
    """The user may take ``t`` as deputy of an absent colleague who holds its item (代理, ``workflow.deputies``)."""
    from .deputies import represented

    return represented(obj, t.name, user, lambda absent: t.has_perm(obj, absent)) is not None


def acting_unit(obj, user, role):
    """The unit in which the user acts for this record (the record's own unit where it has one)."""
    candidates = {u.pk for u in obj.units_for_role(role)}
    fallback = None
    for m in memberships(user):
        if m.role != role:
            continue
        if m.unit_id in candidates:
            return m.unit
        fallback = fallback or m.unit
    return fallback


def stale_message(obj):
    return _("该记录已被其他用户处理，当前状态为“%(state)s”，您的操作未执行。请刷新页面查看最新情况。") % {
        "state": state_label(obj)
    }


def freeze_version(obj, actor):
    """Store the current content of ``obj`` as its next numbered version."""
    ct = ContentType.objects.get_for_model(obj)
    last = Version.objects.filter(content_type=ct, object_id=obj.pk).order_by("-number").first()
    return Version.objects.create(
        content_type=ct,
        object_id=obj.pk,
        number=(last.number + 1 if last else 1),
        data=obj.version_data(),
        created_by=actor,
    )


def save_attachments(obj, files, *, actor, log=None, description=""):
    from .files import validate_upload

    ct = ContentType.objects.get_for_model(obj)
    saved = []
    for f in files:
        kind = validate_upload(f)
        saved.append(
            Attachment.objects.create(
                content_type=ct,
                object_id=obj.pk,
                log=log,
                file=f,
                original_name=f.name[:200],
                size=f.size,
                kind=kind,
                uploaded_by=actor,
                description=description,
            )
        )
    return saved


def record(
    obj,
    action,
    *,
    actor,
    role,
    unit=None,
    comment="",
    from_state="",
    to_state="",
    details=None,
    version=None,
    on_behalf_of=None,
):
    """Append one audit row. Transitions call it through ``perform``; audited non-transitions call it directly.
    ``on_behalf_of``: the absent colleague a deputy acted for (代理)."""
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        role=role,
        unit=unit,
        comment=comment,
        from_state=from_state,
        to_state=to_state,
        details=with_request_id(details),  # the request id links the row to the request log (issue 15)
        version=version,
    )


def record_many(entries, *, actor, role, unit=None):
    """Append one audit row per ``(obj, action, details)`` of ``entries``, in order, as one batch of the chain
    (``audit_chain.append_many``: one head lock and one insert): for jobs that log many rows at once."""
    rows = [
        TransitionLog(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            action=action,
            actor=actor,
            role=role,
            unit=unit,
            details=with_request_id(details),
        )
        for obj, action, details in entries
    ]
    return audit_chain.append_many(rows)


def next_actors(obj):
    """Users the record now waits on, read from its open work items (``workflow.workitems``): the same rows
    我的待办 shows, so who is told and who has the task never disagree."""
    from .workitems import next_actor_users

    return next_actor_users(obj)


def email_status_for(user):
    """Each user chooses: an e-mail per notification, a daily digest, or none (in-app only)."""
    S = Notification.EmailStatus
    if not user.email or user.email_mode == user.EmailMode.NONE:
        return S.SKIPPED
    return S.DIGEST if user.email_mode == user.EmailMode.DIGEST else S.PENDING


def notify(obj, log, *, exclude=None):
    """Write notification rows (the outbox) now; deliver e-mail after commit."""
    recipients = {u.pk: u for u in next_actors(obj)}
    for u in obj.watchers():
        recipients.setdefault(u.pk, u)
    if exclude is not None:
        recipients.pop(exclude.pk, None)
    if not recipients:
        return []
    url = obj.get_absolute_url()
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, log=log, url=url, email_status=email_status_for(u)) for u in recipients.values()]
    )
    ids = [n.pk for n in rows if n.pk] or list(Notification.objects.filter(log=log).values_list("pk", flat=True))
    transaction.on_commit(lambda: _enqueue_delivery(ids), robust=True)
    return rows


def _enqueue_delivery(ids):
    from .tasks import deliver_notifications

    try:
        deliver_notifications.apply_async(args=[ids], retry=False)
    except Exception:  # broker down: the rows stay pending and the periodic sweep delivers them later
        logger.warning("notification delivery not queued; the sweep will pick up %s", ids, exc_info=True)


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
    acting for them (``workflow.deputies.principal_for``); a record returned to a chosen step comes back to the
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
        principal = actor
        if not system:
            from .deputies import principal_for

            principal = principal_for(locked, name, actor)
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
        from . import conventions

        returned = conventions.returned_to(locked, from_state, name)  # 退回到指定步骤: back to the returner
        try:
            with synced_by_caller(locked), transaction.atomic():  # its work items are synced below, with the log row
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
            conventions.name_the_returner(locked, role, returned, actor=actor)
        sync_items(locked, log=log, actor=None if system else actor, reset=True)
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
    ``workflow.registry`` (``EXTRA_LABELS``). ``files`` are saved as attachments, on the log row unless
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
                with synced_by_caller(locked), transaction.atomic():  # synced below, with the log row
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
        sync_items(locked, log=log, actor=actor)
    return locked
