"""Form widgets that keep list pages cheap as reference data grows."""

from functools import lru_cache
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import normalize_choices
from django.utils.safestring import mark_safe


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
