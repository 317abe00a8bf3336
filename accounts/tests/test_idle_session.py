"""The idle timeout (accounts/sessions.py): a signed-in session ends SESSION_IDLE_SECONDS after its last recorded
activity, and requests write the session at most once a minute instead of on every request."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.sessions import LAST_SEEN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_sessions(settings):
    # The rows are the visible state here; with Redis the same middleware runs on cached_db sessions.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def _row(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_request_moves_the_expiry_at_most_once_a_minute(login, county_nanhu):
    client = login(county_nanhu)
    assert client.get(reverse("home")).status_code == 200
    first = _row(client)
    assert LAST_SEEN in first.get_decoded()
    # The expiry is the idle timeout counted from this request.
    assert abs(first.expire_date - timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)) < timedelta(
        seconds=30
    )

    assert client.get(reverse("inbox")).status_code == 200
    assert _row(client).expire_date == first.expire_date  # within the minute: no write

    # A minute later the next request pushes the expiry forward again.
    store = client.session
    store[LAST_SEEN] -= settings.SESSION_ACTIVITY_SECONDS
    store.save()
    Session.objects.filter(pk=first.pk).update(expire_date=first.expire_date)
    assert client.get(reverse("inbox")).status_code == 200
    assert _row(client).expire_date > first.expire_date


def test_a_session_idle_past_the_timeout_is_signed_out(login, county_nanhu):
    client = login(county_nanhu)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.filter(pk=_row(client).pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_anonymous_pages_store_no_session(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("home")).status_code == 302
    assert not Session.objects.exists()
