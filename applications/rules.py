"""Permissions on applications: the owning county edits, the office reviews, the committee decides."""

import rules

from accounts.models import Role
from accounts.roles import unit_ids
from accounts.rules import is_committee, is_county, is_reform_office


@rules.predicate
def is_member_of_applying_county(user, application):
    return application is not None and application.county_id in unit_ids(user, Role.COUNTY)


rules.add_perm("applications.start_application", is_county)
rules.add_perm("applications.edit_application", is_member_of_applying_county)
rules.add_perm("applications.review_application", is_reform_office)
rules.add_perm("applications.decide_application", is_committee)
# 代为录入: the office records a committee decision on the committee's behalf, citing the meeting.
rules.add_perm("applications.record_decision", is_reform_office)
# A recommendation list is finished by the system when its last item is decided.
rules.add_perm("applications.follows_items", rules.always_deny)
