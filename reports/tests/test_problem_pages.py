"""The pages around problem items, guidance records and 协调督促: the dashboard figure (each number the count of
the list it links to, kept in the snapshot), and the list, the supervision page and the pilot page costing the same
number of queries with one item as with many."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.dashboard import figures as dashboard
from reports.dashboard.figures import refresh_snapshot
from reports.guidance import services as guidance_services
from reports.models import DashboardSnapshot, QuarterlyReport
from reports.monitoring import services as report_services
from reports.problems import services as problem_services
from reports.tests.factories import fill, inspect_pilot

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def report(pilot, county_nanhu, clock):
    clock.set(datetime.date(2026, 5, 20))
    report = fill(county_nanhu, QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=1))
    return report_services.submit_report(actor=county_nanhu, report=report)


def raise_many(county, report, n, kind="problem"):
    return [
        problem_services.raise_problem(actor=county, source=report, kind=kind, content=f"问题{kind}{i}")
        for i in range(n)
    ]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_dashboard_figure_counts_what_its_links_list(report, county_nanhu, office_reviewer, units, login, clock):
    problems = raise_many(county_nanhu, report, 3)
    support = raise_many(county_nanhu, report, 2, kind="support")
    assign = {"name": "assign", "unit": units["md-finance"], "due_on": datetime.date(2026, 5, 25)}
    problem_services.act(actor=office_reviewer, item=problems[0], **assign)
    problem_services.act(actor=office_reviewer, item=support[0], **assign)
    replied = problem_services.act(actor=office_reviewer, item=problems[1], name="answer", comment="已协调。")
    problem_services.act(actor=county_nanhu, item=replied, name="resolve")  # resolved: not counted
    clock.set(datetime.date(2026, 5, 26))  # both assigned items are now past their due date
    figure = dashboard.problems(office_reviewer)
    cells = {row.key: [c.value for c in row.cells] for row in figure.rows}
    assert cells == {"open": [1, 1], "assigned": [1, 1], "replied": [0, 0], "reopened": [0, 0], "overdue": [1, 1]}
    assert [c.value for c in figure.total_cells] == [2, 2]
    client = login(office_reviewer)
    for row in figure.rows:
        for cell in row.cells:
            assert client.get(cell.url).content.decode().count('data-testid="problem-row"') == cell.value, cell.url
    refresh_snapshot()
    kept = DashboardSnapshot.objects.get(language="zh-hans").figures["problems"]
    assert [r["cells"][0]["value"] for r in kept["rows"]] == [1, 1, 0, 0, 1]
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert 'data-testid="figure-problems"' in page


def test_the_problem_list_stays_flat_as_items_grow(report, county_nanhu, office_reviewer, units, login):
    items = raise_many(county_nanhu, report, 2)
    due = timezone.localdate() + datetime.timedelta(days=5)
    problem_services.act(actor=office_reviewer, item=items[0], name="assign", unit=units["md-finance"], due_on=due)
    office, county = login(office_reviewer), login(county_nanhu)
    url = reverse("reports:problems")
    few = [_count(office, url)[0], _count(county, url)[0]]
    more = raise_many(county_nanhu, report, 12, kind="support")
    for item in more[:6]:
        problem_services.act(actor=office_reviewer, item=item, name="assign", unit=units["md-hrss"], due_on=due)
    many = [_count(office, url)[0], _count(county, url)[0]]
    assert many == few


def test_the_pilot_page_and_supervision_page_stay_flat(
    pilot, report, county_nanhu, office_reviewer, sg_digital, make_user, login
):
    guide = make_user("guidance_data", "gu-data")
    raise_many(county_nanhu, report, 1)
    inspect_pilot(office_reviewer, pilot)

    def guidance(n):
        for i in range(n):
            guidance_services.record_guidance(
                actor=guide,
                pilot=pilot,
                given_on=datetime.date(2026, 5, 1 + i),
                form="policy",
                content=f"政策咨询{i}",
                files=[SimpleUploadedFile(f"纪要{i}.pdf", PDF, "application/pdf")],
            )

    guidance(1)
    group = login(sg_digital)
    pages = [pilot.get_absolute_url(), reverse("reports:supervision")]
    few = [_count(group, url)[0] for url in pages]
    raise_many(county_nanhu, report, 8, kind="support")
    guidance(5)
    for _ in range(4):
        inspect_pilot(office_reviewer, pilot)
    many = [_count(group, url) for url in pages]
    assert [n for n, _html in many] == few
    assert (
        many[0][1].count('data-testid="guidance-record"') == 6 and many[0][1].count('data-testid="pilot-problem"') == 9
    )
    assert many[1][1].count('data-testid="open-item"') == 5
