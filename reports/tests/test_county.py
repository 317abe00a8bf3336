"""The county page (one county's records, each section limited with a link to the filtered list; scoped: a
county its own, the office and the committee any) and the county comparison (aggregated counts, exportable)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from applications.tests.factories import open_batch
from pilots.models import BonusEntry
from reports.monitoring import inspection_services
from reports.tests.factories import implementing_pilot
from reports.tests.test_exports import add_county
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def counties_with_pilots(county_nanhu, county_xiuzhou, office_reviewer, committee_member, sg_digital):
    batch = open_batch(office_reviewer)
    nanhu = add_county(county_nanhu, office_reviewer, committee_member, sg_digital, batch, "公共数据授权运营集成改革")
    xiuzhou = implementing_pilot(
        county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="强村富民集成改革", batch=batch
    )
    BonusEntry.objects.create(
        year=2026,
        county=nanhu.county,
        points=Decimal("2.5"),
        reason="经验做法省级推广",
        status=BonusEntry.Status.CONFIRMED,
        created_by=office_reviewer,
    )
    return {"nanhu": nanhu, "xiuzhou": xiuzhou, "batch": batch}


def grow(pilot, office, n=12):
    """``n`` more rectification items and bonus lines for the pilot's county: more rows than a section shows."""
    inspection_services.record_inspection(
        actor=office,
        held_on=datetime.date(2026, 6, 1),
        team="督察组",
        findings="多项问题",
        pilots=[pilot],
        items=[
            {
                "pilot": pilot,
                "content": f"整改事项{i}",
                "responsible_unit": "区政府",
                "deadline": datetime.date(2026, 9, 1),
            }
            for i in range(n)
        ],
    )
    BonusEntry.objects.bulk_create(
        BonusEntry(year=2025, county=pilot.county, points=1, reason=f"加分{i}", created_by=office) for i in range(n)
    )


