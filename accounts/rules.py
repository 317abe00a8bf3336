"""Role predicates shared by every app's rules.py."""

import rules

from .models import Role
from .roles import has_role


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


rules.add_perm("accounts.view_office_area", is_reform_office)
