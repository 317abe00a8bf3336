"""Notifications: written with the transition (outbox), e-mailed after commit, retried, never sent twice."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from workflow import tasks
from workflow.errors import WorkflowError
from workflow.models import Notification, TransitionLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app(county_nanhu, office_reviewer, units):
    return filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))


def test_submission_tells_the_office_in_the_app_and_by_email(app, county_nanhu, office_reviewer, login):
    mail.outbox.clear()
    services.submit_application(actor=county_nanhu, application=app)
    note = Notification.objects.get(recipient=office_reviewer)
    assert note.log.action == "application.submit" and note.url == app.get_absolute_url()
    assert note.email_status == Notification.EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [[office_reviewer.email]]
    assert "提交申报" in mail.outbox[0].subject
    assert not Notification.objects.filter(recipient=county_nanhu).exists()  # the actor is not told of own step
    page = login(office_reviewer).get(reverse("workflow:notifications")).content.decode()
    assert "提交申报" in page


def test_the_county_hears_of_a_return_with_the_reason_in_the_page(app, county_nanhu, office_reviewer, login):
    services.submit_application(actor=county_nanhu, application=app)
    services.review_application(actor=office_reviewer, application=app, name="return_to_county", comment="请补充")
    note = Notification.objects.get(recipient=county_nanhu)
    client = login(county_nanhu)
    assert 'data-testid="unread-count"' in client.get("/").content.decode()
    response = client.post(reverse("workflow:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == app.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_failed_transition_leaves_no_log_and_no_notification(app, county_nanhu):
    def explode(obj):
        raise WorkflowError("规则不满足")

    from workflow.services import perform

    with pytest.raises(WorkflowError):
        perform(app, "submit", actor=county_nanhu, params={"at": timezone.now()}, after=lambda o, log: explode(o))
    app.refresh_from_db()
    assert app.status == "draft"
    assert not TransitionLog.objects.filter(action="application.submit").exists()
    assert not Notification.objects.exists()


def test_a_failing_mail_server_never_undoes_the_transition_and_the_sweep_retries(app, county_nanhu, office_reviewer):
    mail.outbox.clear()
    with mock.patch("workflow.tasks.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        app = services.submit_application(actor=county_nanhu, application=app)
    assert app.status == "submitted"
    note = Notification.objects.get(recipient=office_reviewer)
    assert note.email_status == Notification.EmailStatus.FAILED and "smtp down" in note.email_error
    assert mail.outbox == []
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.deliver_pending() == 1
    note.refresh_from_db()
    assert note.email_status == Notification.EmailStatus.SENT and note.email_attempts == 2
    assert len(mail.outbox) == 1
    # A retried task or a second sweep finds nothing left to send.
    assert tasks.deliver_one(note.pk) is False
    assert tasks.deliver_pending() == 0
    assert len(mail.outbox) == 1


def test_a_notification_claimed_by_a_crashed_worker_is_not_sent_again(app, county_nanhu, office_reviewer):
    with mock.patch("workflow.services._enqueue_delivery"):  # the broker lost the message
        services.submit_application(actor=county_nanhu, application=app)
    note = Notification.objects.get(recipient=office_reviewer)
    assert note.email_status == Notification.EmailStatus.PENDING
    claimed = tasks.claim(note.pk)  # a worker claims it, then dies before sending
    assert claimed is not None
    mail.outbox.clear()
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.deliver_pending() == 0
    assert mail.outbox == []


def test_the_special_group_is_asked_for_its_opinion(app, county_nanhu, office_reviewer, sg_digital, sg_economy):
    services.submit_application(actor=county_nanhu, application=app)
    services.review_application(actor=office_reviewer, application=app, name="request_opinion")
    assert Notification.objects.filter(recipient=sg_digital, log__action="opinion.request").exists()
    assert not Notification.objects.filter(recipient=sg_economy).exists()


def test_a_user_who_chose_the_digest_gets_one_email_a_day(app, county_nanhu, office_reviewer, login):
    client = login(office_reviewer)
    response = client.post(reverse("preferences"), {"email_mode": "digest", "email": office_reviewer.email})
    assert response.status_code == 302
    mail.outbox.clear()
    services.submit_application(actor=county_nanhu, application=app)
    services.withdraw_application(actor=county_nanhu, application=app)  # the office hears of both
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=office_reviewer, email_status="digest").count() == 2
    assert tasks.send_digests() == 1
    assert len(mail.outbox) == 1 and "2条通知" in mail.outbox[0].subject
    assert "提交申报" in mail.outbox[0].body and "撤回申报" in mail.outbox[0].body
    assert tasks.send_digests() == 0 and len(mail.outbox) == 1


def test_a_user_who_chose_no_email_still_sees_the_notice_in_the_app(app, county_nanhu, office_reviewer, login):
    login(office_reviewer).post(reverse("preferences"), {"email_mode": "none", "email": office_reviewer.email})
    mail.outbox.clear()
    services.submit_application(actor=county_nanhu, application=app)
    assert mail.outbox == []
    assert Notification.objects.get(recipient=office_reviewer).email_status == "skipped"


def test_the_inbox_and_its_count_show_what_waits_for_the_user(app, county_nanhu, office_reviewer, login):
    services.submit_application(actor=county_nanhu, application=app)
    client = login(office_reviewer)
    page = client.get(reverse("inbox")).content.decode()
    assert app.project_name in page and "退回修改" in page and "征求专项小组意见" in page
    assert 'data-testid="todo-count">1<' in page
    county_page = login(county_nanhu).get(reverse("inbox")).content.decode()
    assert 'data-testid="todo-count"' not in county_page and "暂无待办事项" in county_page


def test_the_office_is_reminded_of_batches_waiting_for_a_step(office_reviewer, login):
    from datetime import timedelta

    from applications.tests.factories import BatchFactory
    from pilots.services import batch_act

    BatchFactory(name="待开放批次")
    ended = open_batch(office_reviewer, name="已到截止时间的批次")
    from pilots.services import update_batch

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
