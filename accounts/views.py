"""The user's own settings: how notifications reach them by e-mail."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from workflow.forms import StyledMixin

from .models import User


class PreferencesForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_mode", "email", "phone"]
        widgets = {"email_mode": forms.RadioSelect}


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("设置已保存。"))
            return redirect("preferences")
        return TemplateResponse(request, "accounts/preferences.html", {"form": form}, status=400)
    return TemplateResponse(request, "accounts/preferences.html", {"form": form})
