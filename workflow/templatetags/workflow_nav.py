"""``{% navigation_links as links %}``: the registered navigation entries the current user sees."""

from django import template

from accounts.navigation import links_for

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_links(context):
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return links_for(user, getattr(request, "path", ""))
