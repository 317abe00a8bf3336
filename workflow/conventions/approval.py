"""The approval conventions staff expect (撤回, 退回到指定步骤, 批量审批, 催办, 传阅, 常用意见, 审批单), declared per
workflow (代理, acting while away, holds for every workflow: ``workflow.inbox.deputies``). Imports the engine, the
inbox and the services; the ui imports it.

A workflow model declares the ones it offers, one line each, in a class attribute::

    conventions = {
        "recall": ["submit"],               # 撤回: the sender takes back these transitions until the next actor
                                            #   opens or acts (the ``Conventions`` mixin defines a transition
                                            #   ``recall`` on the model)
        "return_to_step": {"by": ["approve"]},  # 退回到指定步骤: whoever may take ``approve`` may instead return
                                            #   the record to a step it has passed (from its log; optionally only
                                            #   the transitions in ``"steps": [...]``), with a reason; when that
                                            #   step is taken again the record comes back to them (the
                                            #   ``Conventions`` mixin defines a transition ``return_to_step``)
        "batch": ["accept", "return_to_county"],  # 批量审批: these transitions on the list, one comment for all
        "urge": True,                       # 催办: the reform office urges whoever the record waits on; or
                                            #   {"roles": [...], "targets": [...]}: who may urge (default the
                                            #   office) and the roles of the units urged (default any)
        "copy": True,                       # 抄送/传阅: an actor copies the record to units or people
        "phrases": True,                    # 常用意见: own phrases and defaults offered in the comment box
        "sheet": True,                      # 审批单: an A4 approval sheet from the timeline's rows
    }

A model that declares ``recall`` or ``return_to_step`` also takes the ``Conventions`` mixin (below), which defines
those transitions on the class. Everything goes through the core's one path: state changes through
``workflow.services.perform``, audited non-transitions through ``workflow.engine.log.record`` (a log row). Records are
reached by ``<workflow_key>/<pk>`` and scoped by the model's
``visible_to`` (404 when not the user's), actions by role (403).
"""

from collections import namedtuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import RETURN_VALUE, transition

from accounts.models import User
from accounts.navigation import NavEntry
from accounts.navigation import register as register_nav
from accounts.roles import memberships, roles_of

from ..engine.errors import WorkflowError
from ..engine.log import acting_unit, record
from ..engine.models import SYSTEM_ROLE, TransitionLog
from ..engine.outbox import tell
from ..engine.registry import EXTRA_LABELS, acting_label, action_label, workflow_models
from ..engine.transitions import all_transitions, transitions_of
from ..inbox.models import Assignment, WorkItem
from ..inbox.workitems import RETURNER, assign, next_actor_users, waiting_transitions
from ..services import perform
from .models import Copy, Opening, SavedPhrase, Urging

KEYS = ("recall", "return_to_step", "batch", "urge", "copy", "phrases", "sheet")
URGE_ROLES = {"reform_office"}

# Defaults offered in every comment box: agreeing steps and steps that need a reason read differently.
DEFAULT_PHRASES = {
    "agree": [gettext_lazy("同意。"), gettext_lazy("经审核，材料齐全，同意。")],
    "reason": [
        gettext_lazy("材料不完整，请补充后重新提交。"),
        gettext_lazy("请按审核意见修改后重新提交。"),
    ],
}


def declared(model, key):
    """The declaration of convention ``key`` on a workflow model (or instance), or None."""
    return (getattr(model, "conventions", None) or {}).get(key)


def model_for(workflow_key):
    for model in workflow_models():
        if model.workflow_key == workflow_key:
            return model
    return None


