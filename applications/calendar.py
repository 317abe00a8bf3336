"""The applications app's dates on 我的日程 (registered in ``ApplicationsConfig.ready``): closing dates of a
county's draft or returned applications."""

from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import unit_ids
from workflow.ui.calendar import CalendarEvent

from .models import Application


def application_deadlines(user):
    """The batch's closing date for each draft or returned application of the user's county (申报截止)."""
    counties = unit_ids(user, Role.COUNTY)
    if not counties:
        return
    apps = (
        Application.objects.visible_to(user)
        .filter(county__in=counties, status__in=Application.EDITABLE, batch__window_closes_at__isnull=False)
        .select_related("batch")
    )
    for app in apps:
        yield CalendarEvent(
            title=_("申报截止 · %(name)s（%(state)s）") % {"name": app.project_name, "state": app.get_status_display()},
            start=app.batch.window_closes_at,
            url=app.get_absolute_url(),
            kind="application",
            key=app.pk,
            due=True,
        )
