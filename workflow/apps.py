from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("流程与审计")

    def ready(self):
        from . import audit  # noqa: F401 - connects the login signals
        from .workitems import connect_signals

        connect_signals()
