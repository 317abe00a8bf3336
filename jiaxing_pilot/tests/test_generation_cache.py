"""The lists, 我的待办, the header and the dashboard are kept in the generational cache (workflow.generation):
a page read again with nothing written costs a fixed few queries; any write shows at the next load; each user
gets only what they may see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import services as app_services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from reports.tests.factories import make_pilot

pytestmark = pytest.mark.django_db

LISTS = [
    "applications:list",
    "pilots:pilot_list",
    "reports:list",
    "inbox",
    "home",
    "reports:dashboard",
    "reports:extensions",
    "reports:inspections",
    "reports:results",
    "reports:quarter",
    "pilots:candidate_list",
]


def warm_queries(client, url):
    """Queries of a second load with nothing written in between (CaptureQueriesContext would start a new
    generation: conftest counts cold; here the queries are counted by hand on the connection's log)."""
    assert client.get(url).status_code == 200
    seen = []

    def log(execute, sql, params, many, ctx):
        seen.append(sql)
        return execute(sql, params, many, ctx)

    with connection.execute_wrapper(log):
        assert client.get(url).status_code == 200
    return seen


@pytest.mark.parametrize("name", LISTS)
def test_a_page_read_again_costs_the_same_few_queries_however_many_rows(
    name, office_reviewer, committee_member, county_nanhu, county_xiuzhou, sg_digital, login
):
    user = committee_member if name == "reports:dashboard" else office_reviewer
    client = login(user)
    make_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    few = warm_queries(client, reverse(name))
    make_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="第二个试点")
    many = warm_queries(client, reverse(name))
    # The session (in the database when there is no Redis), the user, the second factor's device and the user's
    # memberships: no query reads the records, the work items or the notices.
    assert len(few) == len(many) <= 4, many
    for table in ("applications_", "pilots_", "reports_", "reviews_", "workflow_"):
        assert not [sql for sql in many if table in sql], many
    with CaptureQueriesContext(connection) as cold:
        assert client.get(reverse(name)).status_code == 200
    assert len(cold.captured_queries) > len(many)  # a cold page does read the rows


def test_a_transition_shows_in_the_list_and_the_header_at_the_next_load(office_reviewer, county_nanhu, login):
    batch = open_batch(office_reviewer)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    office = login(office_reviewer)
    url = reverse("applications:list")
    assert 'data-state="draft"' in office.get(url).content.decode()
    assert 'data-testid="todo-count"' not in office.get(reverse("home")).content.decode()
    app_services.submit_application(actor=county_nanhu, application=app)
    assert 'data-state="submitted"' in office.get(url).content.decode()
    home = office.get(reverse("home")).content.decode()
    assert 'data-testid="todo-count">1<' in home and app.project_name in home


def test_each_user_gets_their_own_rows_at_the_same_address(
    office_reviewer, committee_member, county_nanhu, county_xiuzhou, sg_digital, login
):
    make_pilot(county_nanhu, office_reviewer, committee_member, sg_digital, candidate_title="南湖的试点")
    make_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="秀洲的试点")
    url = reverse("pilots:pilot_list")
    office = login(office_reviewer).get(url).content.decode()
    assert "南湖的试点" in office and "秀洲的试点" in office
    for user, own, other in ((county_nanhu, "南湖的试点", "秀洲的试点"), (county_xiuzhou, "秀洲的试点", "南湖的试点")):
        for _ in range(2):  # the second load is the cached one
            html = login(user).get(url).content.decode()
            assert own in html and other not in html


def test_the_language_and_the_query_string_are_part_of_the_key(office_reviewer, county_nanhu, login):
    batch = open_batch(office_reviewer)
    filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    client = login(office_reviewer)
    url = reverse("applications:list")
    badge = 'data-state="draft">草稿<'
    assert badge in client.get(url).content.decode()
    assert badge not in client.get(url, {"status": "submitted"}).content.decode()
    assert badge in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert 'data-state="draft">Draft<' in client.get(url).content.decode()


def test_what_every_page_reads_about_its_user_comes_in_one_round_trip(office_reviewer, login, monkeypatch):
    from django.conf import settings
    from django.core.cache import cache

    client = login(office_reviewer)
    url = reverse("pilots:pilot_list")
    calls, inside = [], []

    def counted(name, original):
        def call(*args, **kwargs):
            if not inside:  # the local-memory cache's get_many calls its get: one round trip with Redis
                calls.append(name)
            inside.append(name)
            try:
                return original(*args, **kwargs)
            finally:
                inside.pop()

        return call

    for name in ("get", "get_many", "set"):
        monkeypatch.setattr(cache, name, counted(name, getattr(cache, name)))
    client.get(url)
    client.get(url)
    calls.clear()
    assert client.get(url).status_code == 200
    # The session (read from Redis when there is one: cached_db), then the user, the second factor's device, the
    # memberships, the header and the navigation: one get_many; the list's fragment: one more. Nothing is written.
    session = ["get"] if "cache" in settings.SESSION_ENGINE else []
    assert calls == [*session, "get_many", "get_many"], calls
