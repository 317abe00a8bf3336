"""协调督促 (seed 三（二）: 市级专项小组要做好本专项领域内的协调督促工作): a special group's page of its pilots' overdue
quarterly reports and open rectification items, each of which it may urge (催办: the core's convention, a notice to
the county and a log row on the record). The office sees every pilot's."""

import rules
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import sees_everything, unit_ids
from reports.monitoring import selectors
from reports.monitoring.inspections import RectificationItem
from workflow.conventions import approval as conventions
from workflow.conventions.models import Urging

ROWS = 50
ENDED = ("completed", "terminated")  # a pilot that ended owes nothing any more


def _own(qs, user):
    """A special group's own pilots only (a member may hold other roles too); the office's all."""
    if sees_everything(user):
        return qs
    return qs.filter(pilot__special_group__in=unit_ids(user, Role.SPECIAL_GROUP))


def check_access(user):
    if not rules.has_perm("reports.supervise", user):
        raise PermissionDenied(_("只有市级专项小组和市委改革办可以查看协调督促。"))


def overdue_reports(user):
    """The quarterly reports the county still owes past their due date, the longest overdue first."""
    qs = selectors.report_list(user).filter(selectors.overdue_scope()).exclude(pilot__status__in=ENDED)
    return _own(qs, user).order_by("due_on", "id")


def open_rectifications(user):
    """The rectification items not yet rectified (or reopened), by deadline: the overdue ones first."""
    qs = selectors.item_list(user).filter(status__in=RectificationItem.OPEN).exclude(pilot__status__in=ENDED)
    return _own(qs, user).order_by("deadline", "id")


def _mark(rows, user, today):
    """Set ``may_urge`` and ``urged_today`` on each row (one query for the day's urgings of all of them)."""
    if not rows:
        return rows
    ct = ContentType.objects.get_for_model(type(rows[0]))
    done = set(
        Urging.objects.filter(content_type=ct, object_id__in=[r.pk for r in rows], day=today).values_list(
            "object_id", flat=True
        )
    )
    for r in rows:
        r.may_urge = conventions.may_urge(r, user)
        r.urged_today = r.pk in done
    return rows


def page(user, today=None):
    """The two sections of the page, each its first ``ROWS`` rows and its total (four queries, five with urgings)."""
    check_access(user)
    today = today or timezone.localdate()
    reports, items = overdue_reports(user), open_rectifications(user)
    report_rows, item_rows = list(reports[:ROWS]), list(items[:ROWS])
    for r in report_rows:
        r.days_overdue = (today - r.due_on).days
    return {
        "reports": _mark(report_rows, user, today),
        "report_total": reports.count() if len(report_rows) == ROWS else len(report_rows),
        "items": _mark(item_rows, user, today),
        "item_total": items.count() if len(item_rows) == ROWS else len(item_rows),
        "today": today,
    }


KINDS = {"quarterly_report": overdue_reports, "rectification": open_rectifications}


def urge(*, actor, kind, pk, comment=""):
    """催办 one overdue report or open rectification item of the page: the county is told, the record logs it."""
    check_access(actor)
    rows = KINDS.get(kind)
    if rows is None:
        raise Http404
    record = get_object_or_404(rows(actor), pk=pk)
    return conventions.urge(record, actor=actor, comment=comment)
