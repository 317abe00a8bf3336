"""One county on one page (its pilots, applications, reports, rectifications, extensions, evaluations and bonus
points) and the comparison of every county for the office and the committee: fixed query counts, counts in SQL."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, Unit
from accounts.roles import has_role, sees_everything, unit_ids
from applications import selectors as application_selectors
from pilots import selectors as pilot_selectors
from reports.monitoring import selectors
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.inspections import RectificationItem
from reports.monitoring.models import QuarterlyReport
from reports.problems import selectors as problem_selectors
from reviews.evaluation.selectors import self_evaluation_list

SECTION_ROWS = 10
T = QuarterlyReport.Timeliness


def counties():
    return Unit.objects.filter(kind=Role.COUNTY, is_active=True).order_by("sort_order", "code")


def can_compare(user):
    return sees_everything(user)


def access_county(user, pk):
    """The county if ``user`` may read its page: the office and the committee any, a county its own (404 for
    another county, as for a missing one), everyone else 403."""
    if sees_everything(user):
        return get_object_or_404(counties(), pk=pk)
    if has_role(user, Role.COUNTY):
        if pk not in unit_ids(user, Role.COUNTY):
            raise Http404
        return get_object_or_404(counties(), pk=pk)
    raise PermissionDenied(_("只有县（市、区）、市委改革办和市委改革委可以查看县（市、区）概况。"))


def own_county(user):
    """The county a county user belongs to (their first), for the navigation link."""
    ids = sorted(unit_ids(user, Role.COUNTY))
    return ids[0] if ids else None


# --- one county --------------------------------------------------------------------------------
@dataclass
class Section:
    key: str
    title: str
    total: int
    rows: list
    more_url: str
    extra: dict = field(default_factory=dict)

    @property
    def has_more(self):
        return self.total > len(self.rows)


def _section(key, title, qs, more_url, limit):
    return Section(key, title, qs.count(), list(qs[:limit]), more_url)


def county_sections(user, county, limit=SECTION_ROWS):
    """The county page's sections, each the first ``limit`` rows of the list it links to, with its total: two
    queries a section, however many rows the county has."""
    q = f"?county={county.pk}"
    pilots = pilot_selectors.pilot_list(user, county=county.pk)
    applications = application_selectors.application_list(user).filter(county=county)
    reports = selectors.with_timeliness(selectors.report_list(user).filter(county=county))
    items = selectors.item_list(user).filter(county=county)
    extensions = selectors.extension_list(user).filter(county=county)
    bonus = (
        pilot_selectors.bonus_entries(user)
        .filter(county=county)
        .select_related("promotion__experience")
        .order_by("-year", "-created_at", "-id")
    )
    sections = [
        _section("pilots", _("试点项目"), pilots, reverse("pilots:pilot_list") + q, limit),
        _section("applications", _("试点申报"), applications, reverse("applications:list") + q, limit),
        _section("reports", _("季度进展报告"), reports, reverse("reports:list") + q, limit),
        _section("rectifications", _("整改事项"), items, reverse("reports:inspections") + q, limit),
        _section("extensions", _("延期申请"), extensions, reverse("reports:extensions") + q, limit),
        # 存在问题、需市级支持事项 not yet resolved (reports/problems.py), the oldest first.
        _section(
            "problems",
            _("未办结的问题和需市级支持事项"),
            problem_selectors.problem_list(user).filter(county=county).unresolved().order_by("raised_at", "id"),
            reverse("reports:problems") + q + "&state=unresolved",
            limit,
        ),
        # 总结评估: the list has no county filter; it shows a county user only its own county anyway.
        _section(
            "evaluations",
            _("总结评估"),
            self_evaluation_list(user).filter(county=county),
            reverse("reviews:evaluation_list"),
            limit,
        ),
        _section("bonus", _("年度考评加分"), bonus, reverse("pilots:bonus_ledger") + q, limit),
    ]
    by_key = {s.key: s for s in sections}
    by_key["reports"].extra = dict(
        selectors.with_timeliness(selectors.report_list(user).filter(county=county))
        .order_by()
        .aggregate(
            on_time=Count("id", filter=Q(timeliness_key=T.ON_TIME)),
            late=Count("id", filter=Q(timeliness_key=T.LATE)),
            missing=Count("id", filter=Q(timeliness_key=T.MISSING)),
        )
    )
    by_key["bonus"].extra = {
        "years": list(
            pilot_selectors.bonus_entries(user)
            .confirmed()
            .filter(county=county)
            .values("year")
            .annotate(total=Sum("points"))
            .order_by("-year")[:5]
        )
    }
    return sections


# --- every county side by side -----------------------------------------------------------------
COMPARISON_COLUMNS = [
    ("pilots", gettext_lazy("试点项目")),
    ("running", gettext_lazy("实施中的试点")),
    ("applications", gettext_lazy("申报")),
    ("reports_on_time", gettext_lazy("按时报送")),
    ("reports_late", gettext_lazy("逾期报送")),
    ("reports_missing", gettext_lazy("逾期未报")),
    ("items_open", gettext_lazy("未完成整改")),
    ("items_overdue", gettext_lazy("整改逾期")),
    ("extensions_pending", gettext_lazy("待审延期申请")),
    ("bonus", gettext_lazy("考评加分（分）")),
]


def _per_county(qs, **counts):
    return {row.pop("county_id"): row for row in qs.order_by().values("county_id").annotate(**counts)}


def comparison(user, year=None, county_ids=None):
    """One row per county with its counts: one aggregated query per kind of record (GROUP BY county), merged
    here by county id; ``year`` limits the reports and bonus points to one year, ``county_ids`` to one page."""
    today = timezone.localdate()
    reports = selectors.with_timeliness(selectors.report_list(user))
    bonus = pilot_selectors.bonus_entries(user).confirmed()
    if year:
        reports, bonus = reports.filter(year=year), bonus.filter(year=year)
    querysets = [
        (pilot_selectors.pilot_list(user), {"pilots": Count("id")}),
        (pilot_selectors.pilot_list(user, stage="running"), {"running": Count("id")}),
        (application_selectors.application_list(user), {"applications": Count("id")}),
        (
            reports,
            {
                "reports_on_time": Count("id", filter=Q(timeliness_key=T.ON_TIME)),
                "reports_late": Count("id", filter=Q(timeliness_key=T.LATE)),
                "reports_missing": Count("id", filter=Q(timeliness_key=T.MISSING)),
            },
        ),
        (
            RectificationItem.objects.visible_to(user),
            {
                "items_open": Count("id", filter=Q(status__in=RectificationItem.OPEN)),
                "items_overdue": Count("id", filter=Q(status__in=RectificationItem.OPEN, deadline__lt=today)),
            },
        ),
        (
            ExtensionRequest.objects.visible_to(user),
            {"extensions_pending": Count("id", filter=Q(status__in=ExtensionRequest.PENDING))},
        ),
        (bonus, {"bonus": Sum("points")}),
    ]
    merged = {}
    for qs, counts in querysets:
        if county_ids is not None:
            qs = qs.filter(county_id__in=county_ids)
        for county_id, values in _per_county(qs, **counts).items():
            merged.setdefault(county_id, {}).update(values)
    return merged


def comparison_row(county, merged):
    found = merged.get(county.pk, {})
    row = {"county": county}
    for key, _label in COMPARISON_COLUMNS:
        row[key] = found.get(key) or 0
    row["bonus"] = Decimal(row["bonus"])
    return row


def comparison_rows(user, counties_page, year=None):
    """The rows of one page of counties (a list of units): seven aggregated queries, whatever the page holds."""
    merged = comparison(user, year=year, county_ids=[c.pk for c in counties_page])
    return [comparison_row(c, merged) for c in counties_page]
