"""Benchmark: the daily report reminder job over N quarterly reports (default 300,000 of 30,000 pilots).

Seeds a fresh PostgreSQL database with bulk inserts (counties with one user each, pilots implementing, ten quarterly
reports each: past quarters submitted except about 2% missing, the current quarter due today), then runs the job
(``reports.monitoring.reminders.send_reminders``) on its due date twice (the second run must send nothing) and
prints wall time, the reminders sent and the peak Python memory (tracemalloc) of each run; ``--no-tracemalloc``
times the job without tracemalloc (which slows Python down) and prints no memory. ``--sizes`` runs several sizes in
one go to show time growing with the reminders due and memory staying flat.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_h10 .venv/bin/python bench/reminders_bench.py \
        --sizes 30000 300000

The database named in DATABASE_URL is dropped and created again for each size. Asserts nothing but the second run.
"""

import argparse
import datetime
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jx_h10")
os.environ.setdefault("EMAIL_URL", "dummymail://")

QUARTERS = [
    (2023, 4),
    (2024, 1),
    (2024, 2),
    (2024, 3),
    (2024, 4),
    (2025, 1),
    (2025, 2),
    (2025, 3),
    (2025, 4),
    (2026, 1),
]
TODAY = datetime.date(2026, 4, 15)  # 2026 Q1's due date (15 days after the quarter)


def seed(reports):
    from django.db import connection, transaction

    from accounts.models import Membership, Role, Unit, User
    from applications.models import Application
    from applications.services import FILLED_EXAMPLE
    from pilots.models import Batch, Candidate, Pilot
    from reports.monitoring.models import QuarterlyReport, quarter_bounds

    pilots_n = reports // len(QUARTERS)
    office_unit = Unit.objects.get(kind=Role.REFORM_OFFICE)
    group = Unit.objects.filter(kind=Role.SPECIAL_GROUP).exclude(area="").first()
    office = User.objects.create_user("bench_office", full_name="基准测试改革办", email="office@example.org")
    Membership.objects.create(user=office, unit=office_unit, role=Role.REFORM_OFFICE)
    with transaction.atomic():
        counties = Unit.objects.bulk_create(
            [Unit(code=f"b-{i}", name=f"基准县{i}", kind=Role.COUNTY, sort_order=1000 + i) for i in range(pilots_n)],
            batch_size=5000,
        )
        users = User.objects.bulk_create(
            [User(username=f"bc{i}", full_name=f"县联络员{i}", email=f"c{i}@example.org") for i in range(pilots_n)],
            batch_size=5000,
        )
        Membership.objects.bulk_create(
            [Membership(user=u, unit=c, role=Role.COUNTY) for u, c in zip(users, counties, strict=True)],
            batch_size=5000,
        )
        batch = Batch.objects.create(name="基准批次", year=2023, status=Batch.Status.DECIDED)
        cands = Candidate.objects.bulk_create(
            [
                Candidate(
                    batch=batch,
                    title=f"基准项目{i}",
                    area=group.area,
                    lead_group=group,
                    description="简介",
                    channel=Candidate.Channel.OFFICE,
                    proposer_unit=office_unit,
                    proposed_by=office,
                    status=Candidate.Status.LISTED,
                )
                for i in range(pilots_n)
            ],
            batch_size=5000,
        )
        apps = Application.objects.bulk_create(
            [
                Application(
                    batch=batch,
                    candidate=c,
                    county=counties[i],
                    created_by=office,
                    status="approved",
                    project_name=c.title,
                    area=c.area,
                    **FILLED_EXAMPLE,
                )
                for i, c in enumerate(cands)
            ],
            batch_size=2000,
        )
        pilots = Pilot.objects.bulk_create(
            [
                Pilot(
                    title=a.project_name,
                    county=counties[i],
                    batch=batch,
                    candidate=cands[i],
                    application=a,
                    area=a.area,
                    special_group=group,
                    status="implementing",
                    term_start=datetime.date(2023, 10, 1),
                    term_end=datetime.date(2026, 3, 31),
                )
                for i, a in enumerate(apps)
            ],
            batch_size=5000,
        )
        rows = []
        for i, p in enumerate(pilots):
            for j, (y, q) in enumerate(QUARTERS):
                start, end = quarter_bounds(y, q)
                due = end + datetime.timedelta(days=15)
                last = j == len(QUARTERS) - 1
                missing = (i * 31 + j) % 50 == 0  # about 2% of past reports never came
                rows.append(
                    QuarterlyReport(
                        pilot=p,
                        county_id=p.county_id,
                        year=y,
                        quarter=q,
                        period_start=start,
                        period_end=end,
                        due_on=due,
                        status="draft" if last or missing else "accepted",
                        first_submitted_on=None if last or missing else due,
                    )
                )
            if len(rows) >= 20000:
                QuarterlyReport.objects.bulk_create(rows, batch_size=5000)
                rows = []
        QuarterlyReport.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def run_once(trace=True):
    from django.urls import reverse

    from reports.monitoring.reminders import send_reminders

    reverse("reports:list")  # the URL conf is imported once, outside the measurement
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    sent = send_reminders(today=TODAY)
    wall = time.perf_counter() - started
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return wall, sent, peak


def one_size(reports, trace=True):
    url = os.environ["DATABASE_URL"]
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True, env=os.environ)
    import django

    django.setup()
    t = time.perf_counter()
    seed(reports)
    seeded = time.perf_counter() - t
    first = run_once(trace)
    second = run_once(trace)
    assert sum(second[1].values()) == 0, second
    return seeded, first, second


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", type=int, default=[300000])
    parser.add_argument(
        "--no-tracemalloc",
        dest="trace",
        action="store_false",
        help="time the job without tracemalloc (which slows Python down); no peak memory then",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.child:
        print(
            "| reports | seeded in | run 1: wall | sent (before/due/overdue) | peak memory | run 2: wall | run 2 sent |"
        )
        print("|---|---|---|---|---|---|---|", flush=True)
    for size in args.sizes:
        # Each size in a child process: a fresh database and a fresh interpreter.
        if len(args.sizes) > 1:
            flags = [] if args.trace else ["--no-tracemalloc"]
            subprocess.run([sys.executable, __file__, "--child", "--sizes", str(size), *flags], check=True)  # noqa: S603
            continue
        seeded, (w1, s1, p1), (w2, s2, _p2) = one_size(size, args.trace)
        memory = "–" if p1 is None else f"{p1 / 2**20:.1f} MiB"
        print(
            f"| {size:,} | {seeded:.0f} s | {w1:.1f} s | {s1['before']}/{s1['due']}/{s1['overdue']} "
            f"| {memory} | {w2:.1f} s | {sum(s2.values())} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
