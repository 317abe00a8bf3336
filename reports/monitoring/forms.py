"""Forms of the report pages: the report's text, its task progress rows and institutional result rows."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from reports.monitoring.models import InstitutionalResult, TaskProgress
from workflow.ui.forms import ActionForm, MultipleFileField, StyledMixin


class ReportForm(StyledMixin, forms.Form):
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    achievements = forms.CharField(label=_("其他工作成效"), required=False, widget=forms.Textarea)
    problems = forms.CharField(label=_("存在问题"), required=False, widget=forms.Textarea)
    next_plan = forms.CharField(label=_("下季度工作计划"), required=False, widget=forms.Textarea)
    attachments = MultipleFileField(label=_("附件"))


class ProgressForm(StyledMixin, forms.Form):
    task_key = forms.CharField(widget=forms.HiddenInput, max_length=32)
    task_content = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("推进情况"), choices=TaskProgress.Status.choices)
    percentage = forms.IntegerField(
        label=_("完成比例（%）"),
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("完成比例须在0到100之间。"),
            "max_value": _("完成比例须在0到100之间。"),
            "required": _("请填写完成比例。"),
            "invalid": _("完成比例须为整数。"),
        },
    )
    narrative = forms.CharField(label=_("进展说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResultForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("成果名称"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("成果类型"), choices=[("", "—"), *InstitutionalResult.Kind.choices], required=False
    )
    issuing_body = forms.CharField(label=_("发文机关"), max_length=100, required=False)
    doc_number = forms.CharField(label=_("文号"), max_length=60, required=False)
    issued_on = forms.DateField(
        label=_("印发日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期。")},
    )

    def clean(self):
        data = super().clean()
        filled = any(data.get(f) for f in ("title", "issuing_body", "doc_number", "issued_on"))
        if filled and not data.get("title"):
            self.add_error("title", _("请填写成果名称。"))
        if filled and not data.get("kind"):
            self.add_error("kind", _("请选择成果类型。"))
        return data

    @property
    def is_blank(self):
        return not (self.cleaned_data.get("title") or "").strip()


ProgressFormSet = formset_factory(ProgressForm, extra=0)
ResultFormSet = formset_factory(ResultForm, extra=2)


class ReviewForm(ActionForm):
    pass
