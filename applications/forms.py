"""The application form (申报表), the office/committee action form and the list filter."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import plain_choice_errors
from accounts.models import ReformArea
from pilots.models import Batch
from workflow.ui.forms import ActionForm, MultipleFileField, StyledMixin, filter_problems
from workflow.ui.widgets import CountyFilterField, FastSelect, filter_county

from .models import FORM_FIELDS, LONG_FIELDS, Application


class ApplicationForm(StyledMixin, forms.ModelForm):
    attachments = MultipleFileField(
        label=_("附件"),
        help_text=_("如盖章的申报表扫描件。允许 PDF、Word、Excel、OFD、JPG、PNG，单个文件不超过20 MB。"),
    )

    class Meta:
        model = Application
        fields = FORM_FIELDS
        widgets = dict.fromkeys(LONG_FIELDS, forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("project_name", "area"):
            self.fields[name].required = True


class DecisionForm(ActionForm):
    meeting_ref = forms.CharField(
        label=_("会议届次"), required=False, max_length=60, help_text=_("例如：市委改革委第3次会议")
    )


class CountyFilter(django_filters.Filter):
    """A county picked from the list, or part of a name typed when there are thousands (``CountyFilterField``)."""

    field_class = CountyFilterField

    def filter(self, qs, value):
        return filter_county(qs, value)


class ApplicationFilter(django_filters.FilterSet):
    batch = django_filters.ModelChoiceFilter(label=_("批次"), queryset=Batch.objects.all(), empty_label=_("全部批次"))
    county = CountyFilter(label=_("县（市、区）"), empty_label=_("全部县（市、区）"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Application.Status.choices, empty_label=_("全部状态"))
    area = django_filters.ChoiceFilter(label=_("改革领域"), choices=ReformArea.choices, empty_label=_("全部领域"))

    class Meta:
        model = Application
        fields = ["batch", "county", "status", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_choice_errors(self.form)
        for name, f in self.form.fields.items():
            if name == "county":
                continue  # its own widget
            choices = f.choices
            if name == "batch":  # ids and names read as tuples: no model object for each option
                choices = [("", f.empty_label), *f.queryset.values_list("pk", "name")]
            # Hundreds of batches and counties over the years: options rendered in Python, not one template each.
            f.widget = FastSelect(attrs={"class": "form-select form-select-sm"}, choices=choices)

    @property
    def problems(self):
        """What is wrong with the filters given (the list applies the valid ones, as django-filter does, and names
        the others; the export refuses them): ``templates/filter_problems.html``."""
        return filter_problems(self.form) if self.is_bound else ""
