"""Permissions on self-evaluations and evaluations (imported from ReviewsConfig.ready)."""

import rules

from accounts.models import Role
from accounts.roles import unit_ids
from accounts.rules import is_committee, is_reform_office
from reviews.plans.rules import is_pilot_county


@rules.predicate
def is_self_evaluation_county(user, self_evaluation):
    return self_evaluation is not None and self_evaluation.county_id in unit_ids(user, Role.COUNTY)


@rules.predicate
def is_named_evaluator(user, evaluation):
    """Named on this evaluation (has a score sheet of their own)."""
    if evaluation is None or not getattr(user, "is_authenticated", False):
        return False
    return evaluation.sheets.filter(evaluator_id=user.pk).exists()


rules.add_perm("reviews.start_self_evaluation", is_pilot_county)
rules.add_perm("reviews.edit_self_evaluation", is_self_evaluation_county)
rules.add_perm("reviews.review_self_evaluation", is_reform_office)
rules.add_perm("reviews.manage_evaluation", is_reform_office)
rules.add_perm("reviews.score_evaluation", is_named_evaluator)
rules.add_perm("reviews.comment_evaluation", is_committee)
