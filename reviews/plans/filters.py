"""The plan list's filters (state, county): one form, read from the query string alike by the list page and its
Excel export (workflow.forms.ListFilter)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.plans.models import Plan
from workflow.ui.forms import ListFilter
from workflow.ui.widgets import CountyFilterField, filter_county


class PlanFilter(ListFilter):
    """The dashboards' time-in-stage figures link to the plan list per county."""

    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", ""), *Plan.Status.choices]
        self.fields["county"] = CountyFilterField(label=_("县（市、区）"), empty_label=_("全部县（市、区）"))

    def apply(self, qs):
        data = self.given
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return filter_county(qs, data.get("county"))
