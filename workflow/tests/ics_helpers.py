"""Reading 我的日程's ICS feed in tests: create a feed through the page, unfold and unescape its lines."""

import re

from django.conf import settings
from django.urls import reverse


def new_feed(client):
    """POST the create form; return the one-time URL's path and token."""
    response = client.post(reverse("workflow:calendar_feed_create"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    url = response.context["new_feed_url"]
    assert url.startswith(settings.SITE_URL) and url in response.content.decode()
    token = re.search(r"/calendar/([^/]+)\.ics$", url).group(1)
    return reverse("workflow:calendar_ics", args=[token]), token


def unfold(raw):
    return raw.replace(b"\r\n ", b"").decode("utf-8")


def ics_unescape(value):
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
