"""Shared test fixtures: the named people of the process, browser set-up, and service requirements."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop lives in the test thread
# PostgreSQL refuses TRUNCATE of the audit tables unless the session allows it: the suite's flush between
# transactional tests must (tests/security/test_audit_postgres.py turns it off again to prove the refusal).
os.environ.setdefault("PGOPTIONS", "-c jiaxing.audit_truncate=allow")

PASSWORD = "Test#Pass-2026"


def _truthy(name):
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process unless a test starts a real worker (tests/test_outbox_redis.py).
    from jiaxing_pilot.celery import app as celery_app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped at the end of the run, on PostgreSQL, the
    sessions still open on it are ended: a request the live server was still answering when its browser test
    ended, or a process a test started, would otherwise make DROP DATABASE fail after every test passed."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture
def units(db):
    """The Jiaxing reference units (reloaded: transactional tests flush the data migration's rows)."""
    from accounts.models import Unit
    from accounts.reference import load_reference_units

    load_reference_units(Unit)
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def make_user(units):
    from accounts.models import Membership, User

    def make(username, unit_code, role=None, **extra):
        unit = units[unit_code]
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@example.test",
            full_name=extra.pop("full_name", username),
            **extra,
        )
        Membership.objects.create(user=user, unit=unit, role=role or unit.kind)
        return user

    return make


@pytest.fixture
def county_nanhu(make_user):
    return make_user("county_nanhu", "nanhu", full_name="南湖联络员")


@pytest.fixture
def county_xiuzhou(make_user):
    return make_user("county_xiuzhou", "xiuzhou", full_name="秀洲联络员")


@pytest.fixture
def office_reviewer(make_user):
    return make_user("office_reviewer", "reform-office", full_name="王改革")


@pytest.fixture
def committee_member(make_user):
    return make_user("committee_member", "committee", full_name="陈委员")


@pytest.fixture
def sg_digital(make_user):
    return make_user("sg_digital", "sg-digital", full_name="数字化专项小组")


@pytest.fixture
def sg_economy(make_user):
    return make_user("sg_economy", "sg-economy", full_name="经济专项小组")


@pytest.fixture
def guidance_data(make_user):
    return make_user("guidance_data", "gu-data", full_name="市数据局联络员")


@pytest.fixture
def expert_user(make_user):
    return make_user("expert_user", "think-tank", full_name="周专家")


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


# --- browser -----------------------------------------------------------------------------------
def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if not path:
        if _truthy("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER=1 but Debian chromium is not installed (apt-get install -y chromium)")
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shots(pytestconfig, request):
    """Folder under the test output folder where a browser test keeps its screenshots."""
    folder = Path(pytestconfig.getoption("--output")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser_login(live_server, page):
    def do(user, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do


@pytest.fixture
def csp_violations(page):
    """Collects console errors (CSP violations, failed loads); a test asserts it stays empty."""
    return watch_page_errors(page)


def watch_page_errors(page):
    """Console errors and failed loads of one page, in a list. A load the browser itself cancelled
    because the page navigated on (net::ERR_ABORTED, e.g. the favicon) is not a failure."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on(
        "requestfailed",
        lambda req: None if "ERR_ABORTED" in (req.failure or "") else errors.append(f"failed: {req.url}"),
    )
    return errors


# --- services ----------------------------------------------------------------------------------
@pytest.fixture
def real_services(settings):
    """Skip (or fail under REQUIRE_SERVICES=1) unless PostgreSQL and Redis are configured."""
    engine = settings.DATABASES["default"]["ENGINE"]
    missing = []
    if "postgresql" not in engine:
        missing.append("PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL)")
    if missing:
        message = "needs " + " and ".join(missing)
        if _truthy("REQUIRE_SERVICES"):
            pytest.fail(f"REQUIRE_SERVICES=1 but this run {message}")
        pytest.skip(message)
