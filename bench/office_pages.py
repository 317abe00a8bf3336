"""Benchmark: the office's pages against Django admin's change list of the same applications, side by side.

Seeds N applications (default 30,000, of which 4,250 wait on the office) into a fresh PostgreSQL database with
bulk inserts (their open work items too), serves the site with gunicorn (2 workers, bench/settings.py: the
production settings) on loopback and measures requests/s with wrk (Debian's ``wrk``), alternating the pages round
by round so each gets the same conditions:

    the office's home page (/), 我的待办 (/inbox/), the application list (/applications/),
    Django admin's change list of the same applications, 20 rows a page: registered with an ordinary ModelAdmin
    (/bench-admin/..., the reference) and, for comparison, the project's tuned ApplicationAdmin
    (/bench-tuned-admin/...), both from bench/urls.py.

Every measured session has passed the second factor, so the login gate runs as in production.

    REDIS_URL=redis://127.0.0.1:6379/4 DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_bench \
        .venv/bin/python bench/office_pages.py

The database named in DATABASE_URL is dropped and created again; with REDIS_URL the sessions are cached_db, as in
production. Options: --applications, --waiting, --seconds (per measurement), --rounds, --connections, --workers,
--keep (reuse the seeded database). Prints a Markdown table (bench/RESULTS.md records a run); asserts nothing.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jx_bench")
os.environ.setdefault("EMAIL_URL", "dummymail://")

PAGES = [
    ("office home /", "/"),
    ("我的待办 /inbox/", "/inbox/"),
    ("application list /applications/", "/applications/"),
    ("project's tuned admin (applications/admin.py)", "/bench-tuned-admin/applications/application/"),
    ("admin change list (ordinary ModelAdmin)", "/bench-admin/applications/application/"),
]
REFERENCE = "/bench-admin/applications/application/"  # the goal's reference: an ordinary ModelAdmin

# How 30,000 applications of many past batches are spread over the states (scaled to --applications).
MIX = {
    "draft": 2000,
    "returned": 750,
    "submitted": 3000,
    "consulting": 1250,
    "recommended": 750,
    "not_recommended": 250,
    "approved": 1500,
    "rejected": 18000,
    "withdrawn": 2500,
}
COUNTIES = 300


def recreate_database(url):
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def mix_for(total, waiting):
    """The state counts for ``total`` applications with ``waiting`` of them waiting on the office."""
    scale = total / sum(MIX.values())
    counts = {s: int(n * scale) for s, n in MIX.items()}
    office = counts["submitted"] + counts["consulting"]
    counts["submitted"] = round(waiting * MIX["submitted"] / (MIX["submitted"] + MIX["consulting"]))
    counts["consulting"] = waiting - counts["submitted"]
    counts["rejected"] += office - waiting
    counts["rejected"] += total - sum(counts.values())
    return counts


def seed(total, waiting):
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Membership, Role, Unit, User
    from applications.models import Application
    from applications.services import FILLED_EXAMPLE
    from pilots.models import Batch, Candidate
    from workflow.models import WorkItem
    from workflow.workitems import sync_items, waiting_transitions

    now = timezone.now()
    office_unit = Unit.objects.get(kind=Role.REFORM_OFFICE)
    committee_units = list(Unit.objects.filter(kind=Role.COMMITTEE))
    groups = list(Unit.objects.filter(kind=Role.SPECIAL_GROUP).exclude(area=""))
    office = User.objects.create_user("bench_office", full_name="基准测试改革办")  # no password: no login form
    Membership.objects.create(user=office, unit=office_unit, role=Role.REFORM_OFFICE)
    admin = User.objects.create_user("bench_admin", full_name="基准测试管理员", is_staff=True, is_superuser=True)

    counts = mix_for(total, waiting)
    states = [s for s, n in counts.items() for _ in range(n)]
    n_batches = -(-total // COUNTIES)
    with transaction.atomic():
        counties = Unit.objects.bulk_create(
            [Unit(code=f"bench-{i}", name=f"基准县{i}", kind=Role.COUNTY, sort_order=1000 + i) for i in range(COUNTIES)]
        )
        batches = Batch.objects.bulk_create(
            [
                Batch(
                    name=f"基准批次{b}",
                    year=2000 + b // 2,
                    status=Batch.Status.DECIDED if b < n_batches - 1 else Batch.Status.OPEN,
                    window_opens_at=now - timedelta(days=30),
                    window_closes_at=now + timedelta(days=30),
                )
                for b in range(n_batches)
            ]
        )
        candidates = Candidate.objects.bulk_create(
            [
                Candidate(
                    batch=batches[i // COUNTIES],
                    title=f"基准项目{i}",
                    area=groups[i % len(groups)].area,
                    lead_group=groups[i % len(groups)],
                    description="改革内容简介",
                    channel=Candidate.Channel.OFFICE,
                    proposer_unit=office_unit,
                    proposed_by=office,
                    status=Candidate.Status.LISTED,
                )
                for i in range(total)
            ],
            batch_size=2000,
        )
        apps = Application.objects.bulk_create(
            [
                Application(
                    batch=c.batch,
                    candidate=c,
                    county=counties[i % COUNTIES],
                    created_by=office,
                    status=states[(i * 7919) % total],  # spread the states over batches and counties
                    project_name=c.title,
                    area=c.area,
                    submitted_at=None if states[(i * 7919) % total] == "draft" else now,
                    **FILLED_EXAMPLE,
                )
                for i, c in enumerate(candidates)
            ],
            batch_size=1000,
        )
        with connection.cursor() as cur:  # spread "last updated" over the past so the list's order means something
            cur.execute("UPDATE applications_application SET updated_at = now() - (id * interval '7 minutes')")
        # The open work items, exactly as workflow.workitems derives them (checked with rebuild_workitems --check).
        ct = ContentType.objects.get_for_model(Application)
        actions = {s: waiting_transitions(Application(status=s)) for s in counts}
        units_for = {Role.REFORM_OFFICE: [office_unit], Role.COMMITTEE: committee_units}
        items = []
        for app in apps:
            for role, names in actions[app.status].items():
                units = [app.county] if role == Role.COUNTY else units_for[role]
                for unit in units:
                    items.append(
                        WorkItem(
                            content_type=ct,
                            object_id=app.pk,
                            workflow="application",
                            title=f"{app.county.name} · {app.project_name}",
                            url=f"/applications/{app.pk}/",
                            action=",".join(names),
                            unit=unit,
                            role=role,
                            opened_at=now - timedelta(minutes=app.pk),
                            due_at=app.batch.window_closes_at if app.status in Application.EDITABLE else None,
                        )
                    )
        WorkItem.objects.bulk_create(items, batch_size=5000)
        for batch in batches:  # the few batches go through the real derivation
            sync_items(batch)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return office, admin, counts, len(items)


def session_cookie(user):
    """A logged-in session that has passed the second factor, as after the login form and the TOTP step (the
    gate of accounts.middleware runs on every measured request, as in production)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return session.session_key


