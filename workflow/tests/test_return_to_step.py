"""退回到指定步骤 (the ``return_to_step`` convention) on the Ticket test workflow: the second reviewer (a special
group) returns a ticket to a step it actually passed (the county's submission or the office's forwarding), with a
reason; the step's party gets the 待办 item and a notice; taking that step again brings it straight back."""

import pytest
from django.urls import reverse

from workflow.conventions import approval as conventions
from workflow.models import Assignment, Notification, TransitionLog, WorkItem
from workflow.services import available_actions, perform, transitions_of
from workflow.tests.testapp.models import Ticket, make_ticket

S = Ticket.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewing(county_nanhu, office_reviewer):
    ticket = perform(make_ticket(county_nanhu), "submit", actor=county_nanhu)
    return perform(ticket, "forward", actor=office_reviewer)


def url(ticket):
    return reverse("workflow:return_to_step", args=["ticket", ticket.pk])


def step(ticket, action):
    return next(s for s in conventions.steps_of(ticket) if s.action == action)


def open_roles(ticket):
    return {(i.role, i.unit.code if i.unit_id else i.user.username) for i in WorkItem.objects.for_object(ticket).open()}


def test_declared_by_one_line_and_installed_as_a_transition_of_the_reviewer():
    assert Ticket.conventions["return_to_step"] == {"by": ["approve"]}
    (t,) = transitions_of(Ticket, "return_to_step")
    assert t.source == S.REVIEWING and t.custom["role"] == "special_group" and t.custom["needs_reason"]


def test_the_steps_offered_are_those_the_ticket_passed_in_its_log(reviewing, sg_digital):
    steps = conventions.steps_of(reviewing)
    assert [(s.action, s.state) for s in steps] == [("submit", S.RETURNED), ("forward", S.SUBMITTED)]
    assert "南湖区" in steps[0].label and "提交事项" in steps[0].label
    assert "市委改革办" in steps[1].label and "报送复核" in steps[1].label
    assert "return_to_step" in {t.name for t in available_actions(reviewing, sg_digital)}
    # A ticket put in review without passing any step (no log rows) offers nothing to return to.
    bare = Ticket.objects.create(county=reviewing.county, created_by=reviewing.created_by, status=S.REVIEWING)
    assert conventions.steps_of(bare) == []
    assert "return_to_step" not in {t.name for t in available_actions(bare, sg_digital)}


def test_return_to_the_county_and_the_resubmission_comes_back_to_the_reviewer(
    client, reviewing, county_nanhu, sg_digital
):
    client.force_login(sg_digital)

    response = client.post(url(reviewing), {"step": step(reviewing, "submit").key, "comment": "请补充测算依据"})

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.status == S.RETURNED
    log = TransitionLog.objects.get(action="ticket.return_to_step")
    assert (log.actor, log.role, log.from_state, log.to_state) == (sg_digital, "special_group", "reviewing", "returned")
    assert log.comment == "请补充测算依据" and "提交事项" in log.details["step"]
    assert open_roles(ticket) == {("county", "nanhu")}  # the county's 待办 item
    assert Notification.objects.filter(recipient=county_nanhu, log=log).exists()  # and its notice

    ticket = perform(ticket, "submit", actor=county_nanhu)

    assert ticket.status == S.REVIEWING  # straight back to the special groups, not to the office
    resubmitted = TransitionLog.objects.filter(action="ticket.submit").last()
    assert (resubmitted.from_state, resubmitted.to_state) == ("returned", "reviewing")
    assert {role for role, _u in open_roles(ticket)} == {"special_group"}
    assert Notification.objects.filter(recipient=sg_digital, log=resubmitted).exists()
    # Back in review, the steps are read again from the log: both remain, the latest taking of each.
    assert conventions.steps_of(ticket)[0].log.pk == resubmitted.pk


def test_return_to_the_office_and_its_forwarding_again(reviewing, office_reviewer, sg_digital):
    ticket = conventions.return_to_step(
        reviewing, actor=sg_digital, step=step(reviewing, "forward").key, comment="请市委改革办复核意见"
    )
    assert ticket.status == S.SUBMITTED
    assert open_roles(ticket) == {("reform_office", "reform-office")}
    assert Notification.objects.filter(recipient=office_reviewer, log__action="ticket.return_to_step").exists()
    ticket = perform(ticket, "forward", actor=office_reviewer)
    assert ticket.status == S.REVIEWING


def test_another_step_than_the_one_returned_to_moves_the_ticket_as_usual(reviewing, office_reviewer, sg_digital):
    ticket = conventions.return_to_step(
        reviewing, actor=sg_digital, step=step(reviewing, "forward").key, comment="复核"
    )
    ticket = perform(ticket, "accept", actor=office_reviewer)  # the office decides itself this time
    assert ticket.status == S.ACCEPTED


