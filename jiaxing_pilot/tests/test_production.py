"""Production mode proven in-process: collectstatic with DEBUG=0 from the tree as cloned, every page of every role
rendered with DEBUG=0 and the manifest storage, the request log and its id (log line, error pages, audit rows),
and the deploy/ files agreeing with the settings."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve

from applications import services as application_services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from jiaxing_pilot import requestlog
from workflow.models import AuditEvent, TransitionLog

BASE = Path(__file__).resolve().parents[2]
DEPLOY = BASE / "deploy"
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


# --- 1. DEBUG=0 from a fresh clone -------------------------------------------------------------
def test_no_vendored_file_names_a_source_map_that_is_not_there():
    missing = []
    for path in (BASE / "static").rglob("*"):
        if path.suffix in {".js", ".css"}:
            for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(encoding="utf-8", errors="ignore")):
                if not (path.parent / name).exists():
                    missing.append(f"{path.relative_to(BASE)} → {name}")
    assert missing == [], "strip the comment (static/vendor/README.md) or add the map"


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """One `collectstatic` per session, run exactly as the README says, with DEBUG=0 and the manifest storage."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DEBUG="0", SECRET_KEY="s" * 60, STATIC_ROOT=str(root), DJANGO_SETTINGS_MODULE="jiaxing_pilot.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "staticfiles.json").exists()
    return root


@pytest.fixture
def production_settings(settings, collected_static):
    settings.DEBUG = False
    settings.STATIC_ROOT = str(collected_static)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return settings


# Links a crawl must not follow: logging out, switching language, the admin site, files and feeds.
NOT_PAGES = ("/accounts/logout", "/i18n/", "/admin/", "/static/", "/files/", "/healthz")
LINK = re.compile(r"""\bhref="(/[^"#]*)""")
ASSET = re.compile(r"""\b(?:src|href)="(/static/[^"?#]+)""")
PER_PAGE_KIND = 1  # visit one URL of each kind (view + query keys) per person: every page, kept fast


def _kind(url):
    parts = urlsplit(url)
    try:
        view = resolve(parts.path).view_name
    except Resolver404:
        view = parts.path
    return view, tuple(sorted(k.split("=")[0] for k in parts.query.split("&") if k))


