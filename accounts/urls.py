"""Login, logout, password, preferences and second factor (the administrators' consoles, 三员分立, read the audit and
are ``workflow.audit.security_views``, mounted under the same ``accounts/`` prefix by ``jiaxing_pilot.urls``)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import otp, views
from .forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("preferences/", views.preferences, name="preferences"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("otp/setup/", otp.otp_setup, name="otp_setup"),
    path("otp/verify/", otp.otp_verify, name="otp_verify"),
    path("otp/backup-codes/", otp.otp_backup_codes, name="otp_backup_codes"),
]
