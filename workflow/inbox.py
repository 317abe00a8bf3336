"""我的待办: each workflow app registers a provider that yields the records a user may act on now."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

_providers = []


@dataclass
class TodoItem:
    title: str
    url: str
    action: str
    kind: str
    deadline: datetime | None = None

    @property
    def overdue(self):
        return bool(self.deadline and self.deadline < timezone.now())


def waiting_states(model, user):
    """States of ``model`` in which one of the user's roles has a step to take, read from the django-fsm
    definitions (transitions marked ``custom={"optional": True}``, like withdrawing, wait on nobody)."""
    from accounts.roles import roles_of

    roles = roles_of(user)
    states = set()
    for t in model._meta.get_field("status").get_all_transitions(model):
        role = t.custom.get("role")
        if role in roles and not t.custom.get("optional"):
            states.add(t.source)
    return states


def register(provider):
    """``provider(user) -> iterable of TodoItem``; registered once from an app's ready()."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def todo_items(user):
    items = [item for provider in _providers for item in provider(user)]
    far = timezone.now().replace(year=9999)
    items.sort(key=lambda i: (not i.overdue, i.deadline or far, i.title))
    return items
