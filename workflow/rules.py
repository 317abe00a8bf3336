"""Who may act on an opinion request: the invitee answers, the unit (in its role) that asked asks and cancels."""

import rules

from accounts.roles import memberships


@rules.predicate
def is_invitee(user, opinion):
    """The named person, or a member of the asked unit in the asked role."""
    if opinion is None or not getattr(user, "is_authenticated", False):
        return False
    if opinion.user_id:
        return opinion.user_id == user.pk
    return any(m.unit_id == opinion.unit_id and m.role == opinion.role for m in memberships(user))


@rules.predicate
def is_requester_side(user, opinion):
    """A member of the unit that asked, in the role it asked in (not only the person who clicked)."""
    if opinion is None or not getattr(user, "is_authenticated", False):
        return False
    if not opinion.requested_unit_id:
        return opinion.requested_by_id == user.pk
    return any(m.unit_id == opinion.requested_unit_id and m.role == opinion.requested_role for m in memberships(user))


rules.add_perm("workflow.request_opinion", is_requester_side)
rules.add_perm("workflow.give_opinion", is_invitee)
rules.add_perm("workflow.cancel_opinion", is_requester_side)
