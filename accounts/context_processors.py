"""Puts the user's roles and units into every template, for the navigation and the home page, and the
header's two counts (one COUNT each, evaluated only when the header shows them)."""

from django.utils.functional import SimpleLazyObject

from .roles import memberships, roles_of


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "user_memberships": []}
    from workflow.inbox import todo_count
    from workflow.models import Notification

    return {
        "user_roles": roles_of(user),
        "user_memberships": memberships(user),
        "todo_count": SimpleLazyObject(lambda: todo_count(user)),
        "unread_count": SimpleLazyObject(lambda: Notification.objects.filter(recipient=user, read_at=None).count()),
    }
