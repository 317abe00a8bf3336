"""The self-evaluation's date on 我的日程 (registered in ``ReviewsConfig.ready``): when it is due to the office."""

from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import roles_of
from reviews.evaluation.models import SelfEvaluation
from workflow.ui.calendar import CalendarEvent


def self_evaluation_deadlines(user):
    """Due dates of the self-evaluations not yet submitted that the county or the office follows (one query)."""
    if not roles_of(user) & {Role.COUNTY, Role.REFORM_OFFICE}:
        return
    pending = (
        SelfEvaluation.objects.visible_to(user)
        .filter(status__in=SelfEvaluation.EDITABLE, due_on__isnull=False)
        .select_related("county")
        .order_by("due_on", "id")
    )
    for se in pending:
        yield CalendarEvent(
            title=_("试点自评报送期限 · %(county)s") % {"county": se.county.name},
            start=se.due_on,
            url=se.get_absolute_url(),
            kind="self_evaluation",
            key=se.pk,
            due=True,
        )
