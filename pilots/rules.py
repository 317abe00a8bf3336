"""Permissions on batches, candidates and pilots."""

import rules

from accounts.models import Role
from accounts.roles import unit_ids
from accounts.rules import is_committee, is_county, is_guidance_unit, is_reform_office, is_special_group

rules.add_perm("pilots.manage_batch", is_reform_office)
rules.add_perm("pilots.decide_candidate", is_reform_office)
rules.add_perm("pilots.propose_candidate", is_reform_office | is_special_group | is_county)
rules.add_perm("pilots.import_candidates", is_reform_office)
rules.add_perm("pilots.assign_guidance_unit", is_reform_office)
# The pilot's stage follows its records: no user takes start/extend/evaluate/complete (the system does).
rules.add_perm("pilots.follows_records", rules.always_deny)
rules.add_perm("pilots.terminate_pilot", is_committee)
# 容错免责 (允许试错、包容失败): the committee marks a terminated or failed pilot (pilots/tolerance.py).
rules.add_perm("pilots.mark_tolerance", is_committee)


# --- experiences, promotion and the bonus-point ledger -----------------------------------------
def _pilot_of(obj):
    return getattr(obj, "pilot", obj)


@rules.predicate
def guides_or_leads_pilot(user, obj):
    """The pilot's special group or its guidance unit (they summarise experiences with the office, seed 二（五））."""

    pilot = _pilot_of(obj)
    if pilot is None:
        return False
    return pilot.special_group_id in unit_ids(user, Role.SPECIAL_GROUP) or (
        pilot.guidance_unit_id is not None and pilot.guidance_unit_id in unit_ids(user, Role.GUIDANCE_UNIT)
    )


# Drafting: with a pilot (or an experience) the check is on that pilot; without one, on the role.
rules.add_perm("pilots.draft_experience", is_reform_office | is_special_group | is_guidance_unit)
rules.add_perm("pilots.draft_experience_for", is_reform_office | guides_or_leads_pilot)
rules.add_perm("pilots.publish_experience", is_reform_office)
rules.add_perm("pilots.record_promotion", is_reform_office)
rules.add_perm("pilots.confirm_bonus", is_reform_office)
rules.add_perm("pilots.correct_bonus", is_reform_office)
rules.add_perm("pilots.read_bonus_ledger", is_reform_office | is_committee | is_county)
