"""Through nginx over HTTPS, against two gunicorn instances, a Celery worker and beat on PostgreSQL and Redis
(started by .ci/production from the deploy/ files): a county submits, the office returns, the worker e-mails
the county; two office users return the same application at the same moment through the two instances and
exactly one wins. The instances' own request logs show who answered what."""

import json
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from applications.models import Application
from applications.services import FILLED_EXAMPLE
from applications.tests.factories import listed_candidate, open_batch
from conftest import PASSWORD, watch_page_errors

pytestmark = pytest.mark.browser
RETURN_REASON = "请补充风险评估和量化指标。"
STALE = "已被其他用户处理"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _person(username, unit_code, role, full_name):
    from accounts.models import Membership, Unit, User

    # The production instances check passwords with the production hashers, not the tests' fast one.
    hasher = PBKDF2PasswordHasher()
    user = User.objects.create(
        username=username,
        email=f"{username}@example.test",
        full_name=full_name,
        password=hasher.encode(PASSWORD, hasher.salt()),
        password_changed_at=timezone.now(),
    )
    Membership.objects.create(user=user, unit=Unit.objects.get(code=unit_code), role=role)
    # The office's roles must pass a TOTP second factor in production (OTP_REQUIRED_ROLES): an enrolled phone.
    user.totp = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    user.used_totp = False
    # A TOTP code works once per 30 s, so a second login of the same person types a one-time backup code.
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    user.backup_codes = [StaticToken.random_token() for _ in range(3)]
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in user.backup_codes])
    return user


def second_factor(user):
    if not user.used_totp:
        user.used_totp = True
        return totp_code(user.totp)
    return user.backup_codes.pop()


def totp_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(scope="session")
def data(production):
    with production["db"].unblock():
        office = _person("office_prod_1", "reform-office", "reform_office", "王改革")
        office2 = _person("office_prod_2", "reform-office", "reform_office", "李统筹")
        county = _person("county_prod", "nanhu", "county", "南湖联络员")
        candidate = listed_candidate(office, open_batch(office))
    return {"office": office, "office2": office2, "county": county, "candidate": candidate}


