"""The reports app's contributions to the core: permissions, log sentences, navigation and calendar entries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("进展报告与督察")

    def ready(self):
        # deferred: AppConfig.ready() runs once the app registry is ready; models and registries load only then
        from accounts import demos, navigation
        from accounts.roles import roles_of
        from pilots.services import on_term_set
        from reports import demo_term_ended
        from reports.dashboard import demo as dashboard_demo
        from reports.monitoring import (
            demo,
            rules,  # noqa: F401  (permissions)
        )
        from reports.monitoring.calendar import rectification_deadlines, report_due_dates
        from reports.monitoring.extensions import EXTENSION_OPINION
        from reports.monitoring.services import ensure_report_quarters
        from reports.problems import demo as problem_demo
        from reports.problems import rules as problem_rules  # noqa: F401  (problem items, guidance records, 督促)
        from reports.related import extension_links, inspection_links, report_links
        from workflow.conventions.purposes import register_purpose
        from workflow.engine import registry
        from workflow.ui import calendar

        on_term_set(ensure_report_quarters)  # a pilot's term set or moved: the reports of every quarter of it
        demos.register(45, "reports.dashboard", dashboard_demo.seed)  # the office's goals
        demos.register(50, "reports", demo.seed)  # quarterly reports, inspections, extensions of the demo pilots
        demos.register(55, "reports.term_ended", demo_term_ended.seed)  # two earlier pilots: reports, then 总结评估
        # 存在问题、需市级支持事项 in each state, a guidance record, a special group's 催办.
        demos.register(56, "reports.problems", problem_demo.seed)
        register_purpose(
            EXTENSION_OPINION,
            _("延期申请征求意见"),
            [("agree", _("同意延期")), ("disagree", _("不同意延期"))],
            requester_roles=["reform_office"],
        )
        calendar.register(report_due_dates)
        calendar.register_kind("quarterly_report", _("季度报告"), "text-bg-warning")
        calendar.register(rectification_deadlines)
        calendar.register_kind("rectification", _("整改事项"), "text-bg-danger")
        registry.EXTRA_LABELS.setdefault("term_ended", _("试点期满"))
        # 相关记录 on the pilot's page.
        for provider in (report_links, inspection_links, extension_links):
            registry.register_related("pilots.Pilot", provider)

        registry.EXTRA_LABELS.setdefault("reminder_before", _("系统提醒：季度报告即将到期"))
        registry.EXTRA_LABELS.setdefault("reminder_due", _("系统提醒：季度报告今日到期"))
        registry.EXTRA_LABELS.setdefault("reminder_overdue", _("系统告知：季度报告逾期未报"))
        # 工作看板: the committee's and the office's dashboards (reports/dashboard_views.py).
        navigation.register(
            navigation.NavEntry(
                "dashboard",
                _("工作看板"),
                "reports:dashboard",
                15,
                visible=lambda user: bool(roles_of(user) & {"reform_office", "committee"}),
            )
        )
        registry.register_label("raised", _("提出问题或需市级支持事项"))
        registry.register_label("guidance_recorded", _("记录业务指导"))
        # 问题协调: the items raised by the counties, for everyone who takes part in them (problem_views.py).
        navigation.register(
            navigation.NavEntry(
                "problems",
                _("问题协调"),
                "reports:problems",
                66,
                visible=lambda user: bool(
                    roles_of(user)
                    & {"county", "reform_office", "committee", "special_group", "guidance_unit", "municipal_dept"}
                ),
            )
        )
        # 协调督促: a special group's overdue reports and open rectification items (supervision_views.py).
        navigation.register(
            navigation.NavEntry(
                "supervision",
                _("协调督促"),
                "reports:supervision",
                67,
                visible=lambda user: "special_group" in roles_of(user),
            )
        )
        registry.register_label("goal_created", _("设定工作目标"))
        registry.register_label("goal_changed", _("修改工作目标"))
        registry.register_label("goal_deleted", _("删除工作目标"))
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
        # 县（市、区）概况: a county's own page; the office and the committee compare the counties (county_views.py).
        navigation.register(
            navigation.NavEntry(
                "counties",
                _("县（市、区）概况"),
                "reports:counties",
                65,
                visible=lambda user: bool(roles_of(user) & {"county", "reform_office", "committee"}),
            )
        )
