"""Form pieces every workflow page shares: multi-file upload, the action form, a list's filters (the Bootstrap styling,
``StyledMixin``, is ``accounts.forms``'s, which the login and administrators' pages use too)."""

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.forms import PlainChoiceErrors, StyledMixin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ActionForm(StyledMixin, forms.Form):
    """What a transition button posts: the state the page showed, a comment and optional files."""

    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(label=_("意见或理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("附件"))


def _sentences(texts):
    """Sentences run together: nothing after a full-width stop (Chinese), a space after any other (English)."""
    out = ""
    for text in texts:
        out += text if not out or out.endswith("。") else f" {text}"
    return out


def filter_problems(form):
    """What is wrong with a bound filter form, e.g. ``年度：请输入整数。``; empty when nothing is."""
    return _sentences(
        _("%(label)s：%(errors)s")
        % {"label": form.fields[name].label if name in form.fields else "", "errors": _sentences(errors)}
        for name, errors in form.errors.items()
    )


class ListFilter(PlainChoiceErrors, forms.Form):
    """A list's filters read from the query string, the same for the list page and its Excel export. The page
    applies the valid ones and names the others (``problems``); the export refuses any invalid one
    (``workflow.ui.xlsx``).
    A subclass says how its values narrow a queryset (``apply``)."""

    @cached_property
    def given(self):
        """The filters given with a valid value, by name (what ``apply`` applies)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # the fields that failed are left out of cleaned_data
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [], ())}

    @property
    def narrows(self):
        """Whether a valid filter narrows the list."""
        return bool(self.given)

    @property
    def problems(self):
        return filter_problems(self) if self.is_bound else ""

    def apply(self, qs):
        raise NotImplementedError


class TodoFilter(ListFilter):
    """我的待办's filters (one workflow, an order), for the page and its export."""

    workflow = forms.ChoiceField(label=_("流程"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[("", ""), ("waiting", _("等待最久优先")), ("newest", _("最新优先"))],
    )

    def __init__(self, *args, workflows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workflow"].choices = [("", ""), *workflows.items()]
