"""Read queries of problem items (存在问题、需市级支持事项), each scoped by the user's units, and the records they are
raised from (an application, a plan or a quarterly report, read through their apps' selectors)."""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from applications import selectors as application_selectors
from pilots import selectors as pilot_selectors
from reports.monitoring import selectors
from reports.problems.models import ProblemItem
from reviews.plans import selectors as review_selectors

S = ProblemItem.Source

# How a source is read (404 when the user may not see it): the application, the plan, the quarterly report.
_ACCESS = {
    S.APPLICATION: application_selectors.access_application,
    S.PLAN: review_selectors.access_plan,
    S.REPORT: selectors.access_report,
}
# The source's own text that an item of each kind starts from (the raise page pre-fills it).
_SUGGESTED = {
    (S.APPLICATION, ProblemItem.Kind.SUPPORT): "support_requested",
    (S.REPORT, ProblemItem.Kind.PROBLEM): "problems",
}


@dataclass
class SourceFacts:
    kind: str
    label: str
    submitted: bool
    pilot: object


def problem_list(user):
    """The items ``user`` may see, newest first (reports.monitoring.filters.ProblemFilter narrows them)."""
    return (
        ProblemItem.objects.visible_to(user).select_related("county", "pilot", "handler").order_by("-raised_at", "-id")
    )


def access_problem(user, pk):
    """The item if the user may see it; 404 for both "missing" and "not yours"."""
    return get_object_or_404(problem_list(user).select_related("replied_by", "raised_by"), pk=pk)


def access_source(user, kind, pk):
    """The application, plan or quarterly report ``pk`` if the user may see it; 404 otherwise."""
    access = _ACCESS.get(kind)
    if access is None:
        raise Http404
    return access(user, pk)


def links_open_to(user, item):
    """``(source, pilot)``: whether ``user`` may open the item's source and its pilot (a 市级有关单位 it is assigned
    to reads the item only), so its page links only what opens (two queries)."""
    try:
        access_source(user, item.source_kind, item.source_id)
    except Http404:
        source = False
    else:
        source = True
    pilot = bool(item.pilot_id) and pilot_selectors.pilot_list(user).filter(pk=item.pilot_id).exists()
    return source, pilot


def source_kind(source):
    return type(source).workflow_key


def source_facts(source):
    """What an item keeps of its source: its kind, a label, whether it was submitted (an item is raised from what the
    office can read), and its pilot (none for an application the committee has not approved)."""
    kind = source_kind(source)
    if kind == S.REPORT:
        label = _("%(period)s进展报告") % {"period": source.period_label}
        return SourceFacts(kind, label, source.first_submitted_on is not None, source.pilot)
    if kind == S.PLAN:
        label = _("试点方案：%(title)s") % {"title": source.title}
        return SourceFacts(kind, label, source.status != "draft", source.pilot)
    if kind == S.APPLICATION:
        label = _("试点申报：%(name)s") % {"name": source.project_name}
        return SourceFacts(kind, label, source.status not in ("draft", "withdrawn"), getattr(source, "pilot", None))
    raise Http404


def suggested_content(source, kind):
    """The source's own 存在问题 or 需市级层面支持的事项 text, where it has one, to start an item from."""
    field = _SUGGESTED.get((source_kind(source), kind))
    return (getattr(source, field, "") or "").strip() if field else ""


def source_problems(user, source):
    """The items raised from ``source`` that ``user`` may see (one query)."""
    return list(problem_list(user).filter(source_kind=source_kind(source), source_id=source.pk))


def pilot_problems(user, pilot):
    """The pilot's unresolved items that ``user`` may see, oldest first (one query)."""
    return list(problem_list(user).filter(pilot=pilot).unresolved().order_by("raised_at", "id"))
