"""Read queries for self-evaluations and evaluations, each scoped by the user (404 for "missing" and "not yours")."""

from django.conf import settings
from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Role
from accounts.roles import unit_ids
from pilots.selectors import pilot_list
from pilots.services import Outcome
from reviews.evaluation import grading
from reviews.evaluation.models import Evaluation, SelfEvaluation


def timeliness_q(value, today=None):
    """The self-evaluations on time, late, overdue and missing, or not due yet (``SelfEvaluation.timeliness``
    in SQL)."""
    today = today or timezone.localdate()
    T = SelfEvaluation.Timeliness
    never = Q(first_submitted_on__isnull=True)
    return {
        T.MISSING: never & Q(due_on__lt=today),
        T.LATE: Q(first_submitted_on__gt=F("due_on")),
        T.ON_TIME: Q(first_submitted_on__lte=F("due_on")),
        T.NOT_DUE: never & (Q(due_on__gte=today) | Q(due_on__isnull=True)),
    }[value]


def self_evaluation_list(user, *, status="", timeliness=""):
    """The self-evaluations ``user`` may read, by state and by timeliness (the office follows the overdue ones)."""
    qs = SelfEvaluation.objects.visible_to(user)
    if status in SelfEvaluation.Status.values:
        qs = qs.filter(status=status)
    if timeliness in SelfEvaluation.Timeliness.values:
        qs = qs.filter(timeliness_q(timeliness))
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


def pilot_outcome(pilot):
    """What the pilot's completed evaluation concluded (``pilots.services.evaluation_outcome`` reads this): its grade,
    whether it reached ``BONUS_MIN_GRADE`` (试点工作富有成效) and whether it failed; None until it is completed."""
    grade = (
        Evaluation.objects.filter(pilot_id=pilot.pk, status__in=[Evaluation.Status.SCORED, Evaluation.Status.REPORTED])
        .values_list("grade", flat=True)
        .first()
    )
    if not grade:
        return None
    return Outcome(
        grade=grade,
        label=grading.grade_label(grade),
        worked=grading.reaches(grade, settings.BONUS_MIN_GRADE),
        failed=grade == grading.FAIL,
        minimum_label=grading.grade_label(settings.BONUS_MIN_GRADE),
    )


def minimum_grade_label():
    """The name of ``BONUS_MIN_GRADE`` (e.g. 合格), for the ledger's notes."""
    return grading.grade_label(settings.BONUS_MIN_GRADE)
