"""Work items and assignments of the core, on the test-only Ticket workflow: who a record waits on follows its
transitions, acting assignments name who acts, and the people told are the people with the task."""

import pytest

from workflow.inbox import workitems
from workflow.inbox.workitems import assign, end_assignment, waiting_on
from workflow.models import Notification, TransitionLog, WorkItem
from workflow.services import next_actors, perform
from workflow.tests.testapp.models import Ticket, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(county_nanhu):
    return make_ticket(county_nanhu, "nanhu")


def _who(obj):
    return [(i.unit.code if i.unit_id else i.user.username, i.role, i.action) for i in waiting_on(obj)]


def test_a_new_record_waits_on_its_county_and_each_transition_hands_it_on(ticket, county_nanhu, office_reviewer):
    assert _who(ticket) == [("nanhu", "county", "submit")]
    ticket = perform(ticket, "submit", actor=county_nanhu)
    closed = WorkItem.objects.for_object(ticket).get(role="county")
    assert closed.closed_by == county_nanhu and closed.closed_log == TransitionLog.objects.get(action="ticket.submit")
    assert _who(ticket) == [("reform-office", "reform_office", "accept,return_to_county")]
    assert WorkItem.objects.open_for(office_reviewer).get().action_label == "受理事项、退回事项"
    perform(ticket, "accept", actor=office_reviewer)
    assert waiting_on(ticket) == []


def test_a_person_assigned_to_act_gets_the_task_and_the_notice_and_colleagues_do_not(
    ticket, county_nanhu, office_reviewer, make_user
):
    colleague = make_user("office_colleague", "reform-office")
    assign(ticket, role="reform_office", user=office_reviewer, purpose="承办人")
    perform(ticket, "submit", actor=county_nanhu)
    assert _who(ticket) == [("office_reviewer", "reform_office", "accept,return_to_county")]
    assert WorkItem.objects.open_for(colleague).count() == 0
    assert next_actors(Ticket.objects.get()) == [office_reviewer]
    assert Notification.objects.filter(recipient=office_reviewer).exists()
    assert not Notification.objects.filter(recipient=colleague).exists()
    end_assignment(ticket, role="reform_office")  # back to the office as a unit
    assert _who(ticket) == [("reform-office", "reform_office", "accept,return_to_county")]
    assert WorkItem.objects.open_for(colleague).count() == 1


def test_a_plain_save_leaves_the_items_and_sync_brings_them_back(ticket, county_nanhu):
    """No signal syncs work items: perform and change sync them with the log row, and code that writes a record
    outside them calls ``workitems.sync`` (no flag is left on the object either way)."""
    ticket = perform(ticket, "submit", actor=county_nanhu)
    WorkItem.objects.for_object(ticket).delete()  # the items lost behind the record's back
    ticket.save()  # an ordinary save syncs nothing
    assert _who(ticket) == []
    workitems.sync(ticket)
    assert _who(ticket) == [("reform-office", "reform_office", "accept,return_to_county")]


def test_deleting_a_record_removes_its_open_items(ticket):
    assert WorkItem.objects.for_object(ticket).exists()
    workitems.forget(ticket)  # the deleting code says so (no post_delete signal)
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert not WorkItem.objects.filter(object_id=ticket.pk, workflow="ticket", closed_at=None).exists()
