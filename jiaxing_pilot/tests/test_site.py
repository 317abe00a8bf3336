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
    assert 'lang="en"' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-CN"' in client.get("/").content.decode()


def test_unknown_page_answers_404_in_chinese(login, county_nanhu):
    response = login(county_nanhu).get("/no-such-page/")
    assert response.status_code == 404


def test_session_expires_when_idle(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY
