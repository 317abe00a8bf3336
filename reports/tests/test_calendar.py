"""Report due dates and rectification deadlines on 我的日程 and in the ICS feed, for the county and the office only."""

import datetime

import pytest

from reports.monitoring import inspection_services
from workflow.tests.ics_helpers import new_feed, unfold
from workflow.ui.calendar import events_for

pytestmark = pytest.mark.django_db


def test_due_dates_and_rectification_deadlines_reach_the_calendar_and_feed(
    pilot, county_nanhu, county_xiuzhou, office_reviewer, login, clock
):
    inspection_services.record_inspection(
        actor=office_reviewer,
        held_on=datetime.date(2026, 5, 20),
        team="督察组",
        findings="问题",
        pilots=[pilot],
        items=[
            {
                "pilot": pilot,
                "content": "加快平台建设",
                "responsible_unit": "区数据局",
                "deadline": datetime.date(2026, 6, 30),
            }
        ],
    )
    clock.set(datetime.date(2026, 6, 1))
    kinds = {(e.kind, e.day) for e in events_for(county_nanhu)}
    assert ("quarterly_report", datetime.date(2026, 7, 15)) in kinds
    assert ("rectification", datetime.date(2026, 6, 30)) in kinds
    assert {e.kind for e in events_for(office_reviewer)} >= {"quarterly_report", "rectification"}
    assert not {e.kind for e in events_for(county_xiuzhou)} & {"quarterly_report", "rectification"}
    clock.reset()  # the feed's token is checked against the real time
    client = login(county_nanhu)
    path, _token = new_feed(client)
    text = unfold(client.get(path).content)
    assert "UID:rectification-" in text and "加快平台建设" in text
