"""Tamper-evident hash chain over the append-only audit tables (等保: audit records protected from change).

Every row of an append-only table (transition log, versions, security events) carries its place in its
table's chain (``chain_seq``), the previous row's hash (``prev_hash``) and its own hash (``row_hash``) over
its content and ``prev_hash``: SM3 (国密, via gmssl) when ``AUDIT_HASH=sm3``, SHA-256 otherwise; the
algorithm is written in front of each hash, so rows made before a change of setting still verify.
One head row per table (``AuditChainHead``) holds the last sequence number and hash; an insert locks it
(``select_for_update``) in the inserting transaction, so concurrent writers queue and the chain stays a
line. Checking the chain (``verify``, the daily task, the purge) is the audit's: ``workflow.audit.verify``.
"""

import datetime
import hashlib
import ipaddress
import json
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

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
        # deferred: gmssl (SM3) is loaded only where AUDIT_HASH=sm3 asks for it
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
