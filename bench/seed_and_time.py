"""Benchmark: seed many applications into a throw-away database and time the busiest pages.

Run with `make bench` (or `DATABASE_URL=postgres://… .venv/bin/python bench/seed_and_time.py` against a
scratch PostgreSQL database). Prints timings; asserts nothing — speed is measured here, never in a test.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxing_pilot.settings")
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

N_APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def seed():
    from accounts.demo import seed as seed_people
    from accounts.models import Membership, Unit, User
    from applications import services
    from applications.tests.factories import listed_candidate, open_batch

    seed_people()
    office = User.objects.get(username="office")
    batch = open_batch(office, name="基准测试批次")
    for i in range(N_APPLICATIONS):
        unit = Unit.objects.create(code=f"bench-{i}", name=f"基准县{i}", kind="county")
        user = User.objects.create_user(f"bench{i}", email=f"b{i}@example.test")  # no password: cannot log in
        Membership.objects.create(user=user, unit=unit, role="county")
        candidate = listed_candidate(office, batch, title=f"基准项目{i}")
        app = services.start_application(actor=user, candidate=candidate)
        app = services.save_draft(actor=user, application=app, data=services.FILLED_EXAMPLE)
        if i % 2:
            services.submit_application(actor=user, application=app)


def timed(client, url):
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def main():
    call_command("migrate", verbosity=0)
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}):
        started = time.perf_counter()
        seed()
        print(f"seeded {N_APPLICATIONS} applications in {time.perf_counter() - started:.1f} s")
    from accounts.models import User

    client = Client()
    for username in ("office", "committee", "sg_digital"):
        client.force_login(User.objects.get(username=username))
        for url in ("/", "/applications/", "/pilots/candidates/", "/pilots/candidates/published/", "/inbox/"):
            print(f"{username:<12} {url:<32} median {timed(client, url):7.1f} ms over {ROUNDS} rounds")


if __name__ == "__main__":
    main()
