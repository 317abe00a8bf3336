"""Second factor (等保: two factors, one cryptographic): TOTP enrolment with a QR code drawn by the app itself
(segno, inline SVG, no outside host), verification at login, one-time backup codes; every step audited.
Required for the roles in ``OTP_REQUIRED_ROLES`` (and for anyone who enrolled); reset only by the security
administrator (accounts/security_views.py)."""

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .events import Kind, announce
from .forms import StyledMixin
from .roles import roles_of

BACKUP_DEVICE = "backup"


def otp_required(user):
    """A second factor is required for the configured roles, for Django superusers and for anyone enrolled."""
    required = set(getattr(settings, "OTP_REQUIRED_ROLES", []))
    if required and (user.is_superuser or roles_of(user) & required):
        return True
    return confirmed_totp(user) is not None


def confirmed_totp(user):
    cached = getattr(user, "_totp_cache", False)
    if cached is False:
        cached = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        user._totp_cache = cached
    return cached


def new_backup_codes(user):
    """Replace the user's backup codes with a fresh set (each works once); the plain codes are shown once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def reset_devices(user):
    """The security administrator's reset: every TOTP device and backup code of the user is removed."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user._totp_cache = False


def qr_svg(text):
    """The QR code as an inline SVG element (drawn here: the secret never leaves the server)."""
    svg = segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff", title="")
    return mark_safe(svg)  # noqa: S308  (segno's own markup around our URL, which segno encodes as modules)


class TokenForm(StyledMixin, forms.Form):
    token = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": gettext_lazy("请输入验证码。")},
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip().replace(" ", "")


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
def otp_setup(request):
    """Enrolment: scan the QR code with an authenticator app, type the code it shows, receive backup codes."""
    user = request.user
    if confirmed_totp(user) is not None:
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            user._totp_cache = device
            otp_login(request, device)
            codes = new_backup_codes(user)
            announce(Kind.OTP_ENROLLED, request, obj=user)
            return TemplateResponse(request, "accounts/otp_codes.html", {"codes": codes, "next": _next_url(request)})
        if form.is_valid():
            form.add_error("token", _("验证码不正确，请核对手机上的时间后重试。"))
            announce(Kind.OTP_FAILED, request, obj=user, step="setup")
        status = 400
    else:
        status = 200
    context = {"form": form, "qr": qr_svg(device.config_url), "secret": device.key, "next": _next_url(request)}
    return TemplateResponse(request, "accounts/otp_setup.html", context, status=status)


@login_required
def otp_verify(request):
    """The second step of a login: a code from the authenticator app or one unused backup code."""
    user = request.user
    if confirmed_totp(user) is None:
        return redirect("otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        device = match_token(user, form.cleaned_data["token"]) if form.is_valid() else None
        if device is not None:
            otp_login(request, device)
            announce(Kind.OTP_VERIFIED, request, obj=user, backup_code=isinstance(device, StaticDevice))
            return redirect(_next_url(request))
        if form.is_valid():
            form.add_error("token", _("验证码不正确或已使用。"))
            announce(Kind.OTP_FAILED, request, obj=user, step="verify")
        return TemplateResponse(
            request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)}, status=400
        )
    return TemplateResponse(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
def otp_backup_codes(request):
    """A fresh set of backup codes for a verified user (the old ones stop working)."""
    if not request.user.is_verified():
        return redirect("otp_verify")
    codes = new_backup_codes(request.user)
    announce(Kind.OTP_BACKUP_CODES, request, obj=request.user)
    return TemplateResponse(request, "accounts/otp_codes.html", {"codes": codes, "next": settings.LOGIN_REDIRECT_URL})
