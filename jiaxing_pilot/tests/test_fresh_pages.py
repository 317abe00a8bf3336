"""Every page is read from the database at every request (README, "What is cached": nothing of the data, nothing
of who the user is): its query count stays flat as rows grow, it asks the cache for nothing but the session,
a change shows at the next load, and rendering it writes nothing."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
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
WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")


def queries(client, url):
    with CaptureQueriesContext(connection) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in seen.captured_queries]


@pytest.mark.parametrize("name", LISTS)
def test_a_page_costs_the_same_queries_however_many_rows_and_writes_nothing(
    name, office_reviewer, committee_member, county_nanhu, county_xiuzhou, sg_digital, login
):
    user = committee_member if name == "reports:dashboard" else office_reviewer
    client = login(user)
    make_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    client.get(reverse(name))
    few = queries(client, reverse(name))
    make_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="第二个试点")
    many = queries(client, reverse(name))
    assert len(few) == len(many), "\n".join(many)
    assert not [sql for sql in few + many if sql.lstrip().upper().startswith(WRITES)], many


@pytest.mark.parametrize("who", ["office", "county"])
def test_a_record_page_writes_nothing_even_when_its_reader_is_the_one_it_waits_on(
    who, office_reviewer, county_nanhu, login
):
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    app_services.submit_application(actor=county_nanhu, application=app)
    client = login(office_reviewer if who == "office" else county_nanhu)
    client.get(app.get_absolute_url())
    seen = queries(client, app.get_absolute_url())
    assert not [sql for sql in seen if sql.lstrip().upper().startswith(WRITES)], seen


def test_pages_ask_the_cache_for_nothing(office_reviewer, login, monkeypatch):
    client = login(office_reviewer)
    calls = []
    for name in ("get", "get_many", "set", "set_many", "add", "delete", "incr"):
        original = getattr(cache, name)
        monkeypatch.setattr(cache, name, lambda *a, _n=name, _o=original, **k: calls.append(_n) or _o(*a, **k))
    for name in LISTS:
        calls.clear()
        assert client.get(reverse(name)).status_code == 200
        assert calls == [], (name, calls)  # not even the session: it is read from the database


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


def test_a_write_no_service_made_shows_at_the_next_load(office_reviewer, county_nanhu, login):
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    office = login(office_reviewer)
    url = reverse("applications:list")
    assert app.project_name in office.get(url).content.decode()
    with connection.cursor() as cursor:  # a CTE through a raw cursor: nothing in the app sees it happen
        cursor.execute(
            "WITH renamed AS (SELECT id FROM applications_application WHERE id = %s) "
            "UPDATE applications_application SET project_name = %s WHERE id IN (SELECT id FROM renamed)",
            [app.pk, "改名后的试点项目"],
        )
    html = office.get(url).content.decode()
    assert "改名后的试点项目" in html and app.project_name not in html


def test_each_user_gets_their_own_rows_at_the_same_address(
    office_reviewer, committee_member, county_nanhu, county_xiuzhou, sg_digital, login
):
    make_pilot(county_nanhu, office_reviewer, committee_member, sg_digital, candidate_title="南湖的试点")
    make_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="秀洲的试点")
    url = reverse("pilots:pilot_list")
    office = login(office_reviewer).get(url).content.decode()
    assert "南湖的试点" in office and "秀洲的试点" in office
    for user, own, other in ((county_nanhu, "南湖的试点", "秀洲的试点"), (county_xiuzhou, "秀洲的试点", "南湖的试点")):
        for _ in range(2):
            html = login(user).get(url).content.decode()
            assert own in html and other not in html


def test_a_membership_removed_is_refused_at_the_next_request(office_reviewer, county_nanhu, login):
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    client = login(county_nanhu)
    assert client.get(app.get_absolute_url()).status_code == 200
    Membership.objects.filter(user=county_nanhu).delete()
    assert client.get(app.get_absolute_url()).status_code == 404
    assert app.project_name not in client.get(reverse("applications:list")).content.decode()
