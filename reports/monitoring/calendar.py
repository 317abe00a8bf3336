"""The reports app's dates on 我的日程 (registered in ``ReportsConfig.ready``): report due dates."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import roles_of
from reports.monitoring.inspections import RectificationItem
from reports.monitoring.models import QuarterlyReport
from workflow.ui.calendar import CalendarEvent

# Outstanding reports due in this window around today (the calendar shows what is near, not every quarter).
BEHIND, AHEAD = 60, 120


def report_due_dates(user):
    """Due dates of the quarterly reports still owed (not yet submitted) that the county or the office follows."""
    if not roles_of(user) & {Role.COUNTY, Role.REFORM_OFFICE}:
        return
    today = timezone.localdate()
    reports = (
        QuarterlyReport.objects.visible_to(user)
        .filter(
            first_submitted_on__isnull=True,
            due_on__gte=today - datetime.timedelta(days=BEHIND),
            due_on__lte=today + datetime.timedelta(days=AHEAD),
        )
        .select_related("county")
        .order_by("due_on", "id")
    )
    for report in reports:
        yield CalendarEvent(
            title=_("季度报告截止 · %(county)s %(period)s")
            % {"county": report.county.name, "period": report.period_label},
            start=report.due_on,
            url=report.get_absolute_url(),
            kind="quarterly_report",
            key=report.pk,
            due=True,
        )


def rectification_deadlines(user):
    """Deadlines of the rectification items still open that the county or the office follows."""

    if not roles_of(user) & {Role.COUNTY, Role.REFORM_OFFICE}:
        return
    items = (
        RectificationItem.objects.visible_to(user)
        .filter(status__in=RectificationItem.OPEN)
        .select_related("county")
        .order_by("deadline", "id")
    )
    for item in items:
        yield CalendarEvent(
            title=_("整改时限 · %(county)s %(content)s") % {"county": item.county.name, "content": item.content[:30]},
            start=item.deadline,
            url=item.get_absolute_url(),
            kind="rectification",
            key=item.pk,
            due=True,
        )
