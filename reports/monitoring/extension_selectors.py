"""Read queries of extension requests beyond the list (selectors.extension_list): the last refusal of a
pilot's request, shown to the county when it applies again, and whether it may apply."""

import rules
from django.contrib.contenttypes.models import ContentType

from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.services import REPORTING
from workflow.models import TransitionLog


def last_refusal(user, pilot):
    """``(request, log row)`` of the pilot's latest request the office refused or the committee rejected, as
    ``user`` may see it, or None (two queries)."""
    ext = (
        ExtensionRequest.objects.visible_to(user)
        .filter(pilot=pilot, status__in=ExtensionRequest.REFUSALS)
        .order_by("-created_at", "-id")
        .first()
    )
    if ext is None:
        return None
    log = (
        TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(ExtensionRequest), object_id=ext.pk, to_state=ext.status
        )
        .select_related("actor", "unit")
        .order_by("-created_at", "-id")
        .first()
    )
    return ext, log


def may_apply(user, pilot):
    """The county may ask (again) for an extension of this pilot: implementing, and no request pending."""
    return (
        pilot.status in REPORTING
        and pilot.term_end is not None
        and rules.has_perm("reports.apply_extension", user, pilot)
        and not ExtensionRequest.objects.filter(pilot=pilot, status__in=ExtensionRequest.PENDING).exists()
    )
