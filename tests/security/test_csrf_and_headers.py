"""Security regression suite, part 2: every URL refuses a POST without a CSRF token (no view is exempt), and the
production settings send the headers `check --deploy` asks for, on real responses."""

import json
import os
import subprocess
import sys

import pytest
from django.http import HttpResponseForbidden
from django.test import Client

from tests.security.matrix import url_for, url_patterns

pytestmark = pytest.mark.django_db

CSRF_MARK = "csrf-refused-by-test"


def csrf_failure(request, reason=""):
    return HttpResponseForbidden(CSRF_MARK)


@pytest.fixture
def scenario(office_reviewer, county_nanhu, units):
    from accounts.models import Membership

    class Any:
        pk = 1

    return {
        "application": Any,
        "batch": Any,
        "candidate": Any,
        "attachment": Any,
        "opinion": Any,
        "county_user": county_nanhu,
        "county_unit": units["nanhu"],
        "county_membership": Membership.objects.get(user=county_nanhu),
    }


def test_every_url_refuses_a_post_without_a_csrf_token(settings, scenario, office_reviewer):
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf_and_headers.csrf_failure"
    signed_in, anonymous = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    signed_in.force_login(office_reviewer)
    unprotected = []
    for name, pattern in url_patterns():
        url = url_for(name, pattern, scenario)
        for client in (signed_in, anonymous):
            response = client.post(url, {"x": "1"})
            if response.status_code != 403 or CSRF_MARK not in response.content.decode(errors="replace"):
                unprotected.append((name, response.status_code))
    assert unprotected == []


# The hashed-static manifest is made by collectstatic at deployment (CI's production leg runs it); the probe
# serves static names plainly so that it needs no collectstatic run, everything else is production as set.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
settings.STORAGES = {**settings.STORAGES, "staticfiles": plain_static}
client = Client()
plain = client.get("/accounts/login/")
secure = client.get("/accounts/login/", secure=True)
cookie = secure.cookies.get("csrftoken")
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
    "status": secure.status_code, "headers": dict(secure.headers),
    "csrf_cookie": {"secure": bool(cookie and cookie["secure"]), "samesite": cookie["samesite"] if cookie else ""},
}))
"""


def production_env(tmp_path):
    skip = ("OTP_", "SECURE_", "DJANGO_ALLOW_ASYNC_UNSAFE", "PGOPTIONS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(
        DEBUG="0",
        SECRET_KEY="probe-" + "k" * 60,
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        ALLOWED_HOSTS="testserver",
        REDIS_URL="",
        DJANGO_SETTINGS_MODULE="jiaxing_pilot.settings",
    )
    env.pop("DATABASE_URL_TEST", None)
    return env


def test_production_responses_carry_the_security_headers(tmp_path):
    from django.conf import settings

    env = production_env(tmp_path)
    out = subprocess.run(  # noqa: S603  (our own interpreter and probe)
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, check=True
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["plain_status"] == 301 and result["plain_location"].startswith("https://")
    assert result["status"] == 200
    headers = {k.lower(): v for k, v in result["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert result["csrf_cookie"] == {"secure": True, "samesite": "Lax"}


def test_check_deploy_is_clean_in_production(tmp_path):
    from django.conf import settings

    env = production_env(tmp_path)
    env["REDIS_URL"] = "redis://127.0.0.1:6379/14"  # a deployment shares its cache (workflow.E001); not connected to
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert done.returncode == 0, done.stdout + done.stderr
