"""Demo logins: one per role and one per county, with a known password (only where seed_demo runs)."""

from django.conf import settings

from .models import Membership, Unit, User
from .reference import COUNTIES, GUIDANCE_UNITS, MUNICIPAL_DEPARTMENTS, SPECIAL_GROUPS, load_reference_units

PEOPLE = [
    ("office", "王改革", "reform-office", "reform_office", "市委改革办 审核员"),
    ("office2", "李统筹", "reform-office", "reform_office", "市委改革办 审核员"),
    ("committee", "陈委员", "committee", "committee", "市委改革委 委员"),
    ("expert", "周专家", "think-tank", "expert", "改革智库 研究员"),
]
PEOPLE += [(f"county_{code}", f"{name}联络员", code, "county", f"{name}改革办") for code, name in COUNTIES]
PEOPLE += [
    (code.replace("-", "_"), f"{name[1:5]}联络员", code, "special_group", lead)
    for code, name, _area, lead in SPECIAL_GROUPS
]
PEOPLE += [
    (code.replace("-", "_"), f"{name}联络员", code, "guidance_unit", name) for code, name, _full in GUIDANCE_UNITS
]
# 三员分立: three administrators, none of them a Django superuser (createsuperuser is for installation only).
PEOPLE += [
    ("sysadmin", "赵系统", "info-center", "system_admin", "信息中心 系统管理员"),
    ("secadmin", "钱安全", "info-center", "security_admin", "信息中心 安全管理员"),
    ("auditadmin", "孙审计", "info-center", "audit_admin", "信息中心 审计管理员"),
]
PEOPLE += [
    (code.replace("-", "_"), f"{name}联络员", code, "municipal_dept", name)
    for code, name, _full in MUNICIPAL_DEPARTMENTS
]


def seed():
    load_reference_units(Unit)
    password = settings.SEED_DEMO_PASSWORD
    logins = []
    for username, full_name, unit_code, role, title in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "email": f"{username}@demo.jiaxing.local"}
        )
        if created:
            user.set_password(password)
            user.save()
        Membership.objects.get_or_create(
            user=user, unit=Unit.objects.get(code=unit_code), role=role, defaults={"title": title}
        )
        logins.append((username, role, title))
    return logins
