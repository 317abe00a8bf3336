"""我的待办: the user's open work items (rows written by ``workflow.workitems``), read with indexed queries.

Nothing here loads the records or asks their transitions: an item carries its title, URL, action names and
dates. A page of the list is one query (its rows carry the total in a window count and the unread notices);
elsewhere the header's two badges (待办, unread notices) are one query together."""

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Func, Subquery, Window

from .models import Notification, WorkItem

PAGE_SIZE = 20
_TODO = "_todo_count"
_UNREAD = "_unread_count"


def todo_items(user):
    """The user's open items: overdue first (the earliest due dates are the overdue ones), then by due date,
    undated last, then the longest waiting (a lazy queryset)."""
    return WorkItem.objects.open_for(user).select_related("content_type").in_order()


def todo_page(user, number=None, per_page=PAGE_SIZE):
    """One page of the user's items as a Django Page, in one query; its total is reused by the header."""
    paginator = Paginator(todo_items(user), per_page)
    try:
        number = max(int(number or 1), 1)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    # The page's rows carry the list's total and the user's unread notices: the header asks nothing more.
    counted = todo_items(user).annotate(total=Window(Count("id")), unread=_count(_unread(user)))
    rows = list(counted[start : start + per_page])
    if rows:
        paginator.count = rows[0].total
        setattr(user, _UNREAD, rows[0].unread)
    else:  # past the last page (or nothing at all): count, then show the last page
        paginator.count = todo_items(user).count()
        number = paginator.num_pages
        start = (number - 1) * per_page
        rows = list(counted[start : start + per_page]) if paginator.count else []
    setattr(user, _TODO, paginator.count)
    return Page(rows, number, paginator)


def _unread(user):
    return Notification.objects.filter(recipient=user, read_at=None)


def _count(qs):
    return Subquery(qs.order_by().annotate(n=Func("id", function="COUNT")).values("n")[:1])


def header_counts(user):
    """``(todo, unread)`` for the page header: one query, or one COUNT of notices if 我的待办 was counted."""
    todo, unread = getattr(user, _TODO, None), getattr(user, _UNREAD, None)
    if unread is None:
        notices = _unread(user)
        if todo is None:
            todo, unread = (
                get_user_model()
                .objects.filter(pk=user.pk)
                .annotate(todo=_count(WorkItem.objects.open_for(user)), unread=_count(notices))
                .values_list("todo", "unread")
                .get()
            )
        else:
            unread = notices.count()
        setattr(user, _TODO, todo)
        setattr(user, _UNREAD, unread)
    return todo, unread


def todo_count(user):
    """How many items wait on the user (see ``header_counts``)."""
    return header_counts(user)[0]
