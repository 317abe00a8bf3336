"""The engine's registries, filled from the apps' ``ready()``: sentences and labels for log rows (derived from the
action key so each language reads right: a log row is data), the installed workflow models, related records."""

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import WorkflowModel

# Actions that are not transitions (created, attachment added, …) register their label here.
EXTRA_LABELS = {
    "created": gettext_lazy("创建"),
    "updated": gettext_lazy("保存草稿"),
    "attachment_added": gettext_lazy("上传附件"),
    "attachment_removed": gettext_lazy("删除附件"),
    "admin_edit": gettext_lazy("后台更正"),
}

_cache = {}


def register_label(action, label):
    """Name the sentence of an action that is not a transition (logged as ``<key>.<action>``), from an app's
    ``ready()``: ``register_label("guidance_unit_assigned", gettext_lazy("指定牵头指导单位"))``."""
    EXTRA_LABELS[action] = label


def _labels():
    if not _cache:
        for model in apps.get_models():
            if issubclass(model, WorkflowModel) and model.workflow_key:
                for t in model._meta.get_field("status").get_all_transitions(model):
                    _cache[f"{model.workflow_key}.{t.name}"] = t.custom.get("label", t.name)
    return _cache


def workflow_models():
    """Every installed model built on ``WorkflowModel`` (read from the app registry, never imported)."""
    return [model for model in apps.get_models() if issubclass(model, WorkflowModel)]


def display_querysets():
    """Querysets for ``GenericPrefetch`` of mixed records: each with the relations its ``__str__`` reads."""
    return [m._default_manager.select_related(*m.display_related) for m in workflow_models() if m.display_related]


def action_label(action):
    label = _labels().get(action)
    if label is None:
        label = EXTRA_LABELS.get(action.rsplit(".", 1)[-1], action)
    return str(label)


def acting_label(log):
    """ "张三（代李四）" for a row made by a deputy (代理, ``workflow.inbox.deputies``); the actor's name otherwise."""
    who = log.actor.display_name if log.actor_id else _("系统")
    if log.on_behalf_of_id:
        return _("%(deputy)s（代%(absent)s）") % {"deputy": who, "absent": log.on_behalf_of.display_name}
    return who


def log_sentence(log):
    who = acting_label(log)
    where = f"({log.unit.name})" if log.unit_id else ""
    return _("%(who)s%(where)s:%(action)s") % {"who": who, "where": where, "action": action_label(log.action)}


# --- related records ("相关记录" on a record's page) ----------------------------------------------
# Apps register, from ``ready()``, a provider per model label: ``provider(user, obj)`` returns the records of
# ``obj`` that ``user`` may open, as (label, url, state_label) tuples, scoped the way the app's own views scope
# them and at a fixed number of queries (never one per row).
_related = {}


def register_related(model_label, provider):
    """``register_related("pilots.Pilot", plan_links)``: the page of a pilot lists what ``plan_links`` returns."""
    _related.setdefault(model_label, []).append(provider)


def related_for(user, obj):
    """Every registered provider's links for ``obj`` that ``user`` may open, in registration order."""
    links = []
    for provider in _related.get(obj._meta.label, []):
        links.extend(provider(user, obj))
    return links
