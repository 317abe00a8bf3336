"""The idle timeout (``SESSION_IDLE_SECONDS``) without a session write on every request: a signed-in session is
saved again, which moves its expiry to ``SESSION_IDLE_SECONDS`` from now, only when its recorded last activity is
``SESSION_ACTIVITY_SECONDS`` (60) or more old. The session therefore ends between ``SESSION_IDLE_SECONDS`` minus
that resolution and ``SESSION_IDLE_SECONDS`` after the last request, never later."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

LAST_SEEN = "_last_seen"


def mark_activity(sender, request, user, **kwargs):
    """Signing in is activity: the login's own session save records it, so the next minute writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """Placed after SessionMiddleware, so the session it marks is saved by SessionMiddleware on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a signed-in session has an idle timeout to keep; an anonymous request writes nothing.
        if session is None or session.session_key is None or SESSION_KEY not in session:
            return response
        now = int(time.time())
        resolution = getattr(settings, "SESSION_ACTIVITY_SECONDS", 60)
        if session.modified or now - session.get(LAST_SEEN, 0) >= resolution:
            session[LAST_SEEN] = now  # marks the session modified: saved with a fresh expiry
        return response
