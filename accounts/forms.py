"""Form pieces of the whole site: Bootstrap styling for every form (``StyledMixin``), the plain message for an unknown
choice, and the login form with Chinese labels and messages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错5次后账号将被锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")


class StyledMixin:
    """Gives every widget its Bootstrap class so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        """Style every field (again after a form added fields of its own; attributes already set are kept)."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input me-1")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 4)
        plain_choice_errors(self)

    def add_workflow_error(self, error):
        """Put a WorkflowError's field messages next to the fields (the rest above the form)."""
        if error.errors:
            for name, messages in error.errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            self.add_error(None, error.message)


# Django's own messages for an unknown choice ("选择一个有效的选项。 xx 不在可用的选项中。", spaces around the value).
_DJANGO_INVALID_CHOICE = [
    cls.default_error_messages["invalid_choice"]
    for cls in (
        forms.ChoiceField,
        forms.MultipleChoiceField,
        forms.ModelChoiceField,
        forms.ModelMultipleChoiceField,
    )
]


def plain_choice_errors(form):
    """An unknown choice reads 没有这个选项，请重新选择。 instead of Django's own; a field's own message is kept."""
    for field in form.fields.values():
        if any(field.error_messages.get("invalid_choice") is m for m in _DJANGO_INVALID_CHOICE):
            field.error_messages["invalid_choice"] = _("没有这个选项，请重新选择。")


class PlainChoiceErrors:
    """A form whose unknown choices read as ``plain_choice_errors`` says (StyledMixin forms do already)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_choice_errors(self)
