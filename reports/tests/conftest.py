"""Fixtures of the report tests: an implementing pilot in Nanhu with its quarters, and a frozen clock."""

import datetime

import pytest
from django.utils import timezone

from .factories import implementing_pilot


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
