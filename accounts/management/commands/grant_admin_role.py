"""grant_admin_role: the installer gives a person one of the three administrator roles (三员分立), which no
administrator can grant; run on the server at installation or when an administrator changes, and audited."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.events import Kind, announce
from accounts.models import ADMIN_ROLES, Membership, Unit, UnitKind, User


class Command(BaseCommand):
    help = "授予或撤销管理员角色（system_admin 系统管理员、security_admin 安全管理员、audit_admin 审计管理员）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[str(r) for r in ADMIN_ROLES])
        parser.add_argument("--revoke", action="store_true", help="撤销该角色")

    def handle(self, *args, username, role, revoke=False, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为{username}的账号。")
        others = set(user.memberships.exclude(role=role).values_list("role", flat=True))
        if not revoke and others:
            # One person, one duty: an administrator holds no second role, working or administrative.
            raise CommandError("三员分立：该账号已有其他角色，管理员须使用单独的账号。")
        unit = Unit.objects.filter(kind=UnitKind.ADMINISTRATION).order_by("sort_order", "pk").first()
        if unit is None:
            raise CommandError("没有系统运维单位（信息中心），请先运行 migrate。")
        with transaction.atomic():
            if revoke:
                Membership.objects.filter(user=user, role=role).delete()
            else:
                Membership.objects.get_or_create(user=user, unit=unit, role=role)
            announce(
                Kind.ROLE_CHANGED,
                username="installer",
                obj=user,
                change="revoke" if revoke else "grant",
                role=role,
                unit_id=unit.pk,
            )
        self.stdout.write(self.style.SUCCESS(f"已{'撤销' if revoke else '授予'}{username}的{role}角色。"))
