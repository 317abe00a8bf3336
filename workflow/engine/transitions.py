"""Reading a model's django-fsm definitions: its transitions, their labels and roles, which leave a state, what
condition stops one, and the state labels and the stale-page message every service uses."""

from django.utils.translation import gettext as _


def state_label(obj, state=None):
    field = obj._meta.get_field("status")
    value = obj.status if state is None else state
    return dict(field.flatchoices).get(value, value)


def transitions_of(model_or_obj, name):
    """All django-fsm Transition objects of one transition method (one per source state)."""
    method = getattr(model_or_obj, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        return []
    return list(meta.transitions.values())


def transition_label(model_or_obj, name):
    for t in transitions_of(model_or_obj, name):
        return t.custom.get("label", name)
    return name


def all_transitions(model):
    """Every distinct transition of a model: (name, Transition for each source) in definition order."""
    field = model._meta.get_field("status")
    seen = {}
    for t in field.get_all_transitions(model):
        seen.setdefault(t.name, []).append(t)
    return seen


def current_transition(obj, name):
    method = getattr(obj, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None or not meta.has_transition(obj.status):
        return None
    return meta.get_transition(obj.status)


def transition_role(obj, t):
    """The role that takes transition ``t`` on ``obj`` (fixed, or read from the object, e.g. an opinion's)."""
    attr = t.custom.get("role_attr")
    return getattr(obj, attr) if attr else t.custom.get("role", "")


def may_act(obj, name, user):
    """True if the user's role may take this transition on this object at all (state aside)."""
    ts = transitions_of(obj, name)
    return bool(ts) and ts[0].has_perm(obj, user)


def leaves(t, state):
    """True if transition ``t`` can start from ``state`` ("*" = any state, "+" = any other state)."""
    return t.source in (state, "*") or (t.source == "+" and t.target != state)


def unmet_condition(obj, transition):
    for cond in transition.conditions:
        if not cond(obj):
            return getattr(cond, "message", _("当前条件下不能执行此操作。"))
    return None


def stale_message(obj):
    return _("该记录已被其他用户处理，当前状态为“%(state)s”，您的操作未执行。请刷新页面查看最新情况。") % {
        "state": state_label(obj)
    }
