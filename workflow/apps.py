"""The workflow app (label ``workflow``): its models live in the subpackages and ``workflow.models`` imports them all;
``ready()`` fills the registries (calendar, navigation, the conventions' labels) and connects the audit's receivers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("流程与审计")

    def ready(self):
        # deferred: each module below imports models, which load after the app registry has imported apps.py
        from accounts import navigation

        # deferred: as above; importing it connects the audit's receivers (logins, accounts' security events)
        from .audit import events  # noqa: F401  (deferred: connects the receivers once models are loaded)

        # deferred: as above
        from .conventions import approval

        # deferred: as above
        from .ui import calendar

        calendar.register(calendar.opinion_deadlines)
        navigation.register(
            navigation.NavEntry(name="calendar", label=_("我的日程"), url_name="workflow:calendar", order=90)
        )
        approval.ready()  # the conventions' labels and 我的传阅; refuses a model that lacks the Conventions mixin
