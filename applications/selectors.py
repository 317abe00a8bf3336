"""Read queries for applications, each scoped by the user's units."""

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pilots.models import Candidate, Pilot
from workflow.conventions.opinions import prefetch_opinions

from .models import Application


def application_list(user):
    return (
        Application.objects.visible_to(user)
        .select_related("batch", "county", "candidate", "candidate__lead_group")
        .order_by("-updated_at", "-id")
    )


def with_workflow_facts(qs):
    """Annotate and prefetch what the transition conditions read, so N records cost no N queries."""

    running = Pilot.objects.running().filter(county_id=OuterRef("county_id"))
    return prefetch_opinions(qs.annotate(county_runs_pilot=Exists(running)))


def access_application(user, pk):
    """The application if the user may see it; 404 for both "missing" and "not yours"."""
    return get_object_or_404(
        Application.objects.visible_to(user).select_related(
            "batch", "county", "candidate", "candidate__lead_group", "candidate__guidance_unit", "created_by"
        ),
        pk=pk,
    )


def open_candidates():
    """Listed candidates of batches whose application window is open now."""

    now = timezone.now()
    return (
        Candidate.objects.published()
        .filter(batch__status="open", batch__window_opens_at__lte=now, batch__window_closes_at__gte=now)
        .select_related("batch", "lead_group", "guidance_unit")
        .order_by("batch", "area", "id")
    )


def undecided_in_batch(batch):
    """The batch's applications the committee has not decided yet, in county · project name order."""
    return (
        Application.objects.filter(batch=batch, status__in=Application.UNDECIDED)
        .select_related("county")
        .order_by("county__name", "id")
    )


def _listed(qs):
    return qs.select_related("county", "candidate", "candidate__lead_group").order_by("county__name", "id")


def recommendation_items(rlist):
    """The applications on a recommendation list with what the decision page shows."""
    return _listed(rlist.items.all())


def recommendable(batch):
    """(ready, pending): the batch's applications the office has recommended or not, and those still with it."""
    base = Application.objects.filter(batch=batch)
    return (
        _listed(base.filter(status__in=Application.RECOMMENDATION_MADE)),
        _listed(base.filter(status__in=Application.BEFORE_RECOMMENDATION)),
    )


def names_of(applications, limit=20):
    """(how many, "南湖区·项目；…") for a message: the first ``limit`` named, "等" when there are more."""
    count = applications.count()
    names = "；".join(f"{a.county.name}·{a.project_name}" for a in applications[:limit])
    return count, names + ("等" if count > limit else "")
