"""Read queries for the case library (嘉兴样本), promotions and the bonus-point ledger, scoped by the user."""

import re
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404

from accounts.models import Role
from accounts.roles import has_role, sees_everything, unit_ids
from pilots.experiences.models import BonusEntry, Experience, Promotion, PromotionLevel
from pilots.models import Pilot

# Chinese search: PostgreSQL's built-in text search has no Chinese parser (zhparser is an extension we cannot
# assume) and pg_trgm needs CREATE EXTENSION, which the application role may not run. A substring match
# (LIKE/ILIKE '%词%') finds a word anywhere inside a title or text on every database, which is what a reader
# of Chinese expects; each whitespace-separated word must match (all of them, in any of the fields).
SEARCH_FIELDS = ("title", "summary", "body", "tags")
MAX_TERMS = 5


def search_terms(text):
    return [t for t in re.split(r"[\s,，、;；]+", (text or "").strip()) if t][:MAX_TERMS]


def search(queryset, text):
    for term in search_terms(text):
        match = Q()
        for field in SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(match)
    return queryset


def experience_list(user, *, q="", area="", county=None, level="", status=None):
    """The case library as ``user`` may read it: published experiences by default, filtered and searched; the
    promotions of each page come with one more query (``promotions`` prefetched)."""
    qs = Experience.objects.visible_to(user)
    qs = qs.filter(status=status) if status else qs.published()
    if area:
        qs = qs.filter(area=area)
    if county is not None:
        qs = qs.filter(pilot__county=county)
    if level in PromotionLevel.values:
        qs = qs.filter(Exists(Promotion.objects.filter(experience=OuterRef("pk"), level=level)))
    qs = search(qs, q)
    return (
        qs.select_related("pilot__county", "drafted_by_unit")
        .prefetch_related(Prefetch("promotions", queryset=Promotion.objects.order_by("promoted_on", "id")))
        .order_by("-published_at", "-id")
    )


def access_experience(user, pk):
    """The experience if ``user`` may read it (404 for missing and for not theirs alike)."""
    return get_object_or_404(
        Experience.objects.visible_to(user).select_related(
            "pilot__county", "pilot__special_group", "pilot__guidance_unit", "drafted_by_unit", "created_by"
        ),
        pk=pk,
    )


def draftable_pilots(user):
    """Pilots for which ``user`` may record an experience (the office: all; a group or guide: its own)."""

    qs = Pilot.objects.select_related("county").order_by("county__name", "-created_at")
    if has_role(user, Role.REFORM_OFFICE):
        return qs
    return qs.filter(
        Q(special_group__in=unit_ids(user, Role.SPECIAL_GROUP))
        | Q(guidance_unit__in=unit_ids(user, Role.GUIDANCE_UNIT))
    )


def promotions_of(experience):
    return (
        experience.promotions.select_related("recorded_by")
        .prefetch_related("bonus_entries")
        .order_by("promoted_on", "id")
    )


# --- the ledger --------------------------------------------------------------------------------
def ledger_entries(user, *, year=None, county=None):
    """Every line of the ledger ``user`` may read (all states; corrections as their own lines), oldest first."""
    qs = BonusEntry.objects.visible_to(user)
    if year:
        qs = qs.filter(year=year)
    if county is not None:
        qs = qs.filter(county=county)
    return qs.select_related("county", "promotion__experience", "corrects", "created_by").order_by(
        "year", "county__name", "created_at", "id"
    )


def ledger_totals(user, *, year=None, county=None):
    """Confirmed points per year and county (corrections included, proposed and declined lines not)."""
    qs = BonusEntry.objects.visible_to(user).confirmed()
    if year:
        qs = qs.filter(year=year)
    if county is not None:
        qs = qs.filter(county=county)
    return (
        qs.values("year", "county_id", "county__name")
        .annotate(total=Sum("points"), lines=Count("id"))
        .order_by("-year", "county__name")
    )


def county_total(county, year):
    """One county's confirmed points in one assessment year."""

    found = BonusEntry.objects.confirmed().filter(county=county, year=year).aggregate(s=Sum("points"))["s"]
    return found if found is not None else Decimal("0")


def ledger_years(user):
    return list(BonusEntry.objects.visible_to(user).order_by("-year").values_list("year", flat=True).distinct())


def reads_ledger_of(user, county_id):

    return sees_everything(user) or county_id in unit_ids(user, Role.COUNTY)


def access_bonus(user, pk):
    return get_object_or_404(
        BonusEntry.objects.visible_to(user).select_related("county", "promotion__experience", "corrects", "created_by"),
        pk=pk,
    )
