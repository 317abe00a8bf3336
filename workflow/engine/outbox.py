"""The notification outbox: ``tell`` writes the rows in the transaction of the change that causes them and queues
their delivery after commit; the Celery tasks below deliver them by e-mail, idempotent, retried, never sent twice
(their names are the ones the beat schedule in ``jiaxing_pilot/settings.py`` uses)."""

import logging
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
S = Notification.EmailStatus
# Interrupted sends (issue 26): a sender holds a PostgreSQL session-level advisory lock on the notification from
# before its claim until after it has recorded the outcome (_sending). The lock dies with the sender's database
# session, so a row still 'sending' whose lock is free was left by a sender that died mid-send (a worker killed,
# a machine lost): it was never counted as sent, and it is claimed and sent again. A row counted as 'sent' is
# never claimed again. The one window left is between the SMTP server's "250 OK" and the commit of 'sent'
# (a sender dying exactly there sends it twice): no SMTP client can close it.
SENDING_LOCK_CLASS = 0x6A78  # pg_advisory_lock(class, id): "jx", keeps clear of any other advisory lock
# A 'sending' row is taken over only once it is this old: a worker still running the code before this change
# sends without the lock, and its send must not be taken over while it may still be going on.
TAKE_OVER_AFTER = timedelta(seconds=30)


def email_status_for(user):
    """Each user chooses: an e-mail per notification, a daily digest, or none (in-app only)."""
    S = Notification.EmailStatus
    if not user.email or user.email_mode == user.EmailMode.NONE:
        return S.SKIPPED
    return S.DIGEST if user.email_mode == user.EmailMode.DIGEST else S.PENDING


def tell(users, log, url):
    """Write one Notification row (the outbox) per user about ``log`` (in the caller's transaction) and queue their
    e-mail after commit. Every notice of the core goes through here: ``services.notify`` and the conventions."""
    users = {u.pk: u for u in users}
    if not users:
        return []
    rows = Notification.objects.bulk_create(
        [Notification(recipient=u, log=log, url=url, email_status=email_status_for(u)) for u in users.values()]
    )
    ids = [n.pk for n in rows if n.pk] or list(
        Notification.objects.filter(log=log, recipient_id__in=list(users)).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _enqueue_delivery(ids), robust=True)
    return rows


def _enqueue_delivery(ids):
    try:
        deliver_notifications.apply_async(args=[ids], retry=False)
    except Exception:  # broker down: the rows stay pending and the periodic sweep delivers them later
        logger.warning("notification delivery not queued; the sweep will pick up %s", ids, exc_info=True)


@contextmanager
def _sending(notification_id):
    """Hold the notification's advisory lock for a whole send; yields False if another live sender holds it.
    Not on PostgreSQL (SQLite in development) there is no such lock: yields None, and a 'sending' row stays
    as it is (never sent twice, never retried: the rule before issue 26)."""
    if connection.vendor != "postgresql":
        yield None
        return
    key = [SENDING_LOCK_CLASS, notification_id % 2**31]  # two int4 keys; a rare collision only delays a send
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except DatabaseError:  # the session is gone, and its lock with it
                pass


def claim(notification_id, *, take_over=False):
    """Mark one row as being sent; only one worker can claim it (row lock + status check). ``take_over``: the
    caller holds the row's advisory lock, so a 'sending' row (older than TAKE_OVER_AFTER) was interrupted."""
    eligible = Q(email_status__in=[S.PENDING, S.FAILED])
    if take_over:
        eligible |= Q(email_status=S.SENDING, email_claimed_at__lt=timezone.now() - TAKE_OVER_AFTER)
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "log", "log__actor", "log__unit")
            .filter(eligible, pk=notification_id, email_attempts__lt=MAX_ATTEMPTS)
            .first()
        )
        if n is None:
            return None
        if not n.recipient.email:
            n.email_status = S.SKIPPED
            n.save(update_fields=["email_status"])
            return None
        n.email_status = S.SENDING
        n.email_attempts += 1
        n.email_claimed_at = timezone.now()
        n.save(update_fields=["email_status", "email_attempts", "email_claimed_at"])
        return n


