"""Scheduled jobs of reports: daily reminders, the quarters of every term, and the pilot's clock."""

import logging

from celery import shared_task
from django.db import OperationalError

from reports.dashboard.figures import refresh_snapshot
from reports.monitoring.clock import close_ended_terms as close
from reports.monitoring.reminders import send_reminders
from reports.monitoring.services import fill_report_quarters as fill

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.send_report_reminders",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_report_reminders():
    """Idempotent: each reminder has a unique key, so a retry or a second beat sends nothing twice."""

    sent = send_reminders()
    logger.info("report reminders sent: %s", sent)
    return {str(k): v for k, v in sent.items()}


@shared_task(name="reports.fill_report_quarters", acks_late=True, autoretry_for=(OperationalError,), max_retries=5)
def fill_report_quarters():

    return fill()


@shared_task(name="reports.close_ended_terms", acks_late=True, autoretry_for=(OperationalError,), max_retries=5)
def close_ended_terms():
    """The pilot's clock: ended terms with no extension pending move to evaluation (logged as the system)."""

    return close()


@shared_task(name="reports.refresh_dashboard", acks_late=True, autoretry_for=(OperationalError,), max_retries=2)
def refresh_dashboard():
    """The dashboard's figures for every language (idempotent: each run replaces the rows)."""

    return refresh_snapshot().isoformat()
