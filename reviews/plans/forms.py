"""Plan forms: the plan's text and sections, one task row, the action form, the consultation and answers."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Unit, User
from pilots.services import default_term_months
from reviews.plans.models import PLAN_FIELDS, SECTION_FIELDS, OpinionAnswer, Plan, PlanTask
from workflow.ui.forms import ActionForm, MultipleFileField, StyledMixin


class PlanForm(StyledMixin, forms.ModelForm):
    risk_files = MultipleFileField(label=_("风险评估报告"), help_text=_("风险评估的报告或结论文件。"))
    legality_files = MultipleFileField(label=_("合法性审查意见书"), help_text=_("合法性审查机关出具的意见。"))

    class Meta:
        model = Plan
        fields = PLAN_FIELDS + SECTION_FIELDS
        widgets = {
            "goals": forms.Textarea,
            "schedule": forms.Textarea,
            "safeguards": forms.Textarea,
            "risk_conclusion": forms.Textarea(attrs={"rows": 2}),
            "legality_conclusion": forms.Textarea(attrs={"rows": 2}),
            "risk_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "legality_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }


class TaskForm(StyledMixin, forms.ModelForm):
    key = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = PlanTask
        fields = ["key", "content", "responsible_unit", "milestones", "deadline", "result_form"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 2}),
            "milestones": forms.Textarea(attrs={"rows": 2}),
            "deadline": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }
        error_messages = {"content": {"required": _("请填写任务内容。")}}


class DecisionForm(ActionForm):
    meeting_ref = forms.CharField(
        label=_("会议届次"), required=False, max_length=60, help_text=_("例如：市委改革委第3次会议")
    )
    # Read by the approval only (试点期限原则上为2年: another term needs its reason); the service checks both.
    term_months = forms.IntegerField(
        label=_("试点期限（月）"),
        required=False,
        error_messages={"invalid": _("试点期限应为整数（月）。")},
    )
    term_reason = forms.CharField(
        label=_("试点期限例外理由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_months"].initial = default_term_months()
        help_text = _("批准方案时适用：默认%(months)s个月，其他期限属于例外，须说明理由。")
        self.fields["term_reason"].help_text = help_text % {"months": default_term_months()}


class ConsultationForm(StyledMixin, forms.Form):
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("被征求意见单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    experts = forms.ModelMultipleChoiceField(
        label=_("专家学者"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    due = forms.DateField(label=_("答复期限"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    comment = forms.CharField(label=_("征求意见说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(
            kind__in=[Role.MUNICIPAL_DEPT, Role.SPECIAL_GROUP, Role.GUIDANCE_UNIT], is_active=True
        ).order_by("kind", "name")
        self.fields["experts"].queryset = (
            User.objects.filter(memberships__role=Role.EXPERT, is_active=True).distinct().order_by("full_name", "id")
        )
        self.fields["experts"].label_from_instance = lambda u: u.display_name

    def clean_due(self):
        due = self.cleaned_data["due"]
        if due <= datetime.date.today():
            raise forms.ValidationError(_("答复期限必须晚于今天。"))
        return due


class AnswerForm(StyledMixin, forms.Form):
    decision = forms.ChoiceField(label=_("采纳情况"), choices=OpinionAnswer.Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class FlagAnswerForm(StyledMixin, forms.Form):
    answer = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}))
