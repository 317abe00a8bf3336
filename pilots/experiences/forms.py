"""Forms of the case library: an experience, a promotion, a ledger correction and the list filters."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ReformArea, Role, Unit
from pilots.experiences.models import Experience, PromotionLevel
from workflow.ui.forms import MultipleFileField, StyledMixin


class ExperienceForm(StyledMixin, forms.ModelForm):
    pilot = forms.ModelChoiceField(label=_("试点项目"), queryset=None, empty_label=_("请选择试点项目"))
    attachments = MultipleFileField(label=_("相关文件"))

    class Meta:
        model = Experience
        fields = ["title", "summary", "body", "tags", "area"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, pilots=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].required = False
        self.fields["area"].help_text = _("不选则取试点项目的改革领域")
        if pilots is None:  # editing: the pilot does not change
            del self.fields["pilot"]
        else:
            self.fields["pilot"].queryset = pilots
            self.order_fields(["pilot"])
        self.style_fields()


class PromotionForm(StyledMixin, forms.Form):
    level = forms.ChoiceField(label=_("推广层级"), choices=PromotionLevel.choices)
    promoted_on = forms.DateField(
        label=_("推广日期"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    document_number = forms.CharField(label=_("文号"), max_length=80)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    attachments = MultipleFileField(label=_("推广文件"))


class CorrectionForm(StyledMixin, forms.Form):
    points = forms.DecimalField(
        label=_("更正分值"),
        max_digits=6,
        decimal_places=2,
        help_text=_("与原条目相加：负数扣减，零只登记说明"),
        error_messages={"invalid": _("请填写数字（可为负数），最多两位小数。")},
    )
    reason = forms.CharField(label=_("更正理由"), widget=forms.Textarea(attrs={"rows": 3}))


class LibraryFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=60)
    area = forms.ChoiceField(label=_("改革领域"), required=False, choices=[("", _("全部领域")), *ReformArea.choices])
    county = forms.ModelChoiceField(
        label=_("县（市、区）"),
        required=False,
        queryset=Unit.objects.filter(kind=Role.COUNTY, is_active=True).order_by("name"),
        empty_label=_("全部县（市、区）"),
    )
    level = forms.ChoiceField(
        label=_("推广层级"), required=False, choices=[("", _("全部层级")), *PromotionLevel.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("已发布")), *[c for c in Experience.Status.choices if c[0] != Experience.Status.PUBLISHED]],
    )


class LedgerFilterForm(StyledMixin, forms.Form):
    year = forms.IntegerField(
        label=_("考评年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"min_value": _("请填写2000—2100之间的年度。"), "max_value": _("请填写2000—2100之间的年度。")},
    )
    county = forms.ModelChoiceField(
        label=_("县（市、区）"),
        required=False,
        queryset=Unit.objects.filter(kind=Role.COUNTY, is_active=True).order_by("name"),
        empty_label=_("全部县（市、区）"),
    )
