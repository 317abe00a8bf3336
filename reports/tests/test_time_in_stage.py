"""Time in stage: days in each stage (median, 90th percentile) per stage, county and quarter from the transition log,
and per unit waited on from the work items; each figure one SQL query, the same numbers on SQLite and PostgreSQL.

Three pilots (南湖, 秀洲, 嘉善) are decided "now" (T0); their later moves are logged at chosen days after T0 and the
clock is then set 200 days after T0, so every stay has a known length."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.reference import COUNTIES
from applications.tests.factories import open_batch
from pilots.models import Pilot
from reports.dashboard import time_in_stage
from reports.tests.factories import make_pilot
from workflow.models import TransitionLog, WorkItem

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def percentile_cont(values, p):
    """The SQL standard's continuous percentile (what PostgreSQL's percentile_cont computes), for the expectations."""
    values = sorted(values)
    h = 1 + p * (len(values) - 1)
    low = int(h)
    high = min(low + 1, len(values))
    return values[low - 1] + (h - low) * (values[high - 1] - values[low - 1])


@pytest.fixture
def pilots(office_reviewer, committee_member, sg_digital, make_user):
    batch = open_batch(office_reviewer)
    result = []
    for i in range(3):
        county = make_user(f"c{i}", COUNTIES[i][0])
        result.append(
            make_pilot(county, office_reviewer, committee_member, sg_digital, candidate_title=f"项目{i}", batch=batch)
        )
    return result


def log(pilot, from_state, to_state, at):
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Pilot),
        object_id=pilot.pk,
        action=f"pilot.test_{to_state}",
        role="system",
        from_state=from_state,
        to_state=to_state,
        created_at=at,
    )


@pytest.fixture
def moved(pilots, monkeypatch):
    """Pilot 0 starts on day 10 and is evaluated on day 100; pilot 1 starts on day 30; pilot 2 on day 50. Now is
    day 200 (each pilot's decision log is T0 for it)."""
    starts = {}
    for pilot, start in zip(pilots, (10, 30, 50), strict=True):
        t0 = TransitionLog.objects.filter(object_id=pilot.pk, to_state="planning").get().created_at
        starts[pilot.pk] = t0
        log(pilot, "planning", "implementing", t0 + start * DAY)
    log(pilots[0], "implementing", "evaluating", starts[pilots[0].pk] + 100 * DAY)
    now = max(starts.values()) + 200 * DAY
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def close(a, b):
    return a == pytest.approx(b, abs=0.01)


def test_median_and_90th_percentile_per_stage(moved):
    rows = {r["stage"]: r for r in time_in_stage.by_stage(Pilot)}
    planning, implementing, evaluating = rows["planning"], rows["implementing"], rows["evaluating"]
    assert (planning["n"], planning["open"]) == (3, 0)
    assert close(planning["p50"], 30) and close(planning["p90"], percentile_cont([10, 30, 50], 0.9))  # 46
    # implementing: 90 days (left on day 100), 170 and 150 days still running at day 200
    assert (implementing["n"], implementing["open"]) == (3, 2)
    assert close(implementing["p50"], 150) and close(implementing["p90"], percentile_cont([90, 150, 170], 0.9))
    assert (evaluating["n"], evaluating["open"]) == (1, 1) and close(evaluating["p50"], 100)
    assert "completed" not in rows  # nothing leaves completed: no stay there


def test_per_county_each_pilot_in_its_county(moved, pilots, units):
    rows = time_in_stage.by_county_stage(Pilot)
    cells = {(r["name"], r["stage"]): r for r in rows}
    assert close(cells[(COUNTIES[0][1], "planning")]["p50"], 10)
    assert close(cells[(COUNTIES[1][1], "planning")]["p50"], 30)
    assert close(cells[(COUNTIES[2][1], "implementing")]["p50"], 150)
    assert cells[(COUNTIES[0][1], "implementing")]["open"] == 0


def test_trend_by_the_quarter_a_stay_ended(moved, pilots):
    rows = time_in_stage.by_quarter(Pilot, today=timezone.localdate(moved))
    local = timezone.localtime
    expected = {}
    t0 = {p.pk: TransitionLog.objects.filter(object_id=p.pk, to_state="planning").get().created_at for p in pilots}
    for pilot, days in zip(pilots, (10, 30, 50), strict=True):
        at = local(t0[pilot.pk] + days * DAY)
        expected.setdefault(at.year * 10 + (at.month - 1) // 3 + 1, []).append(days)
    found = {r["quarter"]: r for r in rows if r["stage"] == "planning"}
    assert set(found) == set(expected)
    for key, values in expected.items():
        assert found[key]["n"] == len(values) and close(found[key]["p50"], percentile_cont(values, 0.5))
    # the stays still open count in today's quarter
    today = timezone.localdate(moved)
    current = today.year * 10 + (today.month - 1) // 3 + 1
    assert any(r["quarter"] == current and r["stage"] == "implementing" and r["open"] == 2 for r in rows)


def test_unit_waited_on_not_the_one_that_acted(pilots, units, committee_member, monkeypatch):
    """The office's items on the applications waited 2, 4, 6, … days and were closed by the committee member
    (another unit): the days count for the office, the unit waited on; every other item took half a day."""
    office = units["reform-office"]
    base = timezone.now()
    WorkItem.objects.filter(workflow="application").update(opened_at=base, closed_at=base + 0.5 * DAY)
    items = list(WorkItem.objects.filter(workflow="application", unit=office).order_by("id"))
    assert len(items) >= 3
    durations = [2 * (i + 1) for i in range(len(items))]
    for item, days in zip(items, durations, strict=True):
        WorkItem.objects.filter(pk=item.pk).update(closed_at=base + days * DAY, closed_by=committee_member)
    monkeypatch.setattr(timezone, "now", lambda: base + 30 * DAY)
    application = time_in_stage.flow_model("application", committee_member)[1]
    rows = time_in_stage.by_unit(application)
    by_name = {r["name"]: r for r in rows}
    office_row = by_name[office.name]
    assert (office_row["n"], office_row["open"]) == (len(items), 0)
    assert close(office_row["p50"], percentile_cont(durations, 0.5))
    assert close(office_row["p90"], percentile_cont(durations, 0.9))
    assert all(close(r["p50"], 0.5) for r in rows if r["name"] != office.name)
    assert rows[0]["name"] == office.name  # the slowest first: the bottleneck


def test_each_figure_is_one_query(moved, django_assert_num_queries):
    ContentType.objects.get_for_model(Pilot)  # the content type cache (one query per process, not per figure)
    for figure in (time_in_stage.by_stage, time_in_stage.by_county_stage, time_in_stage.by_quarter):
        with django_assert_num_queries(1):
            figure(Pilot)
    with django_assert_num_queries(1):
        time_in_stage.by_unit(Pilot)


def test_page_shows_the_bottleneck_and_links_to_the_records(moved, login, committee_member, county_nanhu):
    page = login(committee_member).get(reverse("reports:time_in_stage"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="bottleneck-stage"' in html and "实施中停留时间最长" in html
    assert f"{reverse('pilots:pilot_list')}?stage=implementing" in html
    assert login(committee_member).get(reverse("reports:time_in_stage") + "?flow=nonsense").status_code == 200
    for key in time_in_stage.FLOWS:
        assert login(committee_member).get(reverse("reports:time_in_stage") + f"?flow={key}").status_code == 200
    assert login(county_nanhu).get(reverse("reports:time_in_stage")).status_code == 403


def test_sql_uses_percentile_cont_on_postgresql_and_windows_elsewhere(moved):
    with CaptureQueriesContext(connection) as ctx:
        time_in_stage.by_stage(Pilot)
    sql = ctx.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "percentile_cont" in sql
    else:
        assert "ROW_NUMBER()" in sql and "COUNT(*) OVER" in sql


def test_page_queries_do_not_grow_with_the_log(moved, pilots, login, committee_member):
    client = login(committee_member)
    url = reverse("reports:time_in_stage")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    before = len(ctx.captured_queries)
    for pilot in pilots:
        t0 = TransitionLog.objects.filter(object_id=pilot.pk, to_state="planning").get().created_at
        log(pilot, "implementing", "extended", t0 + 120 * DAY)
        log(pilot, "extended", "evaluating", t0 + 150 * DAY)
    with CaptureQueriesContext(connection) as ctx:
        assert "延期实施" in client.get(url).content.decode()
    assert len(ctx.captured_queries) == before
