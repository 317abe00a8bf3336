"""Permissions of the test workflow: the owning county edits and submits, the reform office reviews (a ticket
assigned to named office staff only they), the special groups take the second review."""

import rules

from accounts.models import Role
from accounts.roles import unit_ids
from accounts.rules import is_reform_office, is_special_group


@rules.predicate
def is_member_of_owning_county(user, ticket):
    return ticket is not None and ticket.county_id in unit_ids(user, Role.COUNTY)


rules.add_perm("testapp.edit_ticket", is_member_of_owning_county)


@rules.predicate
def is_named_reviewer_if_any(user, ticket):
    """A ticket assigned to named office staff (承办人) is reviewed by them only."""
    if ticket is None:
        return True
    from workflow.inbox.workitems import assignments_of

    named = {a.user_id for a in assignments_of(ticket, role=Role.REFORM_OFFICE) if a.acts and a.user_id}
    return not named or user.pk in named


rules.add_perm("testapp.review_ticket", is_reform_office & is_named_reviewer_if_any)
rules.add_perm("testapp.decide_ticket", is_special_group)
