"""Fixtures of the report tests: an implementing pilot in Nanhu with its quarters, and a frozen clock."""

import datetime

import pytest
from django.utils import timezone

from reports.tests.factories import World, implementing_pilot


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return implementing_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def clock(monkeypatch):
    """Freeze "now" (django.utils.timezone) at a Shanghai day and time: ``clock.set(date, hour=9)``."""

    real_now = timezone.now

    class Clock:
        def reset(self):
            monkeypatch.setattr(timezone, "now", real_now)

        def set(self, day, hour=9):
            moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_default_timezone())
            monkeypatch.setattr(timezone, "now", lambda: moment)
            return moment

    return Clock()


@pytest.fixture
def two_pilots_in_nanhu(pilot, county_nanhu, office_reviewer, committee_member, sg_digital):
    """Nanhu's first pilot (``pilot``), terminated by the committee, and its second one, implementing (a county
    runs one pilot at a time): both with their reports of the same quarters."""
    from pilots.services import terminate_pilot

    terminate_pilot(actor=committee_member, pilot=pilot, comment="改革任务调整，终止试点。")
    second = implementing_pilot(
        county_nanhu, office_reviewer, committee_member, sg_digital, candidate_title="强村富民集成改革"
    )
    pilot.refresh_from_db()
    return pilot, second


@pytest.fixture
def world(office_reviewer, committee_member, sg_digital, make_user):
    return World(office_reviewer, committee_member, sg_digital, make_user)
