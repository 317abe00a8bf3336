"""manage.py backup: the database (pg_dump custom format) and the media files in one dated archive."""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from jiaxing_pilot import backups


class Command(BaseCommand):
    help = "备份数据库（pg_dump 自定义格式）和全部附件到一个带日期的归档文件；--encrypt 用 SM4 加密。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=os.environ.get("BACKUP_DIR") or str(settings.BASE_DIR / "var" / "backups"),
            help="存放备份的目录（默认 BACKUP_DIR 或 var/backups）",
        )
        parser.add_argument("--encrypt", action="store_true", help="用 SM4 加密（口令取自环境变量 BACKUP_PASSPHRASE）")
        parser.add_argument("--keep", type=int, default=0, help="只保留最新的这么多份备份（0：全部保留）")

    def handle(self, *args, output, encrypt, keep, **options):
        backups.require_postgresql()
        if encrypt:
            backups.passphrase()
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / backups.archive_name(encrypted=encrypt)
        partial = target.with_name(target.name + ".partial")
        with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as work:
            dump = Path(work) / "database.dump"
            backups.run(
                [backups.tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)]
            )
            try:
                manifest = backups.write_archive(partial, dump, Path(settings.MEDIA_ROOT), encrypt=encrypt)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        partial.rename(target)  # only a complete archive ever carries the final name
        removed = backups.prune(folder, keep) if keep else []
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{target}（{target.stat().st_size}字节，附件{len(manifest['media'])}个"
                f"{'，SM4加密' if encrypt else ''}）"
            )
        )
        for path in removed:
            self.stdout.write(f"已删除旧备份：{path.name}")
        return None
