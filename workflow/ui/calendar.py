"""我的日程: every deadline that concerns a user, for the calendar page and the personal ICS feed.

A registry (like the navigation, ``accounts.navigation``): each provider is a function ``provider(user) -> iterable of
CalendarEvent``
that yields only what the user may see (scoped with the models' ``objects.visible_to(user)``) and runs a
fixed number of queries whatever the number of rows (no per-row queries: select_related / GenericPrefetch).

Each app registers its providers (and the badge of each kind of event it yields) from its ``ready()``; the
core itself contributes only what it owns (opinion deadlines). The core never imports an app.

A workflow app registers from its ``ready()``::

    from workflow.ui.calendar import CalendarEvent, register

    @register
    def quarterly_report_deadlines(user):
        for report in QuarterlyReport.objects.visible_to(user).filter(...).select_related(...):
            yield CalendarEvent(title=..., start=report.due_on, url=report.get_absolute_url(),
                                kind="quarterly_report", all_day=True, key=report.pk, due=True)

    register_kind("quarterly_report", gettext_lazy("季度报告"), "text-bg-warning")

``kind`` is an ASCII key (it becomes part of the event's stable ICS UID ``<kind>-<key>@jiaxing-pilot``, so each
kind/key pair must be unique and must not change); ``register_kind`` gives the kind its Chinese badge text and
Bootstrap badge class on the page (an event may still carry its own ``label``).
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..conventions.models import Opinion
from ..engine.registry import display_querysets
from .models import CalendarFeed

_providers = []

UID_DOMAIN = "jiaxing-pilot"

# Badge text and Bootstrap badge class of each kind of event, registered by the app that yields it.
KIND_LABELS = {}
KIND_BADGES = {}


def register_kind(kind, label, badge="text-bg-secondary"):
    KIND_LABELS[kind] = label
    KIND_BADGES[kind] = badge


register_kind("opinion", gettext_lazy("征求意见"), "text-bg-success")


def _as_moment(value):
    """An aware datetime for sorting and range checks: a date counts from local (Asia/Shanghai) midnight."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return datetime.combine(value, time.min, tzinfo=timezone.get_default_timezone())


@dataclass
class CalendarEvent:
    title: str
    start: datetime | date
    url: str
    kind: str
    all_day: bool = False
    #: stable identity within the kind (usually the record's pk); part of the ICS UID
    key: str | int = ""
    #: True when the user has to act by this moment (then a past event is overdue, not just past)
    due: bool = False
    label: str = ""

    def __post_init__(self):
        if isinstance(self.start, date) and not isinstance(self.start, datetime):
            self.all_day = True
        elif self.all_day:
            self.start = timezone.localtime(self.start).date()

    @property
    def moment(self):
        return _as_moment(self.start)

    @property
    def day(self):
        """The local (Asia/Shanghai) date the event falls on."""
        return self.start if self.all_day else timezone.localtime(self.start).date()

    @property
    def past(self):
        if self.all_day:
            return self.start < timezone.localdate()
        return self.start < timezone.now()

    @property
    def overdue(self):
        return self.due and self.past

    @property
    def kind_label(self):
        return str(self.label or KIND_LABELS.get(self.kind, self.kind))

    @property
    def badge_class(self):
        return KIND_BADGES.get(self.kind, "text-bg-secondary")

    @property
    def uid(self):
        key = self.key if self.key != "" else f"{self.moment:%Y%m%dT%H%M%S}"
        return f"{self.kind}-{key}@{UID_DOMAIN}"


def register(provider):
    """``provider(user) -> iterable of CalendarEvent``; registered once from an app's ready() (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider):
    """For tests that register a provider of their own."""
    if provider in _providers:
        _providers.remove(provider)


def events_for(user, start=None, end=None):
    """Every event of every provider for ``user``, sorted by time then title; ``start`` inclusive and ``end``
    exclusive (dates count from local midnight)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    lower = _as_moment(start) if start is not None else None
    upper = _as_moment(end) if end is not None else None
    events = []
    for provider in list(_providers):
        for event in provider(user):
            moment = event.moment
            if (lower is None or moment >= lower) and (upper is None or moment < upper):
                events.append(event)
    events.sort(key=lambda e: (e.moment, e.title, e.uid))
    return events


# --- the core's own provider ----------------------------------------------------------------------------
def opinion_deadlines(user):
    """The answer deadline of every opinion still awaited from the user: by name, or from one of the user's
    units in its role."""
    pending = (
        Opinion.objects.awaiting(user)
        .filter(due_at__isnull=False)
        .prefetch_related(GenericPrefetch("target", display_querysets()))
    )
    for opinion in pending:
        target = opinion.target
        yield CalendarEvent(
            title=_("意见答复期限 · %(target)s") % {"target": target if target is not None else ""},
            start=opinion.due_at,
            url=target.get_absolute_url() if target is not None else "",
            kind="opinion",
            key=opinion.pk,
            due=True,
        )


# --- personal ICS feeds ------------------------------------------------------------------------------
def create_feed(user):
    """A new feed for ``user`` (revoking the one they had); returns ``(feed, token)``. The plain token exists
    only in this return value: show it once, it cannot be recovered."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        feed = CalendarFeed.objects.create(user=user, token_hash=CalendarFeed.hash_token(token))
    return feed, token


def revoke_feeds(user):
    """Revoke the user's active feed (its URL answers 404 from now on); returns how many were revoked."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def active_feed(user):
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_user(token):
    """The active user behind a live token, or None."""
    if not token or len(token) > 128:
        return None
    feed = (
        CalendarFeed.objects.filter(token_hash=CalendarFeed.hash_token(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


# --- RFC 5545 --------------------------------------------------------------------------------------------
FEED_WINDOW = timedelta(days=366)  # how far back the feed goes


def ics_escape(text):
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    text = str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line, limit=75):
    """Fold one content line into physical lines of at most ``limit`` octets (RFC 5545 3.1), never splitting a
    UTF-8 character; continuation lines begin with a single space (which counts towards the limit)."""
    parts, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n".join(parts)


def _utc(value):
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _absolute(url, site):
    return url if url.startswith(("http://", "https://")) else f"{site}{url}"


def ics_calendar(events, *, site_url, name="县域集成改革试点", now=None):
    """The VCALENDAR text (CRLF line endings, folded) for ``events``."""
    stamp = _utc(now or timezone.now())
    site = site_url.rstrip("/")
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Jiaxing Reform Office//County Integrated Reform Pilots//ZH",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{ics_escape(event.uid)}", f"DTSTAMP:{stamp}"]
        if event.all_day:
            lines.append(f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}")
            lines.append(f"DTEND;VALUE=DATE:{event.start + timedelta(days=1):%Y%m%d}")
        else:
            lines.append(f"DTSTART:{_utc(event.start)}")
        lines.append(f"SUMMARY:{ics_escape(event.title)}")
        lines.append(f"CATEGORIES:{ics_escape(event.kind_label)}")
        if event.url:
            lines.append(f"URL:{_absolute(event.url, site)}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def user_ics(user, *, site_url):
    """The feed of one user: what they may see, from a year back on."""
    return ics_calendar(events_for(user, start=timezone.now() - FEED_WINDOW), site_url=site_url)
