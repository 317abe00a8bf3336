from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("流程与审计")

    def ready(self):
        from . import (
            audit,  # noqa: F401 - connects the login signals
            calendar,
            navigation,
        )

        calendar.register(calendar.opinion_deadlines)
        navigation.register(
            navigation.NavEntry(name="calendar", label=_("我的日程"), url_name="workflow:calendar", order=90)
        )

        from .workitems import connect_signals

        connect_signals()  # every workflow record keeps its work items in step when saved

        from . import conventions

        conventions.ready()  # the transitions the declared conventions need (recall), labels, 我的传阅
