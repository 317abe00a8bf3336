"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE of the audit tables, and an edit made behind the triggers'
back (as the table owner, triggers disabled) is found by verify_audit. Runs in CI's service pass."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from workflow.audit.events import audit
from workflow.audit.verify import verify
from workflow.models import AuditEvent, TransitionLog, Version

pytestmark = [pytest.mark.services, pytest.mark.django_db]

TABLES = ["workflow_auditevent", "workflow_transitionlog", "workflow_version"]


def _sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        # As in production: no session may truncate (the suite's flush allows it through PGOPTIONS).
        cursor.execute("SET LOCAL jiaxing.audit_truncate = ''")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement, params)


@pytest.mark.parametrize("table", TABLES)
def test_the_database_refuses_truncate_of_every_audit_table(real_services, table):
    audit(AuditEvent.Kind.LOGIN, username="someone")
    with pytest.raises(DatabaseError, match="Cannot truncate"):
        _sql(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.count() == 1


def test_the_database_refuses_update_and_delete_of_security_events(real_services):
    row = audit(AuditEvent.Kind.LOGIN, username="someone")
    with pytest.raises(DatabaseError):
        _sql("UPDATE workflow_auditevent SET username = 'forged' WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError):
        _sql("DELETE FROM workflow_auditevent WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert row.username == "someone"


def test_an_edit_behind_the_triggers_back_is_found_by_the_verifier(real_services):
    rows = [audit(AuditEvent.Kind.LOGIN, username=f"user{i}") for i in range(3)]
    call_command("verify_audit")
    # The owner can switch the triggers off: the hash chain is what still shows the edit.
    _sql(
        "ALTER TABLE workflow_auditevent DISABLE TRIGGER ALL; "
        "UPDATE workflow_auditevent SET username = 'forged' WHERE id = %s; "
        "ALTER TABLE workflow_auditevent ENABLE TRIGGER ALL;",
        [rows[1].pk],
    )
    assert AuditEvent.objects.get(pk=rows[1].pk).username == "forged"
    with pytest.raises(CommandError, match="审计链校验未通过"):
        call_command("verify_audit")
    assert verify(AuditEvent).row_id == rows[1].pk


def test_a_truncate_behind_the_triggers_back_is_found_by_the_verifier(real_services):
    for i in range(2):
        audit(AuditEvent.Kind.LOGIN, username=f"user{i}")
    _sql(
        "ALTER TABLE workflow_auditevent DISABLE TRIGGER ALL; TRUNCATE workflow_auditevent; "
        "ALTER TABLE workflow_auditevent ENABLE TRIGGER ALL;"
    )
    assert "缺少序号1–2" in verify(AuditEvent).message


def test_purge_runs_past_the_trigger_as_the_owner_and_keeps_the_chain(real_services):
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(days=365)
    for i in range(2):
        AuditEvent.objects.create(kind="login", username=f"old{i}", created_at=old)
    audit(AuditEvent.Kind.LOGIN, username="recent")
    call_command("purge_audit", before=(timezone.localdate() - timedelta(days=181)).isoformat())
    assert not AuditEvent.objects.filter(username__startswith="old").exists()
    assert verify(AuditEvent) is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_queue_on_the_chain_head(real_services):
    """Two connections appending at once: the second waits for the first's head lock, never forks the chain."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(4)
    errors = []

    def writer(i):
        try:
            barrier.wait(timeout=10)
            for j in range(5):
                audit(AuditEvent.Kind.LOGIN, username=f"w{i}-{j}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = list(AuditEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert seqs == list(range(1, 21))
    assert verify(AuditEvent) is None
    assert verify(TransitionLog) is None and verify(Version) is None
