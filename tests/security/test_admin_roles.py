"""三员分立: the system, security and audit administrators each reach only their own console, none grants an
administrator role (to itself or anyone), and their actions are audited."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role, User
from conftest import PASSWORD
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

CONSOLES = {
    "system_admin": ["sysadmin_users", "sysadmin_user_create", "sysadmin_units", "sysadmin_unit_create"],
    "security_admin": ["secadmin_users", "secadmin_settings"],
    "audit_admin": ["audit_trail", "audit_export", "audit_chain"],
}


@pytest.fixture
def admins(make_user):
    return {role: make_user(role, "info-center", role=role) for role in CONSOLES}


@pytest.mark.parametrize("role", list(CONSOLES))
def test_each_administrator_reaches_its_console_and_is_refused_the_others(client, admins, role):
    client.force_login(admins[role])
    for owner, names in CONSOLES.items():
        for name in names:
            status = client.get(reverse(name)).status_code
            assert status == (200 if owner == role else 403), (role, name)


def test_working_roles_are_refused_every_console(client, office_reviewer, county_nanhu):
    for user in (office_reviewer, county_nanhu):
        client.force_login(user)
        for names in CONSOLES.values():
            for name in names:
                assert client.get(reverse(name)).status_code == 403, (user, name)
    assert AuditEvent.objects.filter(kind="denied", actor=county_nanhu).count() == sum(map(len, CONSOLES.values()))


def test_an_administrator_holds_no_working_role_and_sees_no_business_page(client, admins):
    client.force_login(admins["system_admin"])
    assert Membership.objects.filter(user=admins["system_admin"]).get().role == Role.SYSTEM_ADMIN
    assert client.get(reverse("pilots:batch_create")).status_code == 403


def test_the_system_administrator_creates_a_user_with_a_temporary_password_to_change(client, admins, units):
    client.force_login(admins["system_admin"])
    response = client.post(
        reverse("sysadmin_user_create"),
        {"username": "new_liaison", "full_name": "新联络员", "email": "n@example.test", "phone": "", "is_active": "on"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_liaison")
    assert user.must_change_password and user.has_usable_password()
    grant = client.post(
        reverse("sysadmin_membership_add", args=[user.pk]), {"unit": units["nanhu"].pk, "role": "county", "title": ""}
    )
    assert grant.status_code == 302 and Membership.objects.filter(user=user, role="county").exists()
    kinds = list(AuditEvent.objects.filter(actor=admins["system_admin"]).values_list("kind", flat=True))
    assert "user_changed" in kinds and "role_changed" in kinds


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_no_administrator_role_can_be_granted_through_the_console(client, admins, units, role):
    client.force_login(admins["system_admin"])
    target = User.objects.create_user("someone", password=PASSWORD)
    response = client.post(
        reverse("sysadmin_membership_add", args=[target.pk]), {"unit": units["info-center"].pk, "role": role}
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(user=target).exists()
    # Not to itself either: its own account is an administrator's, which the console does not edit.
    own = client.post(
        reverse("sysadmin_membership_add", args=[admins["system_admin"].pk]),
        {"unit": units["reform-office"].pk, "role": "reform_office"},
    )
    assert own.status_code == 403
    assert list(admins["system_admin"].memberships.values_list("role", flat=True)) == [Role.SYSTEM_ADMIN]


def test_a_role_must_match_its_unit(client, admins, units):
    client.force_login(admins["system_admin"])
    target = User.objects.create_user("someone", password=PASSWORD)
    response = client.post(
        reverse("sysadmin_membership_add", args=[target.pk]), {"unit": units["nanhu"].pk, "role": "reform_office"}
    )
    assert response.status_code == 400 and "角色必须与单位类型一致" in response.content.decode()


def test_the_security_administrator_unlocks_and_resets_a_password(client, admins, county_nanhu):
    for _ in range(5):
        client.post(reverse("login"), {"username": "county_nanhu", "password": "wrong"})
    client.force_login(admins["security_admin"])
    page = client.get(reverse("secadmin_users")).content.decode()
    assert "已锁定" in page
    assert client.post(reverse("secadmin_unlock", args=[county_nanhu.pk])).status_code == 302
    reset = client.post(reverse("secadmin_reset_password", args=[county_nanhu.pk]), follow=True)
    temporary = reset.content.decode().split("临时密码：")[1].split("（")[0]
    county_nanhu.refresh_from_db()
    assert county_nanhu.must_change_password and county_nanhu.check_password(temporary)
    kinds = set(AuditEvent.objects.filter(actor=admins["security_admin"]).values_list("kind", flat=True))
    assert {"unlocked", "password_reset"} <= kinds


def test_the_security_administrator_cannot_reset_an_administrators_password(client, admins):
    client.force_login(admins["security_admin"])
    for target in admins.values():
        assert client.post(reverse("secadmin_reset_password", args=[target.pk])).status_code == 403


def test_the_demo_has_three_administrators_and_no_superuser(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    assert not User.objects.filter(is_superuser=True).exists()
    roles = set(Membership.objects.filter(unit__code="info-center").values_list("role", flat=True))
    assert roles == {"system_admin", "security_admin", "audit_admin"}


def test_the_installer_grants_an_administrator_role_to_a_dedicated_account_only(county_nanhu):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    User.objects.create_user("new_auditor", password=PASSWORD)
    call_command("grant_admin_role", "new_auditor", "audit_admin")
    assert Membership.objects.filter(
        user__username="new_auditor", role="audit_admin", unit__code="info-center"
    ).exists()
    with pytest.raises(CommandError, match="三员分立"):
        call_command("grant_admin_role", "new_auditor", "security_admin")
    with pytest.raises(CommandError, match="三员分立"):
        call_command("grant_admin_role", "county_nanhu", "system_admin")
    assert AuditEvent.objects.filter(kind="role_changed", username="installer", details__role="audit_admin").exists()


def test_each_administrator_sees_only_its_own_console_in_the_menu(client, admins):
    entries = {"system_admin": "nav-sysadmin", "security_admin": "nav-secadmin", "audit_admin": "nav-audit"}
    for role, testid in entries.items():
        client.force_login(admins[role])
        page = client.get(reverse("home")).content.decode()
        assert testid in page and all(other not in page for other in entries.values() if other != testid)
