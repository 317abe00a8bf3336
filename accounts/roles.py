"""Role look-ups for a user: the memberships are read from the database once per request (kept on the user object
the request loaded), never from a shared cache, so a membership removed is refused at the next request."""

from .models import Membership, Role


def memberships(user):
    """All memberships of the user, with units, loaded once per user object (one query a request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = _memberships(user)
        user._membership_cache = cached
    return cached


def _memberships(user):
    return list(Membership.objects.filter(user=user, unit__is_active=True).select_related("unit"))


def roles_of(user):
    return {m.role for m in memberships(user)}


def has_role(user, role):
    return role in roles_of(user)


def unit_ids(user, role):
    """Ids of the units in which the user holds ``role``."""
    return {m.unit_id for m in memberships(user) if m.role == role}


def units(user, role):
    return [m.unit for m in memberships(user) if m.role == role]


def sees_everything(user):
    """The reform office and the committee see every record (domain.md, scoping)."""
    return bool(roles_of(user) & {Role.REFORM_OFFICE, Role.COMMITTEE})
