"""manage.py backup / restore: one dated archive (pg_dump custom format + media, SM4 when asked) that brings
back the same records, attachments and audit trail into an empty database, and refuses a non-empty one."""

import io
import os
import shutil
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection

from jiaxing_pilot import backups

PASSPHRASE = "a-long-test-passphrase-2026"


def _fake_backup(tmp_path, *, encrypt):
    """An archive made by the same writer the command uses, from a stand-in dump and two media files."""
    dump = tmp_path / "work" / "database.dump"
    dump.parent.mkdir()
    dump.write_bytes(b"PGDMP fake dump")
    media = tmp_path / "media"
    (media / "attachments" / "2026").mkdir(parents=True)
    (media / "attachments" / "2026" / "申报书.pdf").write_bytes(b"%PDF-1.7 content")
    (media / "top.txt").write_text("x")
    target = tmp_path / backups.archive_name(encrypted=encrypt)
    backups.write_archive(target, dump, media, encrypt=encrypt)
    return target


def test_sm4_archive_is_unreadable_without_the_passphrase_and_complete_with_it(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    archive = _fake_backup(tmp_path, encrypt=True)
    assert archive.name.endswith(".tar.sm4") and backups.is_encrypted(archive)
    assert b"PDF-1.7" not in archive.read_bytes() and oct(archive.stat().st_mode)[-3:] == "600"
    with pytest.raises(tarfile.TarError), tarfile.open(archive) as tar:
        tar.getnames()

    manifest = backups.extract_archive(archive, tmp_path / "out")
    assert (tmp_path / "out" / "media" / "attachments" / "2026" / "申报书.pdf").read_bytes() == b"%PDF-1.7 content"
    assert set(manifest["media"]) == {"attachments/2026/申报书.pdf", "top.txt"}

    monkeypatch.setenv("BACKUP_PASSPHRASE", "the-wrong-passphrase-123")
    with pytest.raises(CommandError, match="口令不对或文件已损坏"):
        backups.extract_archive(archive, tmp_path / "wrong")


def test_a_tampered_archive_is_refused(tmp_path):
    archive = _fake_backup(tmp_path, encrypt=False)
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    (unpacked / "media" / "top.txt").write_text("changed")
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(tampered, "w") as tar:
        for name in ("manifest.json", "database.dump", "media"):
            tar.add(unpacked / name, arcname=name)
    with pytest.raises(CommandError, match=r"校验不符：media/top\.txt"):
        backups.extract_archive(tampered, tmp_path / "out")


def test_encryption_needs_a_real_passphrase(monkeypatch):
    monkeypatch.delenv("BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match="BACKUP_PASSPHRASE"):
        backups.passphrase()


def test_old_archives_are_pruned_newest_kept(tmp_path):
    names = [f"jiaxing-pilot-2026010{d}-020000.tar.sm4" for d in range(1, 6)]
    for name in [*names, "unrelated.txt"]:
        (tmp_path / name).write_text("x")
    removed = backups.prune(tmp_path, 2)
    assert [p.name for p in removed] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "unrelated.txt"])


def test_backup_says_plainly_it_needs_postgresql(monkeypatch):
    class SQLite:
        vendor = "sqlite"

    monkeypatch.setattr(backups, "connection", SQLite())
    with pytest.raises(CommandError, match="只支持 PostgreSQL"):
        call_command("backup")


# --- the real thing, on PostgreSQL -------------------------------------------------------------
def _snapshot():
    from applications.models import Application
    from workflow.models import Attachment, AuditEvent, TransitionLog

    def rows(model, *fields):
        return sorted(model.objects.values_list(*fields))

    return {
        "applications": rows(Application, "pk", "status", "project_name", "county_id"),
        "log": rows(TransitionLog, "pk", "action", "actor_id", "from_state", "to_state", "comment", "created_at"),
        "audit": rows(AuditEvent, "pk", "kind", "actor_id", "username", "created_at"),
        "attachments": rows(Attachment, "pk", "original_name", "size", "file"),
    }


def _recreate_database(name):
    """DROP and CREATE the test database itself (as an operator restoring onto a new server would)."""
    db = settings.DATABASES["default"]
    connection.close()
    admin = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"]
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_backup_drop_restore_brings_back_records_attachments_and_audit_trail(
    real_services, tmp_path, monkeypatch, county_nanhu, office_reviewer
):
    from applications import services
    from applications.tests.factories import filled_application, listed_candidate, open_batch
    from workflow.models import Attachment, TransitionLog
    from workflow.services import save_attachments

    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump/pg_restore are needed (apt-get install postgresql-client)")
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    save_attachments(
        app, [SimpleUploadedFile("实施方案.pdf", b"%PDF-1.7 plan", content_type="application/pdf")], actor=county_nanhu
    )
    app = services.submit_application(actor=county_nanhu, application=app)
    services.review_application(actor=office_reviewer, application=app, name="return_to_county", comment="请补充。")
    before = _snapshot()
    assert before["log"] and before["attachments"] and before["applications"][0][1] == "returned"

    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), encrypt=True, stdout=out)
    (archive,) = (tmp_path / "backups").iterdir()
    assert archive.name.startswith("jiaxing-pilot-20") and archive.name.endswith(".tar.sm4")
    assert "附件1个" in out.getvalue() and "SM4加密" in out.getvalue()

    name = settings.DATABASES["default"]["NAME"]
    _recreate_database(name)
    shutil.rmtree(settings.MEDIA_ROOT)
    call_command("restore", str(archive), stdout=io.StringIO())

    assert _snapshot() == before
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as f:
        assert f.read() == b"%PDF-1.7 plan"
    assert TransitionLog.objects.filter(object_id=app.pk, action="application.return_to_county").exists()
    if "verify_audit" in get_commands():  # the audit hash chain (issue 21) still verifies after the round trip
        call_command("verify_audit", stdout=io.StringIO())

    # A second restore onto the now non-empty database is refused and changes nothing.
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert _snapshot() == before
    assert os.listdir(Path(settings.MEDIA_ROOT))
