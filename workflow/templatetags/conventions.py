"""Template pieces of the approval conventions: the record panel, the phrases of a comment box, the batch bar."""

from django import template

from ..conventions import approval as conventions
from ..conventions.models import SavedPhrase
from ..engine.transitions import transitions_of
from ..inbox import deputies
from ..inbox.models import deputising
from ..services import available_actions
from ..ui.convention_views import DeputyForm

register = template.Library()


def _user(context):
    request = context.get("request")
    return context.get("user") or getattr(request, "user", None)


@register.inclusion_tag("workflow/record_conventions.html", takes_context=True)
def record_conventions(context, obj):
    """撤回, 退回到指定步骤, 催办, 抄送 and 审批单 for one record page (each shown where the workflow declares it and
    the user may). Rendering writes nothing: when the page is opened by the one the record waits on, it posts that
    opening (``workflow:opened``), which ends the sender's chance to recall."""
    user = _user(context)
    recall = returning = None
    if conventions.declared(obj, "recall") or conventions.declared(obj, "return_to_step"):
        actions = {t.name: t for t in available_actions(obj, user)}
        recall, returning = actions.get("recall"), actions.get(conventions.RETURN)
    return {
        "obj": obj,
        "workflow": type(obj).workflow_key,
        "recall": recall,
        "returning": returning,
        "steps": conventions.steps_of(obj) if returning else [],
        "may_urge": conventions.may_urge(obj, user) and conventions.waits_on_anyone(obj),
        "urgings": conventions.urgings_of(obj) if conventions.declared(obj, "urge") else [],
        "may_copy": conventions.may_copy(obj, user),
        "copies": conventions.copies_of(obj) if conventions.declared(obj, "copy") else [],
        "sheet": bool(conventions.declared(obj, "sheet")),
        "announce_opening": conventions.opening_due(obj, user) is not None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("workflow/phrases.html", takes_context=True)
def comment_phrases(context, transitions, target="id_comment"):
    """Buttons that put a saved or default phrase into the comment box ``target`` (an element id)."""
    transitions = list(transitions or ())
    model = conventions.model_of(transitions[0]) if transitions else None
    phrases = conventions.phrases_for(_user(context), model, transitions) if model is not None else []
    return {"phrases": phrases, "target": target}


@register.inclusion_tag("workflow/batch_form.html", takes_context=True)
def batch_form(context, workflow_key):
    """The 批量审批 bar above a list: the declared transitions the user may take, one comment for all; each row's
    checkbox joins the form through ``form="batch-form"`` (``{% if batch %}`` in the list reads ``batch``)."""
    model = conventions.model_for(workflow_key)
    actions = conventions.batch_actions(model, _user(context)) if model is not None else []
    request = context.get("request")
    return {
        "actions": actions,
        "workflow": workflow_key,
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
        # The defaults of the offered actions only: the list page asks nothing more than its rows.
        "phrases": conventions.default_phrases(model, [t for n, _l, _r in actions for t in transitions_of(model, n)]),
    }


@register.simple_tag(takes_context=True)
def batch_actions(context, workflow_key):
    """``[(name, label, needs_reason)]`` the user may run at once on several records of the workflow's list."""
    model = conventions.model_for(workflow_key)
    return conventions.batch_actions(model, _user(context)) if model is not None else []


@register.inclusion_tag("workflow/phrase_manager.html", takes_context=True)
def phrase_manager(context):
    return {"phrases": list(SavedPhrase.objects.filter(user=_user(context))), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("workflow/deputy_manager.html", takes_context=True)
def deputy_manager(context, form=None):
    """代理 on the preferences page: the deputies the user named, the form to name one, whom the user deputises."""
    user = _user(context)
    return {
        "named": deputies.named_by(user),
        "deputising": deputising(user),
        "form": form or DeputyForm(user=user),
        "csrf_token": context.get("csrf_token"),
    }
