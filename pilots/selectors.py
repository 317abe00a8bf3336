"""Read queries for batches, candidates and pilots, scoped by the user's units."""

from django.shortcuts import get_object_or_404

from pilots.models import Batch, BonusEntry, Candidate, Experience, Pilot, Promotion
from workflow.ui.widgets import filter_county


def batch_list(user):
    return Batch.objects.visible_to(user).order_by("-year", "-id")


def access_batch(user, pk):
    return get_object_or_404(Batch.objects.visible_to(user), pk=pk)


def candidate_list(user):
    return (
        Candidate.objects.visible_to(user)
        .select_related("batch", "lead_group", "guidance_unit", "proposer_unit", "addressed_to")
        .order_by("-batch__year", "-batch_id", "area", "id")
    )


def access_candidate(user, pk):
    return get_object_or_404(candidate_list(user), pk=pk)


def published_batches():
    return Batch.objects.exclude(status=Batch.Status.DRAFT).order_by("-year", "-id")


def published_candidates(batch):
    return (
        Candidate.objects.published()
        .filter(batch=batch)
        .select_related("lead_group", "guidance_unit", "proposer_unit")
        .order_by("area", "id")
    )


def pilot_list(user, *, stage="", county=None, area="", batch=None, tolerated=None):
    """The pilots ``user`` may see, newest first; filtered by stage, county (an id, or part of a county's name:
    ``filter_county``), area, batch (id) and the 容错免责 mark (True: marked, False: not) where given
    (the list page and the dashboards' links use the same filters)."""
    qs = Pilot.objects.visible_to(user)
    if tolerated is not None:
        qs = qs.filter(tolerated_at__isnull=not tolerated)
    if stage in Pilot.Status.values:
        qs = qs.filter(status=stage)
    elif stage == "running":
        qs = qs.running()
    qs = filter_county(qs, county)
    if area:
        qs = qs.filter(area=area)
    if batch:
        qs = qs.filter(batch_id=batch)
    return qs.select_related("county", "batch", "special_group", "guidance_unit").order_by("-created_at")


def pilots_in_stage(stage):
    """Every pilot in ``stage``, whoever reads them (the jobs of the later stages: the clock's net)."""
    return Pilot.objects.filter(status=stage).order_by("pk")


def access_pilot(user, pk):
    return get_object_or_404(pilot_list(user).select_related("application"), pk=pk)


def decided_batches():
    """Batches whose decided list (确定名单) is published to every logged-in user."""
    return Batch.objects.filter(status=Batch.Status.DECIDED).order_by("-year", "-id")


def decided_pilots(batch):
    """确定名单: the pilots the committee decided in ``batch`` (one per approved application), one query."""
    return (
        Pilot.objects.filter(batch=batch)
        .select_related("county", "special_group", "guidance_unit", "application")
        .order_by("county__name", "id")
    )


# --- what the dashboards (reports.dashboard.figures) count: scoped querysets, no rows loaded here -----------------
def experiences(user):
    return Experience.objects.visible_to(user)


def promotions(user):
    return Promotion.objects.visible_to(user)


def bonus_entries(user):
    return BonusEntry.objects.visible_to(user)