# --- who may read which county -----------------------------------------------------------------
def test_county_user_reads_its_own_county_and_gets_404_for_another(counties_with_pilots, county_nanhu, login, units):
    client = login(county_nanhu)
    page = client.get(reverse("reports:county", args=[units["nanhu"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "南湖区概况" in html and "公共数据授权运营集成改革" in html and "强村富民集成改革" not in html
    assert client.get(reverse("reports:county", args=[units["xiuzhou"].pk])).status_code == 404
    # the comparison is not theirs: they are taken to their own county
    response = client.get(reverse("reports:counties"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:county", args=[units["nanhu"].pk])
    assert client.get(reverse("reports:county_export")).status_code == 403


@pytest.mark.parametrize("who", ["office_reviewer", "committee_member"])
def test_office_and_committee_read_any_county(who, counties_with_pilots, login, units, request):
    client = login(request.getfixturevalue(who))
    html = client.get(reverse("reports:county", args=[units["xiuzhou"].pk])).content.decode()
    assert "秀洲区概况" in html and "强村富民集成改革" in html and "公共数据授权运营集成改革" not in html
    assert client.get(reverse("reports:county", args=[units["sg-digital"].pk])).status_code == 404  # not a county


def test_other_roles_are_refused(counties_with_pilots, sg_digital, login, units):
    client = login(sg_digital)
    assert client.get(reverse("reports:county", args=[units["nanhu"].pk])).status_code == 403
    assert client.get(reverse("reports:counties")).status_code == 403


# --- what the page shows -----------------------------------------------------------------------
def test_sections_are_limited_and_link_to_the_filtered_lists(counties_with_pilots, office_reviewer, login, units):
    nanhu = units["nanhu"]
    grow(counties_with_pilots["nanhu"], office_reviewer)
    html = login(office_reviewer).get(reverse("reports:county", args=[nanhu.pk])).content.decode()
    for key in ("pilots", "applications", "reports", "rectifications", "extensions", "bonus"):
        assert f'data-testid="section-{key}"' in html
    section = html.split('data-testid="section-rectifications"')[1].split("</section>")[0]
    assert section.count('data-testid="row"') == 10 and "共13项" in section
    assert f'href="{reverse("reports:inspections")}?county={nanhu.pk}" data-testid="more">查看全部' in section
    bonus = html.split('data-testid="section-bonus"')[1].split("</section>")[0]
    assert "2026年已确认2.50分" in bonus and f"{reverse('pilots:bonus_ledger')}?county={nanhu.pk}" in bonus


def test_the_more_links_open_lists_filtered_to_the_county(counties_with_pilots, office_reviewer, login, units):
    client = login(office_reviewer)
    html = client.get(f"{reverse('reports:inspections')}?county={units['nanhu'].pk}").content.decode()
    assert "加快平台建设" in html
    html = client.get(f"{reverse('applications:list')}?county={units['xiuzhou'].pk}").content.decode()
    assert "强村富民集成改革" in html and "公共数据授权运营集成改革" not in html


def test_county_page_query_count_is_fixed_as_rows_grow(counties_with_pilots, office_reviewer, login, units):
    client = login(office_reviewer)
    url = reverse("reports:county", args=[units["nanhu"].pk])
    client.get(url)  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(counties_with_pilots["nanhu"], office_reviewer, n=25)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)


# --- the comparison ----------------------------------------------------------------------------
def row_of(html, name):
    return html.split(f">{name}</a></td>")[1].split("</tr>")[0]


def cells(row_html):
    return [part.split("</a>")[0].rsplit(">", 1)[1] for part in row_html.split('<td class="text-end">')[1:]]


def test_comparison_counts_each_county(counties_with_pilots, committee_member, login):
    html = login(committee_member).get(reverse("reports:counties")).content.decode()
    assert html.count('data-testid="county-row"') == 7
    # pilots, running, applications, on time, late, missing, items open, overdue, extensions pending, points
    nanhu, xiuzhou, jiashan = (cells(row_of(html, n)) for n in ("南湖区", "秀洲区", "嘉善县"))
    assert nanhu[:3] == ["1", "1", "1"] and nanhu[6] == "1" and nanhu[8] == "1" and nanhu[9] == "2.50"
    assert xiuzhou[:3] == ["1", "1", "1"] and xiuzhou[6] == "0" and xiuzhou[8] == "0" and xiuzhou[9] == "0.00"
    assert jiashan == ["0"] * 9 + ["0.00"]


def test_comparison_year_filter_and_bad_year(counties_with_pilots, office_reviewer, login):
    client = login(office_reviewer)
    html = client.get(reverse("reports:counties"), {"year": 2025}).content.decode()
    assert cells(row_of(html, "南湖区"))[9] == "0.00"
    bad = client.get(reverse("reports:counties"), {"year": "1800"})
    assert bad.status_code == 400 and "请填写2000—2100之间的年度。" in bad.content.decode()


def test_comparison_query_count_is_fixed_as_counties_fill(
    counties_with_pilots, office_reviewer, committee_member, sg_digital, make_user, login
):
    client = login(office_reviewer)
    client.get(reverse("reports:counties"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("reports:counties"))
    add_county(
        make_user("county_haiyan", "haiyan"),
        office_reviewer,
        committee_member,
        sg_digital,
        counties_with_pilots["batch"],
        "海盐改革",
    )
    grow(counties_with_pilots["xiuzhou"], office_reviewer)
    with CaptureQueriesContext(connection) as large:
        html = client.get(reverse("reports:counties")).content.decode()
    assert cells(row_of(html, "海盐县"))[0] == "1"
    assert len(large) == len(small)


def test_comparison_export_has_numbers_and_is_audited(counties_with_pilots, office_reviewer, login):
    response = login(office_reviewer).get(reverse("reports:county_export"), {"year": 2026})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "各县（市、区）对比（年度：2026）"
    assert rows[1][:3] == ("县（市、区）", "试点项目", "实施中的试点") and len(rows) == 2 + 7
    nanhu = next(r for r in rows if r[0] == "南湖区")
    assert nanhu[1] == 1 and isinstance(nanhu[1], int) and nanhu[-1] == 2.5
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT, details__what="county_comparison")
    assert event.details["rows"] == 7 and event.details["filters"] == {"year": 2026}


def test_navigation_leads_the_county_and_the_office_there(county_nanhu, office_reviewer, sg_digital, login):
    link = f'href="{reverse("reports:counties")}"'
    assert link in login(county_nanhu).get(reverse("home")).content.decode()
    assert link in login(office_reviewer).get(reverse("home")).content.decode()
    assert link not in login(sg_digital).get(reverse("home")).content.decode()
