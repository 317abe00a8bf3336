"""Time in stage: how many days records spend in each state (median and 90th percentile) per stage, per county, by
the quarter a stay ended, and per unit waited on; computed in SQL, one query per figure, never a loop over records.

Stays come from the transition log (``workflow.TransitionLog``, index ``log_object_time``): each transition starts
a stay in its target state that ends at the record's next transition, or now while the record is still there
(an open stay counts up to today). A record's first state runs from its creation. States that nothing leaves
(completed, rejected, …) have no stay. The unit waited on comes from the work items (``workflow.WorkItem``): an
item is one unit's part of a record's wait, from ``opened_at`` to ``closed_at`` (or now) — the unit that was
waited on, not the one that acted.

Percentiles: PostgreSQL's ``percentile_cont``; other databases (SQLite in development and tests) the same
continuous percentile from ``ROW_NUMBER()`` and ``COUNT(*)`` windows (linear interpolation between the two
nearest ranks, as ``percentile_cont`` does), so both give the same numbers."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from applications.selectors import application_list
from pilots.selectors import pilot_list
from reports.monitoring.extensions import ExtensionRequest
from reviews.plans.selectors import plan_list
from workflow.models import TransitionLog, WorkItem


@dataclass(frozen=True)
class Flow:
    key: str
    label: str
    list_url: str  # the list of these records (filtered by ``param`` and ``county``)
    param: str


def _pilots(user):

    return pilot_list(user)


def _applications(user):

    return application_list(user)


def _plans(user):

    return plan_list(user)


def _extensions(user):

    return ExtensionRequest.objects.visible_to(user)


FLOWS = {
    "pilot": (Flow("pilot", _("试点项目"), "pilots:pilot_list", "stage"), _pilots),
    "application": (Flow("application", _("试点申报"), "applications:list", "status"), _applications),
    "plan": (Flow("plan", _("试点方案"), "reviews:list", "status"), _plans),
    "extension": (Flow("extension", _("延期申请"), "reports:extensions", "status"), _extensions),
}


def flow_model(key, user):
    flow, queryset = FLOWS[key]
    return flow, queryset(user).model


def states_of(model):
    """``(choices, waiting)``: every state with its label, and the states something leaves (a stay there ends)."""
    field = model._meta.get_field("status")
    sources = set()
    for t in field.get_all_transitions(model):
        if t.source in ("*", "+"):
            return list(field.flatchoices), [v for v, _l in field.flatchoices]
        sources.add(t.source)
    return list(field.flatchoices), [v for v, _l in field.flatchoices if v in sources]


# --- SQL -------------------------------------------------------------------------------------------
def _is_postgres():
    return connection.vendor == "postgresql"


def _now():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _days(later, earlier):
    if _is_postgres():
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"
    return f"(julianday({later}) - julianday({earlier}))"


def _stays(model):
    """The CTE ``stays(county_id, stage, entered, left_at, ongoing)`` of ``model``'s records, with its parameters."""
    log, table = TransitionLog._meta.db_table, model._meta.db_table
    ct = ContentType.objects.get_for_model(model).pk
    _choices, waiting = states_of(model)
    marks = ", ".join(["%s"] * len(waiting)) or "NULL"
    now = _now()
    sql = f"""
    moves AS (
        SELECT l.object_id AS oid, l.from_state AS from_state, l.to_state AS to_state, l.created_at AS at,
               LEAD(l.created_at) OVER (PARTITION BY l.object_id ORDER BY l.created_at, l.id) AS next_at,
               ROW_NUMBER() OVER (PARTITION BY l.object_id ORDER BY l.created_at, l.id) AS seq
        FROM {log} l
        WHERE l.content_type_id = %s AND l.from_state <> l.to_state
    ),
    stays AS (
        SELECT r.county_id AS county_id, m.to_state AS stage, m.at AS entered,
               COALESCE(m.next_at, %s) AS left_at, CASE WHEN m.next_at IS NULL THEN 1 ELSE 0 END AS ongoing
        FROM moves m JOIN {table} r ON r.id = m.oid
        WHERE m.next_at IS NOT NULL OR m.to_state IN ({marks})
        UNION ALL
        SELECT r.county_id, m.from_state, r.created_at, m.at, 0
        FROM moves m JOIN {table} r ON r.id = m.oid
        WHERE m.seq = 1 AND m.from_state <> ''
        UNION ALL
        SELECT r.county_id, r.status, r.created_at, %s, 1
        FROM {table} r
        WHERE r.status IN ({marks}) AND NOT EXISTS (
            SELECT 1 FROM {log} l WHERE l.content_type_id = %s AND l.object_id = r.id AND l.from_state <> l.to_state
        )
    )"""  # noqa: S608 - table names from the models, values as parameters
    return sql, [ct, now, *waiting, now, *waiting, ct]


