"""我的待办: the user's open work items (rows written by ``workflow.inbox.workitems``), read with indexed queries.

Nothing here loads the records or asks their transitions: an item carries its title, URL, action names and
dates. The header's two badges (待办, unread notices) are one query together; a page of the list is that query
(its total) and one more for its rows, read in order from an index per scope (see ``_page_rows``)."""

import operator
from functools import reduce

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Func, IntegerField, Subquery, Window
from django.utils import timezone

from accounts.roles import memberships

from ..engine.models import Notification
from .models import WorkItem, deputising, todo_scopes

PAGE_SIZE = 20
_TODO = "_todo_count"
_UNREAD = "_unread_count"


# 我的待办's sort choices: overdue first (the default), the longest waiting first, the newest first.
ORDERS = {"waiting": ("opened_at", "id"), "newest": ("-opened_at", "-id")}


def todo_items(user, workflow=None, order=None):
    """The user's open items: overdue first (the earliest due dates are the overdue ones), then by due date,
    undated last, then the longest waiting (a lazy queryset); ``workflow`` keeps one workflow's items,
    ``order`` ("waiting", "newest") sorts otherwise."""
    qs = WorkItem.objects.open_for(user).select_related("content_type")
    if workflow:
        qs = qs.filter(workflow=workflow)
    return _ordered(qs, order)


def _ordered(qs, order):
    return qs.order_by(*ORDERS[order]) if order in ORDERS else qs.in_order()


def todo_page(user, number=None, per_page=PAGE_SIZE, workflow=None, order=None):
    """One page of the user's items as a Django Page, in two indexed queries: the total (the header's one query
    for both badges) and the page's rows, read in order from an index per scope (``_page_rows``). One workflow's
    page carries its own total in a window count instead (the header still counts all of 我的待办)."""
    try:
        number = max(int(number or 1), 1)
    except (TypeError, ValueError):
        number = 1
    paginator = Paginator(todo_items(user, workflow, order), per_page)
    if workflow:
        return _mark_deputised(user, _counted_page(paginator, number, per_page))
    paginator.count = header_counts(user)[0]
    number = min(number, paginator.num_pages)  # past the last page (a stale link): the last page
    start = (number - 1) * per_page
    rows = _page_rows(user, order, start, start + per_page) if paginator.count else []
    return _mark_deputised(user, Page(rows, number, paginator))


def _mark_deputised(user, page):
    """Name the absent colleague on each item the user has as their deputy (代理): ``item.deputy_for``. Only a
    page with such items reads the user's deputyships (one query, however many rows)."""
    if any(row.user_id and row.user_id != user.pk for row in page):
        names = {row.user_id: row.user.display_name for row in deputising(user)}
        for row in page:
            if row.user_id and row.user_id != user.pk:
                row.deputy_for = names.get(row.user_id, "")
    return page


def _counted_page(paginator, number, per_page):
    counted = paginator.object_list.annotate(total=Window(Count("id")))
    start = (number - 1) * per_page
    rows = list(counted[start : start + per_page])
    if rows:
        paginator.count = rows[0].total
    else:  # past the last page (or nothing at all): count, then show the last page
        paginator.count = paginator.object_list.count()
        number = paginator.num_pages
        start = (number - 1) * per_page
        rows = list(counted[start : start + per_page]) if paginator.count else []
    return Page(rows, number, paginator)


def _page_rows(user, order, start, stop):
    """Rows ``start:stop`` of the user's items. On PostgreSQL each scope (the items named to the user, each unit
    and role held) reads at most ``stop`` rows in order from its own index and the parts are merged (UNION ALL),
    so a page costs the same however many items wait; sorting every open item took 10-20 ms at 4,250 items.
    Other databases sort them in one query."""
    parts = [_ordered(WorkItem.objects.open().filter(scope), order)[:stop] for scope in todo_scopes(user)]
    if len(parts) == 1 or not connection.features.supports_slicing_ordering_in_compound:
        return list(todo_items(user, order=order)[start:stop])
    rows = list(_ordered(parts[0].union(*parts[1:], all=True), order)[start:stop])
    for row in rows:  # the kind's name without a join: content types are cached per process
        row.content_type = ContentType.objects.get_for_id(row.content_type_id)
    return rows


def _unread(user):
    return Notification.objects.filter(recipient=user, read_at=None)


def _count(qs):
    return Subquery(qs.order_by().annotate(n=Func("id", function="COUNT", output_field=IntegerField())).values("n")[:1])


def _todo_count(user):
    """The open items' count as the sum of one indexed count per scope (they are disjoint, see ``todo_scopes``):
    one OR over the scopes, the deputies' subquery among them, made the database read every open item."""
    return reduce(operator.add, [_count(WorkItem.objects.open().filter(scope)) for scope in todo_scopes(user)])


def header_counts(user):
    """``(todo, unread)`` for the page header: one query (indexed counts of the open items and unread notices), or
    one COUNT of notices if 我的待办 was counted; read at every page, never cached."""
    todo, unread = getattr(user, _TODO, None), getattr(user, _UNREAD, None)
    if unread is None:
        if todo is None:
            todo, unread = _header_query(user)
        else:
            unread = _unread(user).count()
        setattr(user, _TODO, todo)
        setattr(user, _UNREAD, unread)
    return todo, unread


def _header_query(user):
    """Both badges in one query. A deputy's scopes carry the deputyship's subqueries (the ORM builds them); every
    other user's are the items named to them and one (unit, role) part per membership, counted in plain SQL built
    from the models' tables: the ORM took 1.5 ms of Python to build this query, on every page of the site."""
    if not deputising(user):
        return _header_sql(user)
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(todo=_todo_count(user), unread=_count(_unread(user)))
        .values_list("todo", "unread")
        .get()
    )


def _header_sql(user):
    item, note = WorkItem._meta, Notification._meta
    col = lambda meta, name: connection.ops.quote_name(meta.get_field(name).column)  # noqa: E731
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # Only the models' own table and column names go into the text; every value is a parameter.
    waiting = (
        f"SELECT COUNT(*) FROM {connection.ops.quote_name(item.db_table)} "  # noqa: S608
        f"WHERE {col(item, 'closed_at')} IS NULL AND {col(item, 'opened_at')} <= %s AND "
    )
    parts, params = [f"{waiting}{col(item, 'user')} = %s"], [now, user.pk]
    for m in memberships(user):
        parts.append(f"{waiting}{col(item, 'unit')} = %s AND {col(item, 'role')} = %s AND {col(item, 'user')} IS NULL")
        params += [now, m.unit_id, m.role]
    unread = (
        f"SELECT COUNT(*) FROM {connection.ops.quote_name(note.db_table)} "  # noqa: S608
        f"WHERE {col(note, 'recipient')} = %s AND {col(note, 'read_at')} IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {' + '.join(f'({p})' for p in parts)}, ({unread})", [*params, user.pk])
        todo, unread_count = cursor.fetchone()
    return todo, unread_count


def todo_count(user):
    """How many items wait on the user (see ``header_counts``)."""
    return header_counts(user)[0]
