"""The filters of the reports app's lists (quarterly reports, rectification items, extension requests): one form
each, read from the query string alike by the list page and its Excel export (workflow.ui.forms.ListFilter)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.monitoring.extensions import ExtensionRequest
from reports.monitoring.inspections import RectificationItem
from reports.monitoring.models import QuarterlyReport
from workflow.ui.forms import ListFilter
from workflow.ui.widgets import CountyFilterField, filter_county

WHOLE_NUMBER = {"invalid": _("请输入整数。")}


def _county_field():
    """A county's id (the lists' and dashboards' links) or part of a name (the search box at national scale)."""
    return CountyFilterField(label=_("县（市、区）"), empty_label=_("全部县（市、区）"))


class ReportFilter(ListFilter):
    """The quarterly reports: the dashboards link with a quarter and a county, a pilot's page with the pilot."""

    status = forms.ChoiceField(label=_("状态"), required=False)
    timeliness = forms.ChoiceField(label=_("报送情况"), required=False)
    year = forms.IntegerField(
        label=_("年度"), required=False, min_value=2000, max_value=2100, error_messages=WHOLE_NUMBER
    )
    quarter = forms.IntegerField(label=_("季度"), required=False, min_value=1, max_value=4, error_messages=WHOLE_NUMBER)
    pilot = forms.IntegerField(
        label=_("试点项目"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"invalid": _("请输入正整数。"), "min_value": _("请输入正整数。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", ""), *QuarterlyReport.Status.choices]
        self.fields["timeliness"].choices = [("", ""), *QuarterlyReport.Timeliness.choices]
        self.fields["county"] = _county_field()

    @property
    def beyond_status(self):
        """Whether a filter other than the state narrows the list (past that, the list counts its rows)."""
        return bool(set(self.given) - {"status"})

    def name_pilot(self, pilots):
        """Let the filter's description (the Excel title row) name the pilot, if it is among ``pilots`` (one
        query), rather than give its id."""
        if self.given.get("pilot"):
            self.fields["pilot"].choices = list(pilots.filter(pk=self.given["pilot"]).values_list("pk", "title"))

    def apply(self, qs):
        """``qs`` (annotated with ``timeliness_key``: selectors.with_timeliness) narrowed by the valid filters."""
        data = self.given
        for name, lookup in (
            ("status", "status"),
            ("timeliness", "timeliness_key"),
            ("year", "year"),
            ("quarter", "quarter"),
            ("pilot", "pilot_id"),
        ):
            if name in data:
                qs = qs.filter(**{lookup: data[name]})
        return filter_county(qs, data.get("county"))


def _by_state(qs, value, *, group, states):
    """One state, or ``group`` for several (``states``): the open items, the pending requests."""
    if value == group:
        return qs.filter(status__in=states)
    return qs.filter(status=value) if value else qs


class ItemFilter(ListFilter):
    """The rectification items: open (or one state), overdue, by county, as the dashboards link."""

    state = forms.ChoiceField(label=_("状态"), required=False)
    overdue = forms.ChoiceField(label=_("逾期"), required=False, choices=[("", ""), ("1", _("仅已逾期"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", ""), ("open", _("未完成整改")), *RectificationItem.Status.choices]
        self.fields["county"] = _county_field()

    def apply(self, qs):
        data = self.given
        if data.get("overdue") == "1":
            qs = qs.overdue()
        qs = _by_state(qs, data.get("state"), group="open", states=RectificationItem.OPEN)
        return filter_county(qs, data.get("county"))


class ExtensionFilter(ListFilter):
    """The extension requests: pending (submitted, consulting or with the committee) or one state, by county."""

    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", ""), ("pending", _("待审")), *ExtensionRequest.Status.choices]
        self.fields["county"] = _county_field()

    def apply(self, qs):
        data = self.given
        qs = _by_state(qs, data.get("status"), group="pending", states=ExtensionRequest.PENDING)
        return filter_county(qs, data.get("county"))
