"""Seed province or national scale data into a scratch PostgreSQL database with bulk inserts.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_bench
    .venv/bin/python bench/seed_scale.py --scale province
    .venv/bin/python bench/seed_scale.py --scale national --check

The database named in DATABASE_URL is dropped, created and migrated, then filled (``bench/office_pages.py`` calls
``seed`` the same way before it measures):

=========  ======  ======  ======================================================  ========
scale      units   pilots  applications                                            reports
=========  ======  ======  ======================================================  ========
province   90      3,000   3,000 (one per pilot, approved) + 3,000 others          30,000
national   2,850   30,000  30,000 (one per pilot, approved) + 30,000 others        300,000
=========  ======  ======  ======================================================  ========

"Others" are spread over the states as many past batches leave them (``MIX``; at national scale 4,250 of them wait
on the office: 3,000 submitted, 1,250 in consultation). Every row keeps the models' rules:

- one application per county and batch (withdrawn ones aside); applications not yet decided sit in open batches,
  decided ones in decided batches; a county that runs a pilot has no draft or submitted application (the
  ``application_no_running_pilot`` trigger);
- every approved application became its pilot (one candidate each); at most one running pilot per county (two
  thirds of the counties run one: implementing, some extended; the others' pilots are completed or terminated);
- ten quarterly reports a pilot, created at once for the whole term as plan approval does: a running pilot's
  past quarters accepted (about 2% still missing, some late), the last ended quarter partly submitted (waiting
  on the office), returned or still owed, the current and the next quarter drafts not yet open;
- the open work items written from the models' own derivation (``workflow.workitems``: ``waiting_transitions``,
  ``actors_for``, ``work_item_dates``; no record has an assignment), so ``manage.py rebuild_workitems --check``
  finds 0 disagreements (``--check`` runs it).

- the people ``bench/real_use.py`` signs in (``seed_people``): besides one ``bench_county<i>`` a county, more
  county members up to 450 in all (five a county at province scale), 20 members of the office, 15 of the
  committee, 6 of each special group and 4 of each guidance unit, each membership with its unit's own role; every
  pilot gets one of the reference guidance units (round robin) so their members have pilots of their own.

Bulk inserts with ``bulk_create`` in batches of 5,000; the reports are built and written a chunk of pilots at a
time so memory stays small. Prints what it wrote and how long it took.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jx_bench")
os.environ.setdefault("EMAIL_URL", "dummymail://")

SCALES = {
    # units, pilots, other applications (besides each pilot's own approved one), reports per pilot
    "province": {"units": 90, "pilots": 3000, "others": 3000, "reports_per_pilot": 10},
    "national": {"units": 2850, "pilots": 30000, "others": 30000, "reports_per_pilot": 10},
}
# How 30,000 applications of many batches that did not become pilots are spread over the states (scaled).
MIX = {
    "draft": 2000,
    "returned": 750,
    "submitted": 3000,
    "consulting": 1250,
    "recommended": 750,
    "not_recommended": 250,
    "rejected": 19500,
    "withdrawn": 2500,
}
UNDECIDED = {"draft", "returned", "submitted", "consulting", "recommended", "not_recommended"}
ENTERING = {"draft", "submitted"}  # not allowed for a county running a pilot
BATCH = 5000


def recreate_database(url):
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def mix_for(total):
    scale = total / sum(MIX.values())
    counts = {s: int(n * scale) for s, n in MIX.items()}
    counts["rejected"] += total - sum(counts.values())
    return counts


def _quarter(index):
    """(year, quarter) of a quarter counted from year 0."""
    return index // 4, index % 4 + 1


class Deriver:
    """Open work items for freshly inserted records, exactly as ``workflow.workitems.expected_items`` derives
    them (no record here has an assignment, so ``actors_for`` falls back to ``units_for_role``)."""

    def __init__(self, now):
        from workflow.inbox.workitems import waiting_transitions

        self.now = now
        self._waiting = waiting_transitions
        self._by_status = {}
        self._units = {}

    def waits(self, obj):
        key = (type(obj), obj.status)
        if key not in self._by_status:
            self._by_status[key] = self._waiting(obj)
        return self._by_status[key]

    def items(self, obj, opened_at=None):
        from django.contrib.contenttypes.models import ContentType

        from workflow.inbox.workitems import Expected, _new_item, _title

        by_role = self.waits(obj)
        if not by_role:
            return []
        ct = ContentType.objects.get_for_model(obj)
        title, url = _title(obj), obj.get_absolute_url()
        result = []
        for role, names in by_role.items():
            dates = getattr(obj, "work_item_dates", None)
            e_opened, due_at = dates(role) if dates is not None else (None, getattr(obj, "due_at", None))
            for unit_id, user_id in self._actors(obj, role):
                e = Expected(role, unit_id, user_id, ",".join(names), e_opened, due_at)
                item = _new_item(obj, ct, e, self.now, title, url)
                if e_opened is None and opened_at is not None:  # "waiting since" is free when the model sets none
                    item.opened_at = opened_at
                result.append(item)
        return result

    def _actors(self, obj, role):
        """``units_for_role`` of the record; for roles held by every unit of a kind (the office, the committee)
        read once per model and role."""
        if role in ("county", "special_group", "guidance_unit"):
            units = obj.units_for_role(role)
        else:
            key = (type(obj), role)
            if key not in self._units:
                self._units[key] = obj.units_for_role(role)
            units = self._units[key]
        return [(u.pk, None) for u in units if u is not None]


# The people of ``bench/real_use.py`` (at least 500 signed-in users): besides ``bench_county<i>`` (one a county),
# more members of each county up to COUNTY_PEOPLE in all, and named members of the office, the committee, each
# special group and each guidance unit. Each membership's role is its unit's kind (``Membership.clean``).
COUNTY_PEOPLE = 450
PEOPLE = {"reform_office": 20, "committee": 15, "special_group": 6, "guidance_unit": 4}  # a unit


def seed_people(n_units, counties, groups, password):
    """Add the benchmark's people and memberships; give every pilot a guidance unit (round robin over the
    reference guidance units, as the office assigns them on the pilot's page) so their members have records."""
    from django.db import connection

    from accounts.models import Membership, Role, Unit, User

    per_county = max(1, -(-COUNTY_PEOPLE // n_units))  # bench_county<i> is the first
    people = []  # (username, full name, unit)
    for i, county in enumerate(counties):
        people += [(f"bench_county{i}_{j}", f"县联络员{i}-{j}", county) for j in range(1, per_county)]
    guidance = list(Unit.objects.filter(kind=Role.GUIDANCE_UNIT).order_by("sort_order", "code"))
    by_kind = {
        "reform_office": list(Unit.objects.filter(kind=Role.REFORM_OFFICE)),
        "committee": list(Unit.objects.filter(kind=Role.COMMITTEE)),
        "special_group": groups,
        "guidance_unit": guidance,
    }
    for kind, units in by_kind.items():
        for u, unit in enumerate(units):
            people += [(f"bench_{kind}{u}_{j}", f"{unit.name}{j}", unit) for j in range(PEOPLE[kind])]
    users = User.objects.bulk_create(
        [User(username=name, full_name=full, password=password) for name, full, _unit in people], batch_size=BATCH
    )
    Membership.objects.bulk_create(
        [Membership(user=u, unit=unit, role=unit.kind) for u, (_n, _f, unit) in zip(users, people, strict=True)],
        batch_size=BATCH,
    )
    if guidance:
        ids = [g.pk for g in guidance]
        with connection.cursor() as cur:  # not a state: the pilot's guidance unit is an ordinary field
            cur.execute("UPDATE pilots_pilot SET guidance_unit_id = (%s::bigint[])[1 + id %% %s]", [ids, len(ids)])
    return n_units + len(users)


def seed(scale, stdout=print):
    """Fill the migrated database at ``scale`` (a key of SCALES or a dict like its values); return a summary."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Membership, Role, Unit, User
    from applications.models import Application
    from applications.services import FILLED_EXAMPLE
    from pilots.models import Batch, Candidate, Pilot
    from reports.monitoring.models import QuarterlyReport, quarter_bounds
    from workflow.inbox.workitems import sync_items
    from workflow.models import WorkItem

    size = SCALES[scale] if isinstance(scale, str) else scale
    n_units, n_pilots, n_others, per_pilot = size["units"], size["pilots"], size["others"], size["reports_per_pilot"]
    now = timezone.now()
    today = timezone.localdate()
    tz = timezone.get_default_timezone()
    derive = Deriver(now)
    started = time.perf_counter()
    summary = {}

    office_unit = Unit.objects.get(kind=Role.REFORM_OFFICE)
    groups = list(Unit.objects.filter(kind=Role.SPECIAL_GROUP).exclude(area=""))
    unusable = make_password(None)
    office = User.objects.create_user("bench_office", full_name="基准测试改革办")  # no password: no login form
    Membership.objects.create(user=office, unit=office_unit, role=Role.REFORM_OFFICE)
    admin = User.objects.create_user("bench_admin", full_name="基准测试管理员", is_staff=True, is_superuser=True)

    running_counties = n_units * 2 // 3  # counties 0..R-1 run a pilot; the others may enter new applications
    others = mix_for(n_others)
    states = [s for s, n in others.items() for _ in range(n)]
    states = [states[(i * 7919) % len(states)] for i in range(len(states))]  # spread the states

    # --- slots: (batch, county) for every application -----------------------------------------------------
    # decided batches hold the pilots' approved applications and the rejected/withdrawn ones; open batches the
    # undecided ones. One live application per (batch, county).
    decided_next = [0] * n_units
    open_next = [0] * n_units
    pilot_slots = []  # (decided batch index, county index, generation within the county)
    for i in range(n_pilots):
        c = i % n_units
        pilot_slots.append((decided_next[c], c, i // n_units))
        decided_next[c] += 1
    other_slots = []
    free = list(range(running_counties, n_units)) or list(range(n_units))
    for i, s in enumerate(states):
        c = free[i % len(free)] if s in ENTERING else i % n_units
        if s in UNDECIDED:
            other_slots.append(("open", open_next[c], c))
            open_next[c] += 1
        else:
            other_slots.append(("decided", decided_next[c], c))
            decided_next[c] += 1
    n_decided, n_open = max(decided_next), max(open_next) or 1
    last_generation = [(n_pilots - 1 - c) // n_units if c < n_pilots else -1 for c in range(n_units)]

    with transaction.atomic():
        counties = Unit.objects.bulk_create(
            [
                Unit(code=f"bench-{i}", name=f"基准县{i:04d}", kind=Role.COUNTY, sort_order=1000 + i)
                for i in range(n_units)
            ],
            batch_size=BATCH,
        )
        users = User.objects.bulk_create(
            [User(username=f"bench_county{i}", full_name=f"县联络员{i}", password=unusable) for i in range(n_units)],
            batch_size=BATCH,
        )
        Membership.objects.bulk_create(
            [Membership(user=u, unit=c, role=Role.COUNTY) for u, c in zip(users, counties, strict=True)],
            batch_size=BATCH,
        )
        first_year = today.year - n_decided // 2 - 1
        decided = Batch.objects.bulk_create(
            [
                Batch(
                    name=f"基准批次{b:03d}",
                    year=first_year + b // 2,
                    status=Batch.Status.DECIDED,
                    window_opens_at=datetime.datetime(first_year + b // 2, 3 + 6 * (b % 2), 1, tzinfo=tz),
                    window_closes_at=datetime.datetime(first_year + b // 2, 4 + 6 * (b % 2), 1, tzinfo=tz),
                )
                for b in range(n_decided)
            ]
        )
        open_batches = Batch.objects.bulk_create(
            [
                Batch(
                    name=f"基准申报批次{b:03d}",
                    year=today.year,
                    status=Batch.Status.OPEN,
                    window_opens_at=now - datetime.timedelta(days=30),
                    window_closes_at=now + datetime.timedelta(days=30),
                )
                for b in range(n_open)
            ]
        )

        def candidate(batch, i):
            group = groups[i % len(groups)]
            return Candidate(
                batch=batch,
                title=f"基准项目{i}",
                area=group.area,
                lead_group=group,
                description="改革内容简介",
                channel=Candidate.Channel.OFFICE,
                proposer_unit=office_unit,
                proposed_by=office,
                status=Candidate.Status.LISTED,
            )

        # --- applications that did not become pilots ---------------------------------------------------------
        other_apps = []
        for i, (kind, b, c) in enumerate(other_slots):
            batch = (open_batches if kind == "open" else decided)[b]
            other_apps.append((batch, c, states[i]))
        cands = Candidate.objects.bulk_create(
            [candidate(batch, n_pilots + i) for i, (batch, _c, _s) in enumerate(other_apps)], batch_size=BATCH
        )
        apps = Application.objects.bulk_create(
            [
                Application(
                    batch=batch,
                    candidate=cands[i],
                    county=counties[c],
                    created_by=office,
                    status=s,
                    project_name=cands[i].title,
                    area=cands[i].area,
                    submitted_at=None if s == "draft" else batch.window_opens_at + datetime.timedelta(days=1),
                    decided_at=batch.window_closes_at + datetime.timedelta(days=30) if s == "rejected" else None,
                    meeting_ref="市委改革委第3次会议" if s == "rejected" else "",
                    **FILLED_EXAMPLE,
                )
                for i, (batch, c, s) in enumerate(other_apps)
            ],
            batch_size=1000,
        )
        items = []
        for app in apps:
            items += derive.items(app, opened_at=now - datetime.timedelta(minutes=app.pk % 40000))
        WorkItem.objects.bulk_create(items, batch_size=BATCH)
        summary["other applications"] = len(apps)
        summary["waiting on the office"] = sum(others[s] for s in Application.WAITING_FOR_OFFICE)
        n_items = len(items)
        del apps, cands, other_apps, items

        # --- pilots, each from its approved application, and their reports, a chunk at a time ----------------
        cq = today.year * 4 + (today.month - 1) // 3  # the current quarter's index
        n_reports = 0
        for chunk in range(0, n_pilots, BATCH):
            slots = pilot_slots[chunk : chunk + BATCH]
            cands = Candidate.objects.bulk_create(
                [candidate(decided[b], chunk + k) for k, (b, _c, _g) in enumerate(slots)], batch_size=BATCH
            )
            apps = Application.objects.bulk_create(
                [
                    Application(
                        batch=decided[b],
                        candidate=cands[k],
                        county=counties[c],
                        created_by=office,
                        status="approved",
                        project_name=cands[k].title,
                        area=cands[k].area,
                        submitted_at=decided[b].window_opens_at + datetime.timedelta(days=1),
                        decided_at=decided[b].window_closes_at + datetime.timedelta(days=30),
                        meeting_ref="市委改革委第3次会议",
                        **FILLED_EXAMPLE,
                    )
                    for k, (b, c, _g) in enumerate(slots)
                ],
                batch_size=1000,
            )
            pilots, terms, first_q_of = [], [], []
            for k, (_b, c, g) in enumerate(slots):
                running = c < running_counties and g == last_generation[c]
                if running:
                    status = "extended" if c % 10 == 0 else "implementing"
                    first_q = cq - 8  # 8 ended quarters, the current one and the next
                else:
                    status = "terminated" if (chunk + k) % 10 == 0 else "completed"
                    first_q = cq - 9 - per_pilot - (g * 3) % 40  # earlier terms, ended before the running ones
                quarters = [_quarter(first_q + j) for j in range(per_pilot)]
                start, end = quarter_bounds(*quarters[0])[0], quarter_bounds(*quarters[-1])[1]
                if status == "extended":
                    end = end + datetime.timedelta(days=180)
                terms.append(quarters)
                first_q_of.append(first_q)
                pilots.append(
                    Pilot(
                        title=apps[k].project_name,
                        county=counties[c],
                        batch=apps[k].batch,
                        candidate=cands[k],
                        application=apps[k],
                        area=apps[k].area,
                        special_group=cands[k].lead_group,
                        status=status,
                        term_start=start,
                        term_end=end,
                    )
                )
            pilots = Pilot.objects.bulk_create(pilots, batch_size=BATCH)
            reports, items = [], []
            for k, (pilot, quarters) in enumerate(zip(pilots, terms, strict=True)):
                n = chunk + k
                for j, (y, q) in enumerate(quarters):
                    start, end = quarter_bounds(y, q)
                    due = end + datetime.timedelta(days=15)
                    if end >= today:  # current or future quarter: nothing to report yet
                        status, submitted = "draft", None
                    elif pilot.is_running and (due >= today or first_q_of[k] + j == cq - 1):  # the last ended quarter
                        status = ["submitted", "submitted", "submitted", "submitted", "returned", "accepted"][
                            (n + j) % 6
                        ]
                        status = "draft" if (n * 7 + j) % 5 == 0 else status
                        submitted = None if status == "draft" else due - datetime.timedelta(days=(n % 9) - 2)
                    else:
                        missing = pilot.is_running and (n * 31 + j) % 50 == 0
                        status = "draft" if missing else "accepted"
                        submitted = None if missing else due - datetime.timedelta(days=(n + j) % 12 - 2)
                    when = datetime.datetime.combine(submitted, datetime.time(10), tzinfo=tz) if submitted else None
                    reports.append(
                        QuarterlyReport(
                            pilot=pilot,
                            county=pilot.county,
                            year=y,
                            quarter=q,
                            period_start=start,
                            period_end=end,
                            due_on=due,
                            status=status,
                            achievements="" if status == "draft" else "本季度按方案推进各项改革任务。",
                            first_submitted_on=submitted,
                            submitted_at=when,
                            saved_at=when,
                            accepted_at=when + datetime.timedelta(days=3) if status == "accepted" else None,
                            late=status == "accepted" and submitted > due,
                        )
                    )
            reports = QuarterlyReport.objects.bulk_create(reports, batch_size=BATCH)
            for report in reports:
                if derive.waits(report):
                    items += derive.items(report, opened_at=report.submitted_at)
            WorkItem.objects.bulk_create(items, batch_size=BATCH)
            n_reports += len(reports)
            n_items += len(items)
            stdout(f"  pilots {chunk + len(pilots):,}/{n_pilots:,}, reports {n_reports:,}", flush=True)
        for batch in [*decided, *open_batches]:  # the few batches go through the real derivation
            sync_items(batch)
        with connection.cursor() as cur:
            # "last changed" and "decided" spread over the past, so the lists' orders mean something
            cur.execute(
                "UPDATE applications_application SET updated_at = now() - ((SELECT max(id) FROM "
                "applications_application) - id) * interval '7 minutes', created_at = now() - interval '1 year'"
            )
            cur.execute(
                "UPDATE pilots_pilot SET created_at = now() - ((SELECT max(id) FROM pilots_pilot) - id) "
                "* interval '3 hours'"
            )
        summary["users"] = seed_people(n_units, counties, groups, unusable)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    summary.update(
        units=n_units,
        running_pilots=Pilot.objects.running().count(),
        pilots=n_pilots,
        applications=Application.objects.count(),
        batches=n_decided + n_open,
        reports=n_reports,
        open_work_items=WorkItem.objects.filter(closed_at__isnull=True).count(),
        seconds=round(time.perf_counter() - started, 1),
    )
    return office, admin, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--check", action="store_true", help="run rebuild_workitems --check afterwards")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a scratch PostgreSQL database")
    recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _office, _admin, summary = seed(args.scale)
    print(summary)
    if args.check:
        started = time.perf_counter()
        call_command("rebuild_workitems", "--check")
        print(f"rebuild_workitems --check agreed in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