def _percentiles(groups):
    """SELECT list and FROM of ``n, p50, p90, open`` over CTE ``d(groups…, days, ongoing)`` grouped by ``groups``."""
    cols = ", ".join(groups)
    if _is_postgres():
        return f"""SELECT {cols}, COUNT(*) AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90,
            SUM(ongoing) AS open
            FROM d GROUP BY {cols}"""  # noqa: S608 - table names from the models, values as parameters

    def pct(p):
        rank = f"CAST(1 + {p} * (n - 1) AS INTEGER)"
        low = f"MIN(CASE WHEN rn = {rank} THEN days END)"
        high = f"COALESCE(MIN(CASE WHEN rn = {rank} + 1 THEN days END), {low})"
        frac = f"((1 + {p} * (MAX(n) - 1)) - CAST(1 + {p} * (MAX(n) - 1) AS INTEGER))"
        return f"({low} + {frac} * ({high} - {low}))"

    return f"""SELECT {cols}, MAX(n) AS n, {pct(0.5)} AS p50, {pct(0.9)} AS p90, SUM(ongoing) AS open
        FROM (
            SELECT d.*, ROW_NUMBER() OVER (PARTITION BY {cols} ORDER BY days) AS rn,
                   COUNT(*) OVER (PARTITION BY {cols}) AS n
            FROM d
        ) ranked GROUP BY {cols}"""  # noqa: S608 - table names from the models, values as parameters


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _stay_figure(model, groups, extra_select="", where="", extra_params=()):
    stays, params = _stays(model)
    sql = f"""WITH {stays},
    d AS (SELECT {extra_select} county_id, stage, {_days("left_at", "entered")} AS days, ongoing
          FROM stays {where})
    {_percentiles(groups)}"""  # noqa: S608 - table names from the models, values as parameters
    return _fetch(sql, [*params, *extra_params])


def by_stage(model):
    """``[{stage, n, p50, p90, open}]``: one query."""
    return _stay_figure(model, ["stage"])


def by_county_stage(model):
    """``[{county_id, name, stage, n, p50, p90, open}]``: one query (the county's name joined in)."""
    stays, params = _stays(model)
    unit = Unit._meta.db_table
    sql = f"""WITH {stays},
    d AS (SELECT county_id, stage, {_days("left_at", "entered")} AS days, ongoing FROM stays),
    g AS ({_percentiles(["county_id", "stage"])})
    SELECT g.*, u.name AS name FROM g JOIN {unit} u ON u.id = g.county_id
    ORDER BY u.sort_order, u.code, g.stage"""  # noqa: S608 - table names from the models, values as parameters
    return _fetch(sql, params)


