"""Fixtures of the plan tests: a pilot in planning with its guidance unit and special group."""

import pytest

from reviews.tests.factories import filled_plan, make_pilot


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return make_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def plan(county_nanhu, pilot):
    return filled_plan(county_nanhu, pilot)


@pytest.fixture
def finance_dept(make_user):
    return make_user("finance_dept", "md-finance", full_name="市财政局联络员")
