"""Opinions on any record: the purposes (each with its own verdict choices) and the services that ask, answer
and cancel. Every step is an Opinion transition through ``workflow.services.perform`` (lock, permission,
stale check, log, notifications)."""

from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from accounts.roles import memberships

from ..engine.errors import WorkflowError
from ..inbox.workitems import assign, end_assignment
from ..services import perform
from .models import Opinion
from .purposes import get_purpose

# --- reading -------------------------------------------------------------------------------------


def opinions_for(target, purpose=None):
    """The opinions asked on ``target`` (cached on it; ``prefetch_opinions`` fills the cache for lists)."""
    cached = getattr(target, "_opinions_cache", None)
    if cached is None:
        cached = list(Opinion.objects.for_object(target).select_related("unit", "user", "given_by"))
        target._opinions_cache = cached
    return [o for o in cached if purpose is None or o.purpose == purpose]


def prefetch_opinions(targets):
    """One query for the opinions of many records of one model, so N records cost no N queries."""
    targets = list(targets)
    if not targets:
        return targets
    ct = ContentType.objects.get_for_model(targets[0])
    by_id = {}
    rows = Opinion.objects.filter(content_type=ct, object_id__in=[t.pk for t in targets])
    for o in rows.select_related("unit", "user", "given_by"):
        by_id.setdefault(o.object_id, []).append(o)
    for t in targets:
        t._opinions_cache = by_id.get(t.pk, [])
    return targets


def all_answered(target, purpose=None):
    """True when opinions were asked and every request not cancelled has its answer (a transition's rule)."""
    live = [o for o in opinions_for(target, purpose) if o.status != Opinion.Status.CANCELLED]
    return bool(live) and all(o.status == Opinion.Status.GIVEN for o in live)


# --- services ------------------------------------------------------------------------------------


def _due_at(due):
    if due is None or isinstance(due, datetime):
        return due
    if isinstance(due, timedelta):
        return timezone.now() + due
    if isinstance(due, date):
        return timezone.make_aware(datetime.combine(due, time(23, 59)))
    raise TypeError("due must be a datetime, a date, a timedelta or None")


def _requester(actor, target, spec, role):
    """The role and unit in which ``actor`` asks: the given role, else the purpose's first role they hold."""
    held = [m for m in memberships(actor) if (m.role == role if role else m.role in spec.requester_roles)]
    if spec.requester_roles and role and role not in spec.requester_roles:
        held = []
    if not held:
        raise PermissionDenied(_("您没有权限征求“%(purpose)s”意见。") % {"purpose": spec.label})
    own = {u.pk for u in target.units_for_role(held[0].role)} if hasattr(target, "units_for_role") else set()
    chosen = next((m for m in held if m.unit_id in own), held[0])
    return chosen.role, chosen.unit


def _invitee_fields(invitee, spec):
    if isinstance(invitee, tuple):
        unit, role = invitee
        return {"unit": unit, "role": role}
    if isinstance(invitee, Unit):
        if not invitee.is_active:
            raise WorkflowError(_("单位“%(name)s”已停用，不能征求其意见。") % {"name": invitee.name}, status=400)
        return {"unit": invitee, "role": spec.role_for_invitee(invitee)}
    if isinstance(invitee, User):
        if not invitee.is_active:
            raise WorkflowError(
                _("用户“%(name)s”已停用，不能征求其意见。") % {"name": invitee.display_name}, status=400
            )
        return {"user": invitee, "role": spec.role_for_invitee(invitee)}
    raise TypeError("an invitee is a Unit, a User or a (Unit, role) pair")


