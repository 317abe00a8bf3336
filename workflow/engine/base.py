"""Base class and helpers for every model whose status is a django-fsm state machine."""

import rules
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMModelMixin


def condition(message):
    """Mark a django-fsm condition with the Chinese message shown when it does not hold."""

    def wrap(func):
        func.message = message
        return func

    return wrap


def perm(name):
    """A transition permission answered by the ``rules`` permission set only (no superuser bypass)."""

    def check(instance, user):
        return bool(user and user.is_authenticated and rules.has_perm(name, user, instance))

    check.__name__ = name
    check.perm_name = name
    return check


class ProtectedStatusQuerySet(models.QuerySet):
    """Refuses bulk writes of the status field: only a transition changes a state."""

    state_field = "status"

    def update(self, **kwargs):
        if self.state_field in kwargs:
            raise PermissionError("状态只能通过流程操作改变。")
        return super().update(**kwargs)

    def visible_to(self, user):  # pragma: no cover - every model overrides this
        raise NotImplementedError


class WorkflowModel(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A record that moves through a state machine in the shared service (``workflow.services``)."""

    #: dotted prefix of log actions, e.g. "application" → "application.submit"
    workflow_key = ""
    #: relations ``__str__`` reads, loaded with the record wherever records of several kinds are listed
    #: together (opinions, calendar): ``workflow.registry.display_querysets``
    display_related = ()

    class Meta:
        abstract = True

    @property
    def state(self):
        return self.status

    def units_for_role(self, role):
        """Units whose members act on this record in ``role`` (used to find the next actors)."""
        return []

    def watchers(self):
        """Users told of every change besides the next actors (e.g. the owning county)."""
        return []

    def version_data(self):
        """A JSON-able snapshot of what was submitted, for versions and diffs."""
        return {}

    # The two steps ``services.perform`` takes around every transition for 退回到指定步骤 (return to a chosen
    # step). Nothing here; a model that declares the convention inherits the real ones from
    # ``workflow.conventions.approval.Conventions``.
    def returned_to(self, from_state, name):
        """The ``return_to_step`` log row that transition ``name`` (just run from ``from_state``) answers, or None."""
        return None

    def name_the_returner(self, role, returned, *, actor=None):
        """After a transition taken in ``role``: name the reviewer ``returned`` (``returned_to``) as the next actor."""
        return None
