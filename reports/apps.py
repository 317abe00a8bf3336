"""The reports app's contributions to the core: permissions, log sentences, navigation and calendar entries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("进展报告与督察")

    def ready(self):
        from accounts.roles import roles_of
        from workflow import navigation, registry

        from . import rules  # noqa: F401  (permissions)

        registry.EXTRA_LABELS.setdefault("reminder_before", _("系统提醒：季度报告即将到期"))
        registry.EXTRA_LABELS.setdefault("reminder_due", _("系统提醒：季度报告今日到期"))
        registry.EXTRA_LABELS.setdefault("reminder_overdue", _("系统告知：季度报告逾期未报"))
        navigation.register(
            navigation.NavEntry(
                "reports",
                _("季度报告"),
                "reports:list",
                60,
                visible=lambda user: bool(
                    roles_of(user) & {"county", "reform_office", "special_group", "committee", "guidance_unit"}
                ),
            )
        )
