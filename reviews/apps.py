"""The plan app's contributions to the core: the consultation purpose, log sentences and the navigation entry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("方案审批与评估")

    def ready(self):
        from accounts.roles import roles_of
        from workflow import navigation, registry
        from workflow.opinions import register_purpose

        from .models import CONSULTATION

        register_purpose(
            CONSULTATION,
            _("试点方案征求意见"),
            [("agree", _("同意")), ("agree_after_changes", _("修改后同意")), ("disagree", _("不同意"))],
            requester_roles=["guidance_unit", "special_group"],
            given_message=_("意见已提交，试点县（市、区）将在修改方案时逐条答复。"),
        )
        # Sentences of the plan's audited edits that are not transitions (the core reads the action's last part).
        registry.EXTRA_LABELS.setdefault("opinion_answered", _("答复意见采纳情况"))
        registry.EXTRA_LABELS.setdefault("flag_answered", _("说明机械叠加提示"))
        navigation.register(
            navigation.NavEntry(
                "plans",
                _("试点方案"),
                "reviews:list",
                50,
                visible=lambda user: bool(
                    roles_of(user) & {"county", "reform_office", "special_group", "committee", "guidance_unit"}
                ),
            )
        )
