"""Site-wide guarantees: health probe, deployment checks, CSP, no outside hosts, language switch."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from jiaxing_pilot import health

BASE = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_healthz_reports_every_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}


def test_healthz_names_what_failed_with_503(client, monkeypatch):
    def broken():
        raise ConnectionError("redis refused")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"] and "redis refused" in body["checks"]["broker"]
    assert body["checks"]["database"] == "ok"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-a-real-and-long-production-secret-9f8e7d6c5b4a",
        ALLOWED_HOSTS="pilot.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/14",  # not connected to by the check; without it: workflow.E001
        DJANGO_SETTINGS_MODULE="jiaxing_pilot.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr and "issues" in result.stdout + result.stderr


def test_pages_carry_a_self_only_content_security_policy(client):
    csp = client.get(reverse("login")).headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "http" not in csp


OUTSIDE = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//"""
    r"""|(?:fetch|open)\(\s*["'](?:https?:)?//""",
    re.IGNORECASE,
)


def test_no_template_or_static_file_loads_from_an_outside_host():
    offenders = []
    for folder in ("templates", "static"):
        for path in (BASE / folder).rglob("*"):
            if path.suffix not in {".html", ".css", ".js", ".txt", ".svg"} or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            for match in OUTSIDE.finditer(text):
                offenders.append(f"{path.relative_to(BASE)}: {text[match.start() : match.start() + 60]!r}")
    assert offenders == []


def test_the_scan_itself_catches_an_outside_reference():
    assert OUTSIDE.search('<script src="https://cdn.example.com/x.js"></script>')
    assert OUTSIDE.search("@import url(//fonts.example.com/a.css);")
    assert not OUTSIDE.search('<svg xmlns="http://www.w3.org/2000/svg">')


def test_user_can_switch_to_english_and_back(login, county_nanhu):
    client = login(county_nanhu)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert 'lang="en"' in english and "My tasks" in english and "我的待办" not in english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-CN"' in client.get("/").content.decode()


def test_unknown_page_answers_404_in_chinese(login, county_nanhu):
    response = login(county_nanhu).get("/no-such-page/")
    assert response.status_code == 404


def test_session_expires_when_idle(settings):
    # The age counts from the last request (recorded once a minute: accounts/tests/test_idle_session.py).
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and "accounts.sessions.IdleTimeoutMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_every_model_and_field_of_the_project_speaks_chinese():
    import re as _re

    from django.apps import apps
    from django.utils import translation

    cjk = _re.compile(r"[\u4e00-\u9fff]")
    missing = []
    with translation.override("zh-hans"):
        for app_label in ("accounts", "workflow", "pilots", "applications"):
            for model in apps.get_app_config(app_label).get_models():
                if not cjk.search(str(model._meta.verbose_name)):
                    missing.append(model.__name__)
                for field in model._meta.get_fields():
                    if field.auto_created or not (field.concrete or field.many_to_many) or field.model is not model:
                        continue  # reverse relations, generic keys, inherited fields
                    if field.name in {
                        "id",
                        "password",
                        "last_login",
                        "is_superuser",
                        "username",
                        "first_name",
                        "last_name",
                        "email",
                        "is_staff",
                        "is_active",
                        "date_joined",
                        "groups",
                        "user_permissions",
                    }:
                        continue  # Django's own AbstractUser fields, translated by Django
                    if not cjk.search(str(field.verbose_name)):
                        missing.append(f"{model.__name__}.{field.name}")
    assert missing == []


@pytest.mark.parametrize(
    ("fixture", "shown", "hidden"),
    [
        ("county_nanhu", ["nav-applications", "nav-published", "nav-candidates"], ["nav-batches"]),
        ("office_reviewer", ["nav-batches", "nav-candidates", "nav-applications"], []),
        ("committee_member", ["nav-applications", "nav-pilots"], ["nav-batches", "nav-candidates"]),
        ("expert_user", ["nav-published"], ["nav-batches", "nav-candidates", "nav-applications"]),
    ],
)
def test_navigation_shows_each_role_only_its_sections(fixture, shown, hidden, request, login):
    page = login(request.getfixturevalue(fixture)).get("/").content.decode()
    for testid in shown:
        assert f'data-testid="{testid}"' in page, testid
    for testid in hidden:
        assert f'data-testid="{testid}"' not in page, testid


def test_someone_elses_notification_cannot_be_opened(login, county_nanhu, county_xiuzhou, office_reviewer):
    from applications import services
    from applications.tests.factories import filled_application, listed_candidate, open_batch
    from workflow.models import Notification

    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    services.submit_application(actor=county_nanhu, application=app)
    note = Notification.objects.filter(recipient=office_reviewer).first()
    response = login(county_xiuzhou).post(reverse("workflow:notification_open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
