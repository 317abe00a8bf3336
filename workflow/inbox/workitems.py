"""Who a record waits on: its assignments and open work items (我的待办 as rows), kept in step with its state.

The public API (everything else here is internal):

- ``sync_items(obj, *, log=None, actor=None, reset=False)``: make the record's *derived* open items match what
  its django-fsm definitions say it waits on now. ``perform`` and ``change`` call it in their transaction
  (``reset=True`` after a transition: every open item is closed by the actor and log, new ones open "now").
- ``sync(obj)``: the same for a record written outside those services (created by ``Model.objects.create`` in an
  app's service, demo data, a factory): the code that writes it calls it; no signal does. ``forget(obj)``
  removes the open items of a record about to be deleted.
- ``open_item(obj, *, role, action, unit=None, user=None, due_at=None, opened_at=None, title=None, url=None)``
  and ``close_items(obj, *, log=None, actor=None, **filters)``: items a service opens and closes itself
  (``derived=False``; ``sync_items`` never touches them).
- ``assign(obj, *, role, unit=None, user=None, purpose="", acts=True, actor=None)`` and
  ``end_assignment(obj, *, actor=None, **filters)``: give a unit or a person a part on one record. An acting
  assignment replaces ``obj.units_for_role(role)`` as the answer to "who takes this role's steps here"
  (the pilot's guidance unit, an inspection team); ``acts=False`` only lets the assignee read the record while
  it is active (an invited unit or expert).
- ``assigned_ids(user, model, *, purpose=None)``: a subquery of the ids of ``model`` records with an active
  assignment for the user or one of the user's units (or named to a colleague the user deputises today);
  ``visible_to`` querysets OR it into their scope:
  ``scope |= Q(pk__in=assigned_ids(user, Application))``.
- ``WorkItem.objects.open_for(user)`` (``workflow.inbox.models``): the user's open items in one indexed query;
  ``.in_order()`` sorts overdue first. ``waiting_on(obj)``: the record's open items (who, since when, due when).

How a model declares who acts (all optional, read with ``getattr``):

- the transitions: each transition leaving the current state with a ``role`` (or ``role_attr``) makes the
  record wait on that role, except those marked ``custom={"optional": True}`` (e.g. withdrawing) or
  ``"automatic": True`` (the system takes them); conditions are not evaluated here (they are checked when
  someone acts, and they may change without the record changing);
- ``units_for_role(role)`` (WorkflowModel) and ``users_for_role(role)``: who acts in that role when no acting
  assignment exists;
- ``work_item_title()`` (default ``str(obj)``) and ``work_item_dates(role) -> (opens_at, due_at)`` (default:
  open now, due at ``obj.due_at`` if the model has it). An item whose ``opens_at`` lies in the future stays
  out of 我的待办 until then (an open batch waits on the office only once its window has ended).
- ``work_items = False`` on a model keeps it out entirely.
"""

from collections import namedtuple

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, User
from accounts.roles import memberships

from ..engine.base import WorkflowModel
from ..engine.transitions import leaves, transition_role, transitions_of
from .deputies import deputies_of
from .models import Assignment, WorkItem, todo_scope

Expected = namedtuple("Expected", "role unit_id user_id action opened_at due_at")

# The purpose of the acting assignment that names the reviewer a returned record comes back to (退回到指定步骤,
# workflow.conventions.approval.name_the_returner): while active it alone answers who takes the role's steps.
RETURNER = "returner"


def participates(model):
    return (
        isinstance(model, type)
        and issubclass(model, WorkflowModel)
        and bool(model.workflow_key)
        and getattr(model, "work_items", True)
    )


def waiting_transitions(obj):
    """``{role: [transition names]}``: the non-optional transitions with a role that leave the current state."""
    by_role = {}
    for t in obj._meta.get_field("status").get_all_transitions(type(obj)):
        if t.custom.get("optional") or t.custom.get("automatic") or not leaves(t, obj.status):
            continue
        role = transition_role(obj, t)
        if not role:
            continue
        names = by_role.setdefault(str(role), [])
        if t.name not in names:
            names.append(t.name)
    return by_role


