"""Benchmark: the site's pages against Django admin's change list of the same records, side by side in one run.

Seeds province or national scale data (``bench/seed_scale.py``) into a fresh PostgreSQL database, serves the site
with gunicorn (2 workers, ``bench/settings.py``: the production settings) on loopback and measures each page with
wrk (Debian's ``wrk``: requests/s, p50 and p95 latency), the pages alternating round by round so each gets the
same conditions; before that it counts each page's queries in-process (Django's test client, same database):

    the committee dashboard (when it exists), the office's home page (/), 我的待办 (/inbox/), the application,
    pilot and report lists, an application's and a pilot's page, and Django admin's change lists of the same
    applications, pilots and reports registered with ordinary ModelAdmins (bench/urls.py, 20 rows a page like
    our lists: the references).

Every measured session has passed the second factor, so the login gate runs as in production.

    REDIS_URL=redis://127.0.0.1:6379/9 DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_bench \
        .venv/bin/python bench/office_pages.py --scale province --write

The database named in DATABASE_URL is dropped and created again (``--keep`` reuses the last seeded one); with
REDIS_URL the sessions are cached_db, as in production. ``--write`` puts the table into bench/RESULTS.md (between
the markers of the scale's section). Options: --scale, --seconds (per measurement), --rounds, --connections,
--workers, --check (rebuild_workitems --check on the seeded data), --pages (a subset by key). Asserts nothing.
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jx_bench")
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.seed_scale import SCALES, recreate_database, seed  # noqa: E402

ADMIN_APPS = "/bench-admin/applications/application/"
ADMIN_PILOTS = "/bench-admin/pilots/pilot/"
ADMIN_REPORTS = "/bench-admin/reports/quarterlyreport/"
# The committee dashboard's URL names, in the order tried (issue 19 point 1; another helper builds it).
DASHBOARD_NAMES = ["reports:dashboard", "dashboard:index", "dashboard", "reports:committee_dashboard"]


class Page:
    def __init__(self, key, name, path, reference, user="office", goal=5.0):
        self.key, self.name, self.path, self.reference, self.user, self.goal = key, name, path, reference, user, goal


def pages():
    """The measured pages (paths filled in from the seeded data) and the placeholder rows of pages not built."""
    from django.urls import NoReverseMatch, reverse

    from applications.models import Application
    from pilots.models import Pilot

    waiting = Application.objects.filter(status="consulting").order_by("id").first()
    pilot = Pilot.objects.running().order_by("id").first()
    result, missing = [], []
    for name in DASHBOARD_NAMES:
        try:
            result.append(Page("dashboard", "committee dashboard", reverse(name), ADMIN_APPS, "committee", goal=3.0))
            break
        except NoReverseMatch:
            continue
    else:
        missing.append(("committee dashboard", "not yet built (no URL named " + " / ".join(DASHBOARD_NAMES) + ")"))
    result += [
        Page("home", "office home /", "/", ADMIN_APPS),
        Page("inbox", "我的待办 /inbox/", "/inbox/", ADMIN_APPS),
        Page("applications", "application list /applications/", "/applications/", ADMIN_APPS),
        Page("pilots", "pilot list /pilots/", "/pilots/", ADMIN_PILOTS),
        Page("reports", "report list /reports/", "/reports/", ADMIN_REPORTS),
        Page("application", "an application's page", f"/applications/{waiting.pk}/", ADMIN_APPS, goal=None),
        Page("pilot", "a pilot's page", f"/pilots/{pilot.pk}/", ADMIN_PILOTS, goal=None),
        Page("admin_apps", "admin change list: applications (reference)", ADMIN_APPS, None, "admin", None),
        Page("admin_pilots", "admin change list: pilots (reference)", ADMIN_PILOTS, None, "admin", None),
        Page("admin_reports", "admin change list: reports (reference)", ADMIN_REPORTS, None, "admin", None),
    ]
    return result, missing


def prepare_database(scale, keep):
    """The scratch database named in DATABASE_URL, dropped, created, migrated and seeded at ``scale`` (unless
    ``keep``: the last seeded one), with Django set up on it."""
    if not keep:
        recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    if not keep:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _office, _admin, summary = seed(scale)
        print(f"seeded: {summary}", flush=True)


def committee_member():
    """A member of the committee (市委改革委), who reads the dashboard."""
    from accounts.models import Membership, Role, Unit, User

    user, created = User.objects.get_or_create(username="bench_committee", defaults={"full_name": "基准测试改革委"})
    if created:
        Membership.objects.create(user=user, unit=Unit.objects.filter(kind=Role.COMMITTEE).first(), role=Role.COMMITTEE)
    return user


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


def count_queries(page, cookie, repeat=3, cold_repeat=5):
    """Queries the page costs (the last of ``repeat`` requests), in-process, and its size; then the same queries
    again with the median wall time in-process over ``cold_repeat`` requests. Nothing is cached, so the "warm" and
    "cold" columns are the same path (the columns stay for the older runs in RESULTS.md)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page.path)
    if response.status_code != 200:
        raise SystemExit(f"{page.path} answered {response.status_code} in-process")
    warm = len(ctx.captured_queries)
    times = []
    for _ in range(cold_repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            client.get(page.path)
            times.append((time.perf_counter() - started) * 1000)
    return warm, len(response.content), len(ctx.captured_queries), statistics.median(times)


def in_process(measured, cookies, n, profile=None):
    """Mean wall and CPU time of each page over ``n`` warm requests in-process (no gunicorn, no wrk); with
    ``profile`` (a page key), cProfile's top functions of that page."""
    import cProfile
    import pstats

    from django.conf import settings
    from django.test import Client

    for page in measured:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[page.user]
        for _ in range(3):
            client.get(page.path)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            client.get(page.path)
        wall, cpu = (time.perf_counter() - wall) / n * 1000, (time.process_time() - cpu) / n * 1000
        print(f"in-process {page.key:<14} wall {wall:6.1f} ms  CPU {cpu:6.1f} ms", flush=True)
        if page.key == profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(n):
                client.get(page.path)
            prof.disable()
            pstats.Stats(prof).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(60)


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


PERCENTILES_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\\nP95 %d\\n", latency:percentile(50), latency:percentile(95)))
end
"""


def wrk(port, path, cookie, seconds, connections, script):
    out = subprocess.run(  # noqa: S603 - Debian's wrk, fixed arguments
        [  # noqa: S607
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            script,
            "-H",
            f"Cookie: sessionid={cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = int(re.search(r"P50 (\d+)", out).group(1)) / 1000  # µs → ms
    p95 = int(re.search(r"P95 (\d+)", out).group(1)) / 1000
    return rps, p50, p95, int(bad.group(1)) if bad else 0, requests


def load():
    return os.getloadavg()[0]


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid):
    """utime + stime of a process (its own, not its children's), in clock ticks; None once it has gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


class ServerCpu:
    """CPU time spent serving: the gunicorn workers plus the PostgreSQL backends connected to the benchmark's own
    database (other sessions on the machine use other databases). The machine is shared, so requests/s move with
    everyone else's load; CPU per request does not, and its ratio is what the pages cost relative to each other."""

    def __init__(self, master_pid, dbname):
        self.master_pid, self.dbname = master_pid, dbname

    def _pids(self):
        import psycopg2

        try:
            with open(f"/proc/{self.master_pid}/task/{self.master_pid}/children") as f:
                workers = [int(p) for p in f.read().split()]
        except OSError:
            workers = []
        url = os.environ["DATABASE_URL"]
        conn = psycopg2.connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.dbname]
                )
                backends = [r[0] for r in cur.fetchall()]
        finally:
            conn.close()
        return workers + backends

    def snapshot(self):
        return {pid: t for pid in self._pids() if (t := _cpu_ticks(pid)) is not None}

    def settle(self, limit=20.0):
        """Wait until the server is idle: wrk stops at its deadline, but the workers finish the requests already
        sent (a slow page leaves seconds of work), which must not count to the next page."""
        deadline = time.monotonic() + limit
        last = self.snapshot()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.snapshot()
            if self.seconds(last, now) < 0.03:
                return
            last = now

    @staticmethod
    def seconds(before, after):
        # A backend that appeared during the measurement (a connection re-opened) counts whole.
        return sum(t - before.get(pid, 0) for pid, t in after.items()) / TICK


