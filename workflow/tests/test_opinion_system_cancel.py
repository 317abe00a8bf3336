"""The system withdraws the open opinion requests on a record that someone other than the asking unit ended
(e.g. a county withdrawing what the office asked about): logged as the system with its cause, the invitee's
to-do and read access gone, the asking unit told."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from workflow.conventions.opinions import cancel_open, opinion_request
from workflow.conventions.purposes import register_purpose, unregister_purpose
from workflow.models import Notification, Opinion, TransitionLog, WorkItem
from workflow.tests.testapp.models import make_ticket

pytestmark = pytest.mark.django_db
PURPOSE = "system_cancel_test"


@pytest.fixture(autouse=True)
def purpose():
    register_purpose(PURPOSE, "测试征求意见", [("agree", "同意")], requester_roles=["reform_office"])
    yield
    unregister_purpose(PURPOSE)


def test_the_system_cancels_what_the_county_may_not(county_nanhu, office_reviewer, expert_user):
    ticket = make_ticket(county_nanhu, title="南湖测试事项")
    (opinion,) = opinion_request(
        target=ticket, invitees=[expert_user], purpose=PURPOSE, actor=office_reviewer, due=timedelta(days=7)
    )
    assert WorkItem.objects.open_for(expert_user).filter(object_id=opinion.pk).exists()
    assert type(ticket).objects.visible_to(expert_user).filter(pk=ticket.pk).exists()  # invited: reads it
    with pytest.raises(PermissionDenied):  # the county did not ask: it may not cancel in its own name
        cancel_open(target=ticket, actor=county_nanhu, comment="已撤回。", purpose=PURPOSE)
    cancelled = cancel_open(
        target=ticket,
        actor=None,
        comment="事项已由县（市、区）撤回。",
        purpose=PURPOSE,
        system=True,
        details={"cause": {"action": "ticket.withdraw"}},
    )
    assert [o.status for o in cancelled] == [Opinion.Status.CANCELLED]
    log = TransitionLog.objects.get(action="opinion.cancel")
    assert (log.role, log.actor, log.details["cause"]) == ("system", None, {"action": "ticket.withdraw"})
    assert log.comment == "事项已由县（市、区）撤回。"
    assert not WorkItem.objects.open_for(expert_user).exists()
    assert not type(ticket).objects.visible_to(expert_user).filter(pk=ticket.pk).exists()
    assert Notification.objects.filter(recipient=office_reviewer, log=log).exists()