def test_the_reason_is_required_and_the_step_must_be_one_passed(client, reviewing, sg_digital, county_nanhu):
    client.force_login(sg_digital)
    no_reason = client.post(url(reviewing), {"step": step(reviewing, "submit").key, "comment": " "})
    assert no_reason.status_code == 400 and "请填写理由" in no_reason.content.decode()
    other = perform(make_ticket(county_nanhu, title="另一事项"), "submit", actor=county_nanhu)
    foreign = TransitionLog.objects.get(object_id=other.pk, action="ticket.submit").pk
    for bad in ["", "abc", str(foreign)]:
        response = client.post(url(reviewing), {"step": bad, "comment": "理由"})
        assert response.status_code == 400
        assert "请从该记录实际经过的步骤中选择要退回的步骤" in response.content.decode()
    assert Ticket.objects.get(pk=reviewing.pk).status == S.REVIEWING
    assert not TransitionLog.objects.filter(action="ticket.return_to_step").exists()


def test_by_url_the_wrong_role_gets_403_another_county_404_and_a_get_405(
    client, reviewing, county_nanhu, county_xiuzhou, office_reviewer
):
    data = {"step": step(reviewing, "submit").key, "comment": "理由"}
    client.force_login(office_reviewer)
    assert client.post(url(reviewing), data).status_code == 403
    client.force_login(county_nanhu)
    assert client.post(url(reviewing), data).status_code == 403
    assert client.get(url(reviewing)).status_code == 405
    client.force_login(county_xiuzhou)
    assert client.post(url(reviewing), data).status_code == 404
    assert client.post(reverse("workflow:return_to_step", args=["nothing", reviewing.pk]), data).status_code == 404
    assert Ticket.objects.get(pk=reviewing.pk).status == S.REVIEWING


def test_the_record_panel_offers_the_passed_steps_to_the_reviewer_only(reviewing, sg_digital, office_reviewer):
    from workflow.tests.test_conventions import render_panel

    html = render_panel(reviewing, sg_digital)
    assert 'data-testid="return-form"' in html and html.count("<option") == 2 and "报送复核" in html
    assert 'data-testid="return-form"' not in render_panel(reviewing, office_reviewer)


def test_the_timeline_and_the_sheet_show_the_return_and_its_reason(client, reviewing, sg_digital, county_nanhu):
    conventions.return_to_step(reviewing, actor=sg_digital, step=step(reviewing, "submit").key, comment="请补充")
    client.force_login(county_nanhu)
    html = client.get(reverse("workflow:sheet", args=["ticket", reviewing.pk])).content.decode()
    assert "退回到指定步骤" in html and "请补充" in html


def named(ticket):
    return {(i.role, i.user.username if i.user_id else None) for i in WorkItem.objects.for_object(ticket).open()}


def test_the_resubmission_waits_on_the_reviewer_who_returned_it_by_name(
    reviewing, county_nanhu, sg_digital, sg_economy, office_reviewer
):
    from io import StringIO

    from django.core.management import call_command

    # Before any return, every special group has the review in its 我的待办.
    assert WorkItem.objects.open_for(sg_economy).filter(object_id=reviewing.pk).exists()
    ticket = conventions.return_to_step(
        reviewing, actor=sg_digital, step=step(reviewing, "submit").key, comment="请补充测算依据"
    )
    ticket = perform(ticket, "submit", actor=county_nanhu)

    assert ticket.status == S.REVIEWING
    assert named(ticket) == {("special_group", "sg_digital")}  # the returner by name, no other group
    assert WorkItem.objects.open_for(sg_digital).filter(object_id=ticket.pk).exists()
    assert not WorkItem.objects.open_for(sg_economy).filter(object_id=ticket.pk).exists()
    assert not Notification.objects.filter(recipient=sg_economy, log__action="ticket.submit").exists()
    out = StringIO()
    call_command("rebuild_workitems", "--check", stdout=out)  # the rebuild reads the same naming
    assert "0 disagreement(s) found" in out.getvalue()

    # Once the special groups' side acts, the naming ends: the next time the ticket waits on them, all see it.
    ticket = conventions.return_to_step(ticket, actor=sg_digital, step=step(ticket, "forward").key, comment="复核")
    ticket = perform(ticket, "forward", actor=office_reviewer)
    assert named(ticket) == {("special_group", "sg_digital")}  # returned again by sg_digital: named again
    ticket = perform(ticket, "approve", actor=sg_digital)
    assert not Assignment.objects.filter(purpose="returner", active=True).exists()


def test_a_returner_no_longer_in_the_role_leaves_the_resubmission_to_the_whole_role(
    reviewing, county_nanhu, sg_digital, sg_economy
):
    ticket = conventions.return_to_step(
        reviewing, actor=sg_digital, step=step(reviewing, "submit").key, comment="请补充测算依据"
    )
    sg_digital.is_active = False
    sg_digital.save(update_fields=["is_active"])
    ticket = perform(ticket, "submit", actor=county_nanhu)
    assert ticket.status == S.REVIEWING
    assert ("special_group", "sg-economy") in open_roles(ticket)
    assert named(ticket) == {("special_group", None)}
