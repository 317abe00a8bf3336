"""相关记录 on the pilot's page: the reports app's links (reports, inspections, extensions), each for the user who
may open it, at a query count that does not grow with the rows."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.monitoring import extension_services
from reports.monitoring.extensions import ExtensionRequest
from reports.tests.factories import INSPECTED, inspect_pilot, listed_reports
from workflow.engine.registry import related_for

pytestmark = pytest.mark.django_db
HELD = INSPECTED


def extend(county, pilot):
    return extension_services.apply_extension(
        actor=county,
        pilot=pilot,
        reason="complex",
        reason_text="数据确权涉及多部门，需延长半年",
        new_end=datetime.date(2028, 8, 10),
    )


def labels(user, pilot):
    return [label for label, _url, _state in related_for(user, pilot)]


def test_county_sees_its_pilots_plan_reports_inspections_and_extension_and_each_opens(
    pilot, county_nanhu, office_reviewer, login, client
):
    inspection = inspect_pilot(office_reviewer, pilot)
    extension = extend(county_nanhu, pilot)
    links = related_for(county_nanhu, pilot)
    assert [label for label, _u, _s in links] == ["试点方案", "季度报告", str(inspection), "延期申请"]
    assert links[0] == ("试点方案", pilot.plan.get_absolute_url(), pilot.plan.get_status_display())
    assert links[1][1] == reverse("reports:list") + f"?pilot={pilot.pk}"
    assert links[1][2] == f"共{pilot.quarterly_reports.count()}份"
    assert links[2] == (str(inspection), inspection.get_absolute_url(), "整改事项1项")
    assert links[3] == ("延期申请", extension.get_absolute_url(), extension.get_status_display())
    login(county_nanhu)
    page = client.get(reverse("pilots:pilot_detail", args=[pilot.pk])).content.decode()
    assert 'data-testid="related"' in page
    for _label, url, _state in links:
        assert f'href="{url}"' in page.replace("&amp;", "&")
        assert client.get(url).status_code == 200


def test_another_county_sees_no_link_and_the_office_sees_every_link(
    pilot, county_nanhu, county_xiuzhou, office_reviewer, committee_member, login, client
):
    inspect_pilot(office_reviewer, pilot)
    extend(county_nanhu, pilot)
    assert related_for(county_xiuzhou, pilot) == []
    for user in (office_reviewer, committee_member):
        links = related_for(user, pilot)
        assert len(links) == 4
        login(user)
        for _label, url, _state in links:
            assert client.get(url).status_code == 200


def test_pilot_page_queries_stay_the_same_with_more_inspections_and_extensions(
    pilot, county_nanhu, office_reviewer, login, client, django_assert_num_queries
):
    inspect_pilot(office_reviewer, pilot)
    extension = extend(county_nanhu, pilot)
    url = reverse("pilots:pilot_detail", args=[pilot.pk])
    login(office_reviewer)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    inspect_pilot(office_reviewer, pilot, day=HELD + datetime.timedelta(days=1))
    inspect_pilot(office_reviewer, pilot, day=HELD + datetime.timedelta(days=2))
    fields = {f.attname: getattr(extension, f.attname) for f in ExtensionRequest._meta.concrete_fields}
    for _ in range(2):  # earlier, decided requests of the pilot (only one may be pending at a time)
        ExtensionRequest.objects.create(**(fields | {"id": None, "status": ExtensionRequest.Status.REJECTED}))
    assert len(related_for(office_reviewer, pilot)) == 2 + 3 + 3
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="related-link"') == 2 + 3 + 3


def test_the_reports_link_lists_that_pilots_reports_not_its_countys_earlier_pilots(
    two_pilots_in_nanhu, county_nanhu, login, client
):
    first, second = two_pilots_in_nanhu
    login(county_nanhu)
    for pilot, other in ((second, first), (first, second)):
        page = client.get(reverse("pilots:pilot_detail", args=[pilot.pk])).content.decode()
        url = re.search(r'data-testid="related-link"><a href="([^"]*)">季度报告</a>', page).group(1)
        html = client.get(url.replace("&amp;", "&")).content.decode()
        rows = listed_reports(html)
        assert len(rows) == pilot.quarterly_reports.count() > 0
        assert {title for _period, title, _county in rows} == {pilot.title} and other.title not in html
