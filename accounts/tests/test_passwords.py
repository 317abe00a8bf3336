"""Password age and history: an old or reset password must be changed first; the last five are refused."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def change(client, old, new):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def test_a_password_older_than_the_limit_must_be_changed_first(client, county_nanhu, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=county_nanhu.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.post(reverse("login"), {"username": "county_nanhu", "password": PASSWORD})
    response = client.get(reverse("inbox"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "已超过有效期" in page
    assert change(client, PASSWORD, "Nanhu#Reform-2027").status_code == 302
    assert client.get(reverse("inbox")).status_code == 200


def test_a_fresh_password_is_not_asked_again(client, county_nanhu, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    client.post(reverse("login"), {"username": "county_nanhu", "password": PASSWORD})
    assert client.get(reverse("inbox")).status_code == 200


def test_first_login_after_an_administrators_reset_must_change(client, county_nanhu):
    from accounts.passwords import reset_password

    temporary = reset_password(county_nanhu)
    client.post(reverse("login"), {"username": "county_nanhu", "password": temporary})
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("password_change")
    assert "管理员已重置您的密码" in client.get(reverse("password_change")).content.decode()
    assert change(client, temporary, "Nanhu#Reform-2027").status_code == 302
    county_nanhu.refresh_from_db()
    assert not county_nanhu.must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_the_last_five_passwords_cannot_be_reused(login, county_nanhu):
    client = login(county_nanhu)
    passwords = [PASSWORD] + [f"Jiaxing#Pilot-{i}x" for i in range(5)]
    for old, new in pairwise(passwords):
        assert change(client, old, new).status_code == 302, new
    current = passwords[-1]
    for reused in passwords[-5:]:
        response = change(client, current, reused)
        assert response.status_code == 200 and "不能与最近5次使用过的密码相同" in response.content.decode(), reused
    # The sixth-last is out of the window again.
    assert change(client, current, passwords[0]).status_code == 302


def test_a_password_change_is_audited(login, county_nanhu):
    from workflow.models import AuditEvent

    change(login(county_nanhu), PASSWORD, "Nanhu#Reform-2027")
    assert AuditEvent.objects.filter(kind="password_changed", actor=county_nanhu).exists()
