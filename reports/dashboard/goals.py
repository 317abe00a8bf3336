"""The seed's goals as data the office maintains (工作目标: end 2021, end 2022, end 2025): each goal names a metric from
a fixed list of figures the system computes, a year and a target value; the dashboards show the progress.

The metrics are counted in SQL, one query per metric whatever the number of goals (``measure``)."""

import datetime

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from accounts.roles import units
from pilots.selectors import bonus_entries, pilot_list, promotions
from pilots.selectors import experiences as experience_qs
from reports.monitoring.selectors import submitted_results
from workflow.engine.errors import WorkflowError
from workflow.services import record


class Metric(models.TextChoices):
    """What a goal is measured by: each a count (or sum) the system keeps, cumulative up to the end of the year."""

    PILOTS = "pilots", gettext_lazy("确定的试点项目数")
    COUNTIES = "counties", gettext_lazy("开展试点的县（市、区）数")
    COMPLETED = "completed", gettext_lazy("完成的试点项目数")
    EXPERIENCES = "experiences", gettext_lazy("发布的经验做法数（嘉兴样本）")
    CITY_PROMOTIONS = "city_promotions", gettext_lazy("在全市复制推广的经验做法数")
    PROVINCE_PROMOTIONS = "province_promotions", gettext_lazy("在全省推广的经验做法数")
    NATIONAL_PROMOTIONS = "national_promotions", gettext_lazy("在全国推广的经验做法数")
    RESULTS = "results", gettext_lazy("报送的制度成果数")
    STANDARDS = "standards", gettext_lazy("报送的标准类制度成果数")
    BONUS_POINTS = "bonus_points", gettext_lazy("确认的年度考评加分（分）")


