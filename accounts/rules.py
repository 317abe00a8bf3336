"""Role predicates shared by every app's rules.py."""

import rules

from .models import ADMIN_ROLES, Role
from .roles import has_role, roles_of


@rules.predicate
def is_reform_office(user):
    return has_role(user, Role.REFORM_OFFICE)


@rules.predicate
def is_committee(user):
    return has_role(user, Role.COMMITTEE)


@rules.predicate
def is_county(user):
    return has_role(user, Role.COUNTY)


@rules.predicate
def is_special_group(user):
    return has_role(user, Role.SPECIAL_GROUP)


@rules.predicate
def is_guidance_unit(user):
    return has_role(user, Role.GUIDANCE_UNIT)


@rules.predicate
def is_expert(user):
    return has_role(user, Role.EXPERT)


@rules.predicate
def is_municipal_dept(user):
    return has_role(user, Role.MUNICIPAL_DEPT)


@rules.predicate
def is_system_admin(user):
    return has_role(user, Role.SYSTEM_ADMIN)


@rules.predicate
def is_security_admin(user):
    return has_role(user, Role.SECURITY_ADMIN)


@rules.predicate
def is_audit_admin(user):
    return has_role(user, Role.AUDIT_ADMIN)


@rules.predicate
def is_administrator(user):
    """Any of the three administrators (三员分立); they see people's contact details unmasked."""
    return bool(roles_of(user) & set(ADMIN_ROLES))


rules.add_perm("accounts.view_office_area", is_reform_office)
# 三员分立: one duty per administrator role, none overlapping.
rules.add_perm("accounts.manage_users", is_system_admin)
rules.add_perm("accounts.manage_units", is_system_admin)
rules.add_perm("accounts.manage_security", is_security_admin)
rules.add_perm("accounts.read_audit", is_audit_admin)
