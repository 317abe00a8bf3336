"""The filters the dashboards link with, on the lists that own them: pilots by stage, county, area and batch; reports
by quarter and county; rectification items open or overdue by county; extension requests pending."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.reference import COUNTIES
from applications.tests.factories import open_batch
from reports.monitoring import extension_services, inspection_services
from reports.tests.factories import implementing_pilot, make_pilot

pytestmark = pytest.mark.django_db


def total(html):
    """The "共N项" badge of a list page."""
    return int(re.search(r'data-testid="total">共(\d+)项<', html).group(1))


@pytest.fixture
def two_pilots(office_reviewer, committee_member, sg_digital, make_user):
    """南湖 implementing (with an inspection's two items and an extension request), 秀洲 still planning."""
    batch = open_batch(office_reviewer)
    nanhu = make_user("c0", COUNTIES[0][0])
    xiuzhou = make_user("c1", COUNTIES[1][0])
    running = implementing_pilot(
        nanhu, office_reviewer, committee_member, sg_digital, candidate_title="项目0", batch=batch
    )
    planning = make_pilot(xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="项目1", batch=batch)
    today = timezone.localdate()
    inspection_services.record_inspection(
        actor=office_reviewer,
        held_on=today - datetime.timedelta(days=30),
        team="督察组",
        findings="进度滞后",
        pilots=[running],
        items=[
            {
                "pilot": running,
                "content": "已逾期事项",
                "responsible_unit": "区数据局",
                "deadline": today - datetime.timedelta(1),
            },
            {
                "pilot": running,
                "content": "未到期事项",
                "responsible_unit": "区数据局",
                "deadline": today + datetime.timedelta(9),
            },
        ],
    )
    extension_services.apply_extension(
        actor=nanhu,
        pilot=running,
        reason="complex",
        reason_text="任务复杂",
        new_end=running.term_end.replace(year=2029),
    )
    return running, planning


def test_pilot_list_filters_by_stage_county_area_and_batch(two_pilots, login, committee_member):
    running, planning = two_pilots
    client = login(committee_member)
    url = reverse("pilots:pilot_list")
    assert total(client.get(url).content.decode()) == 2
    assert total(client.get(url, {"stage": "implementing"}).content.decode()) == 1
    assert total(client.get(url, {"stage": "running"}).content.decode()) == 2
    html = client.get(url, {"county": planning.county_id, "stage": "planning"}).content.decode()
    assert total(html) == 1 and "项目1" in html and "项目0" not in html
    assert total(client.get(url, {"area": "digital", "batch": running.batch_id}).content.decode()) == 2
    assert total(client.get(url, {"area": "culture"}).content.decode()) == 0
    # a bad filter value is named and ignored, never a 500; the valid ones still narrow the list
    response = client.get(url, {"county": planning.county_id, "stage": "nonsense"})
    html = response.content.decode()
    assert response.status_code == 200 and total(html) == 1 and "项目1" in html
    assert "筛选条件有误，已忽略：阶段：没有这个选项，请重新选择。" in html


def test_report_list_filters_by_quarter_and_county(two_pilots, login, committee_member):
    running, _planning = two_pilots
    client = login(committee_member)
    url = reverse("reports:list")
    everything = total(client.get(url).content.decode())
    assert everything > 1
    html = client.get(url, {"year": 2026, "quarter": 2, "county": running.county_id}).content.decode()
    assert total(html) == 1 and 'data-testid="filter-note"' in html
    # a county that does not exist is named and ignored: the quarter still narrows the list
    html = client.get(url, {"year": 2026, "quarter": 2, "county": 999999}).content.decode()
    assert total(html) == 1 and "筛选条件有误，已忽略：县（市、区）：没有这个县（市、区），请重新选择。" in html


def test_item_list_open_and_overdue_by_county_for_the_office_too(two_pilots, login, office_reviewer, county_xiuzhou):
    running, _planning = two_pilots
    office = login(office_reviewer)
    url = reverse("reports:inspections")
    assert 'data-testid="inspection-table"' in office.get(url).content.decode()  # unfiltered: the inspections
    html = office.get(url, {"state": "open"}).content.decode()
    assert html.count('data-testid="item-row"') == 2
    html = office.get(url, {"overdue": "1", "county": running.county_id}).content.decode()
    assert html.count('data-testid="item-row"') == 1 and "已逾期事项" in html
    assert "筛选出整改事项1项" in html


def test_extension_list_pending(two_pilots, login, committee_member):
    client = login(committee_member)
    url = reverse("reports:extensions")
    assert total(client.get(url, {"status": "pending"}).content.decode()) == 1
    assert total(client.get(url, {"status": "approved"}).content.decode()) == 0
    html = client.get(url, {"status": "pending", "county": 999999}).content.decode()
    assert total(html) == 1 and "筛选条件有误，已忽略：县（市、区）：" in html
