"""The pilots app's dates on 我的日程 (registered in ``PilotsConfig.ready``): batch windows and pilot term ends."""

from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import roles_of
from pilots.models import Batch, Pilot
from workflow.ui.calendar import CalendarEvent


def batch_windows(user):
    """Opening and closing of the application window of every batch the user sees that is open or about to
    be (a draft batch with a window: the office sees its own plans), for the roles with a part in it."""
    if not roles_of(user) & {Role.COUNTY, Role.REFORM_OFFICE, Role.SPECIAL_GROUP}:
        return
    batches = Batch.objects.visible_to(user).filter(
        status__in=[Batch.Status.DRAFT, Batch.Status.OPEN], window_closes_at__isnull=False
    )
    for batch in batches:
        note = _("（未开放）") if batch.status == Batch.Status.DRAFT else ""
        url = batch.get_absolute_url()
        if batch.window_opens_at:
            yield CalendarEvent(
                title=_("%(batch)s开始申报%(note)s") % {"batch": batch.name, "note": note},
                start=batch.window_opens_at,
                url=url,
                kind="batch_opens",
                key=batch.pk,
            )
        yield CalendarEvent(
            title=_("%(batch)s申报截止%(note)s") % {"batch": batch.name, "note": note},
            start=batch.window_closes_at,
            url=url,
            kind="batch_closes",
            key=batch.pk,
        )


def pilot_term_ends(user):
    """The end of the term of every running pilot the user sees (when it is set)."""
    pilots = Pilot.objects.visible_to(user).running().filter(term_end__isnull=False).select_related("county")
    for pilot in pilots:
        yield CalendarEvent(
            title=_("试点期满 · %(county)s %(title)s") % {"county": pilot.county.name, "title": pilot.title},
            start=pilot.term_end,
            url=pilot.get_absolute_url(),
            kind="pilot_term",
            key=pilot.pk,
            all_day=True,
        )
