from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("试点申报")

    def ready(self):
        from workflow.inbox import register

        from .inbox import application_todos

        register(application_todos)
