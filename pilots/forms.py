"""Forms for batches, candidate proposals and the guidance unit of a pilot."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ReformArea, Role, Unit
from pilots.models import Batch, Candidate, Pilot
from pilots.selectors import pilot_list
from workflow.ui.forms import ListFilter, StyledMixin
from workflow.ui.widgets import CountyFilterField, FastSelect


class BatchForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Batch
        fields = ["name", "year", "window_opens_at", "window_closes_at", "description"]
        widgets = {
            "window_opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "window_closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def clean(self):
        data = super().clean()
        opens, closes = data.get("window_opens_at"), data.get("window_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("window_closes_at", _("申报截止时间必须晚于开始时间。"))
        return data


class CandidateForm(StyledMixin, forms.ModelForm):
    addressed_to = forms.ModelChoiceField(
        label=_("报送至"),
        required=False,
        queryset=Unit.objects.filter(kind=Role.SPECIAL_GROUP),
        empty_label=_("市委改革办"),
        help_text=_("县（市、区）可直接向市委改革办提出，也可向市级专项小组提出。"),
    )
    accept = forms.BooleanField(label=_("直接列入候选名单"), required=False)

    class Meta:
        model = Candidate
        fields = ["batch", "title", "area", "lead_group", "guidance_unit", "description"]
        widgets = {"description": forms.Textarea}

    def __init__(self, *args, role=None, **kwargs):
        super().__init__(*args, **kwargs)
        batches = Batch.objects.exclude(status=Batch.Status.DECIDED)
        if role != Role.REFORM_OFFICE:  # a draft batch is the office's own until it opens
            batches = batches.exclude(status=Batch.Status.DRAFT)
        self.fields["batch"].queryset = batches
        self.fields["batch"].empty_label = None
        self.fields["lead_group"].queryset = Unit.objects.filter(kind=Role.SPECIAL_GROUP)
        self.fields["guidance_unit"].queryset = Unit.objects.filter(kind=Role.GUIDANCE_UNIT)
        if role != Role.COUNTY:
            del self.fields["addressed_to"]
        if role != Role.REFORM_OFFICE:
            del self.fields["accept"]


class ImportForm(StyledMixin, forms.Form):
    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=Batch.objects.exclude(status=Batch.Status.DECIDED), empty_label=None
    )
    file = forms.FileField(label=_("Excel 文件"), help_text=_("请使用下载的模板（.xlsx）填写。"))


class GuidanceUnitForm(StyledMixin, forms.Form):
    """The office assigns or changes the pilot's municipal guidance unit (市级牵头指导单位)."""

    unit = forms.ModelChoiceField(
        label=_("市级牵头指导单位"),
        queryset=Unit.objects.filter(kind=Role.GUIDANCE_UNIT, is_active=True).order_by("name"),
        empty_label=None,
    )
    comment = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CandidateFilter(ListFilter):
    """The candidate list's one filter, for the page and its export."""

    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Candidate.Status.choices]
    )

    def apply(self, qs):
        status = self.given.get("status")
        return qs.filter(status=status) if status else qs


class PilotFilterForm(ListFilter):
    """The pilot list's filters (stage, county, area, batch): the dashboards link to this list with them."""

    stage = forms.ChoiceField(label=_("阶段"), required=False)
    county = forms.Field(required=False)  # replaced per form by workflow.ui.widgets.CountyFilterField
    area = forms.ChoiceField(label=_("改革领域"), required=False)
    batch = forms.TypedChoiceField(label=_("批次"), required=False, coerce=int, empty_value=None)
    tolerated = forms.TypedChoiceField(
        label=_("容错免责"),
        required=False,
        coerce=lambda value: value == "1",
        empty_value=None,
        choices=[("", _("容错免责：全部")), ("1", _("已认定容错免责")), ("0", _("未认定容错免责"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, batches, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["county"] = CountyFilterField(label=_("县（市、区）"), empty_label=_("全部县（市、区）"))
        choices = {
            "stage": [("", _("全部阶段")), ("running", _("试点中")), *Pilot.Status.choices],
            "area": [("", _("全部领域")), *ReformArea.choices],
            "batch": [("", _("全部批次")), *batches.values_list("pk", "name")],
        }
        for name, field in self.fields.items():
            if name in choices:
                field.choices = choices[name]
                field.widget = FastSelect(attrs={"class": "form-select form-select-sm"}, choices=field.choices)

    def pilots(self, user):
        """The pilots the list and its Excel export show: ``user``'s, filtered by the valid choices (the list names
        the others, the export refuses them)."""
        data = self.given
        return pilot_list(
            user,
            stage=data.get("stage") or "",
            county=data.get("county"),
            area=data.get("area") or "",
            batch=data.get("batch"),
            tolerated=data.get("tolerated"),
        )


class ToleranceForm(StyledMixin, forms.Form):
    """The committee's 容错免责 mark on a terminated or failed pilot (允许试错、包容失败)."""

    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    meeting_ref = forms.CharField(
        label=_("会议届次"), max_length=60, required=False, help_text=_("例如：市委改革委第3次会议")
    )
    reason = forms.CharField(label=_("容错免责理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
