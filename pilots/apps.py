from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = _("批次、候选名单与试点")

    def ready(self):
        """我的待办 comes from work items (workflow.workitems): nothing to register."""
