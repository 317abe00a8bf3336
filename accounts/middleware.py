"""The gate after login: a required second factor first, then an expired or administrator-reset password;
until both are done the user reaches only the pages that do them (and logout)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.otp import confirmed_totp

from .otp import otp_required
from .passwords import password_expired

OPEN_URL_NAMES = {"login", "logout", "otp_verify", "otp_setup", "set_language", "healthz", "javascript-catalog"}
PASSWORD_URL_NAMES = {"password_change", "password_change_done"}


class SecurityGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        name = match.url_name if match else None
        if name in OPEN_URL_NAMES or request.path.startswith("/static/"):
            return None
        if otp_required(user) and not user.is_verified():
            target = "otp_verify" if user_has_device(user) else "otp_setup"

            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        if name not in PASSWORD_URL_NAMES and password_expired(user):
            if user.must_change_password:
                messages.warning(request, _("管理员已重置您的密码，请先设置新密码。"))
            else:
                messages.warning(request, _("您的密码已超过有效期，请先修改密码。"))
            return redirect("password_change")
        return None


def user_has_device(user):
    return confirmed_totp(user) is not None
