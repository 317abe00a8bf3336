"""Read queries for applications, each scoped by the user's units."""

from django.shortcuts import get_object_or_404

from pilots.models import Candidate

from .models import Application


def application_list(user):
    return (
        Application.objects.visible_to(user)
        .select_related("batch", "county", "candidate", "candidate__lead_group")
        .order_by("-updated_at", "-id")
    )


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
    from django.utils import timezone

    now = timezone.now()
    return (
        Candidate.objects.published()
        .filter(batch__status="open", batch__window_opens_at__lte=now, batch__window_closes_at__gte=now)
        .select_related("batch", "lead_group", "guidance_unit")
        .order_by("batch", "area", "id")
    )