class Goal(models.Model):
    """One target of the seed's 工作目标, e.g. 一批成熟经验做法在全市复制推广: 市级推广的经验做法数 ≥ 5 by 2021."""

    title = models.CharField(gettext_lazy("目标"), max_length=200)
    metric = models.CharField(gettext_lazy("衡量指标"), max_length=30, choices=Metric.choices)
    year = models.PositiveSmallIntegerField(gettext_lazy("目标年度"), help_text=gettext_lazy("到该年年底达到"))
    target = models.PositiveIntegerField(gettext_lazy("目标值"))
    source = models.CharField(
        gettext_lazy("依据"), max_length=300, blank=True, help_text=gettext_lazy("例如：工作方案“工作目标”的原文")
    )
    updated_at = models.DateTimeField(gettext_lazy("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("修改人"),
    )

    class Meta:
        verbose_name = gettext_lazy("工作目标")
        verbose_name_plural = gettext_lazy("工作目标")
        ordering = ["year", "metric", "id"]
        constraints = [models.UniqueConstraint(fields=["metric", "year"], name="goal_one_per_metric_year")]

    def __str__(self):
        return f"{self.year} · {self.title}"


# --- the office's edits (audited: one log row each, with what changed) ------------------------
FIELDS = ("title", "metric", "year", "target", "source")


def _check(actor):
    if not rules.has_perm("reports.manage_goals", actor):
        raise PermissionDenied(_("只有市委改革办可以维护工作目标。"))


def _log(goal, action, actor, details):

    office = (units(actor, Role.REFORM_OFFICE) or [None])[0]
    record(goal, f"goal.goal_{action}", actor=actor, role=Role.REFORM_OFFICE, unit=office, details=details)


def save_goal(*, actor, data, goal=None):
    """Create a goal (``goal=None``) or change one; ``data`` holds FIELDS. Logged with the old and new values."""

    _check(actor)
    with transaction.atomic():
        if goal is None:
            goal = Goal(updated_by=actor)
            before = {}
        else:
            goal = Goal.objects.select_for_update().get(pk=goal.pk)
            before = {f: getattr(goal, f) for f in FIELDS}
        for f in FIELDS:
            setattr(goal, f, data[f])
        goal.updated_by = actor
        clash = Goal.objects.filter(metric=goal.metric, year=goal.year).exclude(pk=goal.pk).exists()
        if clash:
            raise WorkflowError(_("该指标在这一年度已有目标，请修改原目标。"), field="metric", status=400)
        goal.save()
        changed = {f: [before.get(f), getattr(goal, f)] for f in FIELDS if before.get(f) != getattr(goal, f)}
        _log(goal, "changed" if before else "created", actor, {"changed": changed})
    return goal


def delete_goal(*, actor, goal):
    _check(actor)
    with transaction.atomic():
        _log(goal, "deleted", actor, {"deleted": {f: getattr(goal, f) for f in FIELDS}})
        goal.delete()


# --- progress ------------------------------------------------------------------------------------
def _year_end(year):
    """The last moment of ``year`` in the site's time zone, and its last day."""
    tz = timezone.get_default_timezone()
    return datetime.datetime(year + 1, 1, 1, tzinfo=tz) - datetime.timedelta(microseconds=1), datetime.date(
        year, 12, 31
    )


def _metric_querysets(user):
    """``{metric: (queryset, aggregate(filter) -> expression, cutoff(year) -> Q)}``: how each metric is counted up to
    the end of a year (a moment for times, a day for dates, the year itself for the assessment year)."""

    pilots = pilot_list(user).order_by()
    results = submitted_results(user)

    def count(filter_q):
        return Count("pk", filter=filter_q)

    published_promotions = promotions(user).filter(experience__status="published")

    def promoted(level):
        return (published_promotions, count, lambda y: Q(level=level, promoted_on__lte=_year_end(y)[1]))

    # Metrics over the same queryset are counted in one query (``measure``): the pilots' three, the promotions' three
    # and the results' two each one scan; the kind or level a metric needs is part of its conditional aggregate.
    return {
        Metric.PILOTS: (pilots, count, lambda y: Q(created_at__lte=_year_end(y)[0])),
        Metric.COUNTIES: (
            pilots,
            lambda f: Count("county_id", distinct=True, filter=f),
            lambda y: Q(created_at__lte=_year_end(y)[0]),
        ),
        Metric.COMPLETED: (pilots, count, lambda y: Q(status="completed", term_end__lte=_year_end(y)[1])),
        Metric.EXPERIENCES: (
            experience_qs(user).filter(status="published"),
            count,
            lambda y: Q(published_at__lte=_year_end(y)[0]),
        ),
        Metric.CITY_PROMOTIONS: promoted("city"),
        Metric.PROVINCE_PROMOTIONS: promoted("province"),
        Metric.NATIONAL_PROMOTIONS: promoted("national"),
        Metric.RESULTS: (results, count, lambda y: Q(report__period_end__lte=_year_end(y)[1])),
        Metric.STANDARDS: (results, count, lambda y: Q(kind="standard", report__period_end__lte=_year_end(y)[1])),
        Metric.BONUS_POINTS: (
            bonus_entries(user).filter(status="confirmed"),
            lambda f: Sum("points", filter=f),
            lambda y: Q(year__lte=y),
        ),
    }


def measure(user, pairs):
    """``{(metric, year): value}`` for each (metric, year) asked: one query per queryset the metrics asked are counted
    over (each metric's years as conditional aggregates), so the number of queries never grows with the data or the
    number of goals."""
    defs = _metric_querysets(user)
    groups = {}  # id(queryset) -> (queryset, {alias: (metric, year, expression)})
    for metric, year in sorted(pairs):
        if metric not in defs:
            continue
        qs, aggregate, cutoff = defs[metric]
        groups.setdefault(id(qs), (qs, {}))[1][f"{metric}_{year}"] = (metric, year, aggregate(cutoff(year)))
    values = {}
    for qs, asked in groups.values():
        row = qs.aggregate(**{alias: expression for alias, (_m, _y, expression) in asked.items()})
        for alias, (metric, year, _expression) in asked.items():
            values[(metric, year)] = row[alias] or 0
    return values


def metric_url(metric):
    """The list behind a metric's number (what it counts today)."""

    pilots, experiences = reverse("pilots:pilot_list"), reverse("pilots:experience_list")
    results = reverse("reports:results")
    return {
        Metric.PILOTS: pilots,
        Metric.COUNTIES: pilots,
        Metric.COMPLETED: f"{pilots}?stage=completed",
        Metric.EXPERIENCES: experiences,
        Metric.CITY_PROMOTIONS: f"{experiences}?level=city",
        Metric.PROVINCE_PROMOTIONS: f"{experiences}?level=province",
        Metric.NATIONAL_PROMOTIONS: f"{experiences}?level=national",
        Metric.RESULTS: results,
        Metric.STANDARDS: f"{results}?kind=standard",
        Metric.BONUS_POINTS: reverse("pilots:bonus_ledger"),
    }.get(metric, "")


def goal_progress(user, today=None):
    """Every goal with its current value (up to the end of its year), share of the target and state, in year order:
    two queries for the goals and at most one per metric in use."""
    today = today or timezone.localdate()
    goals = list(Goal.objects.order_by("year", "metric", "id"))
    values = measure(user, {(g.metric, g.year) for g in goals})
    for g in goals:
        g.value = values.get((g.metric, g.year), 0)
        g.percent = min(100, int(g.value * 100 / g.target)) if g.target else 100
        g.reached = g.value >= g.target
        g.ended = today.year > g.year
        g.url = metric_url(g.metric)
    return goals


# --- demo data: the seed's three goals (工作方案 一（三）) ----------------------------------------------
SEED_GOALS = [
    (
        2021,
        Metric.COUNTIES,
        7,
        "试点工作取得明显成效：七个县（市、区）均开展集成改革试点",
        "2021年底前，试点工作取得明显成效",
    ),
    (2021, Metric.CITY_PROMOTIONS, 5, "一批成熟经验做法在全市复制推广", "一批成熟经验做法在全市复制推广"),
    (
        2022,
        Metric.PROVINCE_PROMOTIONS,
        3,
        "取得一批在更大范围内具有复制推广价值的成果",
        "2022年底前，取得一批在更大范围内具有复制推广价值的实质性、突破性、系统性成果",
    ),
    (2022, Metric.RESULTS, 20, "形成一批实质性、突破性、系统性制度成果", "为各领域改革探索路子、贡献经验"),
    (
        2025,
        Metric.STANDARDS,
        10,
        "基本构建一套较为成熟的县域集成改革标准体系",
        "2025年底前，基本构建一套较为成熟的县域集成改革标准体系",
    ),
    (
        2025,
        Metric.COMPLETED,
        14,
        "改革成果和制度优势全面转化为整体治理效能",
        "改革成果和制度优势全面转化为整体治理效能",
    ),
]


def seed_goals(actor):
    """The seed's goals, once (demo data; the office changes the targets on the goals page)."""
    if Goal.objects.exists():
        return
    for year, metric, target, title, source in SEED_GOALS:
        save_goal(
            actor=actor, data={"title": title, "metric": metric, "year": year, "target": target, "source": source}
        )
