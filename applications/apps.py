from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("试点申报")

    def ready(self):
        """我的待办 comes from work items (workflow.workitems): nothing to register."""
