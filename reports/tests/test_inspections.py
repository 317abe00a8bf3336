"""Inspections: items reported, verified or reopened; overdue items in the 待办 of both the county and the office."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reports.monitoring import inspection_services as services
from reports.tests.factories import INSPECTED, ITEM_DEADLINE, inspect_pilot
from workflow.engine.errors import WorkflowError
from workflow.models import WorkItem

pytestmark = pytest.mark.django_db
HELD = INSPECTED
DEADLINE = ITEM_DEADLINE


def make_item(pilot, office_reviewer):
    return inspect_pilot(office_reviewer, pilot).items.get()


@pytest.fixture
def item(pilot, office_reviewer):
    return make_item(pilot, office_reviewer)


def open_items(user):
    return WorkItem.objects.open_for(user)


def test_reported_reopened_reported_again_and_verified(item, county_nanhu, office_reviewer):
    with pytest.raises(WorkflowError):
        services.act(actor=county_nanhu, item=item, name="rectify", comment="")
    item = services.act(actor=county_nanhu, item=item, name="rectify", comment="平台已上线试运行")
    assert item.status == "rectified" and item.report_text == "平台已上线试运行"
    with pytest.raises(PermissionDenied):
        services.act(actor=county_nanhu, item=item, name="verify")
    with pytest.raises(WorkflowError):
        services.act(actor=office_reviewer, item=item, name="reopen")
    item = services.act(actor=office_reviewer, item=item, name="reopen", comment="缺少运行数据")
    item = services.act(actor=county_nanhu, item=item, name="rectify", comment="补充了三个月运行数据")
    item = services.act(actor=office_reviewer, item=item, name="verify")
    assert item.status == "verified"
    assert not WorkItem.objects.for_object(item).open().exists()


def test_overdue_item_reaches_the_todo_of_county_and_office(pilot, county_nanhu, office_reviewer, clock):
    clock.set(HELD)
    item = make_item(pilot, office_reviewer)
    assert not open_items(office_reviewer).filter(object_id=item.pk, workflow="rectification").exists()
    county_item = WorkItem.objects.for_object(item).get(role="county", closed_at__isnull=True)
    office_item = WorkItem.objects.for_object(item).get(role="reform_office", closed_at__isnull=True)
    assert office_item.opened_at.date() >= DEADLINE  # hidden from the office until the deadline has passed
    assert county_item.due_at.date() == DEADLINE
    clock.set(DEADLINE + datetime.timedelta(days=2))
    assert item.is_overdue
    assert open_items(county_nanhu).filter(pk=county_item.pk).exists()
    assert open_items(office_reviewer).filter(pk=office_item.pk).exists()


def test_inspection_rules_and_scoping(pilot, item, office_reviewer, county_nanhu, county_xiuzhou, login):
    with pytest.raises(PermissionDenied):
        services.record_inspection(actor=county_nanhu, held_on=HELD, team="x", findings="y", pilots=[pilot], items=[])
    with pytest.raises(WorkflowError, match="不能早于"):
        services.record_inspection(
            actor=office_reviewer,
            held_on=HELD,
            team="x",
            findings="y",
            pilots=[pilot],
            items=[{"pilot": pilot, "content": "c", "responsible_unit": "u", "deadline": HELD - datetime.timedelta(1)}],
        )
    url = reverse("reports:item", args=[item.pk])
    assert login(county_nanhu).get(url).status_code == 200
    assert login(county_xiuzhou).get(url).status_code == 404
    assert (
        login(county_xiuzhou).post(reverse("reports:item_act", args=[item.pk]), {"name": "rectify"}).status_code == 404
    )
    assert login(county_nanhu).get(reverse("reports:inspection_new")).status_code == 403
