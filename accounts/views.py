"""The user's own settings: how notifications reach them by e-mail, password change (audited), second factor."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.otp import confirmed_totp

from .events import Kind, announce
from .forms import StyledMixin
from .models import User


class PreferencesForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_mode", "email", "phone"]
        widgets = {"email_mode": forms.RadioSelect}


def preferences_page(request, *, form=None, deputy_form=None, status=200):
    """The preferences page; the 代理 form posts elsewhere (``workflow:deputy_add``) and comes back here with its
    errors (``deputy_form``)."""
    context = {
        "form": form or PreferencesForm(instance=request.user),
        "has_totp": confirmed_totp(request.user) is not None,
        "deputy_form": deputy_form,
    }
    return TemplateResponse(request, "accounts/preferences.html", context, status=status)


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("设置已保存。"))
            return redirect("preferences")
        return preferences_page(request, form=form, status=400)
    return preferences_page(request, form=form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, audited; it is also where an expired or reset password leads."""

    def form_valid(self, form):
        response = super().form_valid(form)
        announce(Kind.PASSWORD_CHANGED, self.request, obj=self.request.user)
        return response
