"""Benchmark of real use (issue 26, point 3): hundreds of signed-in people working through their own pages with
think time, a background stream of real writes, against Django admin's change lists of the same rows.

    .venv/bin/pip install -r bench/requirements.txt      # locust, into the project's virtualenv only
    REDIS_URL=redis://127.0.0.1:6379/10 DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_bench_real \\
        .venv/bin/python bench/real_use.py --scale province [--write]

What one invocation does (every loop below is bounded in count and time; all traffic goes to 127.0.0.1):

1. Seeds the database named in DATABASE_URL (``bench/seed_scale.py``: dropped, created, migrated, filled; ``--keep``
   reuses it), with the people ``seed_scale.seed_people`` adds: several members a county, the office, the
   committee, each special group and guidance unit. ``--users`` (500) of them are taken, every unit kind in
   proportion, each with a session past the second factor (``office_pages.session_cookie``) and their own pages:
   home ``/``, 我的待办 ``/inbox/``, the application, pilot and report lists, one of their own applications and
   pilots, and the committee dashboard for the committee and the office.
2. For each run (``--runs``: ``none``, ``w2``, ``w20``: no writes, 2 and 20 writes a second, and ``nocache``: 2
   writes a second with every cache off) starts gunicorn (``office_pages.serve``: production settings, 2 workers;
   ``nocache`` sets BENCH_NO_CACHE, see bench/settings.py) and a writer process (this script, ``--writer``), then:

   a. real use: locust (``bench/locustfile.py``) with the ``--users`` people, each waiting ``--think`` seconds
      (10 to 30 by default) between pages, and ``--admins`` superusers reading Django admin's change lists of the
      same applications, pilots and reports with the same think time, for ``--duration`` seconds: p50, p95 and
      requests/s for every page, and the server's CPU a request over the whole mix.
   b. capacity, closed loop: ``--closed-users`` locust users with no think time, for ``--closed-seconds``, the mix
      (each user one of the people, through their own pages) and the admin change lists (superusers) alternating
      for ``--rounds`` rounds, then each page on its own once (``--no-per-page`` skips that): requests/s and CPU ms
      a request (the gunicorn workers' and the PostgreSQL backends' CPU from /proc, ``office_pages.ServerCpu``,
      the writer's own backend left out).

   The writer (a separate process, ``--rate`` writes a second, at most rate × seconds writes, stopping by itself at
   its deadline) cycles through a sign-in (``update_last_login``, the UPDATE a login makes), a county saving its
   application's draft (``applications.services.save_draft``) and the steps of a quarterly report: the office
   returns a submitted one (``reports.monitoring.services.review_report``), the county saves it
   (``save_report``) and submits it again (``submit_report``), all through ``workflow.services.perform`` / ``change``.
3. Prints a table a run, and the goals met or not (bench/README.md explains the comparison); ``--write`` puts them
   into bench/RESULTS.md between ``<!-- real_use:<scale>:start -->`` and its end marker.
"""

import argparse
import csv
import datetime
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import office_pages  # noqa: E402
from bench.office_pages import (  # noqa: E402 - sets the bench's environment
    TICK,
    ServerCpu,
    prepare_database,
    serve,
    session_cookie,
)
from bench.seed_scale import SCALES  # noqa: E402

VAR = ROOT / "var" / "real_use"
WRITER_NAME = "bench_writer"  # the writer's PostgreSQL application_name: its backend's CPU is not the server's
ADMIN_PAGES = {
    "admin_apps": "/bench-admin/applications/application/",
    "admin_pilots": "/bench-admin/pilots/pilot/",
    "admin_reports": "/bench-admin/reports/quarterlyreport/",
}
PAGE_NAMES = {
    "home": "home /",
    "inbox": "我的待办 /inbox/",
    "applications": "application list",
    "pilots": "pilot list",
    "reports": "report list",
    "application": "an application of theirs",
    "pilot": "a pilot of theirs",
    "dashboard": "committee dashboard",
    "admin_apps": "admin change list: applications",
    "admin_pilots": "admin change list: pilots",
    "admin_reports": "admin change list: reports",
}
# Share of each unit kind among the people taken (counties take the rest).
SHARES = {"reform_office": 0.04, "committee": 0.03, "special_group": 0.08, "guidance_unit": 0.05}
RUNS = {  # key: (writes a second, every cache off, label)
    "none": (0, False, "no writes"),
    "w2": (2, False, "2 writes/s"),
    "w20": (20, False, "20 writes/s"),
    "nocache": (2, True, "2 writes/s, every cache off"),
}


