"""The pilot page's 相关记录 from the reports app: the pilot's quarterly reports (how many, linking to the list of
them), the inspections of it and its extension requests, each scoped like its own page (one query each)."""

import rules
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from reports.monitoring import selectors
from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.inspections import Inspection, RectificationItem


def report_links(user, pilot):
    n = selectors.report_list(user).filter(pilot=pilot).count()
    if not n:
        return []
    url = reverse("reports:list") + "?" + urlencode({"pilot": pilot.pk})
    return [(_("季度报告"), url, _("共%(n)s份") % {"n": n})]


def inspection_links(user, pilot):
    """The inspections of the pilot: the office (which records them) sees each; the others those where the pilot
    has an item they may see (what the inspection's page asks)."""
    items = RectificationItem.objects.visible_to(user).filter(pilot=pilot)
    if rules.has_perm("reports.record_inspection", user):
        qs = Inspection.objects.filter(Q(pilots=pilot) | Q(items__in=items))
    else:
        qs = Inspection.objects.filter(items__in=items)
    rows = qs.annotate(n=Count("items", filter=Q(items__pilot=pilot), distinct=True)).order_by("-held_on", "-id")
    return [(str(i), i.get_absolute_url(), _("整改事项%(n)s项") % {"n": i.n}) for i in rows]


def extension_links(user, pilot):
    qs = ExtensionRequest.objects.visible_to(user).filter(pilot=pilot).order_by("-created_at", "-id")
    return [(_("延期申请"), e.get_absolute_url(), e.get_status_display()) for e in qs]
