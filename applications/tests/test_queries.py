"""List pages and the home page cost the same number of SQL queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Unit, User
from accounts.reference import COUNTIES
from applications import services

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


def _applications(office, make_user, batch, start, count, sg_user):
    """``count`` applications from different counties, spread over several states."""
    created = []
    for i in range(start, start + count):
        if i < len(COUNTIES):
            county_user = make_user(f"c{i}", COUNTIES[i][0])
        else:
            unit = Unit.objects.create(code=f"extra-{i}", name=f"测试县{i}", kind="county")
            county_user = User.objects.create_user(f"c{i}", password="x")
            Membership.objects.create(user=county_user, unit=unit, role="county")
        candidate = listed_candidate(office, batch, title=f"项目{i}")
        app = filled_application(county_user, candidate)
        if i % 3 >= 1:
            app = services.submit_application(actor=county_user, application=app)
        if i % 3 == 2:
            app = services.review_application(actor=office, application=app, name="request_opinion")
        created.append(app)
    return created


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), ctx


@pytest.mark.parametrize(
    "url",
    [
        reverse("applications:list"),
        reverse("pilots:candidate_list"),
        reverse("pilots:published_list"),
        reverse("pilots:batch_list"),
        reverse("pilots:pilot_list"),
        reverse("workflow:notifications"),
        reverse("home"),
    ],
)
def test_page_queries_stay_flat_as_rows_grow(url, office_reviewer, make_user, sg_digital, login):
    batch = open_batch(office_reviewer)
    client = login(office_reviewer)
    _applications(office_reviewer, make_user, batch, 0, 3, sg_digital)
    few, _ = _count(client, url)
    _applications(office_reviewer, make_user, batch, 3, 9, sg_digital)
    many, ctx = _count(client, url)
    assert many == few, "\n".join(q["sql"] for q in ctx.captured_queries)


def test_special_group_home_with_many_pending_opinions_stays_flat(office_reviewer, make_user, sg_digital, login):
    batch = open_batch(office_reviewer)
    client = login(sg_digital)
    _applications(office_reviewer, make_user, batch, 0, 3, sg_digital)
    few, _ = _count(client, reverse("home"))
    _applications(office_reviewer, make_user, batch, 3, 9, sg_digital)
    many, ctx = _count(client, reverse("home"))
    assert many == few, "\n".join(q["sql"] for q in ctx.captured_queries)
