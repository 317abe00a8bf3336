"""The lists' county filter: a select while the counties are few (Jiaxing's seven, a province's 90), a search box
matching part of a name beyond 200 (a national roll-out's 2,850 made every list page 142 kB)."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role, Unit
from reports.tests.factories import make_pilot
from workflow.ui.widgets import COUNTY_SELECT_LIMIT

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_pilots(office_reviewer, committee_member, county_nanhu, county_xiuzhou, sg_digital):
    make_pilot(county_nanhu, office_reviewer, committee_member, sg_digital, candidate_title="南湖的试点")
    make_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="秀洲的试点")


def many_counties():
    have = Unit.objects.filter(kind=Role.COUNTY).count()
    Unit.objects.bulk_create(
        Unit(code=f"far-{i}", name=f"远方县{i}", kind=Role.COUNTY, sort_order=900 + i)
        for i in range(COUNTY_SELECT_LIMIT + 1 - have)
    )


@pytest.mark.parametrize("name", ["pilots:pilot_list", "applications:list", "reports:quarter"])
def test_a_select_while_few_a_search_box_beyond_the_limit(name, office_reviewer, login, units):
    client = login(office_reviewer)
    html = client.get(reverse(name)).content.decode()
    assert re.search(r'<select[^>]*name="county"', html) and ">南湖区</option>" in html
    many_counties()
    html = client.get(reverse(name)).content.decode()
    assert re.search(r'<input[^>]*type="search"[^>]*name="county"|<input[^>]*name="county"[^>]*type="search"', html)
    assert not re.search(r'<select[^>]*name="county"', html) and "远方县1<" not in html
    assert len(html) < 60_000  # no option per county


def test_part_of_a_name_or_an_id_narrows_the_list_and_its_export(two_pilots, office_reviewer, login, units):
    many_counties()
    client = login(office_reviewer)
    url = reverse("pilots:pilot_list")
    by_name = client.get(url, {"county": "南湖"}).content.decode()
    assert "南湖的试点" in by_name and "秀洲的试点" not in by_name
    assert 'value="南湖"' in by_name  # the box keeps what was typed
    by_id = client.get(url, {"county": units["xiuzhou"].pk}).content.decode()
    assert "秀洲的试点" in by_id and "南湖的试点" not in by_id
    nothing = client.get(url, {"county": "不存在的县"}).content.decode()
    assert "南湖的试点" not in nothing and "秀洲的试点" not in nothing
    export = client.get(reverse("pilots:pilot_export"), {"county": "南湖"})
    assert export.status_code == 200
    b"".join(export.streaming_content)
    unknown = client.get(reverse("pilots:pilot_export"), {"county": "999999"})
    assert unknown.status_code == 400 and "筛选条件有误" in unknown.content.decode()
