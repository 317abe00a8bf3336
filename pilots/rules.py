"""Permissions on batches, candidates and pilots."""

import rules

from accounts.rules import is_committee, is_county, is_reform_office, is_special_group

rules.add_perm("pilots.manage_batch", is_reform_office)
rules.add_perm("pilots.decide_candidate", is_reform_office)
rules.add_perm("pilots.propose_candidate", is_reform_office | is_special_group | is_county)
rules.add_perm("pilots.import_candidates", is_reform_office)
rules.add_perm("pilots.assign_guidance_unit", is_reform_office)
# The pilot's stage follows its records: no user takes start/extend/evaluate/complete (the system does).
rules.add_perm("pilots.follows_records", rules.always_deny)
rules.add_perm("pilots.terminate_pilot", is_committee)
