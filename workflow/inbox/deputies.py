"""代理 (acting while away): a user names a colleague of the same unit and role as deputy for a date range; in it
the deputy sees the user's 待办 and acts for the user, logged as "张三（代李四）" (``engine.registry.acting_label``).

The rules, in one place:

- ``appoint`` checks the pair (same unit and role, not oneself, end on or after start) with Chinese messages;
- ``todo_scope(user)`` (``workflow.inbox.models``, with ``deputising``) is the part of ``WorkItem.objects.open_for``
(and so of the header's badge) that adds the
  items named to the colleagues the user deputises today: a subquery, so the header stays one query (the same
  part lets the deputy read what is assigned to them by name: ``workitems.assigned_ids``);
- ``principal_for(obj, name, actor)`` is whom ``workflow.services.perform`` checks and logs as acted for: the actor when
  the actor may take the step in their own right, else an absent colleague who holds the record's item for that
  step and may take it. Permissions then run with the absent colleague's rights only: the deputy gains nothing
  the colleague could not do, and outside the date range nothing at all.
"""

import rules
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.roles import memberships

from ..engine.errors import WorkflowError
from ..engine.transitions import transitions_of
from .models import Deputyship, WorkItem, deputising


def appoint(*, user, deputy, unit_id, role, starts_on, ends_on):
    """Name ``deputy`` for ``user``'s work in (``unit_id``, ``role``) from ``starts_on`` to ``ends_on``."""
    errors = {}
    if not any(m.unit_id == unit_id and m.role == role for m in memberships(user)):
        errors["membership"] = [_("请选择您本人所在的单位和角色。")]
    if deputy is None:
        errors["deputy"] = [_("请选择代理人。")]
    elif deputy.pk == user.pk:
        errors["deputy"] = [_("不能指定本人为代理人。")]
    elif not deputy.is_active or not any(m.unit_id == unit_id and m.role == role for m in memberships(deputy)):
        errors["deputy"] = [_("代理人必须是同一单位、同一角色的同事。")]
    if starts_on is None or ends_on is None:
        errors["ends_on"] = [_("请填写代理的开始日期和结束日期。")]
    elif ends_on < starts_on:
        errors["ends_on"] = [_("结束日期不能早于开始日期。")]
    elif ends_on < timezone.localdate():
        errors["ends_on"] = [_("结束日期不能早于今天。")]
    if errors:
        raise WorkflowError(next(iter(errors.values()))[0], errors=errors, status=400)
    return Deputyship.objects.create(
        user=user, deputy=deputy, unit_id=unit_id, role=role, starts_on=starts_on, ends_on=ends_on
    )


def cancel(*, user, pk):
    """End one of the user's own deputyships now (a 404 for anybody else's)."""
    updated = Deputyship.objects.filter(pk=pk, user=user, cancelled_at__isnull=True).update(cancelled_at=timezone.now())
    if not updated:
        raise Http404
    return updated


def named_by(user):
    """The deputies the user named (current and coming first), for the preferences page."""
    return list(
        Deputyship.objects.filter(
            user=user, cancelled_at__isnull=True, ends_on__gte=timezone.localdate()
        ).select_related("deputy", "unit")
    )


def deputies_of(user_ids):
    """The deputyships in force today for the given (absent) users whose deputy is still active and still holds
    the unit and role, with the deputies (one query)."""
    colleague = Membership.objects.filter(
        user_id=OuterRef("deputy_id"), unit_id=OuterRef("unit_id"), role=OuterRef("role")
    )
    return list(
        Deputyship.objects.active()
        .filter(user_id__in=user_ids, deputy__is_active=True)
        .filter(Exists(colleague))
        .select_related("deputy")
    )


def _still_colleague(row, deputy):
    return any(m.unit_id == row.unit_id and m.role == row.role for m in memberships(deputy))


def _holds(item, user):
    if item.user_id:
        return item.user_id == user.pk
    return any(m.unit_id == item.unit_id and m.role == item.role for m in memberships(user))


def _items_for(obj, name):
    return [i for i in WorkItem.objects.for_object(obj).open() if name in i.action.split(",")]


def represented(obj, name, actor, allowed):
    """The absent colleague ``actor`` would act for in step ``name`` of ``obj``: one the actor deputises today who
    holds the record's open item for the step and for whom ``allowed(user)`` holds; None otherwise."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    rows = [r for r in deputising(actor) if _still_colleague(r, actor)]
    if not rows:
        return None
    items = _items_for(obj, name)
    for row in rows:
        if any(_holds(i, row.user) for i in items) and allowed(row.user):
            return row.user
    return None


def principal_for(obj, name, actor):
    """Whom ``actor`` acts for in transition ``name`` of ``obj``: the actor in their own right (own permission, and
    the step's item, if any, is theirs), else the absent colleague of ``represented``; the actor if neither."""
    ts = transitions_of(obj, name)
    if not ts or not deputising(actor):
        return actor
    if ts[0].has_perm(obj, actor):
        items = _items_for(obj, name)
        if not items or any(_holds(i, actor) for i in items):
            return actor
    return represented(obj, name, actor, lambda user: ts[0].has_perm(obj, user)) or actor


def may(user, permission, obj, name):
    """``rules.has_perm`` for a page that offers step ``name``: the user's own right, or as deputy of the absent
    colleague who holds the step's item (checked with the colleague's rights)."""
    if rules.has_perm(permission, user, obj):
        return True
    return represented(obj, name, user, lambda absent: rules.has_perm(permission, absent, obj)) is not None
