"""``{% cached_for_user "name" [seconds] %}…{% endcached_for_user %}``: a fragment kept in the generational cache
(``workflow.generation``) for this user, this URL (path and query), this language and today, so it is rendered
again as soon as anything in the workflow's tables is written; and at the latest after ``seconds`` (300 unless
given: what the clock alone changes, such as an item falling overdue).

Only for fragments that depend on nothing but the database, the request's URL and the user: no CSRF token, no
messages, no form bound to POST data. The queries inside (a lazy page, a lazy filter form) run only on a miss."""

from django import template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from workflow import generation

register = template.Library()


class CachedForUserNode(template.Node):
    def __init__(self, name, timeout, nodelist):
        self.name, self.timeout, self.nodelist = name, timeout, nodelist

    def render(self, context):
        request = context.get("request")
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return self.nodelist.render(context)
        parts = (
            self.name.resolve(context),
            user.pk,
            request.get_full_path(),
            translation.get_language(),
            timezone.localdate().isoformat(),
            bool(request.headers.get("HX-Request")),
        )
        timeout = int(self.timeout.resolve(context)) if self.timeout else 300
        html = generation.cached("fragment", parts, lambda: str(self.nodelist.render(context)), timeout=timeout)
        return mark_safe(html)  # noqa: S308 - rendered by the template engine


@register.tag("cached_for_user")
def cached_for_user(parser, token):
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError('{% cached_for_user "name" [seconds] %} takes one or two arguments')
    nodelist = parser.parse(("endcached_for_user",))
    parser.delete_first_token()
    timeout = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    return CachedForUserNode(parser.compile_filter(bits[1]), timeout, nodelist)
