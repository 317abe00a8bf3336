"""The plan app's contributions to the core: the consultation purpose, log sentences and the navigation entry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("方案审批与评估")

    def ready(self):
        # deferred: AppConfig.ready() runs once the app registry is ready; models and registries load only then
        from accounts import demos, navigation
        from accounts.roles import roles_of
        from reviews.plans import demo
        from reviews.plans.models import CONSULTATION
        from workflow.conventions.purposes import register_purpose
        from workflow.engine import registry

        demos.register(30, "reviews", demo.seed)  # plans (总结评估: reports.demo_term_ended, after the reports)

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
        from reviews.related import evaluation_links, plan_links

        registry.register_related("pilots.Pilot", plan_links)
        registry.register_related("pilots.Pilot", evaluation_links)
        self.ready_evaluation()

    def ready_evaluation(self):
        """Self-evaluation, evaluation and summary: permissions, log sentences, navigation and calendar."""
        # deferred: AppConfig.ready() runs once the app registry is ready; models and registries load only then
        from accounts import navigation
        from accounts.roles import roles_of
        from pilots.services import register_outcome_reader
        from reviews.evaluation import admin as evaluation_admin
        from reviews.evaluation import rules as evaluation_rules  # noqa: F401  (permissions)
        from reviews.evaluation.calendar import self_evaluation_deadlines
        from reviews.evaluation.selectors import minimum_grade_label, pilot_outcome
        from workflow.engine import registry
        from workflow.ui import calendar

        evaluation_admin.register()
        register_outcome_reader(pilot_outcome, minimum_grade_label)  # the bonus rule and 容错免责 ask the grade here
        registry.register_label("evaluators_assigned", _("指定评估人员"))
        registry.register_label("evaluator_removed", _("撤销评估人员"))
        registry.register_label("score", _("评估打分"))
        registry.register_label("summary_saved", _("保存试点总结"))
        registry.register_label("committee_commented", _("市委改革委阅示意见"))
        registry.register_label("comment_summary", _("阅示试点总结"))
        registry.register_label("se_reminder_before", _("系统提醒：试点自评即将到期"))
        registry.register_label("se_reminder_due", _("系统提醒：试点自评今日到期"))
        registry.register_label("se_reminder_overdue", _("系统告知：试点自评逾期未报"))
        calendar.register(self_evaluation_deadlines)
        calendar.register_kind("self_evaluation", _("试点自评"), "text-bg-info")
        navigation.register(
            navigation.NavEntry(
                "evaluations",
                _("总结评估"),
                "reviews:evaluation_list",
                65,
                visible=lambda user: bool(
                    roles_of(user)
                    & {"county", "reform_office", "special_group", "committee", "guidance_unit", "expert"}
                ),
            )
        )
