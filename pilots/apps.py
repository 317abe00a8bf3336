from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("批次、候选名单与试点")

    def ready(self):
        from workflow.inbox import register

        from .inbox import batch_todos, candidate_todos

        register(candidate_todos)
        register(batch_todos)
