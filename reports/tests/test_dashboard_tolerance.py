"""允许试错、包容失败: a terminated pilot the committee marked 容错免责 is kept out of the dashboard's 已终止 (its
negative figure) and counted as 容错免责, at the request and in the snapshot beat keeps, each number linking to its
list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilots.services import mark_tolerance, terminate_pilot
from reports.dashboard.figures import dashboard, refresh_snapshot
from reports.tests.test_dashboard import URL, list_count, numbers
from reports.tests.test_dashboard_snapshot import figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_terminated(world, committee_member):
    """Three pilots in three counties, all terminated; the first two marked 容错免责."""
    pilots = [world.add() for _ in range(3)]
    for pilot in pilots:
        terminate_pilot(actor=committee_member, pilot=pilot, comment="改革任务调整，终止试点。")
    for pilot in pilots[:2]:
        mark_tolerance(actor=committee_member, pilot=pilot, reason="上位政策调整，及时纠错。", meeting_ref="第7次会议")
    return pilots


def stage_rows(context):
    by_stage = context["pilot_figures"][0]
    return {row.key: row.cells[0].value for row in by_stage.rows}


def test_marked_pilots_leave_the_terminated_count_for_their_own(three_terminated, committee_member):
    counted = stage_rows(dashboard(committee_member))
    assert (counted["terminated"], counted["tolerated"]) == (1, 2)
    by_county = dashboard(committee_member)["pilot_figures"][1]
    columns = [str(c) for c in by_county.columns]
    terminated, tolerated = columns.index("已终止"), columns.index("容错免责")
    per_county = {row.label: (row.cells[terminated].value, row.cells[tolerated].value) for row in by_county.rows}
    assert sorted(per_county.values()) == [(0, 1), (0, 1), (1, 0)]
    assert all(row.cells[-1].value == 1 for row in by_county.rows)  # each county's total still counts its pilot


def test_each_number_opens_the_list_it_counts_now_and_from_the_snapshot(three_terminated, committee_member, login):
    client = login(committee_member)
    live = client.get(URL).content.decode()
    links = [(href, value) for href, value in numbers(live) if "stage=terminated" in href]
    assert links, "the stage figures link 已终止 and 容错免责"
    for href, value in links:
        assert list_count(client, href) == int(value), href
    assert any("tolerated=1" in href and value == "2" for href, value in links)
    assert any("tolerated=0" in href and value == "1" for href, value in links)
    refresh_snapshot()
    kept = client.get(URL).content.decode()
    assert 'data-testid="computed-at"' in kept and figures(kept) == figures(live)
    assert re.search(r">容错免责<", kept)


def test_the_count_costs_the_same_queries_however_many_are_marked(world, committee_member, django_assert_num_queries):
    pilot = world.add()
    terminate_pilot(actor=committee_member, pilot=pilot, comment="终止。")
    with CaptureQueriesContext(connection) as few:
        dashboard(committee_member)
    for _ in range(2):
        more = world.add()
        terminate_pilot(actor=committee_member, pilot=more, comment="终止。")
        mark_tolerance(actor=committee_member, pilot=more, reason="及时纠错。", meeting_ref="第8次会议")
    with django_assert_num_queries(len(few.captured_queries)):
        dashboard(committee_member)
