import rules
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("批次、候选名单与试点")

    def ready(self):
        """Contribute to the core's registries: 我的日程 and the navigation bar (我的待办 comes from work items)."""
        # deferred: AppConfig.ready() runs once the app registry is ready; models and registries load only then
        from accounts import demos, navigation
        from accounts.roles import roles_of
        from accounts.rules import is_county, is_reform_office, is_special_group
        from pilots import calendar as dates
        from pilots import demo
        from pilots.experiences import demo as experience_demo
        from workflow.engine import registry
        from workflow.ui import calendar

        demos.register(10, "pilots", demo.seed)  # batches and the candidate list
        demos.register(60, "pilots.experiences", experience_demo.seed)  # 经验推广, once pilots are evaluated
        calendar.register(dates.batch_windows)
        calendar.register(dates.pilot_term_ends)
        calendar.register_kind("batch_opens", _("申报批次"), "text-bg-info")
        calendar.register_kind("batch_closes", _("申报批次"), "text-bg-primary")
        calendar.register_kind("pilot_term", _("试点期满"), "text-bg-dark")

        def follows_pilots(user):
            # Experts see pilots through the evaluations they are invited to, not in the menu.
            return bool(roles_of(user) - {"expert"})

        for entry in [
            navigation.NavEntry("published", _("试点候选名单"), "pilots:published_list", 10, visible=lambda user: True),
            # 确定名单: published to every logged-in user once a batch is decided.
            navigation.NavEntry("decided", _("确定名单"), "pilots:decided_list", 15, visible=lambda user: True),
            navigation.NavEntry("batches", _("批次管理"), "pilots:batch_list", 20, visible=is_reform_office),
            navigation.NavEntry(
                "candidates",
                _("候选项目"),
                "pilots:candidate_list",
                30,
                visible=is_reform_office | is_special_group | is_county,
            ),
            navigation.NavEntry("pilots", _("试点项目"), "pilots:pilot_list", 50, visible=follows_pilots),
        ]:
            navigation.register(entry)
        registry.register_label("guidance_unit_assigned", _("指定牵头指导单位"))
        registry.register_label("tolerance_marked", _("认定容错免责"))
        self._register_case_library(navigation, registry)

    def _register_case_library(self, navigation, registry):
        """嘉兴样本 for every logged-in user; the bonus-point ledger for the office, the committee and counties."""
        navigation.register(
            navigation.NavEntry("experiences", _("嘉兴样本"), "pilots:experience_list", 80, visible=lambda user: True)
        )
        navigation.register(
            navigation.NavEntry(
                "bonus",
                _("考评加分"),
                "pilots:bonus_ledger",
                85,
                visible=lambda user: rules.has_perm("pilots.read_bonus_ledger", user),
            )
        )
        registry.register_label("experience_edited", _("修改经验做法"))
        registry.register_label("promotion_recorded", _("登记经验推广"))
