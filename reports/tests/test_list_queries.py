"""The monitoring lists (inspections and rectification items, extension requests, a county's own reports) cost the
same number of queries with one pilot as with three."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.reference import COUNTIES
from applications.tests.factories import open_batch
from reports.monitoring import extension_services, inspection_services
from reports.tests.factories import implementing_pilot

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_inspection_extension_and_report_lists_stay_flat_as_pilots_grow(
    office_reviewer, committee_member, sg_digital, make_user, login
):
    batch = open_batch(office_reviewer)
    counties = []

    def add(i):
        county = make_user(f"c{i}", COUNTIES[i][0])
        counties.append(county)
        pilot = implementing_pilot(
            county, office_reviewer, committee_member, sg_digital, candidate_title=f"项目{i}", batch=batch
        )
        inspection_services.record_inspection(
            actor=office_reviewer,
            held_on=datetime.date(2026, 5, 20),
            team="市委改革办督察组",
            findings="平台建设滞后",
            pilots=[pilot],
            items=[
                {"pilot": pilot, "content": f"加快平台建设{i}", "responsible_unit": "区数据局", "deadline": d}
                for d in (datetime.date(2026, 6, 30), datetime.date(2026, 7, 31))
            ],
        )
        extension_services.apply_extension(
            actor=county, pilot=pilot, reason="complex", reason_text="任务复杂", new_end=datetime.date(2028, 8, 10)
        )
        return pilot

    add(0)
    office = login(office_reviewer)
    pages = {
        "inspections": reverse("reports:inspections"),
        "extensions": reverse("reports:extensions"),
    }
    before = {name: _count(office, url)[0] for name, url in pages.items()}
    own_before, _ = _count(login(counties[0]), reverse("reports:list"))

    add(1), add(2)
    office = login(office_reviewer)
    for name, url in pages.items():
        count, html = _count(office, url)
        assert count == before[name], f"{name}: {before[name]} queries with one pilot, {count} with three"
    assert _count(office, pages["inspections"])[1].count("市委改革办督察组") == 3
    assert _count(office, pages["extensions"])[1].count('data-testid="extension-row"') == 3
    own_after, html = _count(login(counties[2]), reverse("reports:list"))
    assert own_after == own_before and "项目0" not in html
    _, html = _count(login(counties[2]), pages["inspections"])
    assert html.count('data-testid="item-row"') == 2 and "加快平台建设0" not in html
