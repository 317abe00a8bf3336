"""我的待办 as rows: each step of an application closes the open work items and opens the next actor's."""

import pytest
from django.urls import reverse

from applications import services
from workflow.inbox.workitems import assign, assigned_ids, close_items, end_assignment, open_item, waiting_on
from workflow.models import TransitionLog, WorkItem

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(office_reviewer, county_nanhu):
    batch = open_batch(office_reviewer)
    return filled_application(county_nanhu, listed_candidate(office_reviewer, batch))


def _open(app):
    return [(i.unit.code if i.unit_id else i.user.username, i.role, i.action) for i in waiting_on(app)]


def test_a_draft_waits_on_its_county_until_the_window_ends(app, county_nanhu):
    assert _open(app) == [("nanhu", "county", "submit")]
    item = WorkItem.objects.open_for(county_nanhu).get()
    assert item.due_at == app.batch.window_closes_at
    assert item.title == f"{app.county.name} · {app.project_name}" and item.url == app.get_absolute_url()
    assert item.action_label == "提交申报"


def test_each_step_closes_the_items_of_the_last_one_and_opens_the_next(app, county_nanhu, office_reviewer):
    draft_item = WorkItem.objects.for_object(app).get()
    app = services.submit_application(actor=county_nanhu, application=app)
    draft_item.refresh_from_db()
    log = TransitionLog.objects.filter(action="application.submit").get()
    assert draft_item.closed_at is not None and draft_item.closed_by == county_nanhu and draft_item.closed_log == log
    assert _open(app) == [("reform-office", "reform_office", "request_opinion,return_to_county")]
    assert WorkItem.objects.open_for(county_nanhu).count() == 0
    assert WorkItem.objects.open_for(office_reviewer).get().action_label == "征求专项小组意见、退回修改"
    services.withdraw_application(actor=county_nanhu, application=app)
    assert waiting_on(app) == []  # withdrawn: nobody waits any more, and withdrawing itself was no task


def test_the_office_sees_the_count_in_the_header_and_the_item_in_its_inbox(app, county_nanhu, office_reviewer, login):
    services.submit_application(actor=county_nanhu, application=app)
    page = login(office_reviewer).get(reverse("inbox")).content.decode()
    assert 'data-testid="todo-count">1<' in page
    assert app.project_name in page and "退回修改" in page


def test_a_service_may_open_and_close_items_of_its_own_for_a_named_person(app, county_nanhu, expert_user):
    item = open_item(app, role="expert", user=expert_user, action="submit")
    assert list(WorkItem.objects.open_for(expert_user)) == [item]
    assert list(WorkItem.objects.open_for(county_nanhu)) != [item]
    services.save_draft(actor=county_nanhu, application=app, data={"goals": "新的目标"})
    assert WorkItem.objects.open_for(expert_user).count() == 1  # a re-sync never touches a service's own items
    assert close_items(app, actor=county_nanhu, user=expert_user) == 1
    assert WorkItem.objects.open_for(expert_user).count() == 0


def test_an_acting_assignment_replaces_the_units_of_a_role(app, county_nanhu, county_xiuzhou):
    xiuzhou = county_xiuzhou.memberships.get().unit
    assign(app, role="county", unit=xiuzhou, purpose="test")
    assert _open(app) == [("xiuzhou", "county", "submit")]
    end_assignment(app, role="county")
    assert _open(app) == [("nanhu", "county", "submit")]


def test_a_read_only_assignment_lets_the_assignee_find_the_record(app, sg_economy):
    from applications.models import Application

    unit = sg_economy.memberships.get().unit
    assert not Application.objects.filter(pk__in=assigned_ids(sg_economy, Application)).exists()
    assign(app, role="special_group", unit=unit, acts=False, purpose="opinion")
    assert list(Application.objects.filter(pk__in=assigned_ids(sg_economy, Application))) == [app]
    assert _open(app) == [("nanhu", "county", "submit")]  # reading gives no task
    end_assignment(app, unit=unit)
    assert not Application.objects.filter(pk__in=assigned_ids(sg_economy, Application)).exists()


def test_the_rebuild_command_finds_a_lost_item_and_puts_it_back(app, county_nanhu, office_reviewer):
    from io import StringIO

    from django.core.management import CommandError, call_command

    services.submit_application(actor=county_nanhu, application=app)
    out = StringIO()
    call_command("rebuild_workitems", "--check", stdout=out)  # all agree after normal work
    assert "0 disagreement(s) found" in out.getvalue()
    WorkItem.objects.open_for(office_reviewer).delete()
    out = StringIO()
    with pytest.raises(CommandError, match="1 work item"):
        call_command("rebuild_workitems", "--check", stdout=out)
    assert f"applications.application {app.pk}: missing reform_office" in out.getvalue()
    assert WorkItem.objects.open_for(office_reviewer).count() == 0  # check mode changes nothing
    call_command("rebuild_workitems", stdout=StringIO())
    assert WorkItem.objects.open_for(office_reviewer).get().action == "request_opinion,return_to_county"
    call_command("rebuild_workitems", "--check", stdout=StringIO())