def deliver_one(notification_id):
    """Send one notification; once counted as sent it is never sent again. The advisory lock is held from the claim
    to the recorded outcome; a sender that dies in between leaves it 'sending' and unlocked, and the next
    deliver_one (the sweep) sends it again (see _sending)."""
    with _sending(notification_id) as locked:
        if locked is False:  # another worker is sending it right now
            return False
        n = claim(notification_id, take_over=bool(locked))
        if n is None:
            return False
        try:
            send_mail(
                subject=_("【县域集成改革试点】%(text)s") % {"text": n.log.sentence},
                message=_("%(text)s\n\n请登录系统查看：%(url)s")
                % {"text": n.log.sentence, "url": settings.SITE_URL + n.url},
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[n.recipient.email],
            )
        except Exception as exc:
            n.email_status = S.FAILED
            n.email_error = str(exc)[:300]
            n.save(update_fields=["email_status", "email_error"])
            raise
        n.email_status = S.SENT
        n.email_sent_at = timezone.now()
        n.email_error = ""
        n.save(update_fields=["email_status", "email_sent_at", "email_error"])
        return True


@shared_task(
    name="workflow.tasks.deliver_notifications",
    bind=True,
    acks_late=True,
    max_retries=MAX_ATTEMPTS,
    default_retry_delay=60,
)
def deliver_notifications(self, ids):
    failed = []
    for nid in ids:
        try:
            deliver_one(nid)
        except Exception:
            logger.warning("e-mail for notification %s failed", nid, exc_info=True)
            failed.append(nid)
    if failed and not settings.CELERY_TASK_ALWAYS_EAGER:
        raise self.retry(args=[failed])
    return len(ids) - len(failed)


def claim_digest(user_id):
    """Claim every digest-waiting row of one user at once; rows another worker holds are skipped."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(recipient_id=user_id, email_status=S.DIGEST)
            .select_related("recipient", "log", "log__actor", "log__unit")
            .order_by("created_at", "id")
        )
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            email_status=S.SENDING, email_claimed_at=timezone.now(), email_attempts=models.F("email_attempts") + 1
        )
    return rows


@shared_task(name="workflow.tasks.send_digests", acks_late=True)
def send_digests():
    """Daily: one e-mail per user who chose the digest, listing what happened since the last one."""
    sent = 0
    users = Notification.objects.filter(email_status=S.DIGEST).values_list("recipient_id", flat=True).distinct()
    for user_id in list(users):
        rows = claim_digest(user_id)
        if not rows:
            continue
        lines = [f"· {n.log.sentence}  {settings.SITE_URL}{n.url}" for n in rows]
        try:
            send_mail(
                subject=_("【县域集成改革试点】今日汇总：%(n)s条通知") % {"n": len(rows)},
                message="\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[rows[0].recipient.email],
            )
        except Exception as exc:
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                email_status=S.DIGEST, email_error=str(exc)[:300]
            )
            logger.warning("digest for user %s failed", user_id, exc_info=True)
            continue
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            email_status=S.SENT, email_sent_at=timezone.now(), email_error=""
        )
        sent += 1
    return sent


@shared_task(name="workflow.tasks.deliver_pending", acks_late=True)
def deliver_pending():
    """Periodic sweep: deliver every row whose queued message was lost (broker down at commit time)."""
    cutoff = timezone.now() - timedelta(seconds=30)
    due = Q(email_status__in=[S.PENDING, S.FAILED], created_at__lt=cutoff)
    if connection.vendor == "postgresql":  # and sends cut off mid-way (deliver_one checks the sender is gone)
        due |= Q(email_status=S.SENDING, email_claimed_at__lt=timezone.now() - TAKE_OVER_AFTER)
    ids = list(Notification.objects.filter(due, email_attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)[:500])
    sent = 0
    for nid in ids:
        try:
            sent += bool(deliver_one(nid))
        except Exception:
            logger.warning("e-mail for notification %s failed in sweep", nid, exc_info=True)
    return sent
