"""Template pieces of problem items and guidance records on other apps' pages (no Python import between the apps):
``{% source_problems record user %}`` on an application, plan or quarterly report, ``{% pilot_problems pilot user %}``
and ``{% pilot_guidance pilot user %}`` on the pilot's page."""

import rules
from django import template
from django.db.models import Prefetch

from reports.guidance.models import GuidanceRecord
from reports.problems.models import ProblemItem
from reports.problems.selectors import pilot_problems as unresolved_of
from reports.problems.selectors import source_facts
from reports.problems.selectors import source_problems as raised_from
from workflow.models import Attachment

register = template.Library()
GUIDANCE_ROWS = 20


@register.inclusion_tag("reports/_source_problems.html")
def source_problems(record, user):
    """The items raised from ``record`` and, for its county (or the office), the links to raise one."""
    facts = source_facts(record)
    return {
        "record": record,
        "kind": facts.kind,
        "items": raised_from(user, record),
        "may_raise": facts.submitted and rules.has_perm("reports.raise_problem", user, record),
        "kinds": ProblemItem.Kind.choices,
    }


@register.inclusion_tag("reports/_pilot_problems.html")
def pilot_problems(pilot, user):
    return {"pilot": pilot, "items": unresolved_of(user, pilot)}


@register.inclusion_tag("reports/_pilot_guidance.html")
def pilot_guidance(pilot, user):
    """The guidance unit's records (newest first, with their attachments) and, for it, the link to add one."""
    rows = (
        GuidanceRecord.objects.filter(pilot=pilot)
        .select_related("unit", "log")
        .prefetch_related(Prefetch("log__attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("-given_on", "-id")[:GUIDANCE_ROWS]
    )
    return {
        "pilot": pilot,
        "records": list(rows),
        "may_record": pilot.is_running and rules.has_perm("reports.record_guidance", user, pilot),
    }
