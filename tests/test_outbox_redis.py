"""The outbox against a real Redis broker and a real Celery worker process, with the broker stopped mid-way.

A transition made while Redis is down still succeeds; its e-mail goes out once Redis is back (the sweep
task, scheduled by beat, finds it); nothing is ever e-mailed twice. Needs PostgreSQL (the worker process reads
the same test database) and the redis-server binary: run in CI's service pass (REQUIRE_SERVICES=1).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection

from applications import services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from jiaxing_pilot.celery import app as celery_app
from workflow.engine.outbox import deliver_pending
from workflow.models import Notification

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
BASE = Path(__file__).resolve().parents[1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """A private redis-server this test may stop and start again."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.dir = tmp_path
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        exe = shutil.which("redis-server")
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                exe,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(lambda: _can_connect(self.port), "redis to start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        _wait(lambda: not _can_connect(self.port), "redis to stop")


def _can_connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _wait(check, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _mails(folder):
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(Path(folder).glob("*.log"))]


@pytest.fixture
def broker(real_services, tmp_path):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for the outbox test")
    b = Broker(tmp_path)
    b.start()
    yield b
    if b.proc and b.proc.poll() is None:
        b.proc.terminate()
        b.proc.wait(10)


@pytest.fixture
def worker(broker, tmp_path):
    """A real `celery worker` process on the private broker, writing e-mails to files."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed at teardown; read when a test fails
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": broker.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "jiaxing_pilot",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ],
        cwd=BASE,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield mail_dir
    proc.terminate()
    proc.wait(20)
    log.close()
    print((tmp_path / "worker.log").read_text()[-3000:])


def _use_broker(monkeypatch, url):
    """Point this process's publishing side at the private broker (the worker already uses it)."""
    monkeypatch.setattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(celery_app.conf, "broker_connection_timeout", 1)
    _reset_connections()


def _reset_connections():
    """Forget pooled broker connections, as a process does after the broker went away or came back."""
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def test_notifications_survive_a_broker_outage_and_are_never_sent_twice(
    broker, worker, monkeypatch, county_nanhu, office_reviewer
):
    _use_broker(monkeypatch, broker.url)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))

    # 1. Broker up: the worker delivers the submission's e-mail to the office.
    app = services.submit_application(actor=county_nanhu, application=app)
    first = Notification.objects.get(recipient=office_reviewer, log__action="application.submit")
    _wait(lambda: Notification.objects.get(pk=first.pk).email_status == "sent", "the worker to send", 60)
    assert len(_mails(worker)) == 1

    # 2. Broker down: the return still succeeds and its notification waits in the outbox.
    broker.stop()
    _reset_connections()
    started = time.monotonic()
    app = services.review_application(
        actor=office_reviewer, application=app, name="return_to_county", comment="请补充风险评估"
    )
    assert time.monotonic() - started < 15
    app.refresh_from_db()
    assert app.status == "returned"
    waiting = Notification.objects.get(recipient=county_nanhu, log__action="application.return_to_county")
    assert waiting.email_status == "pending"
    time.sleep(1)
    assert Notification.objects.get(pk=waiting.pk).email_status == "pending"

    # 3. Broker back: beat's sweep (sent here by hand, as beat would) makes the worker deliver it, once.
    broker.start()
    _reset_connections()
    Notification.objects.filter(pk=waiting.pk).update(created_at=waiting.created_at.replace(year=2000))
    connection.close()
    deliver_pending.apply_async()
    _wait(lambda: Notification.objects.get(pk=waiting.pk).email_status == "sent", "delivery after the outage", 90)
    deliver_pending.apply_async()  # a second sweep, like a retried task, finds nothing to send
    time.sleep(3)
    mails = _mails(worker)
    assert len(mails) == 2, mails
    assert sum("请登录系统查看" in m for m in mails) == 2
    assert (
        Notification.objects.filter(email_status="sent").count()
        == Notification.objects.exclude(email_status="skipped").count()
    )
