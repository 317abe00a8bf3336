"""Form widgets that keep list pages cheap as reference data grows."""

from functools import lru_cache
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import normalize_choices
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.models import Role, Unit


@lru_cache(maxsize=64)
def _options_html(choices):
    """The ``<option>`` elements of flat ``((value, label), ...)`` string pairs, none selected. Memoised on the
    pairs themselves (values and labels as rendered now, in the active language), so a changed name or a new
    county gives new HTML at once; the cache only spares escaping thousands of unchanged options again."""
    return "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in choices)


class FastSelect(forms.Select):
    """A flat ``<select>`` rendered in Python. Django renders each option through a template (about 0.1–0.2 ms an
    option); a list filter offering every batch and every county renders hundreds (at national scale thousands)
    of them on each request, which costs more than the page's queries. The options' HTML is memoised on the
    choices as rendered (``_options_html``); the selected ones are marked afterwards. Grouped choices fall back to
    Django's own rendering."""

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        # A list of pairs is kept as given: Django's normalising walks every option (thousands of counties) on
        # each request, and ``render`` reads the pairs as they are (grouped ones go to Django's rendering).
        self._choices = value if isinstance(value, list | tuple) else normalize_choices(value)

    def render(self, name, value, attrs=None, renderer=None):
        # A comprehension, not list(): list() asks a model choice iterator's length, which is one more COUNT.
        raw = [(v, label) for v, label in self.choices]
        if any(isinstance(label, list | tuple) for _, label in raw):
            return super().render(name, value, attrs, renderer)
        choices = tuple((str(v), str(label)) for v, label in raw)
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = _options_html(choices)
        values = {v for v, _label in choices}
        for selected in {str(v) for v in self.format_value(value)} & values:
            plain = f'<option value="{escape(selected)}">'
            options = options.replace(plain, f'<option value="{escape(selected)}" selected>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308 - every part escaped


# Up to this many counties the filter is a list to pick from; beyond (a province's 90 fits, a national roll-out's
# 2,850 does not) it is a box to type a name in: a select of thousands of options weighs 120 KB on every page.
COUNTY_SELECT_LIMIT = 200


class CountyFilterField(forms.Field):
    """A list's county filter: a select of the counties while they are few (``COUNTY_SELECT_LIMIT``), else a text
    box matching part of a county's name. Digits are a county's id either way (the dashboards link with ids).
    Cleans to ``None``, an ``int`` id or the typed text; ``filter_county`` applies it to a queryset."""

    def __init__(self, *, label, empty_label, **kwargs):
        kwargs["required"] = False
        super().__init__(label=label, **kwargs)
        counties = Unit.objects.filter(kind=Role.COUNTY).order_by("sort_order", "code").values_list("pk", "name")
        pairs = list(counties[: COUNTY_SELECT_LIMIT + 1])
        self.choices = None  # the options when it is a select (the Excel title names the county from them)
        if len(pairs) <= COUNTY_SELECT_LIMIT:
            self.choices = pairs
            self.widget = FastSelect(attrs={"class": "form-select form-select-sm"}, choices=[("", empty_label), *pairs])
        else:
            self.widget = forms.TextInput(
                attrs={"class": "form-control form-control-sm", "placeholder": label, "maxlength": 40, "type": "search"}
            )

    def to_python(self, value):
        value = str(value or "").strip()[:40]
        if not value:
            return None
        return int(value) if value.isdigit() and len(value) < 12 else value

    def validate(self, value):
        super().validate(value)
        if isinstance(value, int):
            known = (
                any(pk == value for pk, _name in self.choices)
                if self.choices is not None
                else Unit.objects.filter(kind=Role.COUNTY, pk=value).exists()
            )
            if not known:
                raise forms.ValidationError(_("没有这个县（市、区），请重新选择。"), code="invalid_choice")


def filter_county(qs, value, field="county"):
    """``qs`` narrowed to one county (an id) or to the counties whose name contains the text."""
    if value is None or value == "":
        return qs
    if isinstance(value, int):
        return qs.filter(**{f"{field}_id": value})
    return qs.filter(**{f"{field}__name__contains": value})