def serve(port, workers):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "LOG_LEVEL": "WARNING"}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = ROOT / "var" / "bench-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    with open(log, "w") as errors:  # the child keeps its own copy of the handle
        proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [gunicorn, "jiaxing_pilot.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return proc
        except Exception:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("gunicorn did not start; see var/bench-gunicorn.log")


def fetch(port, path, cookie):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={cookie}"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - http on loopback
        return resp.status, resp.geturl(), len(resp.read())


def wrk(port, path, cookie, seconds, connections):
    out = subprocess.run(  # noqa: S603 - Debian's wrk, fixed arguments
        [  # noqa: S607
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-H",
            f"Cookie: sessionid={cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = re.search(r"Latency\s+([\d.]+\w+)", out).group(1)
    return rps, latency, int(bad.group(1)) if bad else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=30000)
    parser.add_argument("--waiting", type=int, default=4250, help="applications waiting on the office")
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="reuse the database seeded by the last run")
    parser.add_argument("--check", action="store_true", help="run rebuild_workitems --check on the seeded data")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a scratch PostgreSQL database")
    if not args.keep:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User

    if not args.keep:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        office, admin, counts, n_items = seed(args.applications, args.waiting)
        print(
            f"seeded {args.applications} applications ({counts}) and {n_items} open work items "
            f"in {time.perf_counter() - started:.0f} s"
        )
    office, admin = User.objects.get(username="bench_office"), User.objects.get(username="bench_admin")
    if args.check:
        started = time.perf_counter()
        call_command("rebuild_workitems", "--check")
        print(f"rebuild_workitems --check agreed in {time.perf_counter() - started:.0f} s")
    cookies = {path: session_cookie(admin if path.startswith("/bench-") else office) for _, path in PAGES}
    from django.db import connections

    connections.close_all()

    proc = serve(args.port, args.workers)
    try:
        for _name, path in PAGES:
            status, final, size = fetch(args.port, path, cookies[path])
            if status != 200 or urllib.parse.urlsplit(final).path != path:  # e.g. sent to the login or OTP page
                raise SystemExit(f"{path} answered {status} at {final}")
            print(f"warm-up {path}: {status}, {size} bytes")
        results = {path: [] for _, path in PAGES}
        for r in range(args.rounds):
            order = PAGES if r % 2 == 0 else list(reversed(PAGES))  # alternate so no page always goes first
            for _name, path in order:
                rps, latency, bad = wrk(args.port, path, cookies[path], args.seconds, args.connections)
                if bad:
                    raise SystemExit(f"{path}: {bad} responses were not 2xx/3xx")
                results[path].append((rps, latency))
                print(f"round {r + 1} {path:<36} {rps:8.1f} req/s  mean latency {latency}", flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)

    # Each page is compared with the reference measured in the same round (the machine's load may change during
    # a run; a ratio of medians taken from different rounds would mix loads), and the median ratio is reported.
    reference = [x[0] for x in results[REFERENCE]]
    print()
    print("| page | requests/s (median of rounds) | each round | × reference, each round | × reference (median) |")
    print("|---|---|---|---|---|")
    for name, path in PAGES:
        values = [x[0] for x in results[path]]
        ratios = [v / ref for v, ref in zip(values, reference, strict=True)]
        rounds = ", ".join(f"{v:.1f}" for v in values)
        each = ", ".join(f"{r:.1f}" for r in ratios)
        print(f"| {name} | {statistics.median(values):.1f} | {rounds} | {each} | {statistics.median(ratios):.1f}× |")


if __name__ == "__main__":
    main()
