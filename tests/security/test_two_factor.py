"""Two factors: TOTP enrolment with the app's own QR code, verification, backup codes, reset by the security
administrator only, every step audited; required for the configured roles, off for the demo logins."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

REQUIRED = ["reform_office", "committee", "system_admin", "security_admin", "audit_admin"]


def code(device, steps_ahead=0):
    """The code the user's phone shows (``steps_ahead``: a later 30-second window, since a code works once)."""
    import time

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrol(client):
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("otp_setup"), {"token": code(device), "next": "/"})
    assert response.status_code == 200
    return device, response


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED_ROLES = REQUIRED


def test_a_required_role_is_sent_to_enrol_and_the_qr_code_is_drawn_by_the_app(client, office_reviewer, otp_on):
    log_in(client, office_reviewer)
    response = client.get(reverse("inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_setup"))
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "http" not in page.split('data-testid="otp-qr"')[1].split("</div>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_enrolment_gives_backup_codes_and_opens_the_site(client, office_reviewer, otp_on):
    log_in(client, office_reviewer)
    device, response = enrol(client)
    device.refresh_from_db()
    assert device.confirmed
    codes = response.context["codes"]
    assert len(codes) == 10 and all(c in response.content.decode() for c in codes)
    assert client.get(reverse("inbox")).status_code == 200
    assert AuditEvent.objects.filter(kind="otp_enrolled", actor=office_reviewer).exists()


def test_next_login_asks_for_the_code_and_a_wrong_one_is_refused_and_audited(client, office_reviewer, otp_on):
    log_in(client, office_reviewer)
    device, _ = enrol(client)
    client.post(reverse("logout"))
    log_in(client, office_reviewer)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    wrong = client.post(reverse("otp_verify"), {"token": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(reverse("otp_verify"), {"token": code(device, steps_ahead=1), "next": reverse("inbox")})
    assert ok.status_code == 302 and ok["Location"] == reverse("inbox")
    assert client.get(reverse("home")).status_code == 200
    kinds = list(AuditEvent.objects.filter(actor=office_reviewer).values_list("kind", "result"))
    assert ("otp_failed", "failure") in kinds and ("otp_verified", "success") in kinds


def test_a_backup_code_works_once(client, office_reviewer, otp_on):
    log_in(client, office_reviewer)
    _, response = enrol(client)
    backup = response.context["codes"][0]
    for expected in (302, 400):
        client.post(reverse("logout"))
        log_in(client, office_reviewer)
        assert client.post(reverse("otp_verify"), {"token": backup}).status_code == expected


def test_a_county_login_needs_no_second_factor_and_the_demo_setting_is_off(client, county_nanhu, settings, otp_on):
    log_in(client, county_nanhu)
    assert client.get(reverse("home")).status_code == 200
    settings.OTP_REQUIRED_ROLES = []
    client.post(reverse("logout"))
    assert log_in(client, county_nanhu).get(reverse("home")).status_code == 200


def test_production_requires_the_second_factor_by_default():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 60, "DJANGO_SETTINGS_MODULE": "jiaxing_pilot.settings"}
    env.pop("OTP_REQUIRED_ROLES", None)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; print(','.join(s.OTP_REQUIRED_ROLES), s.PASSWORD_MAX_AGE_DAYS)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert set(out[0].split(",")) == set(REQUIRED) and out[1] == "90"


def test_only_the_security_administrator_resets_a_second_factor(client, make_user, office_reviewer, otp_on):
    log_in(client, office_reviewer)
    enrol(client)
    client.post(reverse("logout"))
    url = reverse("secadmin_reset_otp", args=[office_reviewer.pk])
    sysadmin = make_user("sysadmin", "info-center", role="system_admin")
    client.force_login(sysadmin)
    assert client.post(url).status_code in (302, 403)  # an admin without a factor is first sent to enrol
    assert TOTPDevice.objects.filter(user=office_reviewer).exists()
    secadmin = make_user("secadmin", "info-center", role="security_admin")
    TOTPDevice.objects.create(user=secadmin, name="x", confirmed=True)
    client.force_login(secadmin)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=secadmin).persistent_id
    session.save()
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=office_reviewer).exists()
    assert AuditEvent.objects.filter(kind="otp_reset", actor=secadmin, object_id=str(office_reviewer.pk)).exists()
