"""(``TEMPLATES`` context processor) Puts the user's roles and units into every template, for the navigation and the
home page, and the
header's two counts (one query for both, evaluated only when the header shows them)."""

from django.utils.functional import SimpleLazyObject

from accounts.roles import memberships, roles_of

from .todo import header_counts


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "user_memberships": []}
    return {
        "user_roles": roles_of(user),
        "user_memberships": memberships(user),
        "todo_count": SimpleLazyObject(lambda: header_counts(user)[0]),
        "unread_count": SimpleLazyObject(lambda: header_counts(user)[1]),
    }
