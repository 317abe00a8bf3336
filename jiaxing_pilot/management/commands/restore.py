"""manage.py restore ARCHIVE: brings a backup back into an empty database and an empty MEDIA_ROOT."""

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jiaxing_pilot import backups


class Command(BaseCommand):
    help = "从 manage.py backup 的归档恢复数据库和附件。目标数据库必须为空（--force 覆盖）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar 或 SM4 加密的 .tar.sm4）")
        parser.add_argument("--force", action="store_true", help="目标数据库或附件目录不为空时仍然恢复（覆盖）")

    def handle(self, *args, archive, force, **options):
        backups.require_postgresql()
        archive = Path(archive)
        if not archive.is_file():
            raise CommandError(f"找不到备份文件：{archive}")
        media_root = Path(settings.MEDIA_ROOT)
        if not force:
            if not backups.database_is_empty():
                raise CommandError(
                    f"目标数据库“{settings.DATABASES['default']['NAME']}”不是空的，未做任何改动。"
                    "请恢复到新建的空数据库；确需覆盖请加 --force。"
                )
            if backups.media_files(media_root):
                raise CommandError(f"附件目录“{media_root}”不是空的，未做任何改动。确需覆盖请加 --force。")
        with tempfile.TemporaryDirectory(prefix="jx-restore-") as work:
            manifest = backups.extract_archive(archive, work)
            connection.close()  # pg_restore works on its own connection; ours must hold no locks
            restore = [backups.tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
            if force:
                restore += ["--clean", "--if-exists"]
            dbname = settings.DATABASES["default"]["NAME"]
            backups.run([*restore, "--dbname", dbname, str(Path(work) / "database.dump")])
            source = Path(work) / "media"
            if source.is_dir():
                shutil.copytree(source, media_root, dirs_exist_ok=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：数据库“{settings.DATABASES['default']['NAME']}”，附件{len(manifest['media'])}个"
                f"（备份于{manifest['created_at']}）。"
            )
        )
