"""Form widgets that keep list pages cheap as reference data grows."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A flat ``<select>`` rendered in Python. Django renders each option through a template (about 0.1–0.2 ms an
    option); a list filter offering every batch and every county renders hundreds of them on each request,
    which costs more than the page's queries. Grouped choices fall back to Django's own rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        selected = {str(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), mark_safe(" selected") if str(v) in selected else "", label) for v, label in choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)
