"""Who may answer an opinion request: a member of the asked unit in the asked role."""

import rules

from accounts.roles import memberships
from accounts.rules import is_reform_office


@rules.predicate
def is_member_of_asked_unit(user, opinion):
    if opinion is None:
        return False
    return any(m.unit_id == opinion.unit_id and m.role == opinion.role for m in memberships(user))


rules.add_perm("workflow.give_opinion", is_member_of_asked_unit)
rules.add_perm("workflow.cancel_opinion", is_reform_office)