def table(args, summary, measured, missing, results, queries, loads, seconds_total):
    """The Markdown section of one run."""
    at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Run of {at}: `--scale {args.scale}` ({summary}), {args.workers} gunicorn workers, wrk with "
        f"{args.connections} connections, {args.rounds} rounds of {args.seconds} s a page, the whole run "
        f"{seconds_total / 60:.1f} min. Load average (1 min) during the rounds: "
        + ", ".join(f"{x:.1f}" for x in loads)
        + ".",
        "",
        "| page | queries warm / cold | cold request ms in-process | requests/s, each round "
        "| p50 / p95 ms (median of rounds) | × admin, each round "
        "| **× admin (median)** | CPU ms a request (median) | × admin by CPU (median) | goal |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page in measured:
        runs = results[page.key]
        rps = [r[0] for r in runs]
        p50 = statistics.median(r[1] for r in runs)
        p95 = statistics.median(r[2] for r in runs)
        cpu = statistics.median(r[3] for r in runs)
        cpu_ratio = "–"
        if page.reference:
            ref_key = next(p.key for p in measured if p.path == page.reference)
            ratios = [v / ref[0] for v, ref in zip(rps, results[ref_key], strict=True)]
            by_cpu = [ref[3] / r[3] for r, ref in zip(runs, results[ref_key], strict=True) if r[3] > 0]
            cpu_ratio = f"{statistics.median(by_cpu):.1f}×" if by_cpu else "–"
            each = ", ".join(f"{r:.1f}" for r in ratios)
            median = statistics.median(ratios)
            short = {ADMIN_APPS: "applications", ADMIN_PILOTS: "pilots", ADMIN_REPORTS: "reports"}[page.reference]
            ratio = f"**{median:.1f}×** ({short})"
            p95_goal = "p95 <150 ms: " + ("met" if p95 < 150 else "**not met**")
            if page.goal:
                by_rps = "met" if median >= page.goal else "**not met**"
                by_cpu_met = by_cpu and statistics.median(by_cpu) >= page.goal
                goal = f"≥{page.goal:g}×: {by_rps} (req/s), {'met' if by_cpu_met else '**not met**'} (CPU); {p95_goal}"
            else:
                goal = p95_goal
        else:
            each, ratio, goal = "1.0", "1.0× (reference)", "–"
        lines.append(
            f"| {page.name} | {queries[page.key][0]} / {queries[page.key][2]} | {queries[page.key][3]:.0f} | "
            f"{', '.join(f'{v:.1f}' for v in rps)} | "
            f"{p50:.0f} / {p95:.0f} | {each} | {ratio} | {cpu:.1f} | {cpu_ratio} | {goal} |"
        )
    for name, why in missing:
        lines.append(f"| {name} | – | – | {why} | – | – | – | – | – | ≥3×: not measured |")
    return "\n".join(lines)


