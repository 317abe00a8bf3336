"""Permissions of the test workflow: the owning county edits and submits, the reform office reviews."""

import rules

from accounts.models import Role
from accounts.roles import unit_ids
from accounts.rules import is_reform_office


@rules.predicate
def is_member_of_owning_county(user, ticket):
    return ticket is not None and ticket.county_id in unit_ids(user, Role.COUNTY)


rules.add_perm("testapp.edit_ticket", is_member_of_owning_county)
rules.add_perm("testapp.review_ticket", is_reform_office)
