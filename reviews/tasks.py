"""Scheduled jobs of reviews: the daily reminders of self-evaluations (the quarterly reports' are in reports)."""

import logging

from celery import shared_task
from django.db import OperationalError

from reviews.evaluation.reminders import send_reminders

logger = logging.getLogger(__name__)


@shared_task(
    name="reviews.send_self_evaluation_reminders",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_self_evaluation_reminders():
    """Idempotent: each reminder has a unique key, so a retry or a second beat sends nothing twice."""
    sent = send_reminders()
    logger.info("self-evaluation reminders sent: %s", sent)
    return {str(k): v for k, v in sent.items()}