# --- the people ----------------------------------------------------------------------------------------------
def choose_people(n):
    """``n`` seeded people, every unit kind in proportion (SHARES), spread over the units."""
    from accounts.models import Membership, Role

    chosen = []
    for kind in [*SHARES, Role.COUNTY]:
        want = round(n * SHARES[kind]) if kind in SHARES else n - len(chosen)
        rows = list(
            Membership.objects.filter(role=kind, user__username__startswith="bench_")
            .exclude(user__username__in=["bench_office", "bench_committee"])
            .select_related("user", "unit")
            .order_by("user__username")
        )
        by_unit = {}
        for m in rows:
            by_unit.setdefault(m.unit_id, []).append(m)
        # round robin over the units: one from each before a second from any
        spread = [m for group in itertools_zip_longest(*by_unit.values()) for m in group if m is not None]
        chosen += spread[:want]
    if len(chosen) < n:
        raise SystemExit(f"only {len(chosen)} people seeded; bench/seed_scale.py's PEOPLE makes more")
    return chosen


def itertools_zip_longest(*lists):
    import itertools

    return itertools.zip_longest(*lists)


def own_pages(m, i):
    """The pages person ``m`` (a Membership) works through: the same lists for everyone (each sees their own rows),
    one of their own applications and pilots, the dashboard for the committee and the office."""
    from accounts.models import Role
    from applications.models import Application
    from pilots.models import Pilot

    pages = {"home": "/", "inbox": "/inbox/", "applications": "/applications/", "pilots": "/pilots/"}
    pages["reports"] = "/reports/"
    apps = Application.objects.visible_to(m.user).order_by("-updated_at").values_list("pk", flat=True)
    pilots = Pilot.objects.visible_to(m.user)
    if m.role in (Role.REFORM_OFFICE, Role.COMMITTEE):
        apps = apps.filter(status__in=["submitted", "consulting", "recommended"])
        pages["dashboard"] = "/reports/dashboard/"
    pilot = pilots.running().order_by("id").values_list("pk", flat=True)[i % 50 : i % 50 + 1].first()
    pilot = pilot or pilots.order_by("-id").values_list("pk", flat=True).first()
    app = apps[i % 20 : i % 20 + 1].first() or apps.first()
    if app:
        pages["application"] = f"/applications/{app}/"
    if pilot:
        pages["pilot"] = f"/pilots/{pilot}/"
    return pages


def people_file(n, admin):
    from django.conf import settings

    chosen = choose_people(n)
    started = time.perf_counter()
    people = []
    for i, m in enumerate(chosen):
        people.append(
            {"user": m.user.username, "kind": m.role, "pages": own_pages(m, i), "cookie": session_cookie(m.user)}
        )
    data = {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "people": people,
        "admin": {"pages": ADMIN_PAGES, "cookie": session_cookie(admin)},
    }
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / "people.json"
    path.write_text(json.dumps(data))
    kinds = {}
    for p in people:
        kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
    print(f"{len(people)} people signed in ({kinds}) in {time.perf_counter() - started:.0f} s", flush=True)
    return path, data, kinds


