"""The audit trail shows tampering: hash chain on every append-only row, verify_audit, the daily check, purge."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from workflow.audit.events import audit
from workflow.audit.verify import verify, verify_all, verify_audit_chain
from workflow.engine.chain import AuditChainHead, row_hash
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def _sql(statement, params=()):
    """An edit behind the application's back (on PostgreSQL also behind the triggers, as the table owner)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in ("workflow_auditevent", "workflow_transitionlog"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            for table in ("workflow_auditevent", "workflow_transitionlog"):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def events(n):
    return [audit(AuditEvent.Kind.LOGIN, username=f"user{i}", seq_test=i) for i in range(n)]


def verify_output():
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue()


def test_each_row_links_to_the_previous_one_and_the_chain_verifies():
    rows = events(3)
    assert [r.chain_seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == "" and rows[1].prev_hash == rows[0].row_hash and rows[2].prev_hash == rows[1].row_hash
    assert all(r.row_hash.startswith("sha256:") for r in rows)
    head = AuditChainHead.objects.get(table="workflow_auditevent")
    assert (head.seq, head.last_hash) == (3, rows[2].row_hash)
    ok, out = verify_output()
    assert ok and "审计链完整" in out


def test_sm3_is_used_when_configured_and_both_kinds_of_rows_verify(settings):
    events(1)
    settings.AUDIT_HASH = "sm3"
    sm3_row = events(1)[0]
    assert sm3_row.row_hash.startswith("sm3:") and len(sm3_row.row_hash) == len("sm3:") + 64
    settings.AUDIT_HASH = "sha256"  # a later change of setting does not break the older rows
    assert verify(AuditEvent) is None


def test_a_changed_row_is_found_and_named():
    rows = events(3)
    _sql("UPDATE workflow_auditevent SET username = 'forged' WHERE id = %s", [rows[1].pk])
    problem = verify(AuditEvent)
    assert problem.seq == 2 and problem.row_id == rows[1].pk and "篡改" in problem.message
    ok, out = verify_output()
    assert not ok and "序号2" in out and "审计链校验未通过" in out


def test_a_deleted_row_is_a_missing_link():
    rows = events(3)
    _sql("DELETE FROM workflow_auditevent WHERE id = %s", [rows[1].pk])
    problem = verify(AuditEvent)
    assert problem.seq == 2 and "缺少序号2" in problem.message


def test_an_emptied_table_is_found_from_the_chain_head():
    events(2)
    _sql("DELETE FROM workflow_auditevent")
    problem = verify(AuditEvent)
    assert "缺少序号1–2" in problem.message


def test_a_row_slipped_in_without_a_link_is_found():
    rows = events(2)
    _sql(
        "INSERT INTO workflow_auditevent (kind, result, username, path, details, created_at, prev_hash, row_hash, "
        "object_type, object_id) VALUES ('login', 'success', 'ghost', '', '{}', %s, '', '', '', '')",
        [timezone.now()],
    )
    problem = verify(AuditEvent)
    assert problem is not None and "不在审计链中" in problem.message and problem.row_id > rows[1].pk


def test_transition_rows_and_versions_are_chained_too(county_nanhu, office_reviewer):
    from applications.tests.factories import filled_application, listed_candidate, open_batch
    from workflow.models import TransitionLog

    filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    logs = list(TransitionLog.objects.order_by("chain_seq"))
    assert logs and [log.chain_seq for log in logs] == list(range(1, len(logs) + 1))
    assert all(log.row_hash == row_hash(log, log.prev_hash) for log in logs)
    problems, heads = verify_all()
    assert problems == [] and heads["workflow_transitionlog"][0] == len(logs)
    _sql("UPDATE workflow_transitionlog SET comment = '伪造' WHERE id = %s", [logs[0].pk])
    assert verify(TransitionLog).row_id == logs[0].pk


def test_the_daily_job_records_the_check_and_alerts_the_security_administrators(make_user, settings):
    make_user("secadmin", "info-center", role="security_admin")
    rows = events(2)
    assert verify_audit_chain() == 0 and mail.outbox == []
    _sql("UPDATE workflow_auditevent SET username = 'forged' WHERE id = %s", [rows[0].pk])
    assert verify_audit_chain() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["secadmin@example.test"]
    assert "审计记录校验未通过" in mail.outbox[0].subject and "序号1" in mail.outbox[0].body
    check = AuditEvent.objects.filter(kind=AuditEvent.Kind.AUDIT_VERIFIED).order_by("-chain_seq").first()
    assert check.result == AuditEvent.Result.FAILURE and check.details["problems"]


def test_the_beat_schedule_runs_the_check_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["verify-audit-chain"]
    assert entry["task"] == "workflow.verify_audit_chain"
    from jiaxing_pilot.celery import app

    assert "workflow.verify_audit_chain" in app.tasks


def test_purge_refuses_records_younger_than_180_days():
    events(1)
    too_recent = (timezone.localdate() - timedelta(days=179)).isoformat()
    with pytest.raises(CommandError, match="至少保留180天"):
        call_command("purge_audit", before=too_recent)
    assert AuditEvent.objects.count() == 1


def test_purge_removes_old_events_from_the_chains_start_and_the_rest_still_verifies():
    old = timezone.now() - timedelta(days=400)
    for i in range(3):
        AuditEvent.objects.create(kind="login", username=f"old{i}", created_at=old)
    recent = events(2)
    call_command("purge_audit", before=(timezone.localdate() - timedelta(days=200)).isoformat())
    names = list(AuditEvent.objects.order_by("chain_seq").values_list("username", flat=True))
    assert names[:2] == [r.username for r in recent] and "old0" not in names
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.AUDIT_PURGED, details__rows=3).exists()
    assert verify(AuditEvent) is None


