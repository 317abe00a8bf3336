"""The committee's and the office's dashboard: who sees it, every number equal to the filtered list it links to, a
transition seen at the next load (nothing cached), the same number of queries with more data, and the goals the
office keeps."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.dashboard.goals import Goal, Metric, seed_goals
from reports.monitoring import inspection_services
from reports.monitoring.inspections import RectificationItem
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db
URL = "/reports/dashboard/"


def numbers(html):
    """(href, number) of every number the page links (``data-testid="num"``)."""
    return [
        (href.replace("&amp;", "&"), value)
        for href, value in re.findall(r'<a href="([^"]+)" data-testid="num">([\d.]+)</a>', html)
    ]


def list_count(client, href):
    html = client.get(href).content.decode()
    found = re.search(r'data-testid="total">共(\d+)项<', html)
    if found:
        return int(found.group(1))
    if 'data-testid="item-row"' in html or "暂无整改事项" in html:
        return html.count('data-testid="item-row"')
    return None


def test_committee_and_office_see_it_counties_and_others_do_not(
    world, login, office_reviewer, committee_member, county_nanhu, sg_economy, client
):
    world.add()
    committee = login(committee_member).get(URL)
    assert committee.status_code == 200
    html = committee.content.decode()
    assert 'data-testid="figure-pilots_by_stage"' in html and 'data-testid="figure-my_work"' not in html
    assert 'data-testid="nav-dashboard"' in html  # the navigation entry (reports/apps.py)
    assert 'data-testid="nav-dashboard"' not in login(county_nanhu).get("/").content.decode()
    office = login(office_reviewer).get(URL).content.decode()
    assert 'data-testid="figure-my_work"' in office and 'data-testid="goals-link"' in office  # its own work on top
    assert office.index('data-testid="figure-my_work"') < office.index('data-testid="figure-pilots_by_stage"')
    assert login(county_nanhu).get(URL).status_code == 403
    assert login(sg_economy).get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_charts_are_data_for_the_static_script_and_the_tables_carry_the_numbers(world, login, committee_member):
    world.add()
    html = login(committee_member).get(URL).content.decode()
    assert '<script id="dashboard-charts" type="application/json">' in html
    assert "vendor/echarts-5.6.0/echarts.min.js" in html and "js/dashboard.js" in html
    for script in re.findall(r"<script([^>]*)>", html):  # CSP: no inline script, only files and JSON data
        assert "src=" in script or 'type="application/json"' in script
    assert 'data-chart="pilots_by_county"' in html and 'data-testid="table-pilots_by_county"' in html


def test_every_number_equals_the_filtered_list_it_links_to(world, login, committee_member):
    world.add()
    world.add()
    client = login(committee_member)
    html = client.get(URL).content.decode()
    checked = 0
    for href, value in numbers(html):
        if "/inbox/" in href or "/bonus/" in href or "/experiences/" in href:
            continue  # not totals of rows (points, or lists without a total badge)
        found = list_count(client, href)
        if found is None:
            continue
        assert found == int(float(value)), f"{href}: the dashboard says {value}, the list shows {found}"
        checked += 1
    assert checked >= 20
    assert f"/pilots/?county={world.counties[0].memberships.get().unit_id}&amp;stage=implementing" in html


def test_a_transition_shows_at_the_next_load(world, login, committee_member):
    """Nothing is cached: the county reports a rectification and the next page load counts one item less."""
    pilot = world.add()
    client = login(committee_member)

    def open_items():
        html = client.get(URL).content.decode()
        link = f"/reports/inspections/?state=open&amp;county={pilot.county_id}"
        return int(re.search(re.escape(link) + r'" data-testid="num">(\d+)<', html).group(1))

    assert open_items() == 2
    item = RectificationItem.objects.filter(pilot=pilot).order_by("deadline").first()
    inspection_services.rectify_item(actor=world.counties[0], item=item, text="已完成整改。")
    assert open_items() == 1


def test_query_count_is_the_same_with_more_data(world, login, office_reviewer, committee_member):
    seed_goals(office_reviewer)
    world.add()

    def count(user):
        client = login(user)
        client.get(URL)  # warm the per-process caches (content types, the session)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
            assert response.status_code == 200
        return len(ctx.captured_queries)

    before = {u.pk: count(u) for u in (office_reviewer, committee_member)}
    world.add(), world.add()
    for user in (office_reviewer, committee_member):
        after = count(user)
        assert after == before[user.pk], f"{user}: {before[user.pk]} queries with one pilot, {after} with three"


# --- goals ---------------------------------------------------------------------------------------
def test_the_office_keeps_the_goals_and_the_dashboard_measures_them(world, login, office_reviewer, committee_member):
    world.add()
    world.add()
    office = login(office_reviewer)
    url = reverse("reports:goals")
    data = {"title": "七个县（市、区）均开展试点", "metric": Metric.COUNTIES, "year": 2026, "target": 7, "source": ""}
    assert office.post(url, data).status_code == 302
    goal = Goal.objects.get()
    assert TransitionLog.objects.filter(action="goal.goal_created", object_id=goal.pk).exists()
    html = login(committee_member).get(URL).content.decode()
    assert "七个县（市、区）均开展试点" in html
    row = html[html.index("七个县（市、区）均开展试点") :]
    assert re.search(r'data-testid="num">2</a>', row[:800])  # two counties run a pilot
    assert 'value="28"' in row[:1200]  # 2 of 7: 28%

    # the same metric and year twice: a Chinese message, 400
    office = login(office_reviewer)
    response = office.post(url, {**data, "title": "重复"})
    assert response.status_code == 400 and "该指标在这一年度已有目标" in response.content.decode()
    response = office.post(url, {**data, "year": "明年", "target": 0})
    assert response.status_code == 400
    assert (
        "请填写2000—2100之间的年度。" in response.content.decode() and "目标值须为正整数。" in response.content.decode()
    )

    edit = reverse("reports:goal_edit", args=[goal.pk])
    assert office.post(edit, {**data, "target": 2}).status_code == 302
    goal.refresh_from_db()
    assert goal.target == 2
    log = TransitionLog.objects.get(action="goal.goal_changed", object_id=goal.pk)
    assert log.details["changed"] == {"target": [7, 2]}
    assert office.post(reverse("reports:goal_delete", args=[goal.pk])).status_code == 302
    assert not Goal.objects.exists()


def test_only_the_office_edits_goals(world, login, committee_member, county_nanhu, office_reviewer):
    seed_goals(office_reviewer)
    goal = Goal.objects.first()
    for user in (committee_member, county_nanhu):
        client = login(user)
        assert client.get(reverse("reports:goals")).status_code == 403
        assert client.post(reverse("reports:goals"), {"title": "x"}).status_code == 403
        assert client.post(reverse("reports:goal_edit", args=[goal.pk]), {"title": "x"}).status_code == 403
        assert client.post(reverse("reports:goal_delete", args=[goal.pk])).status_code == 403
    assert Goal.objects.count() == 6
    assert login(office_reviewer).get(reverse("reports:goal_edit", args=[999999])).status_code == 404


def test_seeded_goals_are_the_seed_s_three_deadlines(office_reviewer):
    seed_goals(office_reviewer)
    seed_goals(office_reviewer)  # once only
    assert sorted({g.year for g in Goal.objects.all()}) == [2021, 2022, 2025]
    assert Goal.objects.count() == 6


def test_results_list_counts_reported_results(world, login, committee_member, county_xiuzhou):
    pilot = world.add()
    client = login(committee_member)
    html = client.get(reverse("reports:results"), {"kind": "standard"}).content.decode()
    assert "共1项" in html and "管理办法0" in html
    assert "共0项" in client.get(reverse("reports:results"), {"kind": "policy"}).content.decode()
    own = login(world.counties[0]).get(reverse("reports:results"), {"county": pilot.county_id}).content.decode()
    assert "共1项" in own
    assert "共0项" in login(county_xiuzhou).get(reverse("reports:results")).content.decode()  # 南湖's, not 秀洲's


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))


def test_each_dashboard_table_exports_to_excel_with_the_page_s_numbers(world, login, committee_member, county_nanhu):
    from workflow.models import AuditEvent

    pilot = world.add()
    seed_goals(world.office)
    client = login(committee_member)
    html = client.get(URL).content.decode()
    keys = re.findall(r'href="/reports/dashboard/([a-z_]+)\.xlsx"', html)
    assert {"pilots_by_county", "reports", "rectification", "bonus", "goals"} <= set(keys)
    for key in keys:
        rows = _sheet(client.get(reverse("reports:dashboard_export", args=[key])))
        assert "截至" in rows[0][0]
    rows = _sheet(client.get(reverse("reports:dashboard_export", args=["pilots_by_county"])))
    county_row = next(r for r in rows[2:] if r[0] == pilot.county.name)
    assert county_row[rows[1].index("实施中")] == 1 and county_row[-1] == 1  # numbers as numbers
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == len(keys) + 1
    assert client.get(reverse("reports:dashboard_export", args=["nothing"])).status_code == 404
    assert login(county_nanhu).get(reverse("reports:dashboard_export", args=["reports"])).status_code == 403


def test_time_in_stage_tables_export(world, login, committee_member):
    world.add()
    client = login(committee_member)
    for key in ("stages", "counties", "units", "trend"):
        rows = _sheet(client.get(reverse("reports:time_in_stage_export", args=[key]), {"flow": "application"}))
        assert "事项类型：试点申报" in rows[0][0] and len(rows) >= 2
    stages = _sheet(client.get(reverse("reports:time_in_stage_export", args=["stages"])))
    assert stages[1][0] == "阶段" and any(r[0] == "方案编制" for r in stages[2:])


def test_per_county_tables_keep_the_largest_and_link_to_the_comparison(world, login, committee_member, monkeypatch):
    """Thousands of counties nationally: past COUNTY_ROWS the table keeps the counties with the most pilots and open
    items, and links to the county comparison for the rest."""
    from reports.dashboard import figures as dashboard

    first = world.add()
    second = world.add()
    item = RectificationItem.objects.filter(pilot=first).order_by("deadline").first()
    inspection_services.rectify_item(actor=world.counties[0], item=item, text="已完成整改。")
    monkeypatch.setattr(dashboard, "COUNTY_ROWS", 1)
    html = login(committee_member).get(URL).content.decode()
    table = html[html.index('data-testid="table-rectification"') :]
    table = table[: table.index("</table>")]
    assert second.county.name in table and first.county.name not in table  # 2 open items against 1
    assert "另有1个县（市、区），见县（市、区）概况" in html and reverse("reports:counties") in html
