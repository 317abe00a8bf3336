"""Tamper-evident hash chain over the append-only audit tables (等保: audit records protected from change).

Every row of an append-only table (transition log, versions, security events) carries its place in its
table's chain (``chain_seq``), the previous row's hash (``prev_hash``) and its own hash (``row_hash``) over
its content and ``prev_hash``: SM3 (国密, via gmssl) when ``AUDIT_HASH=sm3``, SHA-256 otherwise; the
algorithm is written in front of each hash, so rows made before a change of setting still verify.
One head row per table (``AuditChainHead``) holds the last sequence number and hash; an insert locks it
(``select_for_update``) in the inserting transaction, so concurrent writers queue and the chain stays a
line. ``verify`` walks a table and names the first broken or missing link.
"""

import datetime
import hashlib
import ipaddress
import json
import logging
from dataclasses import dataclass
from decimal import Decimal

from celery import shared_task
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

ALGORITHMS = ("sha256", "sm3")
CHAIN_FIELDS = {"id", "chain_seq", "prev_hash", "row_hash"}


class AuditChainHead(models.Model):
    """The end of one table's chain; ``base_*`` mark where it starts after a purge of old rows."""

    table = models.CharField(_("数据表"), max_length=63, primary_key=True)
    seq = models.PositiveBigIntegerField(_("最后序号"), default=0)
    last_hash = models.CharField(_("最后摘要"), max_length=80, blank=True)
    base_seq = models.PositiveBigIntegerField(_("起始序号"), default=0)
    base_hash = models.CharField(_("起始摘要"), max_length=80, blank=True)

    class Meta:
        app_label = "workflow"
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self):
        return f"{self.table} #{self.seq}"


def algorithm():
    name = str(getattr(settings, "AUDIT_HASH", "sha256")).lower()
    return name if name in ALGORITHMS else "sha256"


def digest(name, data):
    if name == "sm3":
        from gmssl import func, sm3

        return sm3.sm3_hash(func.bytes_to_list(data))
    return hashlib.sha256(data).hexdigest()


def _normal(field, value):
    """One canonical form per value, identical before the insert and after reading the row back."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(field, models.GenericIPAddressField):
        return ipaddress.ip_address(value).compressed
    return value


def canonical(obj):
    """The row's content as canonical JSON bytes (every concrete field but the chain's own and the id)."""
    added = getattr(obj, "CHAIN_ADDED_FIELDS", ())
    content = {
        f.attname: _normal(f, getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.attname not in CHAIN_FIELDS and not (f.attname in added and getattr(obj, f.attname) is None)
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def row_hash(obj, prev_hash, name=None):
    name = name or algorithm()
    return f"{name}:{digest(name, (prev_hash or '').encode() + b'|' + canonical(obj))}"


def _head(table, using):
    heads = AuditChainHead.objects.using(using)
    try:
        return heads.select_for_update().get(table=table)
    except AuditChainHead.DoesNotExist:
        heads.bulk_create([AuditChainHead(table=table)], ignore_conflicts=True)
        return heads.select_for_update().get(table=table)


def append(obj, save, using="default"):
    """Insert ``obj`` (via ``save()``) as the next link of its table's chain, inside one transaction with the
    head row locked: two writers never get the same sequence number or previous hash."""
    with transaction.atomic(using=using):
        head = _head(obj._meta.db_table, using)
        obj.chain_seq = head.seq + 1
        obj.prev_hash = head.last_hash
        obj.row_hash = row_hash(obj, obj.prev_hash)
        save()
        AuditChainHead.objects.using(using).filter(pk=head.pk).update(seq=obj.chain_seq, last_hash=obj.row_hash)


def append_many(objs, using="default", batch_size=1000):
    """Insert ``objs`` (unsaved rows of one append-only model) as the next links of its chain, in order: one head
    lock, the hashes chained here, one multi-row insert and one head update per call. The rows verify exactly as
    if each had been appended alone; ``save()`` is not called (no signals, as with any ``bulk_create``)."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if any(type(o) is not model or o.pk is not None for o in objs):
        raise ValueError("append_many takes unsaved rows of one model")
    with transaction.atomic(using=using):
        head = _head(model._meta.db_table, using)
        seq, prev, name = head.seq, head.last_hash, algorithm()
        for obj in objs:
            seq += 1
            obj.chain_seq, obj.prev_hash = seq, prev
            obj.row_hash = prev = row_hash(obj, prev, name)
        # A plain QuerySet: the append-only one's bulk_create saves row by row (each taking the lock again).
        models.QuerySet(model, using=using).bulk_create(objs, batch_size=batch_size)
        AuditChainHead.objects.using(using).filter(pk=head.pk).update(seq=seq, last_hash=prev)
    return objs


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
    from django.apps import apps

    from .models import AppendOnlyModel

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
    from .audit import audit
    from .models import AuditEvent

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
    from contextlib import nullcontext

    from django.db import connections

    if connections[using].vendor != "postgresql":
        return nullcontext()
    import pgtrigger

    return pgtrigger.ignore(f"{model._meta.app_label}.{model.__name__}:append_only")


def security_admin_emails():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(memberships__role="security_admin", is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@shared_task(name="workflow.verify_audit_chain")
def verify_audit_chain():
    """The daily check (celery beat): verify every chain, record the result as a security event, log the head
    hashes (kept outside the database by the log collector) and e-mail the security administrators when a link
    is broken or missing."""
    from django.core.mail import send_mail

    from .audit import audit
    from .models import AuditEvent

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
