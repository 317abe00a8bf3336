"""Notifications: written with the transition (outbox), e-mailed after commit, retried, never sent twice (tried
on the test-only Ticket workflow; who hears of an application's steps is tested in applications/tests)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from workflow.engine import outbox as tasks
from workflow.engine.errors import WorkflowError
from workflow.models import Notification, TransitionLog
from workflow.services import perform
from workflow.tests.testapp.models import Ticket, make_ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ticket(county_nanhu, office_reviewer, units):
    return make_ticket(county_nanhu)


def submit(ticket, county_user):
    return perform(ticket, "submit", actor=county_user)


def test_submission_tells_the_office_in_the_app_and_by_email(ticket, county_nanhu, office_reviewer, login):
    mail.outbox.clear()
    submit(ticket, county_nanhu)
    note = Notification.objects.get(recipient=office_reviewer)
    assert note.log.action == "ticket.submit" and note.url == ticket.get_absolute_url()
    assert note.email_status == Notification.EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [[office_reviewer.email]]
    assert "提交事项" in mail.outbox[0].subject
    assert not Notification.objects.filter(recipient=county_nanhu).exists()  # the actor is not told of own step
    page = login(office_reviewer).get(reverse("workflow:notifications")).content.decode()
    assert "提交事项" in page


def test_the_county_hears_of_a_return_with_the_reason_in_the_page(ticket, county_nanhu, office_reviewer, login):
    perform(submit(ticket, county_nanhu), "return_to_county", actor=office_reviewer, comment="请补充")
    note = Notification.objects.get(recipient=county_nanhu)
    client = login(county_nanhu)
    assert 'data-testid="unread-count"' in client.get("/").content.decode()
    response = client.post(reverse("workflow:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_failed_transition_leaves_no_log_and_no_notification(ticket, county_nanhu):
    def explode(obj, log):
        raise WorkflowError("规则不满足")

    with pytest.raises(WorkflowError):
        perform(ticket, "submit", actor=county_nanhu, after=explode)
    ticket.refresh_from_db()
    assert ticket.status == "draft"
    assert not TransitionLog.objects.filter(action="ticket.submit").exists()
    assert not Notification.objects.exists()


def test_a_failing_mail_server_never_undoes_the_transition_and_the_sweep_retries(ticket, county_nanhu, office_reviewer):
    mail.outbox.clear()
    with mock.patch("workflow.engine.outbox.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        ticket = submit(ticket, county_nanhu)
    assert ticket.status == Ticket.Status.SUBMITTED
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


def _claimed_then_worker_died(ticket, county_nanhu, office_reviewer):
    with mock.patch("workflow.engine.outbox._enqueue_delivery"):  # the broker lost the message
        submit(ticket, county_nanhu)
    note = Notification.objects.get(recipient=office_reviewer)
    assert note.email_status == Notification.EmailStatus.PENDING
    assert tasks.claim(note.pk) is not None  # a worker claims it, then dies before sending (holding no lock)
    mail.outbox.clear()
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    return note


def test_a_send_that_may_still_be_going_on_is_not_taken_over(ticket, county_nanhu, office_reviewer):
    _claimed_then_worker_died(ticket, county_nanhu, office_reviewer)  # claimed just now: within TAKE_OVER_AFTER
    assert tasks.deliver_pending() == 0
    assert mail.outbox == []


def test_a_send_cut_off_by_a_dead_worker_goes_out_once(ticket, county_nanhu, office_reviewer):
    note = _claimed_then_worker_died(ticket, county_nanhu, office_reviewer)
    Notification.objects.filter(pk=note.pk).update(email_claimed_at=timezone.now() - timedelta(minutes=5))
    if connection.vendor == "postgresql":  # no sender holds its advisory lock: it was cut off, and is sent again
        assert tasks.deliver_pending() == 1
        assert len(mail.outbox) == 1
        note.refresh_from_db()
        assert note.email_status == Notification.EmailStatus.SENT
    else:  # no advisory locks elsewhere: a row left 'sending' is never sent again (not twice, at the price of once)
        assert tasks.deliver_pending() == 0
    assert tasks.deliver_pending() == 0  # and never a second time
    assert len(mail.outbox) == (1 if connection.vendor == "postgresql" else 0)


def test_a_user_who_chose_the_digest_gets_one_email_a_day(ticket, county_nanhu, office_reviewer, login):
    client = login(office_reviewer)
    response = client.post(reverse("preferences"), {"email_mode": "digest", "email": office_reviewer.email})
    assert response.status_code == 302
    mail.outbox.clear()
    submit(ticket, county_nanhu)
    submit(make_ticket(county_nanhu, title="第二个事项"), county_nanhu)  # the office hears of both
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=office_reviewer, email_status="digest").count() == 2
    assert tasks.send_digests() == 1
    assert len(mail.outbox) == 1 and "2条通知" in mail.outbox[0].subject
    assert mail.outbox[0].body.count("提交事项") == 2
    assert tasks.send_digests() == 0 and len(mail.outbox) == 1


def test_a_user_who_chose_no_email_still_sees_the_notice_in_the_app(ticket, county_nanhu, office_reviewer, login):
    login(office_reviewer).post(reverse("preferences"), {"email_mode": "none", "email": office_reviewer.email})
    mail.outbox.clear()
    submit(ticket, county_nanhu)
    assert mail.outbox == []
    assert Notification.objects.get(recipient=office_reviewer).email_status == "skipped"
