"""Delivery of the notification outbox by e-mail: idempotent, retried, never sent twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
S = Notification.EmailStatus


def claim(notification_id):
    """Mark one row as being sent; only one worker can claim it (row lock + status check)."""
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "log", "log__actor", "log__unit")
            .filter(pk=notification_id, email_status__in=[S.PENDING, S.FAILED], email_attempts__lt=MAX_ATTEMPTS)
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
    """Send one claimed notification. A crash after sending leaves it 'sending': it is never re-sent."""
    n = claim(notification_id)
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


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS, default_retry_delay=60)
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


@shared_task(acks_late=True)
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


@shared_task(acks_late=True)
def deliver_pending():
    """Periodic sweep: deliver every row whose queued message was lost (broker down at commit time)."""
    cutoff = timezone.now() - timedelta(seconds=30)
    ids = list(
        Notification.objects.filter(
            email_status__in=[S.PENDING, S.FAILED], email_attempts__lt=MAX_ATTEMPTS, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    sent = 0
    for nid in ids:
        try:
            sent += bool(deliver_one(nid))
        except Exception:
            logger.warning("e-mail for notification %s failed in sweep", nid, exc_info=True)
    return sent
