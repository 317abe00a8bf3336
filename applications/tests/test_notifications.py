"""Who hears of an application's and a batch's steps (the outbox's mechanics are tested in
workflow/tests/test_notifications.py on the test-only Ticket workflow)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.tests.factories import BatchFactory, filled_application, listed_candidate, open_batch
from pilots.services import batch_act, update_batch
from workflow.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app(county_nanhu, office_reviewer, units):
    return filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))


def test_the_special_group_is_asked_for_its_opinion(app, county_nanhu, office_reviewer, sg_digital, sg_economy):
    services.submit_application(actor=county_nanhu, application=app)
    services.review_application(actor=office_reviewer, application=app, name="request_opinion")
    assert Notification.objects.filter(recipient=sg_digital, log__action="opinion.request").exists()
    assert not Notification.objects.filter(recipient=sg_economy).exists()


def test_the_inbox_and_its_count_show_what_waits_for_the_user(app, county_nanhu, office_reviewer, login):
    services.submit_application(actor=county_nanhu, application=app)
    client = login(office_reviewer)
    page = client.get(reverse("inbox")).content.decode()
    assert app.project_name in page and "退回修改" in page and "征求专项小组意见" in page
    assert 'data-testid="todo-count">1<' in page
    county_page = login(county_nanhu).get(reverse("inbox")).content.decode()
    assert 'data-testid="todo-count"' not in county_page and "暂无待办事项" in county_page


def test_the_office_is_reminded_of_batches_waiting_for_a_step(office_reviewer, login):
    BatchFactory(name="待开放批次")
    ended = open_batch(office_reviewer, name="已到截止时间的批次")
    update_batch(
        actor=office_reviewer,
        batch=ended,
        data={
            "window_opens_at": timezone.now() - timedelta(days=9),
            "window_closes_at": timezone.now() - timedelta(days=1),
        },
    )
    running = open_batch(office_reviewer, name="仍在申报的批次")
    page = login(office_reviewer).get(reverse("inbox")).content.decode()
    assert "待开放批次" in page and "开放申报" in page
    assert "已到截止时间的批次" in page and "已逾期" in page
    assert running.name not in page
    batch_act(actor=office_reviewer, batch=ended, name="close")
    assert "标记为已确定" in login(office_reviewer).get(reverse("inbox")).content.decode()
