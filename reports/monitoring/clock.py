"""The pilot's clock: a term that has ended with no extension pending moves the pilot to evaluation (the system), and
the county's self-evaluation opens the same day (试点期满后，县做好自评)."""

import logging

from django.db import transaction
from django.utils import timezone

from pilots.services import begin_evaluation
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.services import reporting_pilots
from reviews.evaluation.services import open_missing_self_evaluations, open_self_evaluation
from workflow.engine.errors import WorkflowError
from workflow.models import SYSTEM_ROLE
from workflow.services import record

logger = logging.getLogger(__name__)


def pending_extension_pilot_ids():
    """Pilots with an extension request still being decided (their clock waits for the decision)."""

    return ExtensionRequest.objects.filter(status__in=ExtensionRequest.PENDING).values("pilot_id")


def close_ended_terms(today=None, batch_size=500):
    """Move every pilot whose term ended before ``today`` (and has no extension pending) to evaluation; each in
    its own transaction with a system log row on the pilot naming the term's end as the cause, and the county's
    self-evaluation opened (in a savepoint of its own: a criteria set being mended never holds the clock; the net
    opens it on a later run). Returns the count of pilots moved."""
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
            pilot = begin_evaluation(pilot, cause_log=cause)
            _open_self_evaluation(pilot, cause)
        moved += 1
    try:
        open_missing_self_evaluations(batch_size=batch_size)
    except WorkflowError as err:
        logger.warning("self-evaluations not opened: %s", err.message)
    return moved


def _open_self_evaluation(pilot, cause):
    try:
        with transaction.atomic():
            open_self_evaluation(pilot, cause_log=cause)
    except WorkflowError as err:
        logger.warning("self-evaluation of pilot %s not opened: %s", pilot.pk, err.message)
