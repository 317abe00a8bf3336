"""Read queries of the committee's and the office's dashboards: each figure one aggregate query (GROUP BY in SQL),
each number with the URL of the filtered list behind it. The page reads them from a snapshot that beat counts every
minute (``refresh_snapshot``; the page says when, and counts them itself if beat has stopped).

A figure is a ``Figure`` (title, rows of cells, a chart); a cell carries its value and its link. The tables are
the content (print, screen readers); the charts draw the same rows (``chart``) in static/js/dashboard.js."""

import datetime
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connections
from django.db.models import Count, Q, Sum
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, ReformArea, Role, Unit
from applications.selectors import application_list
from pilots.selectors import batch_list, bonus_entries, pilot_list, promotions
from reports.dashboard.goals import Goal, goal_progress
from reports.dashboard.models import DashboardSnapshot
from reports.monitoring import selectors
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.inspections import RectificationItem
from reports.monitoring.models import InstitutionalResult, QuarterlyReport
from reports.monitoring.selectors import submitted_results
from reports.problems.models import ProblemItem
from workflow.engine.registry import workflow_models
from workflow.models import WorkItem


@dataclass
class Cell:
    value: object
    url: str = ""


@dataclass
class Row:
    label: str
    cells: list
    url: str = ""
    key: str = ""


@dataclass
class Figure:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    chart: str = "bar"  # "bar", "stacked" (rows × columns), "pie" (first column) or "" for a table only
    note: str = ""
    row_header: str = ""
    total: Cell | None = None
    total_cells: list = field(default_factory=list)  # a totals row under a table of several columns
    chart_columns: int | None = None  # the columns drawn (a trailing 合计 column is left out of the chart)
    more: Cell | None = None  # rows left out of a long per-county table: how many, and the full comparison

    def left_out(self, n):
        """``n`` rows not shown: the note under the table links to the county comparison."""
        if n:
            self.more = Cell(n, _url("reports:counties"))
        return self

    def chart_data(self):
        """What dashboard.js draws: categories (row labels), one series per column, and each bar's link."""
        if not self.chart or not self.rows:
            return None
        series = []
        for i, name in enumerate(self.columns[: self.chart_columns]):
            series.append(
                {
                    "name": str(name),
                    "data": [_number(r.cells[i].value) for r in self.rows],
                    "links": [r.cells[i].url for r in self.rows],
                }
            )
        return {
            "type": self.chart,
            "title": str(self.title),
            "categories": [r.label for r in self.rows],
            "series": series,
        }


COUNTY_ROWS = 20  # per-county tables show the counties with the largest numbers past this


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0


def _top(items, value, limit=None):
    """The ``limit`` items largest by ``value(item)`` (ties: the earlier first), in their order, and how many were
    left out. Per-county figures rank the counties' plain numbers first and build the rows (and their links) for the
    counties kept only: building every county's links cost most of a national-scale request."""
    limit = limit or COUNTY_ROWS
    if len(items) <= limit:
        return items, 0
    ranked = sorted(range(len(items)), key=lambda i: -_number(value(items[i])))[:limit]
    return [items[i] for i in sorted(ranked)], len(items) - limit


_BASES = {}


def _base(name):
    """``reverse(name)`` for a URL without arguments, remembered per URLconf and script prefix."""
    key = (name, get_urlconf(), get_script_prefix())
    if key not in _BASES:
        _BASES[key] = reverse(name)
    return _BASES[key]


