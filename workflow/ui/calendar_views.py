"""我的日程: the calendar page, the personal ICS subscription (create / revoke) and the feed itself."""

from datetime import date, timedelta
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .calendar import active_feed, create_feed, events_for, feed_user, revoke_feeds, user_ics

UPCOMING_DAYS = 92  # the default agenda: today and about three months on


def _month(value):
    """``YYYY-MM`` → the first day of that month, or None when absent or malformed."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


def _next_month(first):
    return (first + timedelta(days=32)).replace(day=1)


def feed_url(token):
    return settings.SITE_URL.rstrip("/") + reverse("workflow:calendar_ics", args=[token])


def _render(request, *, new_feed_url=None):
    today = timezone.localdate()
    month = _month(request.GET.get("month"))
    if month:
        start, end = month, _next_month(month)
    else:
        start, end = today, today + timedelta(days=UPCOMING_DAYS)
    shown = month or today.replace(day=1)
    events = events_for(request.user)  # one pass over the providers; the page slices it
    window = [e for e in events if start <= e.day < end]
    overdue = [e for e in events if e.overdue and not start <= e.day < end]
    context = {
        "month": month,
        "start": start,
        "end": end - timedelta(days=1),
        "today": today,
        "days": [(day, list(items)) for day, items in groupby(window, key=lambda e: e.day)],
        "overdue": overdue,
        "prev_month": (shown - timedelta(days=1)).replace(day=1),
        "next_month": _next_month(shown),
        "this_month": today.replace(day=1),
        "feed": active_feed(request.user),
        "new_feed_url": new_feed_url,
        "new_feed_webcal": new_feed_url and "webcal://" + new_feed_url.split("://", 1)[-1],
    }
    return TemplateResponse(request, "workflow/calendar.html", context)


@login_required
def calendar_page(request):
    return _render(request)


@login_required
@require_POST
def calendar_feed_create(request):
    """A new subscription URL (the old one stops working); shown in this response only, never stored."""
    _feed, token = create_feed(request.user)
    messages.success(request, _("已生成新的日程订阅地址，原有订阅地址（如有）已失效。"))
    response = _render(request, new_feed_url=feed_url(token))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def calendar_feed_revoke(request):
    if revoke_feeds(request.user):
        messages.success(request, _("日程订阅地址已停用。"))
    else:
        messages.info(request, _("您当前没有启用的日程订阅地址。"))
    return redirect("workflow:calendar")


@require_safe
def calendar_ics(request, token):
    """The personal feed: no login (calendar apps cannot log in); the secret token is the credential."""
    user = feed_user(token)
    if user is None:
        raise Http404
    with translation.override(settings.LANGUAGE_CODE):
        body = user_ics(user, site_url=settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="jiaxing-pilot.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