def get_record(user, workflow_key, pk, key):
    """The record the URL names if its workflow offers ``key`` and the user may see it; 404 otherwise."""
    model = model_for(workflow_key)
    if model is None or not declared(model, key):
        raise Http404
    obj = model.objects.visible_to(user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _ct(obj):
    return ContentType.objects.get_for_model(obj)


def _log(obj, action, *, actor, role, comment="", details=None):
    return record(
        obj,
        f"{type(obj).workflow_key}.{action}",
        actor=actor,
        role=role,
        unit=acting_unit(obj, actor, role) if role else None,
        comment=comment,
        from_state=obj.status,
        to_state=obj.status,
        details=details,
    )


def _members(unit_id, role=None):
    qs = User.objects.filter(memberships__unit_id=unit_id, is_active=True)
    if role:
        qs = qs.filter(memberships__role=role)
    return list(qs.distinct())


# --- 撤回 (recall) ---------------------------------------------------------------------------------------


def _last_log(obj):
    return TransitionLog.objects.filter(content_type=_ct(obj), object_id=obj.pk).order_by("-created_at", "-id").first()


def _recallable_log(obj):
    """The log row a recall would take back: the record's last row, if it is a declared transition not yet opened
    by anyone the record then waited on."""
    names = {f"{type(obj).workflow_key}.{n}" for n in declared(obj, "recall") or ()}
    log = _last_log(obj)
    if log is None or log.action not in names or log.to_state != obj.status:
        return None
    if Opening.objects.filter(log=log).exists():
        return None
    return log


def can_recall(obj):
    return _recallable_log(obj) is not None


can_recall.message = gettext_lazy("下一步办理人已查看或办理，不能撤回。")


def opening_due(obj, user):
    """The log row whose recall ``user`` opening the record would end (the record waits on the user and that
    opening is not yet noted), or None. Reads only: the page announces the opening (``note_opening``) by a POST."""
    if not declared(obj, "recall"):
        return None
    # The record's own open items (an index read of a few rows), matched to the user here; only an item named to
    # someone else (perhaps a colleague the user deputises for) needs the full scope query.
    items = list(WorkItem.objects.open().for_object(obj).only("user_id", "unit_id", "role"))
    held = {(m.unit_id, m.role) for m in memberships(user)}
    mine = any(i.user_id == user.pk or (i.user_id is None and (i.unit_id, i.role) in held) for i in items)
    if not mine and not any(i.user_id and i.user_id != user.pk for i in items):
        return None
    if not mine and not WorkItem.objects.open_for(user).filter(content_type=_ct(obj), object_id=obj.pk).exists():
        return None
    log = _last_log(obj)
    if log is None or log.actor_id == user.pk or Opening.objects.filter(log=log, user=user).exists():
        return None
    return log


def note_opening(obj, user):
    """``user`` opened the record (the page's POST, ``workflow:opened``): if the record waits on the user, a recall
    is no longer possible. Idempotent."""
    log = opening_due(obj, user)
    if log is not None:
        Opening.objects.get_or_create(content_type=_ct(obj), object_id=obj.pk, user=user, log=log)


def recall(obj, *, actor, comment=""):
    """Take the record back: logged; the next actor's 待办 item closes and they are told."""

    def tell_next(locked, log):
        # The items are still open here (perform closes them after this hook): tell those they were for.
        tell([u for u in next_actor_users(locked) if u.pk != actor.pk], log, locked.get_absolute_url())

    return perform(obj, "recall", actor=actor, comment=comment, after=tell_next)


# --- 退回到指定步骤 (return to a chosen step) ---------------------------------------------------------------

Step = namedtuple("Step", "key state action label log")
RETURN = "return_to_step"


def _return_spec(model):
    spec = declared(model, RETURN)
    return spec if isinstance(spec, dict) else ({"by": list(spec)} if spec else None)


def _step_names(model):
    """The transitions that count as steps: the declared ones, else every one that moves a record on (no reason
    asked, not a convention's own)."""
    spec = _return_spec(model)
    if spec.get("steps"):
        return set(spec["steps"])
    return {
        name
        for name, ts in all_transitions(model).items()
        if not ts[0].custom.get("needs_reason") and not ts[0].custom.get("convention")
    }


def _step_state(model, from_state, name):
    """The state a return to this step leaves the record in: the state the step was taken from, except that a
    record never goes back to its first state (a draft): then the step's other source (e.g. 已退回修改)."""
    first = model._meta.get_field("status").get_default()
    if from_state != first:
        return from_state
    others = [str(t.source) for t in transitions_of(model, name) if t.source not in (first, "*", "+")]
    return others[0] if others else from_state


def _state_changes(obj):
    return TransitionLog.objects.filter(content_type=_ct(obj), object_id=obj.pk).exclude(from_state=F("to_state"))


def steps_of(obj):
    """The steps the record has actually passed, read from its log, in the order first passed (each as last taken):
    ``[Step(key, state, action, label, log)]`` (the current state's own step left out)."""
    model = type(obj)
    if not _return_spec(model):
        return []
    names, prefix = _step_names(model), f"{model.workflow_key}."
    chosen = {}
    for log in _state_changes(obj).select_related("actor", "on_behalf_of", "unit").order_by("created_at", "id"):
        name = log.action.removeprefix(prefix)
        if not log.action.startswith(prefix) or name not in names or log.role == SYSTEM_ROLE:
            continue
        state = _step_state(model, log.from_state, name)
        if state != obj.status:
            chosen[(state, name)] = log  # in the order first passed, by whoever took it last
    steps = []
    for (state, name), log in chosen.items():
        who = log.unit.name if log.unit_id else (log.actor.display_name if log.actor_id else "")
        label = _("%(who)s：%(action)s（%(name)s，%(date)s）") % {
            "who": who,
            "action": action_label(log.action),
            "name": acting_label(log),
            "date": date_format(timezone.localtime(log.created_at), "DATE_FORMAT"),
        }
        steps.append(Step(str(log.pk), state, name, label, log))
    return steps


def has_steps(obj):
    return bool(steps_of(obj))


has_steps.message = gettext_lazy("该记录尚未经过可退回的步骤。")


def return_to_step(obj, *, actor, step, comment=""):
    """Return the record to one of the steps it passed (``steps_of``), with a reason: logged (the step in the
    log's details), the step's party gets the 待办 item and is told; when they take that step again the record
    comes back to the returner (``returned_to``, ``name_the_returner``)."""
    details, params = {}, {}

    def choose(locked):
        chosen = next((s for s in steps_of(locked) if s.key == str(step)), None)
        if chosen is None:
            raise WorkflowError(_("请从该记录实际经过的步骤中选择要退回的步骤。"), field="step", status=400)
        details.update(step=chosen.label, step_action=chosen.action, step_state=chosen.state)
        params["state"] = chosen.state

    return perform(obj, RETURN, actor=actor, comment=comment, before=choose, params=params, details=details)


def returned_to(obj, from_state, name):
    """Called by ``perform`` after transition ``name`` ran from ``from_state`` (before its log row): the
    ``return_to_step`` log row it answers when the record was returned to this step and is now taken on by it;
    None otherwise. Unless the transition's own target already waits on the returner's role, the record goes back
    to the returner's state (the row's ``from_state``); either way it then waits on the returner
    (``name_the_returner``)."""
    if not _return_spec(type(obj)):
        return None
    last = _state_changes(obj).order_by("-created_at", "-id").first()
    if last is None or last.action != f"{type(obj).workflow_key}.{RETURN}" or last.to_state != from_state:
        return None
    if (last.details or {}).get("step_action") != name:
        return None
    if last.role not in waiting_transitions(obj):
        obj._meta.get_field("status").set_state(obj, last.from_state)
    return last


def name_the_returner(obj, role, returned, *, actor=None):
    """Called by ``perform`` after a transition taken in ``role``, before the record's items are synced: that side
    has acted, so the part naming its returner ends; and when ``returned`` (``returned_to``) the record waits on the
    reviewer who returned it (or the colleague they returned it for) by name, not on every unit of the role
    (谁退回谁复核; a deputy sees the item while they are away). Someone gone or no longer in the role is not named:
    the role's units take it, as for any step."""
    if not _return_spec(type(obj)):
        return
    Assignment.objects.for_object(obj).filter(active=True, purpose=RETURNER, role=role).update(
        active=False, ended_at=timezone.now()
    )
    returner = (returned.on_behalf_of or returned.actor) if returned is not None else None
    if returner is None or not returner.is_active or returned.role not in roles_of(returner):
        return
    if returned.role not in waiting_transitions(obj):
        return  # the state it came back to waits on another role now
    Assignment.objects.create(
        content_type=_ct(obj),
        object_id=obj.pk,
        role=returned.role,
        unit=returned.unit,
        user=returner,
        purpose=RETURNER,
        acts=True,
        created_by=actor,
    )


# --- 批量审批 (batch action) -------------------------------------------------------------------------------

_batch_handlers = {}


def register_batch(model, handler):
    """``handler(actor=, obj=, name=, comment=)`` runs one transition through the app's service (which calls
    ``perform``); without one the core calls ``perform`` itself."""
    _batch_handlers[model] = handler


def batch_actions(model, user):
    """The declared batch transitions whose role the user holds: ``[(name, label, needs_reason)]``."""
    roles = roles_of(user)
    result = []
    for name in declared(model, "batch") or ():
        ts = transitions_of(model, name)
        if ts and ts[0].custom.get("role") in roles:
            result.append((name, str(ts[0].custom.get("label", name)), bool(ts[0].custom.get("needs_reason"))))
    return result


def run_batch(model, user, ids, name, comment):
    """Run ``name`` on each record on its own (own transaction, own checks); ``[(id, title, ok, message)]``."""
    if name not in {n for n, _label, _r in batch_actions(model, user)}:
        raise PermissionDenied(_("您没有权限批量执行此操作。"))
    handler = _batch_handlers.get(model)
    visible = {o.pk: o for o in model.objects.visible_to(user).filter(pk__in=ids)}
    results = []
    for pk in ids:
        obj = visible.get(pk)
        if obj is None:
            results.append((pk, "", False, _("记录不存在或无权查看。")))
            continue
        try:
            if handler is not None:
                changed = handler(actor=user, obj=obj, name=name, comment=comment)
            else:
                changed = perform(obj, name, actor=user, comment=comment)
        except (WorkflowError, PermissionDenied) as err:
            message = err.message if isinstance(err, WorkflowError) else (str(err) or _("您没有权限执行此操作。"))
            results.append((pk, str(obj), False, str(message)))
        else:
            results.append((pk, str(changed), True, changed.get_status_display()))
    return results


# --- 催办 (urge) -------------------------------------------------------------------------------------------


def urge_spec(model):
    """``(roles, targets)`` of a workflow's 催办: who may urge (the office unless declared) and the roles of those it
    urges (an empty set: whoever the record waits on)."""
    spec = declared(model, "urge")
    if isinstance(spec, dict):
        return set(spec.get("roles") or URGE_ROLES), set(spec.get("targets") or ())
    return set(URGE_ROLES), set()


def may_urge(obj, user):
    return bool(declared(obj, "urge")) and bool(roles_of(user) & urge_spec(obj)[0])


def _urged_items(obj):
    items = WorkItem.objects.for_object(obj).open()
    targets = urge_spec(obj)[1]
    return items.filter(role__in=targets) if targets else items


def urge(obj, *, actor, comment=""):
    """Urge every unit or person the record waits on (in the declared target roles); once a day each. Returns the
    new Urging rows; the log row names the urging role (the office, or e.g. the pilot's special group)."""
    if not may_urge(obj, actor):
        roles = urge_spec(obj)[0]
        raise PermissionDenied(_("只有市委改革办可以催办。") if roles == URGE_ROLES else _("您没有权限催办该记录。"))
    held = roles_of(actor) & urge_spec(obj)[0]
    role = "reform_office" if "reform_office" in held else sorted(held)[0]
    today = timezone.localdate()
    ct = _ct(obj)
    with transaction.atomic():
        items = list(_urged_items(obj).select_related("unit", "user"))
        if not items:
            raise WorkflowError(_("该记录当前没有待办理的单位，无需催办。"), status=409)
        done = set(
            Urging.objects.filter(content_type=ct, object_id=obj.pk, day=today).values_list("unit_id", "user_id")
        )
        targets = {}
        for item in items:
            key = (item.unit_id, None) if item.unit_id else (None, item.user_id)
            if key not in done:
                targets.setdefault(key, item)
        if not targets:
            raise WorkflowError(_("今天已催办过，每条记录对每个单位每天最多催办一次。"), status=409)
        names = [str(i.unit.name if i.unit_id else i.user.display_name) for i in targets.values()]
        log = _log(obj, "urge", actor=actor, role=role, comment=comment, details={"urged": names})
        try:
            with transaction.atomic():
                rows = Urging.objects.bulk_create(
                    [
                        Urging(
                            content_type=ct, object_id=obj.pk, unit_id=u, user_id=p, day=today, urged_by=actor, log=log
                        )
                        for (u, p) in targets
                    ]
                )
        except IntegrityError:  # another office user urged the same unit a moment ago
            raise WorkflowError(_("今天已催办过，每条记录对每个单位每天最多催办一次。"), status=409) from None
        users = []
        for item in targets.values():
            users += [item.user] if item.user_id else _members(item.unit_id, item.role)
        tell(users, log, obj.get_absolute_url())
    return rows


def waits_on_anyone(obj):
    """Whether the record waits on someone it may be urged to act (``urge_spec``'s targets)."""
    return _urged_items(obj).exists()


def urgings_of(obj):
    return list(Urging.objects.for_object(obj).select_related("unit", "user", "urged_by"))


# --- 抄送/传阅 (copy) --------------------------------------------------------------------------------------


def copy_roles(model):
    return {str(ts[0].custom.get("role")) for ts in all_transitions(model).values() if ts[0].custom.get("role")}


def may_copy(obj, user):
    return bool(declared(obj, "copy")) and bool(roles_of(user) & copy_roles(type(obj)))


def copy_to(obj, *, actor, units=(), users=(), comment=""):
    """Copy the record to units and people: each may read it (a reading assignment) and finds it in 我的传阅."""
    if not may_copy(obj, actor):
        raise PermissionDenied(_("您没有权限抄送该记录。"))
    units, users = list(units), list(users)
    if not units and not users:
        raise WorkflowError(_("请选择抄送的单位或人员。"), field="units", status=400)
    with transaction.atomic():
        names = [u.name for u in units] + [u.display_name for u in users]
        role = next((m.role for m in memberships(actor)), "")
        log = _log(obj, "copy", actor=actor, role=role, comment=comment, details={"copied_to": names})
        title, url = str(obj)[:300], obj.get_absolute_url()
        rows = []
        for unit in units:
            assign(obj, role=unit.kind or "copy", unit=unit, purpose="copy", acts=False, actor=actor)
            rows.append(Copy(content_type=_ct(obj), object_id=obj.pk, title=title, url=url, unit=unit))
        for person in users:
            assign(obj, role="copy", user=person, purpose="copy", acts=False, actor=actor)
            rows.append(Copy(content_type=_ct(obj), object_id=obj.pk, title=title, url=url, user=person))
        for row in rows:
            row.copied_by, row.log = actor, log
        Copy.objects.bulk_create(rows)
        told = list(users)
        for unit in units:
            told += _members(unit.pk)
        tell([u for u in told if u.pk != actor.pk], log, url)
    return rows


def copies_for(user):
    """我的传阅: copies to the user or one of the user's units, newest first (one query a page)."""
    units = {m.unit_id for m in memberships(user)}
    return Copy.objects.filter(Q(user_id=user.pk) | Q(unit_id__in=units)).select_related("copied_by", "unit", "user")


def copies_of(obj):
    return list(Copy.objects.for_object(obj).select_related("unit", "user", "copied_by"))


# --- 常用意见 (saved phrases) ------------------------------------------------------------------------------


def model_of(t):
    """The workflow model a django-fsm Transition belongs to (the comment box knows only its transitions)."""
    for model in workflow_models():
        if any(t is other for other in model._meta.get_field("status").get_all_transitions(model)):
            return model
    return None


def phrases_for(user, model, transitions):
    """The user's own phrases, then the defaults of the given transitions (a transition may carry its own in
    ``custom["phrases"]``); nothing when the workflow does not offer phrases."""
    if not declared(model, "phrases"):
        return []
    own = list(SavedPhrase.objects.filter(user=user).values_list("text", flat=True))
    return list(dict.fromkeys(own + default_phrases(model, transitions)))


def default_phrases(model, transitions):
    """The defaults of the given transitions (no query)."""
    if not declared(model, "phrases"):
        return []
    defaults = []
    for t in transitions:
        kind = "reason" if t.custom.get("needs_reason") else "agree"
        defaults += [str(p) for p in (t.custom.get("phrases") or DEFAULT_PHRASES[kind])]
    return list(dict.fromkeys(defaults))


def ready():
    """Called from WorkflowConfig.ready(): the conventions' log labels and the 我的传阅 entry; and a model that
    declares ``recall`` or ``return_to_step`` without the ``Conventions`` mixin is refused at start."""
    for model in workflow_models():
        if (declared(model, "recall") or declared(model, RETURN)) and not issubclass(model, Conventions):
            raise ImproperlyConfigured(
                f"{model.__name__} declares recall/return_to_step: add workflow.conventions.approval.Conventions "
                "to its bases"
            )
    EXTRA_LABELS.setdefault(RETURN, gettext_lazy("退回到指定步骤"))
    EXTRA_LABELS.setdefault("urge", gettext_lazy("催办"))
    EXTRA_LABELS.setdefault("copy", gettext_lazy("抄送"))
    register_nav(NavEntry(name="copies", label=gettext_lazy("我的传阅"), url_name="workflow:copies", order=95))


# --- the mixin that declares the conventions' transitions on the model ---------------------------------------


def _declared_transitions(cls, name, key):
    ts = transitions_of(cls, name)
    if not ts:
        raise ValueError(f"{cls.__name__}.conventions[{key!r}]: no transition {name!r}")
    return ts


def recall_transition(cls, names):
    """The ``recall`` transition method for a model whose ``recall`` convention names ``names``: from each one's
    target back to the state it left (django-fsm's RETURN_VALUE), with its permission and role."""

    def recall(self):
        """Back to the state the recalled transition left (django-fsm's RETURN_VALUE)."""
        return _recallable_log(self).from_state

    method = recall
    for name in names:
        ts = _declared_transitions(cls, name, "recall")
        method = transition(
            field="status",
            source=str(ts[0].target),
            target=RETURN_VALUE(*[str(t.source) for t in ts]),
            permission=ts[0].permission,
            conditions=[can_recall],
            custom={
                "role": ts[0].custom.get("role", ""),
                "label": gettext_lazy("撤回"),
                "optional": True,
                "convention": "recall",
                "confirm": gettext_lazy("确定撤回？撤回后可修改再提交。"),
            },
        )(method)
    return method


def return_transition(cls, spec):
    """The ``return_to_step`` transition method: whoever may take one of ``spec["by"]`` may instead return the
    record, with a reason, to a state it passed (any of ``cls.Status``; ``return_to_step`` checks which)."""
    states = [value for value, _label in cls.Status.choices]

    def return_to_step(self, *, state):
        """To the chosen step's state (checked by ``return_to_step``; django-fsm's RETURN_VALUE)."""
        return state

    method = return_to_step
    for name in spec["by"]:
        ts = _declared_transitions(cls, name, RETURN)
        method = transition(
            field="status",
            source=[str(t.source) for t in ts],
            target=RETURN_VALUE(*states),
            permission=ts[0].permission,
            conditions=[has_steps],
            custom={
                "role": ts[0].custom.get("role", ""),
                "label": gettext_lazy("退回到指定步骤"),
                "needs_reason": True,
                "optional": True,
                "convention": RETURN,
            },
        )(method)
    return method


class Conventions:
    """Mixin for a workflow model whose ``conventions`` declare 撤回 (``recall``) or 退回到指定步骤
    (``return_to_step``): ``class Application(Conventions, WorkflowModel)`` (before ``WorkflowModel``).

    When the class is created, it defines the declared transitions on it as real django-fsm ``@transition``
    methods (``recall``, ``return_to_step``; the status field is ``status`` and its choices ``Status``), before
    django-fsm collects the class's transitions; and it takes the two steps ``workflow.services.perform`` asks of
    every model around a transition (``returned_to``, ``name_the_returner``; no-ops on ``WorkflowModel``)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        names = declared(cls, "recall")
        if names and "recall" not in cls.__dict__:
            cls.recall = recall_transition(cls, names)
        spec = _return_spec(cls)
        if spec and RETURN not in cls.__dict__:
            setattr(cls, RETURN, return_transition(cls, spec))

    def returned_to(self, from_state, name):
        return returned_to(self, from_state, name)

    def name_the_returner(self, role, returned, *, actor=None):
        return name_the_returner(self, role, returned, actor=actor)
