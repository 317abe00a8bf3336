"""Read queries for self-evaluations and evaluations, each scoped by the user (404 for "missing" and "not yours")."""

from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.roles import unit_ids
from pilots.selectors import pilot_list
from reviews.evaluation.models import Evaluation, SelfEvaluation


def self_evaluation_list(user, *, status=""):
    qs = SelfEvaluation.objects.visible_to(user)
    if status in SelfEvaluation.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("pilot", "county", "evaluation").order_by("-updated_at", "-id")


def access_self_evaluation(user, pk):
    return get_object_or_404(
        SelfEvaluation.objects.visible_to(user).select_related("pilot", "county", "criteria_set", "created_by"),
        pk=pk,
    )


def access_evaluation(user, pk):
    return get_object_or_404(
        Evaluation.objects.visible_to(user).select_related(
            "pilot", "pilot__special_group", "pilot__guidance_unit", "county", "criteria_set", "self_evaluation"
        ),
        pk=pk,
    )


def to_start(user):
    """The user's county pilots in evaluation without a self-evaluation (the list's 开始自评 entries)."""

    counties = unit_ids(user, Role.COUNTY)
    if not counties:
        return []
    return list(pilot_list(user, stage="evaluating").filter(county__in=counties, self_evaluation__isnull=True))


def self_evaluation_content(se):
    """Task rows and self-scores with their criteria (two queries)."""
    return list(se.task_results.all()), list(se.self_scores.select_related("criterion"))


def plan_tasks(pilot):
    plan = getattr(pilot, "plan", None)
    return list(plan.tasks.all()) if plan is not None else []
