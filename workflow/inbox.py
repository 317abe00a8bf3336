"""我的待办: the user's open work items (rows written by ``workflow.workitems``), read with indexed queries.

Nothing here loads the records or asks their transitions: an item carries its title, URL, action names and
dates. The header's badge is one COUNT; a page of the list is one COUNT and one SELECT, and when both are on
the same page the badge reuses the list's count (cached on the user object for the request)."""

from django.core.paginator import Paginator

from .models import WorkItem

PAGE_SIZE = 20
_COUNT_CACHE = "_todo_count"


def todo_items(user):
    """The user's open items, overdue first, then by due date, then the longest waiting (a lazy queryset)."""
    return WorkItem.objects.open_for(user).select_related("content_type").in_order()


def todo_count(user):
    """How many items wait on the user: one indexed COUNT, or none if this request already counted."""
    cached = getattr(user, _COUNT_CACHE, None)
    if cached is None:
        cached = WorkItem.objects.open_for(user).count()
        setattr(user, _COUNT_CACHE, cached)
    return cached


def todo_page(user, number=None, per_page=PAGE_SIZE):
    """One page of the user's items (a Django Page); its count is reused by the header's badge."""
    page = Paginator(todo_items(user), per_page).get_page(number)
    setattr(user, _COUNT_CACHE, page.paginator.count)
    return page
