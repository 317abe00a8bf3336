"""The pilot's clock: a term that has ended with no extension pending moves the pilot to evaluation (the system)."""

from django.db import transaction
from django.utils import timezone

from pilots.services import begin_evaluation
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.services import reporting_pilots
from workflow.models import SYSTEM_ROLE
from workflow.services import record


def pending_extension_pilot_ids():
    """Pilots with an extension request still being decided (their clock waits for the decision)."""

    return ExtensionRequest.objects.filter(status__in=ExtensionRequest.PENDING).values("pilot_id")


def close_ended_terms(today=None, batch_size=500):
    """Move every pilot whose term ended before ``today`` (and has no extension pending) to evaluation; each in
    its own transaction with a system log row on the pilot naming the term's end as the cause. Returns the count."""
    today = today or timezone.localdate()
    ended = reporting_pilots().filter(term_end__lt=today).exclude(pk__in=pending_extension_pilot_ids())
    moved = 0
    for pilot in ended.iterator(chunk_size=batch_size):
        with transaction.atomic():
            cause = record(
                pilot,
                "pilot.term_ended",
                actor=None,
                role=SYSTEM_ROLE,
                details={"term_end": pilot.term_end.isoformat()},
            )
            begin_evaluation(pilot, cause_log=cause)
        moved += 1
    return moved
