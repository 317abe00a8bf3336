"""Read queries for plans, each scoped by the user's units."""

from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.roles import unit_ids
from pilots.selectors import pilot_list
from reviews.plans.models import CONSULTATION, OpinionAnswer, Plan, StackingFlag, TaskRemark
from workflow.models import Opinion


def plan_list(user):
    return (
        Plan.objects.visible_to(user)
        .select_related("county", "pilot", "pilot__batch", "pilot__guidance_unit", "pilot__special_group")
        .order_by("-updated_at", "-id")
    )


def access_plan(user, pk):
    """The plan if the user may see it; 404 for both "missing" and "not yours"."""
    return get_object_or_404(plan_list(user).select_related("consult_unit", "created_by"), pk=pk)


def plans_to_write(user):
    """The user's county pilots still in planning without a plan (the list page's 编制试点方案 entries)."""

    return list(pilot_list(user).filter(status="planning", county__in=unit_ids(user, Role.COUNTY), plan__isnull=True))


def consultation(plan):
    """The consultation opinions with their task remarks and the county's answers (three queries)."""
    opinions = list(
        Opinion.objects.for_object(plan).filter(purpose=CONSULTATION).select_related("unit", "user", "given_by")
    )
    ids = [o.pk for o in opinions]
    remarks, answers = {}, {a.opinion_id: a for a in OpinionAnswer.objects.filter(opinion_id__in=ids)}
    for r in TaskRemark.objects.filter(opinion_id__in=ids):
        remarks.setdefault(r.opinion_id, []).append(r)
    for o in opinions:
        o.remarks = remarks.get(o.pk, [])
        o.answer = answers.get(o.pk)
    return opinions


def flags(plan):
    return list(StackingFlag.objects.filter(plan=plan).select_related("answered_by").order_by("id"))
