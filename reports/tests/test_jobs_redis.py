"""The reminder and clock jobs on a real Redis broker and a real Celery worker process (CI's service pass):
the same reminder job sent twice at once (two beats started by mistake) sends each reminder once; the clock job moves
an ended term to evaluation as the system. The worker runs on the real date, so the data is set around today.
The last test runs a real ``celery beat`` (two of them, by mistake) with a test schedule (``beat_app``) on REDIS_URL
next to the worker."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from pilots.models import Pilot
from reports.monitoring.models import QuarterlyReport, ReminderSent
from reports.tasks import close_ended_terms, send_report_reminders
from reports.tests.factories import implementing_pilot
from tests.test_outbox_redis import BASE, _use_broker, _wait, broker, worker  # noqa: F401 (fixtures)
from workflow.audit.verify import verify
from workflow.models import Notification, TransitionLog

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_beats_send_each_reminder_once_and_the_clock_moves_an_ended_term(
    broker,  # noqa: F811
    worker,  # noqa: F811
    monkeypatch,
    county_nanhu,
    county_xiuzhou,
    office_reviewer,
    committee_member,
    sg_digital,
):
    today = timezone.localdate()
    running = implementing_pilot(
        county_nanhu, office_reviewer, committee_member, sg_digital, start=today - datetime.timedelta(days=200)
    )
    ended = implementing_pilot(
        county_xiuzhou,
        office_reviewer,
        committee_member,
        sg_digital,
        start=today.replace(year=today.year - 2) - datetime.timedelta(days=3),
        candidate_title="第二个试点",
    )
    owed = QuarterlyReport.objects.filter(pilot=running, due_on__lt=today).count()
    assert owed >= 1
    _use_broker(monkeypatch, broker.url)
    connection.close()
    send_report_reminders.apply_async()
    send_report_reminders.apply_async()  # a second beat started by mistake
    _wait(
        lambda: ReminderSent.objects.filter(report__pilot=running, kind="overdue").count() == owed,
        "the overdue notices",
        120,
    )
    close_ended_terms.apply_async()
    _wait(lambda: Pilot.objects.get(pk=ended.pk).status == "evaluating", "the clock job", 120)
    time.sleep(2)  # let a second run finish if it were to send anything
    assert ReminderSent.objects.filter(report__pilot=running, kind="overdue").count() == owed
    notices = Notification.objects.filter(recipient=office_reviewer, log__action="quarterly_report.reminder_overdue")
    assert notices.filter(log__object_id__in=QuarterlyReport.objects.filter(pilot=running).values("pk")).count() == owed
    log = TransitionLog.objects.get(object_id=ended.pk, action="pilot.evaluate")
    assert log.actor_id is None and log.role == "system"


class Services:
    """Real ``celery`` processes on the configured Redis (REDIS_URL) and the test database; logs to files."""

    def __init__(self, tmp_path):
        self.dir = tmp_path
        self.procs = []
        db = settings.DATABASES["default"]
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_URL": "memorymail://",
        }

    def start(self, name, *args):
        log = open(self.dir / f"{name}.log", "w")  # noqa: SIM115 - closed in stop(); printed at teardown
        proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "celery", *args, "-l", "INFO"],
            cwd=BASE,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append((name, proc, log))

    def log(self, name):
        return (self.dir / f"{name}.log").read_text(errors="replace")

    def stop(self):
        # Beats first, so the worker is not handed new work while it shuts down.
        for _name, proc, _log in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        for name, _proc, log in self.procs:
            log.close()
            print(f"--- {name} ---\n" + self.log(name)[-2000:])


@pytest.fixture
def celery_services(real_services, tmp_path):
    from jiaxing_pilot.celery import app

    # Tasks left in the queue by an earlier run would run against this test's database.
    with app.connection_for_write(settings.REDIS_URL) as conn:
        conn.default_channel.queue_purge("celery")
    services = Services(tmp_path)
    yield services
    services.stop()
    with app.connection_for_write(settings.REDIS_URL) as conn:
        conn.default_channel.queue_purge("celery")


def test_a_real_beat_twice_sends_each_reminder_once_and_moves_an_ended_term(
    celery_services, county_nanhu, county_xiuzhou, office_reviewer, committee_member, sg_digital
):
    today = timezone.localdate()
    running = implementing_pilot(
        county_nanhu, office_reviewer, committee_member, sg_digital, start=today - datetime.timedelta(days=200)
    )
    ended = implementing_pilot(
        county_xiuzhou,
        office_reviewer,
        committee_member,
        sg_digital,
        start=today.replace(year=today.year - 2) - datetime.timedelta(days=3),
        candidate_title="第二个试点",
    )
    owed = list(QuarterlyReport.objects.filter(pilot=running, due_on__lt=today).values_list("pk", flat=True))
    assert owed
    connection.close()

    celery_services.start(
        "worker", "-A", "jiaxing_pilot", "worker", "--pool=prefork", "--concurrency=2", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    )  # fmt: skip
    # Two beat processes started by mistake, each with its own schedule file: every job is sent twice a second.
    for name in ("beat1", "beat2"):
        celery_services.start(
            name, "-A", "reports.tests.beat_app", "beat", "--max-interval=1",
            "-s", str(celery_services.dir / f"{name}-schedule"), "--pidfile", str(celery_services.dir / f"{name}.pid"),
        )  # fmt: skip

    def runs():
        lines = celery_services.log("worker").splitlines()
        return sum("reports.send_report_reminders[" in line and "succeeded" in line for line in lines)

    reminders = Notification.objects.filter(
        recipient=office_reviewer, log__action="quarterly_report.reminder_overdue", log__object_id__in=owed
    )
    _wait(lambda: reminders.count() >= len(owed), "the overdue notices from the beat", 180)
    _wait(lambda: Pilot.objects.get(pk=ended.pk).status == "evaluating", "the clock job from the beat", 180)
    # Several more runs from both beats finish after the first sent everything: they must send nothing again.
    done = runs()
    _wait(lambda: runs() >= done + 8, "more reminder runs from both beats", 180)
    for name in ("beat1", "beat2"):
        assert "Sending due task send-report-reminders" in celery_services.log(name)

    assert reminders.count() == len(owed)
    assert sorted(reminders.values_list("log__object_id", flat=True)) == sorted(owed)
    logs = TransitionLog.objects.filter(action="quarterly_report.reminder_overdue", object_id__in=owed)
    assert sorted(logs.values_list("object_id", flat=True)) == sorted(owed)
    assert set(logs.values_list("role", flat=True)) == {"system"}
    assert ReminderSent.objects.filter(report__in=owed, kind="overdue").count() == len(owed)
    clock = TransitionLog.objects.get(object_id=ended.pk, action="pilot.evaluate")
    assert clock.actor_id is None and clock.role == "system"
    assert verify(TransitionLog) is None
