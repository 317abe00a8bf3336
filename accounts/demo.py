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
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"full_name": "系统管理员", "is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(password)
        admin.save()
    logins.append(("admin", "admin", "系统管理员（仅后台基础数据）"))
    return logins
