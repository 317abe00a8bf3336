"""FastSelect: the list filters' <select>, options memoised on the choices as rendered."""

from workflow.ui.widgets import FastSelect


def _render(choices, value):
    return FastSelect(choices=choices).render("county", value)


def test_marks_the_selected_option_and_escapes_values_and_labels():
    choices = [("", "全部"), (1, "南湖区"), (2, "<b>秀洲区</b>")]
    html = _render(choices, "2")
    assert '<option value="2" selected>&lt;b&gt;秀洲区&lt;/b&gt;</option>' in html
    assert '<option value="1">南湖区</option>' in html
    assert html.count("selected") == 1
    # The memoised options are not changed by a selection: the next page without one selects only "all".
    again = _render(choices, "")
    assert again.count("selected") == 1
    assert '<option value="" selected>全部</option>' in again


def test_a_renamed_or_new_option_shows_at_once():
    assert "海盐县" in _render([(1, "南湖区"), (3, "海盐县")], None)
    renamed = _render([(1, "南湖新区"), (3, "海盐县")], "1")
    assert '<option value="1" selected>南湖新区</option>' in renamed
    assert "南湖区<" not in renamed


def test_a_value_that_is_not_offered_selects_nothing():
    assert "selected" not in _render([(1, "南湖区")], "99")


def test_grouped_choices_fall_back_to_django():
    html = _render([("嘉兴", [(1, "南湖区"), (2, "秀洲区")])], "2")
    assert "<optgroup" in html
    assert 'value="2" selected' in html