def quarter_keys(today, count=8):
    """The last ``count`` quarters up to today's, oldest first, as ``year * 10 + quarter``."""
    index = today.year * 4 + (today.month - 1) // 3
    return [(i // 4) * 10 + i % 4 + 1 for i in range(index - count + 1, index + 1)]


def _quarter_sql():
    tz = timezone.get_default_timezone()
    if _is_postgres():
        local = "(left_at AT TIME ZONE %s)"
        return f"CAST(EXTRACT(YEAR FROM {local}) * 10 + EXTRACT(QUARTER FROM {local}) AS INTEGER)", [str(tz)] * 2
    # SQLite keeps UTC text: shift by the zone's offset (Asia/Shanghai has no daylight saving time).
    offset = timezone.now().astimezone(tz).utcoffset() or datetime.timedelta(0)
    shift = f"{int(offset.total_seconds() // 60):+d} minutes"
    local = "datetime(left_at, %s)"
    return (
        f"(CAST(substr({local}, 1, 4) AS INTEGER) * 10 + (CAST(substr({local}, 6, 2) AS INTEGER) + 2) / 3)",
        [shift, shift],
    )


def by_quarter(model, today=None):
    """``[{quarter, stage, n, p50, p90, open}]`` of stays that ended in the last eight quarters (open ones count
    in today's quarter): one query."""
    today = today or timezone.localdate()
    first = quarter_keys(today)[0]
    since = datetime.datetime(first // 10, 3 * (first % 10) - 2, 1, tzinfo=timezone.get_default_timezone())
    expr, params = _quarter_sql()
    return _stay_figure(
        model,
        ["quarter", "stage"],
        extra_select=f"{expr} AS quarter,",
        where="WHERE left_at >= %s",
        extra_params=[*params, connection.ops.adapt_datetimefield_value(since)],
    )


def by_unit(model):
    """``[{unit_id, name, role, n, p50, p90, open}]``: days each unit was waited on for ``model``'s records (its work
    items, open ones up to now), one query over the work items' rows."""
    item, unit = WorkItem._meta.db_table, Unit._meta.db_table
    now = _now()
    sql = f"""WITH d AS (
        SELECT w.unit_id AS unit_id, {_days("COALESCE(w.closed_at, %s)", "w.opened_at")} AS days,
               CASE WHEN w.closed_at IS NULL THEN 1 ELSE 0 END AS ongoing
        FROM {item} w
        WHERE w.workflow = %s AND w.unit_id IS NOT NULL AND w.opened_at <= %s
    ),
    g AS ({_percentiles(["unit_id"])})
    SELECT g.*, u.name AS name, u.kind AS kind FROM g JOIN {unit} u ON u.id = g.unit_id
    ORDER BY g.p50 DESC, u.sort_order, u.code"""  # noqa: S608 - table names from the models, values as parameters
    return _fetch(sql, [now, model.workflow_key, now])


# --- the page ------------------------------------------------------------------------------------
def _round(value):
    return None if value is None else round(float(value), 1)


def _clean(rows):
    for r in rows:
        r["p50"], r["p90"] = _round(r["p50"]), _round(r["p90"])
        r["open"] = int(r["open"] or 0)
    return rows


def _bottleneck(rows):
    """The row records wait longest in (highest median, then 90th percentile); None without rows."""
    return max(rows, key=lambda r: (r["p50"] or 0, r["p90"] or 0), default=None)


def report(user, key, today=None):
    """Everything the time-in-stage page shows for one flow: four queries (stage, county, quarter, unit)."""

    today = today or timezone.localdate()
    flow, model = flow_model(key, user)
    choices, waiting = states_of(model)
    labels = dict(choices)
    base = reverse(flow.list_url)

    def link(**params):
        return f"{base}?{urlencode(params)}" if params else base

    stages = {r["stage"]: r for r in _clean(by_stage(model))}
    stage_rows = []
    for value in waiting:
        row = stages.get(value, {"stage": value, "n": 0, "p50": None, "p90": None, "open": 0})
        row.update(label=str(labels.get(value, value)), url=link(**{flow.param: value}))
        stage_rows.append(row)
    slow_stage = _bottleneck([r for r in stage_rows if r["n"]])

    counties = {}
    for r in _clean(by_county_stage(model)):
        entry = counties.setdefault(r["county_id"], {"name": r["name"], "cells": {}, "county_id": r["county_id"]})
        r["url"] = link(**{flow.param: r["stage"], "county": r["county_id"]})
        entry["cells"][r["stage"]] = r
    county_rows = []
    for entry in counties.values():
        entry["row"] = [entry["cells"].get(v) for v in waiting]
        slowest = _bottleneck([c for c in entry["row"] if c])
        entry["slowest"] = slowest["stage"] if slowest else None
        county_rows.append(entry)

    quarters = {}
    for r in _clean(by_quarter(model, today)):
        quarters.setdefault(r["quarter"], {})[r["stage"]] = r
    trend = [
        {"key": q, "label": f"{q // 10}Q{q % 10}", "cells": [quarters.get(q, {}).get(v) for v in waiting]}
        for q in quarter_keys(today)
    ]

    units = _clean(by_unit(model))
    slow_unit = _bottleneck(units)
    chart = {
        "type": "bar",
        "title": str(_("各阶段停留天数")),
        "categories": [r["label"] for r in stage_rows],
        "series": [
            {
                "name": str(_("中位数（天）")),
                "data": [r["p50"] or 0 for r in stage_rows],
                "links": [r["url"] for r in stage_rows],
            },
            {
                "name": str(_("90%分位（天）")),
                "data": [r["p90"] or 0 for r in stage_rows],
                "links": [r["url"] for r in stage_rows],
            },
        ],
    }
    trend_chart = {
        "type": "line",
        "title": str(_("各阶段停留天数中位数（按季度）")),
        "categories": [t["label"] for t in trend],
        "series": [
            {"name": r["label"], "data": [(t["cells"][i] or {}).get("p50") for t in trend], "links": []}
            for i, r in enumerate(stage_rows)
        ],
    }
    return {
        "flow": flow,
        "flows": [f for f, _q in FLOWS.values()],
        "stage_rows": stage_rows,
        "slow_stage": slow_stage,
        "stage_labels": [r["label"] for r in stage_rows],
        "county_rows": county_rows,
        "trend": trend,
        "units": units,
        "slow_unit": slow_unit,
        "charts": {"stages": chart, "trend": trend_chart},
    }
