"""Checking the audit hash chain (``workflow.engine.chain`` writes it): ``verify`` walks a table and names the first
broken or missing link, ``verify_all`` every table, the daily task reports, ``purge_before`` removes old security
events and moves the chain's start past them."""

import logging
from contextlib import nullcontext
from dataclasses import dataclass

import pgtrigger
from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import connections, models, transaction

from accounts.models import User

from ..engine.chain import ALGORITHMS, AuditChainHead, _head, row_hash
from ..engine.models import AppendOnlyModel
from .events import audit
from .models import AuditEvent

logger = logging.getLogger(__name__)


@dataclass
class Problem:
    table: str
    seq: int | None
    row_id: int | None
    message: str

    def __str__(self):
        where = f"{self.table}"
        if self.seq is not None:
            where += f" 序号{self.seq}"
        if self.row_id is not None:
            where += f"（id={self.row_id}）"
        return f"{where}：{self.message}"


def chained_models():
    return [m for m in apps.get_models() if issubclass(m, AppendOnlyModel)]


def verify(model, using="default"):
    """The first broken or missing link of ``model``'s chain, or None when the whole chain holds."""
    table = model._meta.db_table
    rows = model._base_manager.using(using)
    head = AuditChainHead.objects.using(using).filter(table=table).first()
    expected, prev = (head.base_seq + 1, head.base_hash) if head else (1, "")
    first_chained = rows.filter(chain_seq__isnull=False).order_by("pk").values_list("pk", flat=True).first()
    if first_chained is not None:
        # Rows written before the chain existed carry no hash; one appearing after it began was slipped in.
        intruder = rows.filter(chain_seq__isnull=True, pk__gt=first_chained).order_by("pk").first()
        if intruder is not None:
            return Problem(table, None, intruder.pk, "记录不在审计链中（可能被绕过程序直接插入）")
    for row in rows.filter(chain_seq__isnull=False).order_by("chain_seq").iterator(chunk_size=2000):
        if row.chain_seq != expected:
            missing = f"{expected}" if row.chain_seq == expected + 1 else f"{expected}–{row.chain_seq - 1}"
            return Problem(table, expected, None, f"缺少序号{missing}的记录（可能被删除）")
        if row.prev_hash != prev:
            return Problem(table, row.chain_seq, row.pk, "与上一条记录的链接断开")
        name = row.row_hash.split(":", 1)[0] if ":" in row.row_hash else "sha256"
        if name not in ALGORITHMS or row.row_hash != row_hash(row, row.prev_hash, name):
            return Problem(table, row.chain_seq, row.pk, "记录内容与摘要不符（可能被篡改）")
        prev, expected = row.row_hash, expected + 1
    if head is not None and head.seq != expected - 1:
        missing = f"{expected}" if head.seq == expected else f"{expected}–{head.seq}"
        return Problem(table, expected, None, f"缺少序号{missing}的记录（可能被删除或清空）")
    if head is not None and head.seq and head.last_hash != prev:
        return Problem(table, head.seq, None, "链头摘要与最后一条记录不符")
    return None


def verify_all(using="default"):
    """(problems, heads): one Problem per broken table, and the head hash of every table (the daily
    report keeps them outside the database, so a rewrite of the whole chain is noticed too)."""
    problems, heads = [], {}
    for model in chained_models():
        problem = verify(model, using)
        if problem is not None:
            problems.append(problem)
        head = AuditChainHead.objects.using(using).filter(table=model._meta.db_table).first()
        heads[model._meta.db_table] = (head.seq, head.last_hash) if head else (0, "")
    return problems, heads


def purge_before(cutoff, using="default"):
    """Remove security events older than ``cutoff`` from the start of their chain and move the chain's start
    (``base_*``) past them, so the rest still verifies. The caller (``purge_audit``) enforces the retention
    period; on PostgreSQL this runs as the table owner and past the append-only trigger, and is itself audited."""
    model, removed = AuditEvent, 0
    with transaction.atomic(using=using):
        head = _head(model._meta.db_table, using)
        rows = model._base_manager.using(using)
        keep_from = (
            rows.filter(chain_seq__gt=head.base_seq, created_at__gte=cutoff)
            .order_by("chain_seq")
            .values_list("chain_seq", flat=True)
            .first()
        )
        last = head.seq if keep_from is None else keep_from - 1
        doomed = rows.filter(chain_seq__isnull=True, created_at__lt=cutoff)
        boundary = None
        if last > head.base_seq:
            boundary = rows.filter(chain_seq=last).values_list("row_hash", flat=True).first()
            doomed = rows.filter(
                models.Q(chain_seq__gt=head.base_seq, chain_seq__lte=last)
                | models.Q(chain_seq__isnull=True, created_at__lt=cutoff)
            )
        with _past_append_only_trigger(model, using):
            removed = doomed._raw_delete(using)
        if boundary is not None:
            AuditChainHead.objects.using(using).filter(pk=head.pk).update(base_seq=last, base_hash=boundary)
    audit(
        AuditEvent.Kind.AUDIT_PURGED,
        before=cutoff.isoformat(),
        rows=removed,
        chain_start=last if boundary is not None else head.base_seq,
    )
    return removed


def _past_append_only_trigger(model, using):
    if connections[using].vendor != "postgresql":
        return nullcontext()
    return pgtrigger.ignore(f"{model._meta.app_label}.{model.__name__}:append_only")


def security_admin_emails():
    users = User.objects.filter(memberships__role="security_admin", is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@shared_task(name="workflow.verify_audit_chain")
def verify_audit_chain():
    """The daily check (celery beat): verify every chain, record the result as a security event, log the head
    hashes (kept outside the database by the log collector) and e-mail the security administrators when a link
    is broken or missing."""
    problems, heads = verify_all()
    for table, (seq, last_hash) in sorted(heads.items()):
        logger.info("audit chain %s: %s rows, head %s", table, seq, last_hash)
    audit(
        AuditEvent.Kind.AUDIT_VERIFIED,
        result=AuditEvent.Result.FAILURE if problems else AuditEvent.Result.SUCCESS,
        problems=[str(p) for p in problems],
        heads={table: seq for table, (seq, _hash) in heads.items()},
    )
    if problems:
        text = "\n".join(str(p) for p in problems)
        logger.error("audit chain broken: %s", text)
        recipients = security_admin_emails()
        if recipients:
            send_mail(
                subject="【县域集成改革试点】审计记录校验未通过，请立即核查",
                message=f"每日审计链校验发现以下问题：\n\n{text}\n\n请运行 manage.py verify_audit 复核。",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
    return len(problems)
