"""Backup archives: a PostgreSQL dump (pg_dump custom format) and the media files in one dated tar, optionally
encrypted with SM4 (国密, OpenSSL's sm4-cbc with a PBKDF2 key from BACKUP_PASSPHRASE); used by manage.py
backup and manage.py restore."""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

FORMAT = 1
PREFIX = "jiaxing-pilot-"
PASSPHRASE_ENV = "BACKUP_PASSPHRASE"  # noqa: S105 - the name of the variable, not a password
# OpenSSL writes this at the start of everything it encrypts with a salt; restore recognises archives by it.
OPENSSL_MAGIC = b"Salted__"
SM4 = ["enc", "-sm4-cbc", "-salt", "-pbkdf2", "-iter", "200000", "-md", "sha256", "-pass", f"env:{PASSPHRASE_ENV}"]


def archive_name(now=None, *, encrypted=False):
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return f"{PREFIX}{stamp}.tar" + (".sm4" if encrypted else "")


def require_postgresql():
    if connection.vendor != "postgresql":
        raise CommandError(
            "备份和恢复只支持 PostgreSQL 数据库（DATABASE_URL=postgres://…）；SQLite 请直接复制数据库文件。"
        )


def pg_env():
    """libpq's environment for the configured database: no password on any command line."""
    db = settings.DATABASES["default"]
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    return env


def tool(name):
    path = shutil.which(name)
    if not path:
        raise CommandError(f"找不到 {name}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）。")
    return path


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, env=pg_env(), check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{Path(argv[0]).name} 失败：{result.stderr.strip()[-2000:]}")
    return result


def passphrase():
    value = os.environ.get(PASSPHRASE_ENV, "")
    if len(value) < 12:
        raise CommandError(f"加密备份需要环境变量 {PASSPHRASE_ENV}（至少12个字符）。")
    return value


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root):
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


@contextmanager
def _openssl(args, stdin, stdout):
    passphrase()  # fails early, with the message, when it is missing
    proc = subprocess.Popen([tool("openssl"), *args], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)  # noqa: S603
    try:
        yield proc
    finally:
        for pipe in (proc.stdin, proc.stdout):
            if pipe:
                pipe.close()  # openssl must not wait on a pipe nobody reads or writes any more
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.wait() != 0:
            raise CommandError(f"SM4 加解密失败（口令不对或文件已损坏）：{err.strip()[-500:]}")


def write_archive(target, dump, media_root, *, encrypt):
    """Write dump + media + manifest into ``target`` (a .partial name; the caller renames it when complete)."""
    files = media_files(media_root)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": settings.DATABASES["default"]["NAME"],
        "encrypted": "sm4-cbc" if encrypt else None,
        "database_dump": {"name": "database.dump", "sha256": sha256(dump), "size": dump.stat().st_size},
        "media": {str(p.relative_to(media_root)): sha256(p) for p in files},
    }
    manifest_path = dump.with_name("manifest.json")
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")

    def fill(tar):
        tar.add(manifest_path, arcname="manifest.json")
        tar.add(dump, arcname="database.dump")
        for path in files:
            tar.add(path, arcname=f"media/{path.relative_to(media_root)}")

    with open(target, "wb") as out:
        os.chmod(target, 0o600)
        if encrypt:
            # Streamed straight into openssl: the plain archive never touches the disk.
            with _openssl(SM4, subprocess.PIPE, out) as proc, tarfile.open(fileobj=proc.stdin, mode="w|") as tar:
                fill(tar)
        else:
            with tarfile.open(fileobj=out, mode="w|") as tar:
                fill(tar)
    return manifest


def is_encrypted(archive):
    with open(archive, "rb") as f:
        return f.read(len(OPENSSL_MAGIC)) == OPENSSL_MAGIC


def extract_archive(archive, into):
    """Unpack (decrypting when needed) into ``into`` and check every file against the manifest."""
    into = Path(into)
    if is_encrypted(archive):
        with open(archive, "rb") as src, _openssl([*SM4, "-d"], src, subprocess.PIPE) as proc:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                tar.extractall(into, filter="data")
            proc.stdout.read()  # drain, so openssl can finish
    else:
        try:
            with tarfile.open(archive, mode="r:") as tar:
                tar.extractall(into, filter="data")
        except tarfile.TarError as exc:
            raise CommandError(f"不是有效的备份文件：{exc}") from exc
    manifest_path = into / "manifest.json"
    if not manifest_path.exists():
        raise CommandError("备份文件中没有 manifest.json，不是本系统的备份。")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise CommandError(f"备份格式版本 {manifest.get('format')} 不受支持。")
    bad = []
    if sha256(into / "database.dump") != manifest["database_dump"]["sha256"]:
        bad.append("database.dump")
    for name, digest in manifest["media"].items():
        path = into / "media" / name
        if not path.is_file() or sha256(path) != digest:
            bad.append(f"media/{name}")
    if bad:
        raise CommandError("备份文件已损坏，校验不符：" + "，".join(bad[:10]))
    return manifest


def prune(folder, keep):
    """Delete all but the newest ``keep`` archives this command wrote (by name, which sorts by date)."""
    archives = sorted(p for p in Path(folder).glob(f"{PREFIX}*.tar*") if not p.name.endswith(".partial"))
    removed = archives[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def database_is_empty():
    return not connection.introspection.table_names()
