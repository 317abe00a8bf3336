"""Accounts: units, users, memberships; its ready() adds the administrators' consoles to the navigation and names
the empty choice of the forms' selects in the site's languages."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models import fields
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与单位")

    def ready(self):

        # The empty choice of every model form's select (Django 6.1: "- Select an option -", not in its Chinese).
        fields.BLANK_CHOICE_LABEL = _("请选择")

        # deferred: these modules import accounts' models, which load after the app registry has imported apps.py
        from . import navigation

        # deferred: as above
        from .rules import is_audit_admin, is_security_admin, is_system_admin

        # deferred: as above
        from .sessions import mark_activity

        user_logged_in.connect(mark_activity, dispatch_uid="accounts.sessions.mark_activity")

        # 三员分立: each administrator sees only the entry of its own console.
        for name, label, url_name, visible in [
            ("sysadmin", _("用户与单位管理"), "sysadmin_users", is_system_admin),
            ("secadmin", _("账号安全管理"), "secadmin_users", is_security_admin),
            ("audit", _("审计记录"), "audit_trail", is_audit_admin),
        ]:
            navigation.register(
                navigation.NavEntry(name=name, label=label, url_name=url_name, order=900, visible=visible)
            )
