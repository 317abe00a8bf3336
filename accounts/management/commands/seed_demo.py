"""seed_demo: reference units, demo logins and a small realistic data set; safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from accounts import demo, demos


class Command(BaseCommand):
    help = "创建演示数据和演示账号（可重复运行）。生产环境（DEBUG=0）下须加 --force。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG=0 时仍然运行（仅限演示环境）")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG=0 时不创建演示账号（等保要求不得存在默认账号）。确属演示环境请加 --force。")
        logins = []
        # Demo notifications are kept in the app but not e-mailed to the made-up addresses.
        quiet = override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}})
        with quiet, transaction.atomic():
            logins = demo.seed()  # the units and the logins, then each app's part (registered in its ready())
            for seeder in demos.seeders():
                seeder.seed()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {settings.SEED_DEMO_PASSWORD}）："))
        for username, role, title in logins:
            self.stdout.write(f"  {username:<16} {role:<14} {title}")
