"""Why opinions are asked: the purposes each app registers from its ``ready()`` (each with its own verdict choices).
Read by the Opinion model (its labels) and by ``workflow.conventions.opinions`` (the services)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Unit
from accounts.roles import memberships

from ..engine.errors import WorkflowError

# --- purposes ------------------------------------------------------------------------------------


def _role_of_invitee(invitee):
    """A unit answers in its kind's role; a person in the role of their first membership."""
    if isinstance(invitee, Unit):
        return invitee.kind
    return next((m.role for m in memberships(invitee)), "")


@dataclass(frozen=True)
class Purpose:
    """Why opinions are asked and which verdicts an answer may carry (e.g. 同意推荐 / 不同意推荐 / 补充意见)."""

    key: str
    label: str
    verdicts: tuple
    requester_roles: frozenset = frozenset()
    heading: str = ""
    given_message: str = ""
    role_for_invitee: object = _role_of_invitee
    #: ``extend_form(form, opinion)`` adds the purpose's own fields to the one answer form (e.g. a remark per
    #: task of a plan); ``on_given(opinion, extra, log)`` stores them in the answering transaction.
    extend_form: object = None
    on_given: object = None

    @property
    def verdict_keys(self):
        return [key for key, _label in self.verdicts]

    def verdict_label(self, key):
        return str(dict(self.verdicts).get(key, key))


_purposes = {}


def register_purpose(
    key,
    label,
    verdicts,
    *,
    requester_roles=(),
    heading="",
    given_message="",
    role_for_invitee=None,
    extend_form=None,
    on_given=None,
):
    """Declare a purpose once, from the ready() of the app that asks (the core never imports apps)."""
    if not verdicts:
        raise ValueError("a purpose needs at least one verdict")
    _purposes[key] = Purpose(
        key=key,
        label=label,
        verdicts=tuple(verdicts),
        requester_roles=frozenset(requester_roles),
        heading=heading or label,
        given_message=given_message or gettext_lazy("意见已提交。"),
        role_for_invitee=role_for_invitee or _role_of_invitee,
        extend_form=extend_form,
        on_given=on_given,
    )
    return _purposes[key]


def unregister_purpose(key):
    """For tests that declare a purpose of their own."""
    _purposes.pop(key, None)


def get_purpose(key):
    try:
        return _purposes[key]
    except KeyError:
        raise WorkflowError(_("没有这种征求意见事项。"), status=400) from None


def purposes():
    return dict(_purposes)
