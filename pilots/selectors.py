"""Read queries for batches, candidates and pilots, scoped by the user's units."""

from django.shortcuts import get_object_or_404

from .models import Batch, Candidate, Pilot


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


def pilot_list(user):
    return (
        Pilot.objects.visible_to(user)
        .select_related("county", "batch", "special_group", "guidance_unit")
        .order_by("-created_at")
    )


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
