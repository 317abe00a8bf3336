"""Permissions on reports: the pilot's county writes and submits, the office accepts or returns."""

import rules

from accounts.models import Role
from accounts.roles import unit_ids
from accounts.rules import is_committee, is_reform_office


@rules.predicate
def is_report_county(user, report):
    return report is not None and report.county_id in unit_ids(user, Role.COUNTY)


rules.add_perm("reports.edit_report", is_report_county)
rules.add_perm("reports.review_report", is_reform_office)
rules.add_perm("reports.quarter_overview", is_reform_office)


@rules.predicate
def is_pilot_county(user, pilot):
    return pilot is not None and pilot.county_id in unit_ids(user, Role.COUNTY)


rules.add_perm("reports.apply_extension", is_pilot_county)
rules.add_perm("reports.withdraw_extension", is_pilot_county)  # the request's county (it carries county_id too)
rules.add_perm("reports.review_extension", is_reform_office)
rules.add_perm("reports.decide_extension", is_committee)
rules.add_perm("reports.record_extension", is_reform_office)


@rules.predicate
def is_item_county(user, item):
    return item is not None and item.county_id in unit_ids(user, Role.COUNTY)


rules.add_perm("reports.record_inspection", is_reform_office)
rules.add_perm("reports.rectify_item", is_item_county)
rules.add_perm("reports.verify_item", is_reform_office)

# The dashboards: the committee reads them, the office too (with its own work on top) and keeps the goals.
rules.add_perm("reports.view_dashboard", is_committee | is_reform_office)
rules.add_perm("reports.manage_goals", is_reform_office)