def login(browser, production, user):
    context = browser.new_context(ignore_https_errors=True, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = watch_page_errors(page)
    page.on("dialog", lambda d: d.accept())
    url = production["url"]
    response = page.goto(f"{url}/accounts/login/")
    assert response.status == 200 and "max-age=" in response.headers["strict-transport-security"]
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/(accounts/otp/verify/.*)?$"))
    if "/otp/verify/" in page.url:  # the second factor, as the user types it from the phone
        page.fill("#id_token", second_factor(user))
        page.press("#id_token", "Enter")
        page.wait_for_url(f"{url}/")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
    return page


def request_lines(production, port):
    """The instance's own request log (JSON lines written by jiaxing_pilot.requestlog)."""
    lines = []
    for raw in (Path(production["logs"]) / f"web-{port}.log").read_text(encoding="utf-8").splitlines():
        if raw.startswith("{"):
            entry = json.loads(raw)
            if entry.get("logger") == "jiaxing_pilot.request":
                lines.append(entry)
    return lines


def wait_until(check, what, timeout=60):
    # Waits on other processes (the worker), so it polls with a deadline; nothing here times the app.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_county_submits_office_returns_worker_emails_and_both_instances_serve(production, data, browser):
    url, candidate = production["url"], data["candidate"]

    county = login(browser, production, data["county"])
    county.goto(f"{url}/pilots/candidates/published/")
    county.get_by_test_id(f"apply-{candidate.pk}").click()
    county.wait_for_url(re.compile(r"/applications/\d+/edit/$"))
    for name, value in FILLED_EXAMPLE.items():
        county.fill(f"#id_{name}", value)
    county.set_input_files(
        "#id_attachments", files=[{"name": "申报书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    county.click("button[name=action][value=submit]")
    county.wait_for_url(re.compile(r"/applications/\d+/$"))
    expect(county.get_by_test_id("state")).to_have_text("已提交")
    with production["db"].unblock():
        app = Application.objects.get(candidate=candidate)

    office = login(browser, production, data["office"])
    office.goto(f"{url}/applications/{app.pk}/")
    # The upload went through nginx to MEDIA_ROOT and comes back only through the access-checking view.
    with production["db"].unblock():
        from workflow.models import Attachment

        attachment = Attachment.objects.get(object_id=app.pk, original_name="申报书.pdf")
    download = office.context.request.get(f"{url}/files/{attachment.pk}/")
    assert download.status == 200 and download.body() == PDF
    assert office.context.request.get(f"{url}/_private_media/{attachment.file.name}").status == 404
    office.fill("#id_comment", RETURN_REASON)
    office.get_by_test_id("action-return_to_county").click()
    office.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(office.get_by_test_id("state")).to_have_text("已退回修改")

    # The worker (not the web process) delivers the county's notification to the file backend.
    county_address = f"To: {data['county'].email}"
    mail = wait_until(
        lambda: [p for p in Path(production["mail"]).glob("*") if county_address in p.read_text(errors="replace")],
        "the worker to e-mail the county",
    )
    assert mail
    worker_log = (Path(production["logs"]) / "worker.log").read_text(encoding="utf-8")
    assert re.search(r"workflow\.tasks\.deliver_notifications\[[^]]+\] succeeded", worker_log)

    county.goto(f"{url}/applications/{app.pk}/")
    expect(county.get_by_test_id("return-reason")).to_contain_text(RETURN_REASON)
    assert county.errors == [] and office.errors == []

    # Both instances answered this journey's requests, each in its own log.
    for port in production["ports"]:
        served = [e for e in request_lines(production, port) if e["user_id"] == data["county"].pk]
        assert served, f"instance :{port} served none of the county's requests"
        assert all(e["instance"].endswith(f":{port}") and e["request_id"] for e in served)
    county.context.close()
    office.context.close()


def test_two_office_users_return_one_application_at_once_through_the_two_instances(production, data, browser):
    from applications import services

    url = production["url"]
    with production["db"].unblock():
        from applications.tests.factories import filled_application

        candidate = listed_candidate(data["office"], open_batch(data["office"]), title="基层治理数字化集成改革")
        app = services.submit_application(
            actor=data["county"], application=filled_application(data["county"], candidate)
        )
    pages = [login(browser, production, data["office"]), login(browser, production, data["office2"])]
    for page in pages:
        page.goto(f"{url}/applications/{app.pk}/")
        expect(page.get_by_test_id("state")).to_have_text("已提交")
        page.fill("#id_comment", RETURN_REASON)

    def is_act(response):
        return response.url.endswith(f"/applications/{app.pk}/act/") and response.request.method == "POST"

    click = "document.querySelector('[data-testid=action-return_to_county]').click()"
    # Both forms go out back to back; nginx (one worker process) hands consecutive requests to alternate instances.
    with pages[0].expect_response(is_act) as first, pages[1].expect_response(is_act) as second:
        pages[0].evaluate(click)
        pages[1].evaluate(click)
    statuses = sorted([first.value.status, second.value.status])
    assert statuses == [302, 409], statuses
    loser = pages[0] if first.value.status == 409 else pages[1]
    winner = pages[1] if loser is pages[0] else pages[0]
    loser.wait_for_load_state()
    winner.wait_for_url(f"{url}/applications/{app.pk}/")
    expect(loser.get_by_role("alert").filter(has_text=STALE)).to_be_visible()
    expect(winner.get_by_role("alert").filter(has_text="操作成功")).to_be_visible()
    for page in pages:
        expect(page.get_by_test_id("state")).to_have_text("已退回修改")

    with production["db"].unblock():
        from workflow.models import TransitionLog

        (returned,) = TransitionLog.objects.filter(action="application.return_to_county", object_id=app.pk)

    # One POST in each instance's log: the race really ran across the two processes.
    posts = {
        port: [e for e in request_lines(production, port) if e["path"] == f"/applications/{app.pk}/act/"]
        for port in production["ports"]
    }
    assert all(len(p) == 1 for p in posts.values()), posts
    assert sorted(p[0]["status"] for p in posts.values()) == [302, 409]
    assert {p[0]["user_id"] for p in posts.values()} == {data["office"].pk, data["office2"].pk}
    # One request id from nginx to the app's log line to the audit row the winning request wrote.
    (won,) = [p[0] for p in posts.values() if p[0]["status"] == 302]
    assert returned.details["request_id"] == won["request_id"]
    access_log = (Path(production["logs"]) / "jiaxing-pilot.access.log").read_text(encoding="utf-8")
    assert f"rid={won['request_id']}" in access_log
    for page in pages:
        page.context.close()
