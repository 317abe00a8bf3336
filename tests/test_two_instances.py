"""Two web processes started from two checkouts of the same commit, on one PostgreSQL and one Redis, as a
deployment with two instances runs: what one process (or anything else) writes is seen by the other at its next
request, and a membership removed or a user deactivated is refused at the next request in every process.

Nothing is cached between requests that could outlive a change (README, "What is cached"): these tests would
fail against the generational cache this replaced (an instance served a renamed record for 90 s, a removed user's
我的待办 for up to 120 s). Needs PostgreSQL (the processes read the test database and its sessions) and Redis
(the deployment's broker): run in CI's service pass (REQUIRE_SERVICES=1)."""

import http.cookiejar
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.urls import reverse

from accounts.models import Membership
from applications import services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from workflow.models import Notification

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
BASE = Path(__file__).resolve().parents[1]
CSRF_SECRET = "a" * 32


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _checkout(target):
    """A copy of the tracked source tree (as a second clone of the commit would be), with its own file times."""
    git = shutil.which("git")
    files = subprocess.run([git, "ls-files", "-z"], cwd=BASE, check=True, capture_output=True).stdout.split(b"\0")  # noqa: S603
    for name in filter(None, files):
        source = BASE / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name.decode())  # new modification times, unlike the first checkout
    return target


class Instance:
    """One gunicorn process serving a checkout on the test database."""

    def __init__(self, root):
        self.root, self.port = root, _free_port()
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "jiaxing_pilot.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONPATH": str(root),
        }
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
             "jiaxing_pilot.wsgi"],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not self._answers():
            assert self.proc.poll() is None, "gunicorn ended"
            assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
            time.sleep(0.1)

    def _answers(self):
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status == 200
        except (OSError, urllib.error.URLError):
            return False

    def get(self, path, session):
        return self._open(urllib.request.Request(f"http://127.0.0.1:{self.port}{path}"), session)

    def post(self, path, session):
        """A form's POST (Django's CSRF check: the cookie's secret, the same in the header)."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=b"", method="POST")
        request.add_header("X-CSRFToken", CSRF_SECRET)
        request.add_header("Referer", f"http://127.0.0.1:{self.port}/")
        return self._open(request, session)

    def _open(self, request, session):
        jar = http.cookiejar.CookieJar()
        jar.set_cookie(_cookie(settings.SESSION_COOKIE_NAME, session))
        jar.set_cookie(_cookie(settings.CSRF_COOKIE_NAME, CSRF_SECRET))
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        try:
            response = opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:  # a 3xx or 4xx: its status and where it points
            return error.code, error.headers.get("Location", "")
        return response.status, response.read().decode()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _cookie(name, value):
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}
    )


def _session_of(user):
    """A signed-in session, as the login page makes one (the sessions are shared: database and Redis)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["_last_seen"] = int(time.time())
    store.create()
    return store.session_key


@pytest.fixture
def two_instances(tmp_path):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("two processes share the test database: PostgreSQL and Redis (CI's service pass)")
    first = Instance(BASE)
    second = Instance(_checkout(tmp_path / "second-checkout"))
    yield first, second
    first.stop()
    second.stop()


def test_what_one_instance_writes_the_other_shows_at_once(two_instances, office_reviewer, county_nanhu):
    first, second = two_instances
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    services.submit_application(actor=county_nanhu, application=app)  # the office is told
    notice = Notification.objects.get(recipient=office_reviewer)
    session = _session_of(office_reviewer)
    for instance in (first, second):
        status, html = instance.get("/applications/", session)
        assert status == 200 and app.project_name in html and 'data-testid="unread-count">1<' in html

    status, _ = first.post(reverse("workflow:notification_open", args=[notice.pk]), session)  # read through the first
    assert status == 302
    status, html = second.get("/applications/", session)  # the second's very next page
    assert status == 200 and 'data-testid="unread-count"' not in html

    with connection.cursor() as cursor:  # a write no ORM signal sees: a CTE through a raw cursor
        cursor.execute(
            "WITH renamed AS (SELECT id FROM applications_application WHERE id = %s) "
            "UPDATE applications_application SET project_name = %s WHERE id IN (SELECT id FROM renamed)",
            [app.pk, "改名后的试点项目"],
        )
    for instance in (second, first):
        status, html = instance.get("/applications/", session)
        assert status == 200 and "改名后的试点项目" in html and app.project_name not in html


def test_a_membership_removed_or_a_user_deactivated_is_refused_at_the_next_request_everywhere(
    two_instances, office_reviewer, county_nanhu
):
    first, second = two_instances
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    session = _session_of(county_nanhu)
    url = app.get_absolute_url()
    for instance in (first, second):
        assert instance.get(url, session)[0] == 200
    Membership.objects.filter(user=county_nanhu).delete()  # removed by another process (this one)
    for instance in (second, first):
        assert instance.get(url, session)[0] == 404  # no longer of the county: its records are not found

    office_session = _session_of(office_reviewer)
    assert second.get("/applications/", office_session)[0] == 200
    type(office_reviewer).objects.filter(pk=office_reviewer.pk).update(is_active=False)
    for instance in (first, second):
        status, where = instance.get("/applications/", office_session)
        assert status == 302 and "/accounts/login/" in where  # signed out at the next request
