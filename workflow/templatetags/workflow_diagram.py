"""``{% workflow_diagram obj %}``: the live diagram of a record's state machine and its next steps.

    {% load workflow_diagram %}
    {% workflow_diagram application %}

The user is the request's user (or ``user`` in the context); steps this user may take now are marked.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..ui.diagram import actionable_names, next_steps, state_diagram_svg

register = template.Library()


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user if getattr(user, "is_authenticated", False) else None


def _step(step):
    role = format_html("({})", step["role_label"]) if step["role_label"] else ""
    target = (
        format_html(' <span class="text-body-secondary">→ {}</span>', step["target_label"])
        if step["target_label"]
        else ""
    )
    mine = format_html(' <span class="badge text-bg-success">{}</span>', _("您可办理")) if step["actionable"] else ""
    return format_html(
        '<li class="{}" data-transition="{}"><strong>{}</strong><span class="role">{}</span>{}{}</li>',
        "next-step actionable" if step["actionable"] else "next-step",
        step["name"],
        step["label"],
        role,
        target,
        mine,
    )


@register.simple_tag(takes_context=True)
def workflow_diagram(context, obj):
    user = _user(context)
    actionable = actionable_names(obj, user)
    # Every text in the SVG is XML-escaped by workflow.ui.diagram; it carries no style and no script.
    svg = mark_safe(state_diagram_svg(obj, user=user, actionable=actionable))  # noqa: S308
    steps = next_steps(obj, actionable=actionable)
    if steps:
        listing = format_html(
            '<ul class="list-unstyled mb-0">{}</ul>', format_html_join("", "{}", ((_step(s),) for s in steps))
        )
    else:
        listing = format_html('<p class="text-body-secondary mb-0">{}</p>', _("流程已结束，没有下一步。"))
    return format_html(
        '<figure class="workflow-diagram" data-state="{}">'
        '<figcaption class="fw-semibold mb-1">{}</figcaption>'
        '<div class="workflow-diagram-canvas overflow-auto">{}</div>'
        '<div class="workflow-next mt-2"><h3 class="h6 mb-1">{}</h3>{}</div>'
        "</figure>",
        obj.status,
        _("流程图"),
        svg,
        _("下一步"),
        listing,
    )