def check_pages(port, data):
    """One person of each kind and the superuser: every page answers 200 (not a redirect to the login page)."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    seen = {}
    for p in data["people"]:
        seen.setdefault(p["kind"], p)
    checks = [(p["user"], p["cookie"], p["pages"]) for p in seen.values()]
    checks.append(("admin", data["admin"]["cookie"], data["admin"]["pages"]))
    for user, cookie, pages in checks:
        for key, path in pages.items():
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"{data['cookie_name']}={cookie}"}
            )
            try:
                status = opener.open(req, timeout=60).status
            except urllib.error.HTTPError as e:
                status = e.code
            if status != 200:
                raise SystemExit(f"{user}: {path} ({key}) answered {status}")


# --- the writer ----------------------------------------------------------------------------------------------
def writer(rate, seconds, people_path):
    """Real writes at ``rate`` a second for at most ``seconds`` (and at most rate × seconds of them), through the
    app's services; prints a JSON line of what it did. Runs in its own process (``--writer``)."""
    import django
    from django.db.backends.signals import connection_created

    def name_connection(sender, connection, **kwargs):
        with connection.cursor() as cur:
            cur.execute("SET application_name = %s", [WRITER_NAME])

    connection_created.connect(name_connection)
    django.setup()
    from django.contrib.auth.models import update_last_login

    from accounts.models import Membership, Role, User
    from applications import services as app_services
    from applications.models import Application
    from reports.monitoring import services as report_services
    from reports.monitoring.models import QuarterlyReport

    people = json.loads(Path(people_path).read_text())["people"]
    users = list(User.objects.filter(username__in=[p["user"] for p in people]))
    office = User.objects.filter(memberships__role=Role.REFORM_OFFICE, username__startswith="bench_").first()
    member = {}  # county id → a member of that county
    for m in Membership.objects.filter(role=Role.COUNTY).select_related("user").order_by("-user__username"):
        member[m.unit_id] = m.user
    drafts = list(Application.objects.filter(status__in=Application.EDITABLE).order_by("id")[:500])
    # submitted reports: returned by the office, saved and submitted again by the county, round and round
    reports = list(QuarterlyReport.objects.filter(status="submitted").order_by("id")[:300])
    step = {r.pk: "return" for r in reports}
    total = int(rate * seconds)
    done, errors, by_kind, cpu0 = 0, {}, {}, time.process_time()
    started = time.monotonic()
    deadline = started + seconds
    rnd = random.Random(26)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))  # real_use.py stops the writer when it has measured
    for i in range(total):
        due = started + i / rate
        now = time.monotonic()
        if now >= deadline or stop:
            break
        if due > now:
            time.sleep(min(due - now, deadline - now))
        kind = ["login", "draft", "report", "report"][i % 4]
        try:
            if kind == "login":
                update_last_login(None, rnd.choice(users))
            elif kind == "draft":
                app = drafts[(i // 4) % len(drafts)]
                app_services.save_draft(
                    actor=member[app.county_id],
                    application=app,
                    data={"current_situation": f"基准测试草稿 {i}：现状与问题。"},
                )
            else:
                report = reports[(i // 2) % len(reports)]
                kind = f"report_{step[report.pk]}"
                fresh = QuarterlyReport.objects.get(pk=report.pk)
                county_user = member[fresh.county_id]
                if step[report.pk] == "return":
                    report_services.review_report(
                        actor=office, report=fresh, name="return_to_county", comment="请补充本季度进展。"
                    )
                    step[report.pk] = "save"
                elif step[report.pk] == "save":
                    fields, progress, results, _source = report_services.initial_content(fresh)
                    fields["achievements"] = f"本季度按方案推进各项改革任务（第{i}次保存）。"
                    report_services.save_report(
                        actor=county_user, report=fresh, data=fields, progress=progress, results=results
                    )
                    step[report.pk] = "submit"
                else:
                    report_services.submit_report(actor=county_user, report=fresh)
                    step[report.pk] = "return"
            done += 1
            by_kind[kind] = by_kind.get(kind, 0) + 1
        except Exception as e:  # a refused write is counted, not fatal; the next one goes on
            key = f"{kind}: {type(e).__name__}: {str(e)[:80]}"
            errors[key] = errors.get(key, 0) + 1
    elapsed = time.monotonic() - started
    print(
        json.dumps(
            {
                "done": done,
                "seconds": round(elapsed, 1),
                "rate": round(done / elapsed, 2) if elapsed else 0,
                "cpu_ms_a_write": round((time.process_time() - cpu0) * 1000 / max(done, 1), 1),
                "by_kind": by_kind,
                "errors": errors,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def start_writer(rate, seconds, people_path, env):
    with open(VAR / f"writer-{rate}.json", "w") as out, open(VAR / f"writer-{rate}.log", "w") as err:
        return subprocess.Popen(  # noqa: S603 - this script; the child keeps its own copies of the handles
            [sys.executable, __file__, "--writer", str(rate), "--writer-seconds", str(int(seconds)),
             "--people", str(people_path)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )  # fmt: skip


# --- locust and the server's CPU -----------------------------------------------------------------------------
class BenchCpu(ServerCpu):
    """office_pages.ServerCpu (gunicorn workers + the benchmark database's PostgreSQL backends) without the
    writer's backend: the writes' own cost is the writer's, the pages' is what the readers cause."""

    def _pids(self):
        import psycopg2

        pids = super()._pids()
        conn = psycopg2.connect(os.environ["DATABASE_URL"])
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [WRITER_NAME])
                writer_pids = {r[0] for r in cur.fetchall()}
        finally:
            conn.close()
        return [p for p in pids if p not in writer_pids]


def locust(port, people_path, mode, users, seconds, args, tag):
    """One headless locust run; returns {page key: stats} and the whole run's totals from its CSV."""
    prefix = VAR / tag
    env = {
        **os.environ,
        "BENCH_PEOPLE": str(people_path),
        "BENCH_MODE": mode,
        "BENCH_THINK_MIN": str(args.think[0] * args.think_scale),
        "BENCH_THINK_MAX": str(args.think[1] * args.think_scale),
        "BENCH_ADMINS": str(args.admins if mode == "real" else 0),
        "BENCH_TOGETHER": str(VAR / f"{tag}_together.json"),
    }
    total_users = users + (args.admins if mode == "real" else 0)
    spawn = max(1, min(total_users, 100 if mode == "real" else total_users))
    cmd = [
        str(Path(sys.executable).with_name("locust")),
        "-f", str(ROOT / "bench" / "locustfile.py"),
        "--headless", "--only-summary", "--loglevel", "WARNING",
        "-u", str(total_users), "-r", str(spawn), "-t", f"{seconds}s", "--stop-timeout", "10",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
    ]  # fmt: skip
    with open(VAR / f"{tag}.log", "w") as log:
        subprocess.run(  # noqa: S603 - locust from the virtualenv, fixed arguments
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, timeout=seconds + 120
        )
    stats = {}
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            stats[row["Name"]] = {
                "n": int(row["Request Count"]),
                "fail": int(row["Failure Count"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "rps": float(row["Requests/s"] or 0),
            }
    return stats


def machine_busy():
    """CPU seconds the whole machine has been busy (all cores, /proc/stat): the server's share of it says how much
    other work (other people's test runs, locust, the writer) competed for the two cores."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def wait_quiet(threshold, limit):
    """Wait (at most ``limit`` s) until the 1-minute load average is below ``threshold``: the machine is shared,
    and real use's latency is only meaningful when the server gets its cores. Returns the load it started at."""
    deadline = time.monotonic() + limit
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(5)
    return os.getloadavg()[0]


def measure(cpu, port, people_path, mode, users, seconds, args, tag):
    cpu.settle()
    before, began, busy = cpu.snapshot(), time.monotonic(), machine_busy()
    stats = locust(port, people_path, mode, users, seconds, args, tag)
    together = json.loads((VAR / f"{tag}_together.json").read_text())
    cpu_s = cpu.seconds(before, cpu.snapshot())
    total = stats.get("Aggregated", {"n": 0, "fail": 0, "rps": 0})
    total["cpu_ms"] = cpu_s * 1000 / max(total["n"], 1)
    total["wall"] = time.monotonic() - began
    total["server_cores"] = cpu_s / total["wall"]
    total["machine_cores"] = (machine_busy() - busy) / total["wall"]
    fails = total["fail"]
    print(
        f"  {tag:<28} {total['n']:6d} requests, {total['rps']:7.1f} req/s, CPU {total['cpu_ms']:5.1f} ms/request"
        + (f", {fails} FAILED (see {VAR.name}/{tag}_failures.csv)" if fails else ""),
        flush=True,
    )
    return stats, total, together


def cache_state():
    """What caching the served settings have (the app is losing its data cache; this records what is left)."""
    import importlib.util

    from django.conf import settings

    parts = [f"CACHES: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}",
             f"sessions: {settings.SESSION_ENGINE.rsplit('.', 1)[-1]}"]  # fmt: skip
    leftovers = [
        name
        for name, present in [
            ("workflow/generation.py", importlib.util.find_spec("workflow.generation")),
            ("accounts/caching.py", importlib.util.find_spec("accounts.caching")),
            (
                "{% cached_for_user %}",
                (ROOT / "workflow" / "templatetags").exists()
                and any("cached_for_user" in p.read_text() for p in (ROOT / "workflow" / "templatetags").glob("*.py")),
            ),
        ]
        if present
    ]
    parts.append("data cache still in the code: " + (", ".join(leftovers) if leftovers else "none"))
    return "; ".join(parts)


def measure_after_beat(*args):
    """``measure``, after the dashboard's snapshot was recounted as beat does every minute in production
    (``reports.refresh_dashboard``): each measurement is shorter than the snapshot's maximum age."""
    from django.db import connections

    from reports.dashboard.figures import refresh_snapshot

    refresh_snapshot()
    connections.close_all()
    return measure(*args)


def one_run(key, port, people_path, data, args, results):
    rate, nocache, label = RUNS[key]
    env = {**os.environ}
    if nocache:
        env["BENCH_NO_CACHE"] = "1"
    else:
        env.pop("BENCH_NO_CACHE", None)
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # serve() passes os.environ to gunicorn
    try:
        proc = serve(port, args.workers)
    finally:
        os.environ.clear()
        os.environ.update(old)
    cpu = BenchCpu(proc.pid, os.environ["DATABASE_URL"].rsplit("/", 1)[1])
    pages = [k for k in PAGE_NAMES if any(k in p["pages"] for p in data["people"]) or k in ADMIN_PAGES]
    closed = args.rounds * 2 * (args.closed_seconds + 15)
    closed += len(pages) * (args.page_seconds + 15) if args.per_page else 0
    writer_seconds = args.duration + closed + 60
    print(f"run {key} ({label}): gunicorn {args.workers} workers{', BENCH_NO_CACHE' if nocache else ''}", flush=True)
    writer_proc = None
    run = {"label": label, "rate": rate, "loads": [os.getloadavg()[0]]}
    try:
        check_pages(port, data)
        if rate:
            writer_proc = start_writer(rate, writer_seconds, people_path, env)
            time.sleep(3)  # the writer's Django is up and writing before the readers start
        run["quiet"] = wait_quiet(args.quiet_load, args.quiet_wait)
        people = len(data["people"])
        run["real"] = measure_after_beat(cpu, port, people_path, "real", people, args.duration, args, f"{key}-real")
        run["loads"].append(os.getloadavg()[0])
        run["mix"], run["admin"] = [], []
        for r in range(args.rounds):
            for mode in ["mix", "admin"] if r % 2 == 0 else ["admin", "mix"]:
                run[mode].append(
                    measure_after_beat(
                        cpu,
                        port,
                        people_path,
                        mode,
                        args.closed_users,
                        args.closed_seconds,
                        args,
                        f"{key}-{mode}-{r + 1}",
                    )[1]
                )
        run["page"] = {}
        if args.per_page:
            for page in pages:
                run["page"][page] = measure_after_beat(
                    cpu, port, people_path, f"page:{page}", args.closed_users, args.page_seconds, args,
                    f"{key}-page-{page}",
                )[1]  # fmt: skip
        run["loads"].append(os.getloadavg()[0])
    finally:
        if writer_proc is not None:
            if writer_proc.poll() is None:
                os.killpg(writer_proc.pid, signal.SIGTERM)
            try:
                writer_proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(writer_proc.pid, signal.SIGKILL)
                writer_proc.wait()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    run["writes"] = None
    if rate:
        text = (VAR / f"writer-{rate}.json").read_text().strip()
        run["writes"] = json.loads(text.splitlines()[-1]) if text else {"done": 0, "rate": 0, "errors": {"killed": 1}}
        w = run["writes"]
        print(f"  writer: {w['done']} writes, {w['rate']}/s, errors {w.get('errors')}", flush=True)
    results[key] = run


# --- the report ----------------------------------------------------------------------------------------------
def ratio_median(run):
    ratios = [m["rps"] / a["rps"] for m, a in zip(run["mix"], run["admin"], strict=True) if a["rps"]]
    cpu = [a["cpu_ms"] / m["cpu_ms"] for m, a in zip(run["mix"], run["admin"], strict=True) if m["cpu_ms"]]
    return (statistics.median(ratios) if ratios else 0), (statistics.median(cpu) if cpu else 0)


def goals(results):
    lines = []
    base = results.get("w2")
    for key, run in results.items():
        ratio, cpu_ratio = ratio_median(run)
        mix_rps = statistics.median(m["rps"] for m in run["mix"])
        real = run["real"][1]
        p95 = mix_p95(run)
        if key in ("w2", "nocache", "none"):
            met = ratio >= 3 and p95 < 150
            lines.append(
                f"- {run['label']}: mix {ratio:.1f}× the admin change list's req/s (by CPU {cpu_ratio:.1f}×), "
                f"p95 of the mix {p95:.0f} ms: goal ≥3× with p95 <150 ms "
                + ("**met**" if met else "**not met**")
                + ("" if key == "w2" else " (the goal is set for 2 writes/s; shown for comparison)")
            )
        else:
            half_admin = ratio >= 1.5
            half_base = bool(base) and mix_rps >= 0.5 * statistics.median(m["rps"] for m in base["mix"])
            lines.append(
                f"- {run['label']}: mix {ratio:.1f}× the admin change list's req/s (by CPU {cpu_ratio:.1f}×), "
                f"{mix_rps:.1f} req/s closed loop, p95 of the mix {p95:.0f} ms: goal at least half of the "
                f"2 writes/s goal (≥1.5× admin) "
                + ("**met**" if half_admin else "**not met**")
                + "; at least half of the 2 writes/s run's mix throughput "
                + ("**met**" if half_base else ("**not met**" if base else "not measured (no w2 run)"))
            )
        if real["fail"]:
            lines[-1] += f" ({real['fail']} failed requests in real use)"
    return lines


def mix_p95(run):
    """p95 over every request of the people in real use (the admin's left out), from the locustfile's own
    record of response times (locust's CSV has each page's percentiles, not the people's together)."""
    return run["real"][2]["people"]["p95"]


def table(args, summary, kinds, results, cache_text, minutes):
    at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    think = f"{args.think[0] * args.think_scale:g}-{args.think[1] * args.think_scale:g} s"
    out = [
        f"Run of {at}: `--scale {args.scale}` ({summary}); {sum(kinds.values())} signed-in people ("
        + ", ".join(f"{n} {k}" for k, n in kinds.items())
        + f") and {args.admins} superusers on the admin change lists, think time {think}"
        + ("" if args.think_scale == 1 else f" (real 10-30 s scaled by {args.think_scale:g})")
        + f", real use {args.duration} s a run; capacity closed loop with {args.closed_users} users, "
        f"{args.rounds} rounds of {args.closed_seconds} s (each page alone: {args.page_seconds} s); "
        f"{args.workers} gunicorn workers (sync), locust on the same 2-core machine. Caching: {cache_text}. "
        f"The whole benchmark {minutes:.0f} min.",
        "",
    ]
    for run in results.values():
        real_stats, real_total, together = run["real"]
        w = run["writes"]
        writes = "none" if not w else f"{w['done']} writes at {w['rate']}/s ({w['cpu_ms_a_write']} ms CPU a write)"
        out += [
            f"**{run['label']}** (writes: {writes}; load average (1 min) at the start, after real use and at the "
            "end: " + ", ".join(f"{x:.1f}" for x in run["loads"]) + f"; real use began at load {run['quiet']:.1f}; "
            f"during real use the machine was busy {real_total['machine_cores']:.2f} cores of 2, the server (gunicorn "
            f"+ PostgreSQL) {real_total['server_cores']:.2f})",
            "",
            "| page | real use: requests | p50 / p95 ms | req/s | failed | closed loop req/s | CPU ms a request |",
            "|---|---|---|---|---|---|---|",
        ]
        for k, name in PAGE_NAMES.items():
            s = real_stats.get(k)
            c = run["page"].get(k)
            if not s and not c:
                continue
            s = s or {"n": 0, "p50": 0, "p95": 0, "rps": 0, "fail": 0}
            closed = f"{c['rps']:.1f}" if c else "–"
            cpu = f"{c['cpu_ms']:.1f}" if c else "–"
            out.append(
                f"| {name}{' (reference)' if k in ADMIN_PAGES else ''} | {s['n']} | {s['p50']:.0f} / {s['p95']:.0f} | "
                f"{s['rps']:.1f} | {s['fail']} | {closed} | {cpu} |"
            )
        mix_rps = [m["rps"] for m in run["mix"]]
        adm_rps = [a["rps"] for a in run["admin"]]
        ratio, cpu_ratio = ratio_median(run)
        out += [
            f"| **the people's pages together, real use** | {together['people']['n']} | "
            f"{together['people']['p50']:.0f} / {together['people']['p95']:.0f} | "
            f"{sum(v['rps'] for k, v in real_stats.items() if k in PAGE_NAMES and k not in ADMIN_PAGES):.1f} "
            "| – | – | – |",
            f"| **all, real use** (people + admin) | {real_total['n']} | – | {real_total['rps']:.1f} | "
            f"{real_total['fail']} | – | {real_total['cpu_ms']:.1f} |",
            f"| **the people's mix, closed loop** | – | – | – | {sum(m['fail'] for m in run['mix'])} | "
            + ", ".join(f"{v:.1f}" for v in mix_rps)
            + f" | {statistics.median(m['cpu_ms'] for m in run['mix']):.1f} |",
            f"| **admin change lists, closed loop** | – | – | – | {sum(a['fail'] for a in run['admin'])} | "
            + ", ".join(f"{v:.1f}" for v in adm_rps)
            + f" | {statistics.median(a['cpu_ms'] for a in run['admin']):.1f} |",
            "",
            f"Mix ÷ admin, closed loop, same round: **{ratio:.1f}×** by req/s, {cpu_ratio:.1f}× by CPU a request.",
            "",
        ]
    out += ["Goals:", "", *goals(results)]
    return "\n".join(out)


def write_results(scale, text):
    office_pages.write_results(
        scale, text, bench="real_use", heading=f"## Real use, {scale} scale (`bench/real_use.py`)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--keep", action="store_true", help="reuse the database seeded by the last run")
    parser.add_argument("--runs", nargs="*", choices=list(RUNS), default=list(RUNS))
    parser.add_argument("--users", type=int, default=500, help="signed-in people in real use")
    parser.add_argument("--admins", type=int, default=25, help="superusers on the admin change lists in real use")
    parser.add_argument("--think", type=float, nargs=2, default=[10, 30], metavar=("MIN", "MAX"))
    parser.add_argument("--think-scale", type=float, default=1.0, help="multiply the think time (e.g. 0.1 for 1-3 s)")
    parser.add_argument("--duration", type=int, default=90, help="seconds of real use a run")
    parser.add_argument("--closed-users", type=int, default=8)
    parser.add_argument("--closed-seconds", type=int, default=10, help="each closed-loop mix / admin measurement")
    parser.add_argument("--page-seconds", type=int, default=6, help="each page's own closed-loop measurement")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-per-page", dest="per_page", action="store_false")
    parser.add_argument("--quiet-load", type=float, default=2.0, help="wait for the load average to fall below…")
    parser.add_argument("--quiet-wait", type=int, default=120, help="…at most this many seconds before real use")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--write", action="store_true", help="write the tables into bench/RESULTS.md")
    parser.add_argument("--writer", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--writer-seconds", type=int, default=60, help=argparse.SUPPRESS)
    parser.add_argument("--people", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer is not None:
        return writer(args.writer, min(args.writer_seconds, 3600), args.people)
    began = time.perf_counter()
    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    if not url.startswith("postgres") or name == "jx_bench" or name.startswith("test_"):
        raise SystemExit("DATABASE_URL must name a scratch PostgreSQL database (not jx_bench, not test_*)")
    prepare_database(args.scale, args.keep)
    from django.db import connections

    from accounts.models import User
    from applications.models import Application
    from pilots.models import Pilot
    from reports.monitoring.models import QuarterlyReport

    admin = User.objects.get(username="bench_admin")
    summary = (
        f"{Application.objects.count():,} applications, {Pilot.objects.count():,} pilots, "
        f"{QuarterlyReport.objects.count():,} reports"
    )
    people_path, data, kinds = people_file(args.users, admin)
    cache_text = cache_state()
    connections.close_all()
    results = {}
    for key in args.runs:
        one_run(key, args.port, people_path, data, args, results)
    if "nocache" in results:
        cache_text += "; the nocache run: BENCH_NO_CACHE=1 (DummyCache, database sessions)"
    text = table(args, summary, kinds, results, cache_text, (time.perf_counter() - began) / 60)
    print()
    print(text)
    if args.write:
        write_results(args.scale, text)


if __name__ == "__main__":
    main()
