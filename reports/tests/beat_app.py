"""A test-only Celery app for ``celery beat``: the project's app with the reminder and clock jobs due every second.

``celery -A reports.tests.beat_app beat`` sends the same task names as production's schedule, so the ordinary
worker (``-A jiaxing_pilot``) runs them; only the schedule is shortened, for ``test_jobs_redis``.
"""

from datetime import timedelta

from jiaxing_pilot.celery import app

app.conf.beat_schedule = {
    "send-report-reminders": {"task": "reports.send_report_reminders", "schedule": timedelta(seconds=1)},
    "close-ended-terms": {"task": "reports.close_ended_terms", "schedule": timedelta(seconds=1)},
}
