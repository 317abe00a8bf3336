"""Permissions on batches, candidates and pilots."""

import rules

from accounts.rules import is_committee, is_county, is_reform_office, is_special_group

rules.add_perm("pilots.manage_batch", is_reform_office)
rules.add_perm("pilots.decide_candidate", is_reform_office)
rules.add_perm("pilots.propose_candidate", is_reform_office | is_special_group | is_county)
rules.add_perm("pilots.import_candidates", is_reform_office)
rules.add_perm("pilots.run_pilot", is_reform_office)
rules.add_perm("pilots.terminate_pilot", is_committee)
