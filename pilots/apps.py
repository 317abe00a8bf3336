from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("批次、候选名单与试点")

    def ready(self):
        """Contribute to the core's registries: 我的日程 and the navigation bar (我的待办 comes from work items)."""
        from accounts.roles import roles_of
        from accounts.rules import is_county, is_reform_office, is_special_group
        from workflow import calendar, navigation, registry

        from . import calendar as dates

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
