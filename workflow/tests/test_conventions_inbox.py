"""我的待办 (convention 9): waited since, due date, overdue first and red, filter by workflow, sort; flat queries."""

import pytest
from django.urls import reverse

from workflow.models import WorkItem
from workflow.services import perform
from workflow.tests.testapp.models import make_ticket

pytestmark = pytest.mark.django_db


# --- 我的待办: waited since, due date, overdue first and red, filter by workflow, sort -----------------------
def _items(ticket_count, user):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    tickets = [make_ticket(user, title=f"事项{i}") for i in range(ticket_count)]
    for i, t in enumerate(tickets):
        perform(t, "submit", actor=user)
        WorkItem.objects.for_object(t).open().update(opened_at=now - timedelta(days=i + 1))
    overdue = tickets[-1]
    WorkItem.objects.for_object(overdue).open().update(due_at=now - timedelta(days=1))
    return tickets, overdue


def test_inbox_filters_by_workflow_and_sorts_overdue_first_then_on_request(client, county_nanhu, office_reviewer):
    from workflow.inbox.workitems import open_item

    tickets, overdue = _items(3, county_nanhu)
    open_item(tickets[0], role="reform_office", action="opinion.give", unit=office_reviewer.memberships.get().unit)
    WorkItem.objects.filter(derived=False).update(workflow="opinion")
    client.force_login(office_reviewer)

    everything = client.get(reverse("inbox"))
    titles = [i.title for i in everything.context["page"]]
    assert len(titles) == 4 and titles[0] == str(overdue)  # overdue first
    assert 'list-group-item-danger" data-testid="todo-item"' in everything.content.decode()  # and red

    only_tickets = client.get(reverse("inbox"), {"workflow": "ticket"})
    assert [i.workflow for i in only_tickets.context["page"]] == ["ticket"] * 3
    assert 'data-testid="todo-total">3<' in only_tickets.content.decode()
    newest = client.get(reverse("inbox"), {"workflow": "ticket", "sort": "newest"})
    assert [i.title for i in newest.context["page"]] == [str(t) for t in tickets]  # opened 1, 2, 3 days ago


@pytest.mark.parametrize("count", [3, 30])
def test_filtered_inbox_costs_the_same_queries_however_many_items(
    count, client, county_nanhu, office_reviewer, django_assert_max_num_queries
):
    _items(count, county_nanhu)
    client.force_login(office_reviewer)
    client.get(reverse("inbox"), {"workflow": "ticket"})  # warm the session and caches
    with django_assert_max_num_queries(8) as ctx:
        assert client.get(reverse("inbox"), {"workflow": "ticket", "sort": "waiting"}).status_code == 200
    queries = [q["sql"] for q in ctx.captured_queries if "workflow_workitem" in q["sql"]]
    assert len(queries) == 2  # the page (with its total) and the header's badges