def write_results(scale, text, bench="office_pages", heading=""):
    """Put ``text`` into bench/RESULTS.md between the ``<!-- {bench}:{scale}:start/end -->`` markers (appended under
    ``heading`` the first time)."""
    path = ROOT / "bench" / "RESULTS.md"
    content = path.read_text()
    start, end = f"<!-- {bench}:{scale}:start -->", f"<!-- {bench}:{scale}:end -->"
    block = f"{start}\n{text}\n{end}"
    if start in content and end in content:
        content = content[: content.index(start)] + block + content[content.index(end) + len(end) :]
    else:
        content = content.rstrip("\n") + "\n\n" + (f"{heading}\n\n" if heading else "") + block + "\n"
    path.write_text(content)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--seconds", type=int, default=5, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="reuse the database seeded by the last run")
    parser.add_argument("--check", action="store_true", help="run rebuild_workitems --check on the seeded data")
    parser.add_argument("--write", action="store_true", help="write the table into bench/RESULTS.md")
    parser.add_argument("--pages", nargs="*", help="measure only these page keys (and their references)")
    parser.add_argument("--in-process", type=int, metavar="N", help="time N in-process requests a page, no wrk")
    parser.add_argument("--profile", metavar="KEY", help="with --in-process: cProfile this page")
    args = parser.parse_args()
    began = time.perf_counter()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a scratch PostgreSQL database")
    prepare_database(args.scale, args.keep)
    from django.core.management import call_command

    from accounts.models import User
    from applications.models import Application
    from pilots.models import Pilot
    from reports.monitoring.models import QuarterlyReport
    from workflow.models import WorkItem

    office, admin = User.objects.get(username="bench_office"), User.objects.get(username="bench_admin")
    committee = committee_member()
    summary = (
        f"{Application.objects.count():,} applications, {Pilot.objects.count():,} pilots, "
        f"{QuarterlyReport.objects.count():,} reports, {WorkItem.objects.filter(closed_at__isnull=True).count():,} "
        f"open work items"
    )
    if args.check:
        started = time.perf_counter()
        call_command("rebuild_workitems", "--check")
        print(f"rebuild_workitems --check agreed in {time.perf_counter() - started:.0f} s", flush=True)
    measured, missing = pages()
    if args.pages:
        wanted = set(args.pages)
        refs = {p.reference for p in measured if p.key in wanted}
        measured = [p for p in measured if p.key in wanted or p.path in refs]
    cookies = {"office": session_cookie(office), "admin": session_cookie(admin), "committee": session_cookie(committee)}
    from reports.dashboard.figures import refresh_snapshot

    refresh_snapshot()  # what beat does every minute in production (reports.refresh_dashboard)
    queries = {}
    for page in measured:
        queries[page.key] = count_queries(page, cookies[page.user])
        warm, size, cold, cold_ms = queries[page.key]
        print(f"{page.path}: {warm} queries warm, {cold} cold ({cold_ms:.1f} ms in-process), {size:,} bytes")
    if args.in_process:
        in_process(measured, cookies, args.in_process, args.profile)
        return
    from django.db import connections

    connections.close_all()

    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115 - removed below
    script.write(PERCENTILES_LUA)
    script.close()
    proc = serve(args.port, args.workers)
    cpu = ServerCpu(proc.pid, url.rsplit("/", 1)[1])
    loads = []
    try:
        for page in measured:
            status, final, _size = fetch(args.port, page.path, cookies[page.user])
            if status != 200 or urllib.parse.urlsplit(final).path != page.path:  # e.g. sent to the login page
                raise SystemExit(f"{page.path} answered {status} at {final}")
        results = {page.key: [] for page in measured}
        for r in range(args.rounds):
            order = measured if r % 2 == 0 else list(reversed(measured))  # alternate: no page always goes first
            loads.append(load())
            refresh_snapshot()  # as beat would: the snapshot of this round stays younger than its maximum age
            connections.close_all()
            for page in order:
                cpu.settle()
                before = cpu.snapshot()
                rps, p50, p95, bad, requests = wrk(
                    args.port, page.path, cookies[page.user], args.seconds, args.connections, script.name
                )
                cpu_ms = cpu.seconds(before, cpu.snapshot()) * 1000 / max(requests, 1)
                if bad:
                    raise SystemExit(f"{page.path}: {bad} responses were not 2xx/3xx")
                results[page.key].append((rps, p50, p95, cpu_ms))
                print(
                    f"round {r + 1} {page.key:<14} {rps:8.1f} req/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                    f"CPU {cpu_ms:6.1f} ms/request",
                    flush=True,
                )
        loads.append(load())
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        os.unlink(script.name)

    # Each page is compared with its reference measured in the same round (the machine's load may change during
    # a run; a ratio of medians taken from different rounds would mix loads), and the median ratio is reported.
    text = table(args, summary, measured, missing, results, queries, loads, time.perf_counter() - began)
    print()
    print(text)
    if args.write:
        write_results(args.scale, text)


if __name__ == "__main__":
    main()