def test_the_application_cannot_change_or_remove_a_row():
    row = events(1)[0]
    row.username = "x"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).update(username="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def _batch_of_logs(target, n):
    from workflow.engine.log import record_many
    from workflow.models import SYSTEM_ROLE

    return record_many(
        [(target, f"batch.test_{i}", {"i": i}) for i in range(n)],
        actor=None,
        role=SYSTEM_ROLE,
    )


def test_a_batch_append_continues_the_chain_and_verifies_like_single_rows(county_nanhu):
    from workflow.models import SYSTEM_ROLE, TransitionLog
    from workflow.services import record

    first = record(county_nanhu, "batch.before", actor=None, role=SYSTEM_ROLE)
    batch = _batch_of_logs(county_nanhu, 5)
    after = record(county_nanhu, "batch.after", actor=None, role=SYSTEM_ROLE)
    logs = list(TransitionLog.objects.order_by("chain_seq"))
    assert [log.action for log in logs] == ["batch.before"] + [f"batch.test_{i}" for i in range(5)] + ["batch.after"]
    assert [log.chain_seq for log in logs] == list(range(first.chain_seq, after.chain_seq + 1))
    assert batch[0].prev_hash == first.row_hash and after.prev_hash == batch[-1].row_hash
    assert all(b.pk for b in batch)
    ok, out = verify_output()
    assert ok and "审计链完整" in out


def test_a_tampered_row_inside_a_batch_is_found_and_named(county_nanhu):
    from workflow.models import TransitionLog

    batch = _batch_of_logs(county_nanhu, 5)
    _sql("UPDATE workflow_transitionlog SET action = 'forged' WHERE id = %s", [batch[2].pk])
    problem = verify(TransitionLog)
    assert problem.seq == batch[2].chain_seq and problem.row_id == batch[2].pk and "篡改" in problem.message
    ok, out = verify_output()
    assert not ok and f"序号{batch[2].chain_seq}" in out


def test_a_row_removed_from_inside_a_batch_is_a_missing_link(county_nanhu):
    from workflow.models import TransitionLog

    batch = _batch_of_logs(county_nanhu, 5)
    _sql("DELETE FROM workflow_transitionlog WHERE id = %s", [batch[3].pk])
    problem = verify(TransitionLog)
    assert problem.seq == batch[3].chain_seq and "缺少序号" in problem.message
