"""我的待办, its header badge and the application list read indexed rows: the same queries for 3 or 30 waiting
applications; on the work-item table the header's one query for both badges (also 我的待办's total) and, on
我的待办 and the home page, one query for the page's rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Unit, User
from applications import services

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


def _submitted(office, batch, start, count):
    for i in range(start, start + count):
        unit = Unit.objects.create(code=f"q-{i}", name=f"测试县{i}", kind="county")
        user = User.objects.create_user(f"q{i}", password="x")
        Membership.objects.create(user=user, unit=unit, role="county")
        app = filled_application(user, listed_candidate(office, batch, title=f"项目{i}"))
        services.submit_application(actor=user, application=app)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(_own(sql)) == OWN_QUERIES.get(url_name(url), len(_own(sql))), "\n".join(_own(sql))
    # The session is written at most once a minute (accounts/sessions.py), so its write is not the page's.
    page = [s for s in sql if "django_session" not in s and not s.startswith(("SAVEPOINT", "RELEASE"))]
    return len(page), [s for s in sql if "workflow_workitem" in s], response.content.decode()


def url_name(url):
    from django.urls import resolve

    match = resolve(url)
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


# The page's own queries, exactly (besides the session, user, second-factor and membership look-ups and the
# session's once-a-minute save): 我的待办 is the header's query with both badges (its total) and its page of rows;
# the application list counts, reads the header's badges, the filter's batches and counties, and one page of rows;
# the pilot list counts and reads.
# The pilot list: its filter's county and batch choices, the count, the rows (none here), the header.
OWN_QUERIES = {"home": 2, "inbox": 2, "applications:list": 5, "pilots:pilot_list": 4}
ITEM_QUERIES = {"home": 2, "inbox": 2}  # elsewhere the header's one query
PAGES = list(OWN_QUERIES)
PER_REQUEST = ("django_session", "accounts_user", "otp_", "accounts_membership", "SAVEPOINT", "RELEASE")


def _own(sql):
    return [s for s in sql if not any(mark in s.split(" WHERE ")[0] for mark in PER_REQUEST)]


@pytest.mark.parametrize("name", PAGES)
def test_pages_cost_the_same_queries_for_3_or_30_waiting_applications(name, office_reviewer, login):
    batch = open_batch(office_reviewer)
    client = login(office_reviewer)
    _submitted(office_reviewer, batch, 0, 3)
    few, few_items, page = _queries(client, reverse(name))
    assert len(few_items) == ITEM_QUERIES.get(name, 1) and 'data-testid="todo-count">3<' in page
    _submitted(office_reviewer, batch, 3, 27)
    many, many_items, page = _queries(client, reverse(name))
    assert len(many_items) == ITEM_QUERIES.get(name, 1) and 'data-testid="todo-count">30<' in page
    assert many == few


@pytest.mark.parametrize("name", ["pilots:pilot_list", "inbox"])
def test_the_header_reads_both_badges_in_one_query(name, office_reviewer, county_nanhu, login):
    batch = open_batch(office_reviewer)
    _submitted(office_reviewer, batch, 0, 2)
    _, item_queries, page = _queries(login(office_reviewer), reverse(name))
    (sql,) = [s for s in item_queries if "COUNT" in s]  # on 我的待办 also the page's total
    assert "workflow_notification" in sql  # the same query counts the unread notices
    assert 'data-testid="todo-count">2<' in page and 'data-testid="unread-count">2<' in page


def test_the_inbox_is_paginated_20_a_page_overdue_first(office_reviewer, login):
    from datetime import timedelta

    from django.utils import timezone

    from workflow.models import WorkItem

    batch = open_batch(office_reviewer)
    _submitted(office_reviewer, batch, 0, 23)
    late = WorkItem.objects.open().get(title__endswith="项目22")
    WorkItem.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    client = login(office_reviewer)
    first = client.get(reverse("inbox")).content.decode()
    assert first.count('data-testid="todo-item"') == 20
    assert first.index("项目22") < first.index("项目0<") and "已逾期" in first
    second = client.get(reverse("inbox"), {"page": 2}).content.decode()
    assert second.count('data-testid="todo-item"') == 3
    home = client.get(reverse("home")).content.decode()
    assert home.count('data-testid="todo-item"') == 20 and reverse("inbox") in home
    beyond = client.get(reverse("inbox"), {"page": 99}).content.decode()  # a stale link shows the last page
    assert beyond.count('data-testid="todo-item"') == 3 and 'data-testid="todo-count">23<' in beyond
    assert client.get(reverse("inbox"), {"page": "x"}).status_code == 200


def test_the_list_filter_keeps_the_chosen_batch_selected(office_reviewer, login):
    batch = open_batch(office_reviewer, name="筛选批次")
    page = login(office_reviewer).get(reverse("applications:list"), {"batch": batch.pk}).content.decode()
    assert f'<option value="{batch.pk}" selected>筛选批次</option>' in page
    assert 'name="batch"' in page and 'class="form-select form-select-sm"' in page
