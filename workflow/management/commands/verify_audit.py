"""verify_audit: walks the hash chain of every audit table and exits non-zero at the first broken or missing link."""

from django.core.management.base import BaseCommand, CommandError

from ...audit.verify import verify_all


class Command(BaseCommand):
    help = "校验审计记录的摘要链（流转记录、提交版本、安全审计事件）；发现篡改、删除或清空时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database="default", **options):
        problems, heads = verify_all(database)
        for table, (seq, last_hash) in sorted(heads.items()):
            self.stdout.write(f"{table}：{seq}条，链头{last_hash or '—'}")
        if problems:
            for problem in problems:
                self.stderr.write(f"审计链断开：{problem}")
            raise CommandError(f"审计链校验未通过：{len(problems)} 个数据表有断开或缺失的链接。")
        self.stdout.write(self.style.SUCCESS("审计链完整。"))