def _url(name, **params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return _base(name) + (f"?{query}" if query else "")


def _grouped(qs, fields, model, columns, order=()):
    """``(*fields, n, *columns)`` tuples: ``qs`` counted by ``fields`` over its own table, then joined to ``model``
    (the row named by the first field) for its ``columns``, ordered by ``order`` (``model``'s columns). The GROUP BY
    runs before the join: thousands of groups joined instead of every record joined and sorted by the names."""

    inner, params = qs.values(*fields).annotate(n=Count("*")).order_by().query.sql_with_params()
    quote = connections[qs.db].ops.quote_name
    select = ", ".join([*(f"g.{quote(f)}" for f in fields), f"g.{quote('n')}", *(f"m.{quote(c)}" for c in columns)])
    sql = (
        f"SELECT {select} FROM ({inner}) g INNER JOIN {quote(model._meta.db_table)} m"  # noqa: S608 (names from models)
        f" ON m.{quote(model._meta.pk.column)} = g.{quote(fields[0])}"
    )
    if order:
        sql += " ORDER BY " + ", ".join(f"m.{quote(c)}" for c in order)
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def reporting_quarter(today=None):
    """The quarter being reported now: the last one that has ended (its reports fall due this quarter)."""
    today = today or timezone.localdate()
    y, q = today.year, (today.month - 1) // 3 + 1
    return (y - 1, 4) if q == 1 else (y, q - 1)


# --- pilots ------------------------------------------------------------------------------------------
def pilot_figures(user):
    """Pilots by county and stage (one query), by area (one) and by batch (one)."""

    qs = pilot_list(user).order_by()
    model = qs.model
    # 允许试错、包容失败: a terminated pilot the committee marked 容错免责 is counted apart, not as 已终止.
    terminated = model.Status.TERMINATED
    stages = [*model.Status.choices, (TOLERATED, _("容错免责"))]
    counties = {}
    rows = _grouped(qs, ["county_id", "status"], Unit, ["name", "sort_order", "code"], order=["sort_order", "code"])
    for county_id, status, n, name, _sort_order, _code in rows:
        entry = counties.setdefault(county_id, {"name": name, "counts": {}})
        entry["counts"][status] = n
    tolerated = qs.filter(status=terminated, tolerated_at__isnull=False).values_list("county_id").annotate(n=Count("*"))
    for county_id, n in tolerated:
        counts = counties[county_id]["counts"]
        counts[terminated] -= n
        counts[TOLERATED] = n
    by_county = Figure(
        "pilots_by_county",
        _("各县（市、区）试点项目（按阶段）"),
        [label for _value, label in stages] + [_("合计")],
        chart="stacked",
        row_header=_("县（市、区）"),
    )
    stage_totals = dict.fromkeys([v for v, _l in stages], 0)
    for entry in counties.values():
        entry["total"] = sum(entry["counts"].values())
        for value, n in entry["counts"].items():
            if value in stage_totals:
                stage_totals[value] += n
    kept, left_out = _top(list(counties.items()), lambda item: item[1]["total"])
    for county_id, entry in kept:
        cells = [
            Cell(entry["counts"].get(value, 0), _stage_url(value, terminated, county=county_id))
            for value, _label in stages
        ]
        cells.append(Cell(entry["total"], _url("pilots:pilot_list", county=county_id)))
        by_county.rows.append(Row(entry["name"], cells, key=str(county_id)))
    by_county.left_out(left_out)
    by_stage = Figure("pilots_by_stage", _("试点项目（按阶段）"), [_("试点项目数")], chart="pie", row_header=_("阶段"))
    for value, label in stages:
        by_stage.rows.append(Row(str(label), [Cell(stage_totals[value], _stage_url(value, terminated))], key=value))
    by_stage.total = Cell(sum(stage_totals.values()), _url("pilots:pilot_list"))
    by_county.chart_columns = len(stages)  # its 合计 column drawn as a bar would double each county's height

    # by area and by batch: one scan of the pilots grouped by both, summed here (about 300 groups)
    by_area_n, by_batch_n, batches = {}, {}, {}
    batch_model = model.batch.field.related_model
    for batch_id, area, n, name, year in _grouped(qs, ["batch_id", "area"], batch_model, ["name", "year"]):
        by_area_n[area] = by_area_n.get(area, 0) + n
        by_batch_n[batch_id] = by_batch_n.get(batch_id, 0) + n
        batches[batch_id] = (year, batch_id, name)
    areas = dict(ReformArea.choices)
    by_area = Figure("pilots_by_area", _("试点项目（按改革领域）"), [_("试点项目数")], row_header=_("改革领域"))
    for area, n in sorted(by_area_n.items(), key=lambda item: (-item[1], item[0])):
        by_area.rows.append(Row(str(areas.get(area, area)), [Cell(n, _url("pilots:pilot_list", area=area))]))
    by_batch = Figure("pilots_by_batch", _("试点项目（按批次）"), [_("试点项目数")], row_header=_("批次"))
    for _year, batch_id, name in sorted(batches.values()):
        by_batch.rows.append(Row(name, [Cell(by_batch_n[batch_id], _url("pilots:pilot_list", batch=batch_id))]))
    return [by_stage, by_county, by_area, by_batch]


TOLERATED = "tolerated"  # the stage figures' 容错免责 column: terminated pilots the committee marked


def _stage_url(value, terminated, **params):
    """The pilot list behind a stage's number: 已终止 without the 容错免责 ones, 容错免责 the marked terminated ones."""
    if value == TOLERATED:
        return _url("pilots:pilot_list", **params, stage=terminated, tolerated=1)
    if value == terminated:
        return _url("pilots:pilot_list", **params, stage=terminated, tolerated=0)
    return _url("pilots:pilot_list", **params, stage=value)


def pipeline(user):
    """The application pipeline of the open batch (the latest published batch when none is open): two queries."""

    batches = batch_list(user).exclude(status="draft")
    batch = batches.filter(status="open").first() or batches.first()
    figure = Figure("pipeline", _("申报进展"), [_("申报数")], row_header=_("状态"))
    if batch is None:
        figure.note = _("暂无已开放的批次。")
        return figure
    figure.title = _("申报进展：%(batch)s（%(state)s）") % {"batch": batch.name, "state": batch.get_status_display()}
    qs = application_list(user).order_by()
    counts = dict(qs.filter(batch=batch).values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    for value, label in qs.model.Status.choices:
        n = counts.get(value, 0)
        figure.rows.append(
            Row(str(label), [Cell(n, _url("applications:list", batch=batch.pk, status=value))], key=value)
        )
    figure.total = Cell(sum(counts.values()), _url("applications:list", batch=batch.pk))
    return figure


# --- monitoring ----------------------------------------------------------------------------------
def report_timeliness(user, today=None):
    """The reporting quarter's reports: on time, late, missing, not yet due (one query)."""

    year, quarter = reporting_quarter(today)
    counts = selectors.quarter_counts(user, year=year, quarter=quarter)
    figure = Figure(
        "reports",
        _("%(year)s年第%(q)s季度进展报告报送情况") % {"year": year, "q": quarter},
        [_("报告数")],
        chart="pie",
        row_header=_("报送情况"),
    )
    for value, label in QuarterlyReport.Timeliness.choices:
        url = _url("reports:list", year=year, quarter=quarter, timeliness=value)
        figure.rows.append(Row(str(label), [Cell(counts.get(value, 0), url)], key=value))
    figure.total = Cell(sum(counts.values()), _url("reports:list", year=year, quarter=quarter))
    return figure


def rectification(user, today=None):
    """Open and overdue rectification items per county (one query)."""

    today = today or timezone.localdate()
    is_open = Q(status__in=RectificationItem.OPEN)
    rows = (
        RectificationItem.objects.visible_to(user)
        .values("county_id", "county__name", "county__sort_order", "county__code")
        .annotate(open=Count("id", filter=is_open), overdue=Count("id", filter=is_open & Q(deadline__lt=today)))
        .order_by("county__sort_order", "county__code")
    )
    figure = Figure("rectification", _("整改事项"), [_("未完成整改"), _("其中已逾期")], row_header=_("县（市、区）"))
    rows = [r for r in rows if r["open"]]
    totals = [sum(r["open"] for r in rows), sum(r["overdue"] for r in rows)]
    kept, left_out = _top(rows, lambda r: r["open"])
    for r in kept:
        figure.rows.append(
            Row(
                r["county__name"],
                [
                    Cell(r["open"], _url("reports:inspections", state="open", county=r["county_id"])),
                    Cell(r["overdue"], _url("reports:inspections", overdue=1, county=r["county_id"])),
                ],
            )
        )
    figure.total_cells = [
        Cell(totals[0], _url("reports:inspections", state="open")),
        Cell(totals[1], _url("reports:inspections", overdue=1)),
    ]
    return figure.left_out(left_out)


def extensions(user):
    """Pending extension requests by step (one query)."""

    counts = dict(
        ExtensionRequest.objects.visible_to(user)
        .filter(status__in=ExtensionRequest.PENDING)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    figure = Figure("extensions", _("待办结的延期申请"), [_("申请数")], chart="", row_header=_("办理环节"))
    labels = dict(ExtensionRequest.Status.choices)
    for value in ExtensionRequest.PENDING:
        figure.rows.append(
            Row(str(labels[value]), [Cell(counts.get(value, 0), _url("reports:extensions", status=value))])
        )
    figure.total = Cell(sum(counts.values()), _url("reports:extensions", status="pending"))
    return figure


def problems(user, today=None):
    """Unresolved 存在问题 and 需市级支持事项 by step and kind, and those assigned past their due date (one query)."""
    today = today or timezone.localdate()
    late = Q(status=ProblemItem.Status.ASSIGNED, due_on__lt=today)
    rows = (
        ProblemItem.objects.visible_to(user)
        .unresolved()
        .values("status", "kind")
        .annotate(n=Count("id"), overdue=Count("id", filter=late))
        .order_by()
    )
    counts, overdue = {}, {}
    for r in rows:
        counts[(r["status"], r["kind"])] = r["n"]
        overdue[r["kind"]] = overdue.get(r["kind"], 0) + r["overdue"]
    kinds = ProblemItem.Kind.choices
    figure = Figure(
        "problems",
        _("问题和需市级支持事项（未办结）"),
        [label for _v, label in kinds],
        chart="",
        row_header=_("办理环节"),
    )
    labels = dict(ProblemItem.Status.choices)
    for status in ProblemItem.UNRESOLVED:
        cells = [Cell(counts.get((status, k), 0), _url("reports:problems", state=status, kind=k)) for k, _l in kinds]
        figure.rows.append(Row(str(labels[status]), cells, key=status))
    figure.rows.append(
        Row(
            str(_("其中交办逾期")),
            [Cell(overdue.get(k, 0), _url("reports:problems", overdue=1, kind=k)) for k, _l in kinds],
            key="overdue",
        )
    )
    figure.total_cells = [
        Cell(
            sum(counts.get((s, k), 0) for s in ProblemItem.UNRESOLVED),
            _url("reports:problems", state="unresolved", kind=k),
        )
        for k, _l in kinds
    ]
    return figure


# --- results ---------------------------------------------------------------------------------------
def results_by_kind(user):
    """Institutional results (制度成果) of submitted reports, by kind (one query)."""

    counts = dict(
        submitted_results(user).values_list("kind").annotate(n=Count("*")).order_by().values_list("kind", "n")
    )
    figure = Figure("results", _("制度成果（按类型）"), [_("成果数")], row_header=_("成果类型"))
    for value, label in InstitutionalResult.Kind.choices:
        figure.rows.append(Row(str(label), [Cell(counts.get(value, 0), _url("reports:results", kind=value))]))
    figure.total = Cell(sum(counts.values()), _url("reports:results"))
    return figure


def reported_results(user, *, kind="", county=None):
    """Institutional results the counties have reported (in a report submitted at least once), newest first."""

    qs = submitted_results(user)
    if kind in InstitutionalResult.Kind.values:
        qs = qs.filter(kind=kind)
    if county:
        qs = qs.filter(report__county_id=county)
    return qs.select_related("report", "report__county", "report__pilot").order_by(
        "-report__year", "-report__quarter", "report__county_id", "order", "id"
    )


def promotions_by_level(user):
    """Published experiences promoted at each level (one query)."""

    levels = promotions(user).model._meta.get_field("level").choices
    counts = dict(
        promotions(user)
        .filter(experience__status="published")
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("level", "n")
    )
    figure = Figure("promotions", _("经验做法推广（按层级）"), [_("经验做法数")], row_header=_("推广层级"))
    for value, label in levels:
        figure.rows.append(Row(str(label), [Cell(counts.get(value, 0), _url("pilots:experience_list", level=value))]))
    return figure


def bonus_by_county(user):
    """Confirmed annual-assessment bonus points per county, all years (one query)."""

    rows = (
        bonus_entries(user)
        .filter(status="confirmed")
        .values("county_id", "county__name", "county__sort_order", "county__code")
        .annotate(points=Sum("points"))
        .order_by("county__sort_order", "county__code")
    )
    figure = Figure("bonus", _("年度考评加分（已确认）"), [_("加分（分）")], row_header=_("县（市、区）"))
    kept, left_out = _top(list(rows), lambda r: r["points"])
    for r in kept:
        figure.rows.append(
            Row(r["county__name"], [Cell(r["points"], _url("pilots:bonus_ledger", county=r["county_id"]))])
        )
    return figure.left_out(left_out)


# --- the office's own work -----------------------------------------------------------------------
def my_work(user):
    """我的待办 by workflow, with the overdue ones (one query); each number opens 我的待办 filtered by workflow."""

    names = {m.workflow_key: m._meta.verbose_name for m in workflow_models() if m.workflow_key}
    now = timezone.now()
    rows = (
        WorkItem.objects.open_for(user)
        .values("workflow")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
        .order_by("-overdue", "-n", "workflow")
    )
    figure = Figure("my_work", _("我的待办"), [_("待办"), _("其中已逾期")], chart="", row_header=_("事项类型"))
    inbox = reverse("inbox")
    totals = [0, 0]
    for r in rows:
        url = f"{inbox}?workflow={r['workflow']}"
        totals[0] += r["n"]
        totals[1] += r["overdue"]
        figure.rows.append(
            Row(str(names.get(r["workflow"], r["workflow"])), [Cell(r["n"], url), Cell(r["overdue"], url)])
        )
    figure.total_cells = [Cell(totals[0], inbox), Cell(totals[1], inbox)]
    return figure


def dashboard(user, *, office=False, today=None):
    """Everything the dashboard page shows, in a fixed number of queries whatever the data."""

    today = today or timezone.localdate()
    pilots = pilot_figures(user)
    context = {
        "today": today,
        "pilot_figures": pilots,
        "pilot_total": pilots[0].total,
        "pipeline": pipeline(user),
        "reports": report_timeliness(user, today),
        "rectification": rectification(user, today),
        "extensions": extensions(user),
        "problems": problems(user, today),
        "results": results_by_kind(user),
        "promotions": promotions_by_level(user),
        "bonus": bonus_by_county(user),
        "goals": goal_progress(user, today),
        "my_work": my_work(user) if office else None,
    }
    figures = [*pilots, context["pipeline"], context["reports"], context["rectification"]]
    figures += [context["results"], context["promotions"], context["bonus"]]
    context["charts"] = {f.key: f.chart_data() for f in figures if f.chart_data()}
    return context


# --- the snapshot the page reads: refreshed by beat every minute ----------------------------------
class _Overseer:
    """Whom the snapshot is counted for: a reader who sees every record, as the committee and the office do (the
    only roles that open the dashboard; ``dashboard_views`` checks the reader's own role at every request)."""

    is_authenticated = True
    is_active = True
    pk = id = None

    def __init__(self):
        self._membership_cache = [Membership(role=Role.COMMITTEE)]


_FIGURES = ("pipeline", "reports", "rectification", "extensions", "problems", "results", "promotions", "bonus")


def _dump(context):
    goals = ("year", "metric", "target", "title", "value", "percent", "reached", "ended", "url")
    return {
        "today": context["today"].isoformat(),
        "pilot_figures": [asdict(f) for f in context["pilot_figures"]],
        **{key: asdict(context[key]) for key in _FIGURES},
        "goals": [{name: getattr(g, name) for name in goals} for g in context["goals"]],
        "charts": context["charts"],
    }


def _cell(data):
    return Cell(**data) if data else None


def _figure(data):
    rows = [Row(**{**r, "cells": [Cell(**c) for c in r["cells"]]}) for r in data["rows"]]
    return Figure(
        **{
            **data,
            "rows": rows,
            "total": _cell(data["total"]),
            "total_cells": [Cell(**c) for c in data["total_cells"]],
            "more": _cell(data["more"]),
        }
    )


def _load(data):

    goals = []
    for g in data["goals"]:
        goal = Goal(year=g["year"], metric=g["metric"], target=g["target"], title=g["title"])
        goal.value, goal.percent, goal.reached, goal.ended, goal.url = (
            g["value"],
            g["percent"],
            g["reached"],
            g["ended"],
            g["url"],
        )
        goals.append(goal)
    pilots = [_figure(f) for f in data["pilot_figures"]]
    return {
        "today": datetime.date.fromisoformat(data["today"]),
        "pilot_figures": pilots,
        "pilot_total": pilots[0].total,
        **{key: _figure(data[key]) for key in _FIGURES},
        "goals": goals,
        "charts": data["charts"],
    }


def refresh_snapshot():
    """Count the figures once for every language and keep them (beat, every minute: ``reports.refresh_dashboard``).
    A row per language, replaced in place; the counting reads, only the replacement writes."""

    now = timezone.now()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            figures = _dump(dashboard(_Overseer()))
        DashboardSnapshot.objects.update_or_create(language=language, defaults={"computed_at": now, "figures": figures})
    return now


def page_context(user, *, office=False):
    """What the dashboard page shows: the figures of the last snapshot if it is at most
    ``DASHBOARD_SNAPSHOT_MAX_AGE`` seconds old (``computed_at`` says when), else counted now (``computed_at``
    None); the office's own 我的待办 is always read now."""

    oldest = timezone.now() - datetime.timedelta(seconds=settings.DASHBOARD_SNAPSHOT_MAX_AGE)
    snapshot = DashboardSnapshot.objects.filter(language=translation.get_language(), computed_at__gte=oldest).first()
    if snapshot is None:
        return {**dashboard(user, office=office), "computed_at": None}
    return {
        **_load(snapshot.figures),
        "my_work": my_work(user) if office else None,
        "computed_at": snapshot.computed_at,
    }
