"""Permissions on problem items (存在问题、需市级支持事项), guidance records (业务指导记录) and the special group's
supervision page (协调督促)."""

import rules

from accounts.models import Role
from accounts.roles import unit_ids
from accounts.rules import is_reform_office, is_special_group


@rules.predicate
def is_source_county(user, source):
    """The county of the application, plan or quarterly report an item is raised from."""
    return source is not None and source.county_id in unit_ids(user, Role.COUNTY)


@rules.predicate
def is_problem_county(user, item):
    return item is not None and item.county_id in unit_ids(user, Role.COUNTY)


@rules.predicate
def is_problem_handler(user, item):
    """A member of the unit the item is assigned to, in the role it was assigned in."""
    return item is not None and bool(item.handler_id) and item.handler_id in unit_ids(user, item.handler_role)


@rules.predicate
def is_pilot_guidance_unit(user, pilot):
    return (
        pilot is not None
        and bool(pilot.guidance_unit_id)
        and pilot.guidance_unit_id in unit_ids(user, Role.GUIDANCE_UNIT)
    )


rules.add_perm("reports.raise_problem", is_source_county | is_reform_office)
rules.add_perm("reports.handle_problem", is_reform_office)
rules.add_perm("reports.reply_problem", is_problem_handler)
rules.add_perm("reports.confirm_problem", is_problem_county)
rules.add_perm("reports.record_guidance", is_pilot_guidance_unit)
# 协调督促: a special group follows its pilots' overdue reports and open rectification items (the office all).
rules.add_perm("reports.supervise", is_special_group | is_reform_office)
