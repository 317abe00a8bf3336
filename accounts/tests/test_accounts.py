"""Login, lockout, password change, reference data and demo seeding, as a user or operator sees them."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Membership, Role, Unit, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_reference_units_come_from_the_migration():
    counties = set(Unit.objects.filter(kind=Role.COUNTY).values_list("name", flat=True))
    assert counties == {"南湖区", "秀洲区", "嘉善县", "平湖市", "海盐县", "海宁市", "桐乡市"}
    assert Unit.objects.filter(kind=Role.REFORM_OFFICE).count() == 1
    assert Unit.objects.filter(kind=Role.COMMITTEE).count() == 1
    assert Unit.objects.filter(kind=Role.SPECIAL_GROUP).exclude(area="").count() >= 5
    assert Unit.objects.filter(kind=Role.GUIDANCE_UNIT).count() >= 3


def test_login_page_is_chinese_and_anonymous_users_are_sent_there(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    page = client.get(reverse("login")).content.decode()
    assert "嘉兴市县域集成改革试点管理系统" in page and "用户名" in page and "密码" in page


def test_wrong_password_says_so_in_chinese(client, county_nanhu):
    response = client.post(reverse("login"), {"username": "county_nanhu", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_five_failures_lock_the_account_even_with_the_right_password(client, county_nanhu):
    for _ in range(5):
        client.post(reverse("login"), {"username": "county_nanhu", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "county_nanhu", "password": PASSWORD})
    assert response.status_code == 429
    assert "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_administrator_unlocks(client, county_nanhu):
    for _ in range(5):
        client.post(reverse("login"), {"username": "county_nanhu", "password": "wrong"})
    call_command("axes_reset_username", "county_nanhu")
    response = client.post(reverse("login"), {"username": "county_nanhu", "password": PASSWORD})
    assert response.status_code == 302


def test_home_names_the_users_units_and_roles(login, county_nanhu):
    page = login(county_nanhu).get(reverse("home")).content.decode()
    assert "南湖区" in page and "县（市、区）" in page and "我的待办" in page


def test_password_change_rejects_weak_passwords_in_chinese(login, county_nanhu):
    client = login(county_nanhu)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "密码" in text and ("太常见" in text or "全都是数字" in text or "全是数字" in text)
    ok = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Nanhu-Reform-88", "new_password2": "Nanhu-Reform-88"},
    )
    assert ok.status_code == 302
    county_nanhu.refresh_from_db()
    assert county_nanhu.check_password("Nanhu-Reform-88")


def test_membership_role_must_match_the_unit_kind(units):
    user = User.objects.create_user("x", password=PASSWORD)
    with pytest.raises(ValidationError) as err:
        Membership(user=user, unit=units["nanhu"], role=Role.REFORM_OFFICE).full_clean()
    assert "角色必须与单位类型一致" in str(err.value)


def test_seed_demo_is_idempotent_and_creates_a_login_per_role_and_county(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = User.objects.count(), Membership.objects.count()
    call_command("seed_demo")
    assert (User.objects.count(), Membership.objects.count()) == first
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for code in ["nanhu", "xiuzhou", "jiashan", "pinghu", "haiyan", "haining", "tongxiang"]:
        assert User.objects.filter(username=f"county_{code}", memberships__unit__code=code).exists()
    assert User.objects.get(username="county_nanhu").check_password(settings.SEED_DEMO_PASSWORD)


def test_seed_demo_refuses_in_production_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("seed_demo")
    assert not User.objects.filter(username="office").exists()


def test_logins_failures_logouts_and_denied_actions_are_audited(client, county_nanhu):
    from workflow.models import AuditEvent

    client.post(reverse("login"), {"username": "county_nanhu", "password": "wrong"})
    client.post(reverse("login"), {"username": "county_nanhu", "password": PASSWORD})
    assert client.get(reverse("pilots:batch_create")).status_code == 403
    client.post(reverse("logout"))
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", "username"))
    assert kinds == [
        ("login_failed", "county_nanhu"),
        ("login", "county_nanhu"),
        ("denied", "county_nanhu"),
        ("logout", "county_nanhu"),
    ]
    denied = AuditEvent.objects.get(kind="denied")
    assert denied.path == reverse("pilots:batch_create") and denied.ip_address == "127.0.0.1"
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
