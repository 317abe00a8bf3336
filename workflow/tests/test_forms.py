"""Form pieces every page shares: an unknown choice is explained in plain Chinese, a field's own message kept."""

from django import forms

from workflow.ui.forms import ListFilter, StyledMixin


class Styled(StyledMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("a", "甲")])
    own = forms.ChoiceField(choices=[("a", "甲")], error_messages={"invalid_choice": "请选择意见。"})
    many = forms.MultipleChoiceField(choices=[("a", "甲")])


class Filter(ListFilter):
    kind = forms.ChoiceField(label="类别", choices=[("", ""), ("a", "甲")], required=False)


def test_an_unknown_choice_reads_plainly_and_a_fields_own_message_stays():
    form = Styled({"kind": "x", "own": "x", "many": ["x"]})
    assert not form.is_valid()
    assert form.errors["kind"] == ["没有这个选项，请重新选择。"]
    assert form.errors["many"] == ["没有这个选项，请重新选择。"]
    assert form.errors["own"] == ["请选择意见。"]
    assert Filter({"kind": "x"}).problems == "类别：没有这个选项，请重新选择。"
