"""``{% masked value unit %}``: a phone number or e-mail address as the current viewer may see it."""

from django import template

from accounts.privacy import for_viewer

register = template.Library()


@register.simple_tag(takes_context=True)
def masked(context, value, unit):
    request = context.get("request")
    return for_viewer(getattr(request, "user", None), unit, value)
