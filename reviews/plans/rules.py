"""Permissions on plans: the pilot county edits, its guidance unit or special group consults, the office reviews,
the committee approves (or the office records the approval on its behalf)."""

import rules

from accounts.models import Role
from accounts.roles import unit_ids
from accounts.rules import is_committee, is_reform_office


@rules.predicate
def is_plan_county(user, plan):
    return plan is not None and plan.county_id in unit_ids(user, Role.COUNTY)


@rules.predicate
def is_pilot_county(user, pilot):
    return pilot is not None and pilot.county_id in unit_ids(user, Role.COUNTY)


@rules.predicate
def is_plan_guidance_unit(user, plan):
    return plan is not None and plan.pilot.guidance_unit_id in unit_ids(user, Role.GUIDANCE_UNIT)


@rules.predicate
def is_plan_special_group(user, plan):
    return plan is not None and plan.pilot.special_group_id in unit_ids(user, Role.SPECIAL_GROUP)


@rules.predicate
def is_consultation_organiser(user, plan):
    return plan is not None and bool(plan.consult_role) and plan.consult_unit_id in unit_ids(user, plan.consult_role)


rules.add_perm("reviews.start_plan", is_pilot_county)
rules.add_perm("reviews.edit_plan", is_plan_county)
rules.add_perm("reviews.consult_as_guidance", is_plan_guidance_unit)
rules.add_perm("reviews.consult_as_group", is_plan_special_group)
rules.add_perm("reviews.organise_consultation", is_consultation_organiser)
rules.add_perm("reviews.review_plan", is_reform_office)
rules.add_perm("reviews.approve_plan", is_committee)
rules.add_perm("reviews.record_approval", is_reform_office)
rules.add_perm("reviews.manage_reference", is_reform_office)
