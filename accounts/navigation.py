"""The main navigation bar: each app (and the core) contributes its entries from ``ready()``; the ``workflow_nav``
template tag renders them per user.

An entry names a URL, a label, its place in the bar and who sees it::

    from accounts import navigation

    navigation.register(navigation.NavEntry(
        name="plans", label=gettext_lazy("试点方案"), url_name="reviews:plan_list", order=60,
        visible=is_reform_office | is_county,          # a ``rules`` predicate or any callable(user) -> bool
        badge=lambda user: ...,                        # optional: a number shown next to the label
    ))

``label`` may also be a callable(user) -> text where one entry reads differently per role (申报审核 / 试点确定).
The bar costs a fixed number of queries whatever the number of entries: ``visible`` must answer from the
user's memberships, which ``accounts.roles`` loads once per request (the ``accounts.rules`` predicates do);
only a ``badge`` may query, once, and badges are for a few entries only.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from .roles import roles_of

_entries = {}
_registry_version = [0]  # part of the cached links' key: registering again shows at once


@dataclass(frozen=True)
class NavEntry:
    #: unique key of the entry; also its ``data-testid`` (``nav-<name>``)
    name: str
    label: Any
    url_name: str
    order: int = 100
    #: callable(user) -> bool; None shows the entry to every user with at least one role
    visible: Any = None
    #: callable(user) -> int or None; a number shown as a badge when it is not 0
    badge: Any = None


@dataclass(frozen=True)
class NavLink:
    """One entry as rendered for one user."""

    name: str
    label: str
    url: str
    badge: int | None = None
    current: bool = False


def register(entry):
    """Add (or replace, by name: registering again from a re-run ``ready()`` is harmless) one entry."""
    _entries[entry.name] = entry
    _registry_version[0] += 1
    return entry


def unregister(name):
    """For tests that register an entry of their own."""
    _entries.pop(name, None)
    _registry_version[0] += 1


def entries():
    return sorted(_entries.values(), key=lambda e: (e.order, e.name))


def _has_any_role(user):
    return bool(roles_of(user))


def registry_version():
    return _registry_version[0]


def links_for(user, path=""):
    """The entries ``user`` sees, in order, with their URLs; ``current`` marks the one ``path`` lies under."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = _links(user)
    # The longest matching URL is the current section (/pilots/batches/ is 批次管理, not 试点项目).
    under = [link for link in links if path.startswith(link.url)]
    if under:
        current = max(under, key=lambda link: len(link.url))
        links = [NavLink(**{**link.__dict__, "current": True}) if link is current else link for link in links]
    return links


def _links(user):
    links = []
    for entry in entries():
        visible = entry.visible or _has_any_role
        if not visible(user):
            continue
        label = entry.label(user) if callable(entry.label) else entry.label
        url = reverse(entry.url_name)
        badge = entry.badge(user) if entry.badge else None
        links.append(NavLink(name=entry.name, label=str(label), url=url, badge=badge or None))
    return links