def actors_for(obj, role, assignments=None):
    """``[(unit_id, user_id)]`` who take ``obj``'s steps in ``role``: its acting assignments for the role if it
    has any, else ``units_for_role`` (and ``users_for_role`` where the model names people)."""
    if assignments is None:
        assignments = list(Assignment.objects.for_object(obj).filter(active=True, acts=True))
    mine = [a for a in assignments if a.role == role]
    if any(a.purpose == RETURNER for a in mine):
        mine = [a for a in mine if a.purpose == RETURNER]
    pairs = [(a.unit_id, a.user_id) for a in mine]
    if not pairs:
        pairs = [(u.pk, None) for u in obj.units_for_role(role) if u is not None]
        users_for_role = getattr(obj, "users_for_role", None)
        if users_for_role is not None:
            pairs += [(None, u.pk) for u in users_for_role(role)]
    return list(dict.fromkeys(pairs))


def expected_items(obj):
    """The derived items ``obj`` should have open now, from its django-fsm definitions and assignments."""
    if obj.pk is None or not participates(type(obj)):
        return []
    by_role = waiting_transitions(obj)
    if not by_role:
        return []
    assignments = list(Assignment.objects.for_object(obj).filter(active=True, acts=True))
    dates = getattr(obj, "work_item_dates", None)
    result = []
    for role, names in by_role.items():
        opened_at, due_at = dates(role) if dates is not None else (None, getattr(obj, "due_at", None))
        for unit_id, user_id in actors_for(obj, role, assignments):
            result.append(Expected(role, unit_id, user_id, ",".join(names), opened_at, due_at))
    return result


def _title(obj):
    title = getattr(obj, "work_item_title", None)
    return str(title() if callable(title) else obj)[:300]


def _new_item(obj, ct, e, now, title, url):
    return WorkItem(
        content_type=ct,
        object_id=obj.pk,
        workflow=type(obj).workflow_key,
        title=title,
        url=url,
        action=e.action,
        unit_id=e.unit_id,
        role=e.role,
        user_id=e.user_id,
        derived=True,
        opened_at=e.opened_at or now,
        due_at=e.due_at,
    )


def sync_items(obj, *, log=None, actor=None, reset=False):
    """Make ``obj``'s derived open items agree with what it waits on now; return ``(opened, closed)`` counts.

    ``reset=True`` (after a transition) closes every open derived item (``closed_by=actor``, ``closed_log=log``)
    and opens the new ones from now; otherwise items that still hold are kept (their "waiting since" too) and
    only their action and due date are brought up to date. Call it inside the transaction of the change, with
    the record as it is now (the locked row): its status decides what it waits on."""
    if obj.pk is None or not participates(type(obj)):
        return 0, 0
    ct = ContentType.objects.get_for_model(obj)
    now = timezone.now()
    expected = {(e.role, e.unit_id, e.user_id): e for e in expected_items(obj)}
    current = list(WorkItem.objects.filter(content_type=ct, object_id=obj.pk, closed_at__isnull=True, derived=True))
    to_close, kept = [], set()
    for item in current:
        key = (item.role, item.unit_id, item.user_id)
        e = expected.get(key)
        if reset or e is None or key in kept:
            to_close.append(item.pk)
            continue
        kept.add(key)
        opened_at = e.opened_at or item.opened_at
        if (item.action, item.due_at, item.opened_at) != (e.action, e.due_at, opened_at):
            item.action, item.due_at, item.opened_at = e.action, e.due_at, opened_at
            item.save(update_fields=["action", "due_at", "opened_at"])
    if to_close:
        WorkItem.objects.filter(pk__in=to_close).update(closed_at=now, closed_by=actor, closed_log=log)
    new = [e for key, e in expected.items() if key not in kept]
    if new:
        title, url = _title(obj), obj.get_absolute_url()
        WorkItem.objects.bulk_create([_new_item(obj, ct, e, now, title, url) for e in new])
    return len(new), len(to_close)


def open_item(obj, *, role, action, unit=None, user=None, due_at=None, opened_at=None, title=None, url=None):
    """Open one item a service manages itself (``derived=False``), e.g. an invitation on somebody else's record.

    ``action`` is a transition name of ``obj``'s model or a key registered in ``workflow.engine.registry``
    (shown through ``action_label``)."""
    if unit is None and user is None:
        raise ValueError("open_item needs a unit or a user")
    return WorkItem.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        workflow=getattr(type(obj), "workflow_key", "") or type(obj)._meta.model_name,
        title=(title or _title(obj))[:300],
        url=url or obj.get_absolute_url(),
        action=action,
        unit=unit,
        role=role,
        user=user,
        derived=False,
        opened_at=opened_at or timezone.now(),
        due_at=due_at,
    )


