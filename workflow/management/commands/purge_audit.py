"""purge_audit: removes security audit events older than the retention period (at least 180 days), never younger."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from ...audit.verify import purge_before


class Command(BaseCommand):
    help = (
        "清理早于指定日期的安全审计事件（等保和网络安全法要求至少保留6个月：180天以内的记录一律拒绝清理）。"
        "须以数据库属主身份运行（应用账号对审计表只有 INSERT 和 SELECT 权限）。流转记录随业务记录永久保存，不清理。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="清理此日期（YYYY-MM-DD）之前的记录")
        parser.add_argument("--database", default="default")

    def handle(self, *args, before, database="default", **options):
        day = parse_date(before)
        if day is None:
            raise CommandError("日期格式应为 YYYY-MM-DD。")
        cutoff = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        keep_days = max(180, settings.AUDIT_RETENTION_DAYS)
        if cutoff > timezone.now() - timedelta(days=keep_days):
            raise CommandError(f"拒绝清理：审计记录至少保留{keep_days}天，{before}之后的记录还在保留期内。")
        removed = purge_before(cutoff, using=database)
        self.stdout.write(self.style.SUCCESS(f"已清理{removed}条早于{before}的安全审计事件。"))
