"""The dashboard read from the snapshot beat counts every minute (reports.refresh_dashboard): the same figures and
links as counting them at the request, the time they were counted on the page, a change shown from the next
refresh, the page counting itself when beat has stopped, and the reader's own role checked at every request."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.dashboard.figures import refresh_snapshot
from reports.dashboard.models import DashboardSnapshot
from reports.monitoring import inspection_services
from reports.monitoring.inspections import RectificationItem
from reports.tasks import refresh_dashboard
from reports.tests.test_dashboard import URL, numbers

pytestmark = pytest.mark.django_db


def figures(html):
    """What the page shows of the figures: every linked number, every table cell, the charts' data."""
    tables = re.findall(r'<table class="table[^"]*"[^>]*data-testid="table-[^"]+">.*?</table>', html, re.S)
    charts = re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html, re.S)
    return numbers(html), tables, json.loads(charts.group(1))  # PostgreSQL's jsonb keeps no key order


def test_the_snapshot_shows_what_counting_at_the_request_shows(world, login, committee_member, office_reviewer):
    world.add()
    world.add()
    for user in (committee_member, office_reviewer):
        client = login(user)
        live = client.get(URL).content.decode()
        assert 'data-testid="computed-at"' not in live  # no snapshot yet: counted now
        refresh_dashboard()
        kept = client.get(URL).content.decode()
        assert 'data-testid="computed-at"' in kept
        assert figures(kept) == figures(live)
        assert len(figures(kept)[0]) > 20
        DashboardSnapshot.objects.all().delete()
    office = login(office_reviewer)
    refresh_snapshot()
    assert 'data-testid="figure-my_work"' in office.get(URL).content.decode()  # its own work, read now


def test_a_change_shows_from_the_next_refresh_and_the_page_says_when(world, login, committee_member):
    pilot = world.add()
    client = login(committee_member)
    link = f"/reports/inspections/?state=open&amp;county={pilot.county_id}"

    def open_items(html):
        return int(re.search(re.escape(link) + r'" data-testid="num">(\d+)<', html).group(1))

    counted = refresh_snapshot()
    html = client.get(URL).content.decode()
    assert open_items(html) == 2
    stamp = timezone.localtime(counted).strftime("%H:%M")
    assert f'data-testid="computed-at">数据更新于 {stamp}<' in html
    item = RectificationItem.objects.filter(pilot=pilot).order_by("deadline").first()
    inspection_services.rectify_item(actor=world.counties[0], item=item, text="已完成整改。")
    assert open_items(client.get(URL).content.decode()) == 2  # the snapshot of HH:MM, as the page says
    refresh_snapshot()
    assert open_items(client.get(URL).content.decode()) == 1


def test_a_snapshot_beat_stopped_refreshing_is_not_shown(world, login, committee_member, settings):
    world.add()
    refresh_snapshot()
    old = timezone.now() - datetime.timedelta(seconds=settings.DASHBOARD_SNAPSHOT_MAX_AGE + 1)
    DashboardSnapshot.objects.update(computed_at=old)
    html = login(committee_member).get(URL).content.decode()
    assert 'data-testid="computed-at"' not in html and 'data-testid="figure-pilots_by_stage"' in html


def test_each_language_has_its_own_snapshot(world, login, committee_member):
    world.add()
    refresh_snapshot()
    assert set(DashboardSnapshot.objects.values_list("language", flat=True)) == {"zh-hans", "en"}
    client = login(committee_member)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert "Updated at" in html and "数据更新于" not in html
    assert "各县（市、区）试点项目（按阶段）" not in html


def test_the_readers_role_is_checked_at_every_request(world, login, county_nanhu, sg_economy):
    world.add()
    refresh_snapshot()
    assert login(county_nanhu).get(URL).status_code == 403
    assert login(sg_economy).get(URL).status_code == 403


def test_read_from_the_snapshot_the_page_costs_a_few_queries_however_many_pilots(world, login, committee_member):
    world.add()
    refresh_snapshot()
    client = login(committee_member)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    world.add()
    world.add()
    refresh_snapshot()
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(few.captured_queries) == len(many.captured_queries) <= 8, [q["sql"] for q in many.captured_queries]