def close_items(obj, *, log=None, actor=None, **filters):
    """Close ``obj``'s open items (all, or those matching ``filters``, e.g. ``user=expert`` or ``derived=False``);
    return how many were closed."""
    qs = WorkItem.objects.for_object(obj).filter(closed_at__isnull=True, **filters)
    return qs.update(closed_at=timezone.now(), closed_by=actor, closed_log=log)


def waiting_on(obj):
    """The record's open items (unit or person, role, since, due), oldest first."""
    return list(WorkItem.objects.for_object(obj).open().select_related("unit", "user").order_by("opened_at", "id"))


def _fresh(obj):
    """The record as the database has it now, locked (a caller's copy may hold a state it has since left)."""
    if obj.pk is None or not participates(type(obj)):
        return obj
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def assign(obj, *, role, unit=None, user=None, purpose="", acts=True, actor=None):
    """Give a unit in ``role`` (or a named person) a part on ``obj``; idempotent for an identical active one.

    An acting assignment re-syncs ``obj``'s items at once (the assignee now has the role's steps)."""
    if unit is None and user is None:
        raise ValueError("assign needs a unit or a user")
    with transaction.atomic():
        existing = (
            Assignment.objects.for_object(obj)
            .filter(active=True, role=role, unit=unit, user=user, purpose=purpose, acts=acts)
            .first()
        )
        if existing is not None:
            return existing
        assignment = Assignment.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            role=role,
            unit=unit,
            user=user,
            purpose=purpose,
            acts=acts,
            created_by=actor,
        )
        if acts:
            sync_items(_fresh(obj), actor=actor)
    return assignment


def end_assignment(obj, *, actor=None, **filters):
    """End ``obj``'s active assignments matching ``filters`` (role=, unit=, user=, purpose=); return how many."""
    with transaction.atomic():
        qs = Assignment.objects.for_object(obj).filter(active=True, **filters)
        acting = qs.filter(acts=True).exists()
        count = qs.update(active=False, ended_at=timezone.now())
        if acting:
            sync_items(_fresh(obj), actor=actor)
    return count


def assignments_of(obj, *, role=None, active=True):
    qs = Assignment.objects.for_object(obj).select_related("unit", "user")
    if active is not None:
        qs = qs.filter(active=active)
    return list(qs.filter(role=role) if role else qs)


def assigned_ids(user, model, *, purpose=None):
    """Ids of ``model`` records with an active assignment for ``user`` or one of the user's units, or named to a
    colleague the user deputises today (a subquery, no query of its own: the content type is matched by a join,
    the memberships are the cached ones)."""
    qs = Assignment.objects.filter(
        active=True,
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
    ).filter(Q(user_id=user.pk) | Q(unit_id__in={m.unit_id for m in memberships(user)}) | todo_scope(user))
    if purpose is not None:
        qs = qs.filter(purpose=purpose)
    return qs.values("object_id")


def next_actor_users(obj):
    """Users who may act on ``obj`` now according to its open items (the people ``notify`` tells), and the deputies
    today of those the items name (``workflow.inbox.deputies``)."""
    users = {}
    model = type(obj)
    items = list(WorkItem.objects.for_object(obj).open())
    for item in items:
        if item.user_id:
            candidates = User.objects.filter(pk=item.user_id, is_active=True)
        else:
            candidates = [
                m.user
                for m in Membership.objects.filter(
                    unit_id=item.unit_id, role=item.role, user__is_active=True
                ).select_related("user")
            ]
        transitions = [ts[0] for ts in (transitions_of(model, n) for n in item.action.split(",")) if ts]
        for u in candidates:
            if u.pk in users:
                continue
            if not transitions or any(t.has_perm(obj, u) for t in transitions):
                users[u.pk] = u
    # 代理: an item named to someone away is also the deputy's (one query, only when items are named to people).
    named = {(i.user_id, i.role) for i in items if i.user_id and i.user_id in users}
    if named:
        for row in deputies_of({user_id for user_id, _role in named}):
            if (row.user_id, row.role) in named:
                users.setdefault(row.deputy_id, row.deputy)
    return list(users.values())


def sync(obj):
    """Bring a record's work items in step with its state, for a record written outside ``perform`` and ``change``
    (created by ``Model.objects.create`` in an app's service, demo data, a factory): the creating code calls it."""
    with transaction.atomic():
        return sync_items(obj)


def forget(obj):
    """A record is about to be deleted (nothing in the product deletes a workflow record today; a test or a support
    script may): remove its open work items, so 我的待办 does not list what no longer exists. No signal does it."""
    return WorkItem.objects.for_object(obj).filter(closed_at__isnull=True).delete()
