"""``{% pilot_clock pilot user %}``: the pilot's clock on its page (elapsed, remaining, next deadline, links)."""

from django import template

from reports.monitoring.selectors import pilot_clock as clock

register = template.Library()


@register.inclusion_tag("reports/_pilot_clock.html")
def pilot_clock(pilot, user):

    return clock(pilot, user)