def crawl(client):
    """Every page reachable by links from the home page; returns (pages visited, failures, static assets)."""
    queue, seen, kinds = deque(["/"]), {"/"}, Counter()
    visited, failures, assets = [], [], set()
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if getattr(response, "streaming", False):  # a download (an Excel export): read to its end, as a browser does,
            b"".join(response.streaming_content)  # and the test client closes its temporary file
        visited.append(url)
        if response.status_code in (301, 302):
            target = response["Location"]
            if target.startswith("/") and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if response.status_code == 403:
            continue  # a refusal page, rendered (it names the rule); which links a role sees is tested per app
        if response.status_code != 200:
            failures.append(f"{url} → {response.status_code}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        assets.update(ASSET.findall(html))
        for link in LINK.findall(html):
            link = link.replace("&amp;", "&")
            if link in seen or link.startswith(NOT_PAGES) or link.endswith(".ics"):
                continue
            kind = _kind(link)
            if kinds[kind] >= PER_PAGE_KIND:
                continue
            kinds[kind] += 1
            seen.add(link)
            queue.append(link)
    return visited, failures, assets


@pytest.mark.django_db
def test_every_page_of_every_role_renders_with_debug_off_and_hashed_static_files(production_settings):
    from accounts.models import Membership, User

    call_command("seed_demo", force=True, stdout=io.StringIO())
    people = {}
    for m in Membership.objects.select_related("user").order_by("user__username"):
        people.setdefault(m.role, m.user)
    admin = User.objects.filter(is_superuser=True).first()
    if admin is not None:
        people["admin"] = admin
    assert len(people) >= 6, people

    all_assets, report = set(), {}
    for role, user in sorted(people.items()):
        client = Client()
        client.force_login(user)
        visited, failures, assets = crawl(client)
        assert failures == [], f"{role} ({user.username}): {failures}"
        report[role] = len(visited)
        all_assets |= assets
    assert min(report.values()) >= 2, report  # every role got past its home page

    # The pages name the hashed copies (the manifest is in use) and every one of them is served.
    assert any(re.search(r"\.[0-9a-f]{12}\.(css|js)$", a) for a in all_assets), sorted(all_assets)
    anonymous = Client()
    for asset in sorted(all_assets):
        response = anonymous.get(asset)
        assert response.status_code == 200, asset
        response.close()


@pytest.mark.django_db
def test_login_page_and_404_render_with_debug_off(production_settings, client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404


# --- 5. the request log and its id -------------------------------------------------------------
def _request_lines(caplog):
    return [r for r in caplog.records if r.name == "jiaxing_pilot.request"]


@pytest.mark.django_db
def test_one_log_line_per_request_with_id_user_status_and_duration(caplog, login, county_nanhu):
    client = login(county_nanhu)
    with caplog.at_level(logging.INFO, logger="jiaxing_pilot.request"):
        response = client.get("/")
    (line,) = _request_lines(caplog)
    assert line.http["status"] == 200 and line.http["path"] == "/" and line.http["method"] == "GET"
    assert line.http["user_id"] == county_nanhu.pk
    assert line.http["duration_ms"] >= 0
    rid = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert f"user={county_nanhu.pk}" in line.getMessage() and "GET / 200" in line.getMessage()


@pytest.mark.django_db
def test_json_log_lines_carry_request_id_instance_and_fields(caplog, client):
    with caplog.at_level(logging.INFO, logger="jiaxing_pilot.request"):
        response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="abcdef0123456789abcdef0123456789")
    (record,) = _request_lines(caplog)
    requestlog.RequestIdFilter().filter(record)
    entry = json.loads(requestlog.JsonFormatter().format(record))
    assert entry["request_id"] == "abcdef0123456789abcdef0123456789" == response["X-Request-ID"]
    assert entry["status"] == 200 and entry["user_id"] is None and entry["path"] == "/accounts/login/"
    assert entry["instance"] and entry["level"] == "INFO" and "duration_ms" in entry


@pytest.mark.django_db
def test_a_request_id_a_client_made_up_is_replaced(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>" and re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_secret_tokens_in_urls_stay_out_of_the_log(caplog, client):
    with caplog.at_level(logging.INFO, logger="jiaxing_pilot.request"):
        client.get("/calendar/s3cr3t-feed-token-value.ics")
    (line,) = _request_lines(caplog)
    assert "s3cr3t" not in line.getMessage() and "[redacted]" in line.http["path"]


@pytest.mark.django_db
def test_error_pages_show_the_request_id(login, county_nanhu, client):
    response = login(county_nanhu).get("/no-such-page/")
    assert response.status_code == 404
    assert response["X-Request-ID"] in response.content.decode()

    bad = Client().get("/accounts/login/", HTTP_HOST="evil.example.com")
    assert bad.status_code == 400
    assert bad["X-Request-ID"] in bad.content.decode()

    request = RequestFactory().get("/")
    request.request_id = "0123456789abcdef0123456789abcdef"
    crashed = requestlog.server_error(request)
    assert crashed.status_code == 500 and request.request_id in crashed.content.decode()


@pytest.mark.django_db
def test_403_page_shows_the_request_id(login, county_xiuzhou, county_nanhu, office_reviewer):
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    app = application_services.submit_application(actor=county_nanhu, application=app)
    response = login(office_reviewer).post(f"/applications/{app.pk}/act/", {"name": "withdraw"})
    assert response.status_code == 403
    assert response["X-Request-ID"] in response.content.decode()


@pytest.mark.django_db
def test_audit_rows_carry_the_id_of_the_request_that_caused_them(client, county_nanhu, office_reviewer):
    from conftest import PASSWORD

    response = client.post("/accounts/login/", {"username": "county_nanhu", "password": PASSWORD})
    assert response.status_code == 302
    login_event = AuditEvent.objects.filter(kind="login", actor=county_nanhu).latest("pk")
    assert login_event.details["request_id"] == response["X-Request-ID"]

    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    app = application_services.submit_application(actor=county_nanhu, application=app)
    office = Client()
    office.force_login(office_reviewer)
    response = office.post(
        f"/applications/{app.pk}/act/",
        {"name": "return_to_county", "comment": "请补充风险评估。", "expected_state": "submitted"},
    )
    assert response.status_code == 302
    row = TransitionLog.objects.get(action="application.return_to_county", object_id=app.pk)
    assert row.details["request_id"] == response["X-Request-ID"]
    # Work done outside a request (services called from a task or a command) carries no id.
    submitted = TransitionLog.objects.get(action="application.submit", object_id=app.pk)
    assert "request_id" not in submitted.details


# --- 3. the deploy/ files agree with the settings ----------------------------------------------
def _env_example():
    values = {}
    for line in (DEPLOY / "jiaxing-pilot.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value.strip('"')
    return values


def test_nginx_takes_uploads_exactly_as_large_as_the_app(settings):
    nginx = (DEPLOY / "nginx" / "jiaxing-pilot.conf").read_text(encoding="utf-8")
    (limit,) = re.findall(r"^\s*client_max_body_size\s+(\d+);", nginx, re.MULTILINE)
    assert int(limit) == settings.UPLOAD_MAX_BYTES == int(_env_example()["UPLOAD_MAX_BYTES"])
    assert "X-Forwarded-Proto $scheme" in nginx and "ssl_certificate " in nginx
    # Media is never served from disk: no root/alias in the site, and the media URL answers 404 at the proxy.
    assert not re.search(r"^\s*(root|alias)\s", nginx, re.MULTILINE)
    assert re.search(rf"location \^~ {re.escape(settings.MEDIA_URL)} \{{\s*return 404;", nginx)


def test_every_variable_the_units_use_is_in_the_example_environment():
    example = _env_example()
    used = set()
    for unit in DEPLOY.glob("*.service"):
        used |= set(re.findall(r"\$\{(\w+)\}", unit.read_text(encoding="utf-8")))
    assert used and used <= set(example), used - set(example)
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    deploy_only = {"WEB_WORKERS", "WORKER_CONCURRENCY", "BACKUP_DIR", "BACKUP_KEEP", "BACKUP_PASSPHRASE"}
    undocumented = {k for k in example if f"`{k}`" not in readme} - deploy_only
    assert undocumented == set()
    assert example["DEBUG"] == "0" and example["LOG_FORMAT"] == "json"


def test_the_units_run_one_web_instance_per_port_exactly_one_beat_and_the_backup():
    web = (DEPLOY / "jiaxing-pilot-web@.service").read_text(encoding="utf-8")
    assert "--bind 127.0.0.1:%i" in web and "APP_INSTANCE=%H:%i" in web
    assert "EnvironmentFile=/etc/jiaxing-pilot/jiaxing-pilot.env" in web
    nginx = (DEPLOY / "nginx" / "jiaxing-pilot.conf").read_text(encoding="utf-8")
    assert len(re.findall(r"^\s*server 127\.0\.0\.1:\d+", nginx, re.MULTILINE)) == 2
    assert " beat " in (DEPLOY / "jiaxing-pilot-beat.service").read_text(encoding="utf-8")
    assert "manage.py backup" in (DEPLOY / "jiaxing-pilot-backup.service").read_text(encoding="utf-8")