def opinion_request(*, target, invitees, purpose, actor, due=None, role=None, comment=""):
    """Ask each invitee (a unit, a (unit, role) pair or a named person) for an opinion on ``target``.

    Returns the new pending opinions. Each request is a logged transition of its own Opinion, so the invitee
    is told, the asking unit hears of the answer and may cancel. Runs inside the caller's transaction when
    called from another transition (e.g. an application's request for the special group's opinion).
    """
    spec = get_purpose(purpose)
    invitees = list(invitees)
    if not invitees:
        raise WorkflowError(_("请选择被征求意见单位或人员。"), field="invitees", status=400)
    req_role, req_unit = _requester(actor, target, spec, role)
    due_at = _due_at(due)
    if due_at is not None and due_at <= timezone.now():
        raise WorkflowError(_("答复期限必须晚于现在。"), field="due", status=400)
    ct = ContentType.objects.get_for_model(target)
    comment = (comment or "").strip()
    created = []
    with transaction.atomic():
        for invitee in invitees:
            fields = _invitee_fields(invitee, spec)
            name = fields["user"].display_name if "user" in fields else fields["unit"].name
            try:
                with transaction.atomic():
                    opinion = Opinion.objects.create(
                        content_type=ct,
                        object_id=target.pk,
                        purpose=spec.key,
                        status=Opinion.Status.NEW,
                        requested_by=actor,
                        requested_unit=req_unit,
                        requested_role=req_role,
                        due_at=due_at,
                        **fields,
                    )
            except IntegrityError:
                raise WorkflowError(
                    _("已向“%(name)s”征求过意见，尚未答复，不能重复征求。") % {"name": name},
                    field="invitees",
                    status=409,
                ) from None
            lines = [_("被征求意见：%(name)s") % {"name": name}]
            if due_at is not None:
                due_text = date_format(timezone.localtime(due_at), "DATE_FORMAT")
                lines.append(_("答复期限：%(due)s") % {"due": due_text})
            if comment:
                lines.append(comment)
            created.append(perform(opinion, "request", actor=actor, comment="\n".join(lines), after=_grant_read))
    return created


def _access_key(opinion):
    return f"opinion:{opinion.pk}"


def _grant_read(opinion, log):
    """While invited, the invitee reads the record asked about and its attachments (a reading assignment, not
    an acting one). An answer keeps it (the invitee goes on reading the record its answer belongs to); a
    cancellation ends it."""
    assign(
        opinion.target,
        role=opinion.role,
        unit=opinion.unit,
        user=opinion.user,
        purpose=_access_key(opinion),
        acts=False,
        actor=log.actor,
    )


def _end_read(opinion, log):
    end_assignment(opinion.target, purpose=_access_key(opinion), actor=log.actor)


def opinion_give(*, actor, opinion, verdict, text, expected_state=None, files=(), extra=None):
    """The invitee answers with one of the purpose's verdicts and a text (optionally with attachments, and the
    values of the purpose's own fields in ``extra``, handed to its ``on_given`` in the same transaction)."""
    spec = get_purpose(opinion.purpose)
    text = (text or "").strip()

    def check(locked):
        errors = {}
        if verdict not in spec.verdict_keys:
            errors["verdict"] = [_("请选择意见。")]
        if not text:
            errors["text"] = [_("请填写意见说明。")]
        if errors:
            raise WorkflowError(next(iter(errors.values()))[0], errors=errors, status=400)

    label = spec.verdict_label(verdict) if verdict in spec.verdict_keys else ""
    return perform(
        opinion,
        "give",
        actor=actor,
        comment=f"{label}。{text}" if label else text,
        expected_state=expected_state,
        before=check,
        files=files,
        params={"verdict": verdict, "text": text, "user": actor},
        after=(lambda locked, log: spec.on_given(locked, extra or {}, log)) if spec.on_given else None,
    )


def opinion_cancel(*, actor, opinion, comment, expected_state=None, system=False, details=None):
    """The asking unit withdraws a request not yet answered (a reason is required). With ``system=True`` the
    system withdraws it because the record asked about ended by someone else's step (``details`` name it)."""
    return perform(
        opinion,
        "cancel",
        actor=None if system else actor,
        comment=comment,
        expected_state=expected_state,
        after=_end_read,
        system=system,
        details=details,
    )


def cancel_open(*, target, actor, comment, purpose=None, system=False, details=None):
    """Withdraw every open request on ``target`` (e.g. when the record is returned during consultation); as the
    system (``system=True``, ``details`` naming the cause) when the one who ended the record did not ask, e.g. a
    county withdrawing its request while the units asked have not answered."""
    pending = Opinion.objects.for_object(target).filter(status=Opinion.Status.PENDING)
    if purpose is not None:
        pending = pending.filter(purpose=purpose)
    return [opinion_cancel(actor=actor, opinion=o, comment=comment, system=system, details=details) for o in pending]
