from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("试点申报")

    def ready(self):
        """Contribute to the core's registries: 我的日程, the navigation bar and the messages of the
        database rules this app's triggers enforce."""
        # deferred: AppConfig.ready() runs once the app registry is ready; models and registries load only then
        from accounts import demos, navigation
        from accounts.roles import roles_of
        from pilots.services import check_before_deciding_batch
        from workflow.engine import errors
        from workflow.ui import calendar

        from . import demo
        from .calendar import application_deadlines
        from .services import refuse_while_undecided

        demos.register(20, "applications", demo.seed)
        check_before_deciding_batch(refuse_while_undecided)  # a batch is decided once all its applications are

        calendar.register(application_deadlines)
        calendar.register_kind("application", _("试点申报"), "text-bg-warning")

        errors.register_rule("jiaxing:batch_window_closed", _("申报批次不在申报时间内，不能提交。"))
        errors.register_rule(
            "jiaxing:county_runs_pilot", _("该县（市、区）正在开展集成改革试点，按照工作方案不再申报。")
        )

        def menu_label(user):
            roles = roles_of(user)
            if "county" in roles:
                return _("我的申报")
            return _("试点确定") if "committee" in roles else _("申报审核")

        navigation.register(
            navigation.NavEntry(
                "applications",
                menu_label,
                "applications:list",
                40,
                visible=lambda user: bool(
                    roles_of(user) & {"county", "reform_office", "special_group", "committee", "guidance_unit"}
                ),
            )
        )
        register_recommendation_purpose()
        register_batch_actions()


def register_recommendation_purpose():
    """The special group's opinion before the office's recommendation: 同意推荐 / 不同意推荐 / 补充意见."""
    # deferred: called from AppConfig.ready(), once the app registry is ready
    from workflow.conventions.purposes import register_purpose

    from .models import RECOMMENDATION

    register_purpose(
        RECOMMENDATION,
        _("专项小组意见"),
        [("agree", _("同意推荐")), ("disagree", _("不同意推荐")), ("supplement", _("补充意见"))],
        requester_roles=["reform_office"],
        given_message=_("意见已提交，市委改革办将据此提出试点建议。"),
    )


def register_batch_actions():
    """批量审批 on the list runs each application through the app's own service (its hooks included)."""
    # deferred: called from AppConfig.ready(), once the app registry is ready
    from workflow.conventions import approval as conventions

    from . import services
    from .models import Application

    conventions.register_batch(
        Application,
        lambda *, actor, obj, name, comment: services.act(actor=actor, application=obj, name=name, comment=comment),
    )
