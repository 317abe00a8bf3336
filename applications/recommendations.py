"""The recommendation list (试点建议名单): the office sends one per batch; the committee decides it item by item."""

from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import has_role
from pilots.models import Batch
from workflow.engine.errors import WorkflowError
from workflow.inbox.workitems import sync
from workflow.services import perform

from . import selectors
from .models import Application, RecommendationList
from .services import decide_application

CHOICES = ("approve", "reject")


def list_of(batch):
    """The batch's recommendation list, or None before the office sent it."""
    return RecommendationList.objects.filter(batch=batch).select_related("batch").first()


def send_list(*, actor, batch, comment=""):
    """The office sends the committee the batch's list once every application there has its recommendation."""
    if not rules.has_perm("applications.review_application", actor):
        raise PermissionDenied(_("只有市委改革办可以报送试点建议名单。"))

    def check(rlist):
        locked_batch = Batch.objects.select_for_update().get(pk=batch.pk)  # no application moves in meanwhile
        if locked_batch.status != Batch.Status.CLOSED:
            raise WorkflowError(_("请先截止申报，再报送试点建议名单。"))
        ready, pending = selectors.recommendable(locked_batch)
        count, names = selectors.names_of(pending)
        if count:
            raise WorkflowError(
                _("还有%(n)s份申报尚未提出是否建议列为试点，不能报送：%(list)s。") % {"n": count, "list": names}
            )
        ready_ids = list(ready.values_list("pk", flat=True))
        if not ready_ids:
            raise WorkflowError(_("本批次没有可报送的申报。"))
        rlist.items.set(ready_ids)

    with transaction.atomic():
        Batch.objects.select_for_update().get(pk=batch.pk)  # one list per batch, even for two clicks at once
        if RecommendationList.objects.filter(batch=batch).exists():
            raise WorkflowError(_("本批次的试点建议名单已报送。"))
        rlist = RecommendationList.objects.create(batch=batch)
        sync(rlist)  # its work items (no signal does it)
        return perform(rlist, "send", actor=actor, comment=comment, params={"at": timezone.now()}, before=check)


@dataclass
class ItemResult:
    application: Application
    choice: str
    done: bool
    message: str


def decision_names(actor):
    """The committee decides itself; the office records the committee's decision on its behalf (代为录入)."""
    if has_role(actor, Role.COMMITTEE):
        return {"approve": "approve", "reject": "reject"}
    if rules.has_perm("applications.record_decision", actor):
        return {"approve": "approve_on_behalf", "reject": "reject_on_behalf"}
    return None


def decide_items(*, actor, rlist, decisions, meeting_ref):
    """Decide the chosen items of a sent list, each on its own through the one transition path.

    ``decisions`` is a list of ``(application_id, choice, reason, expected_state)``; ``choice`` is "approve" or
    "reject". One item refused (a rule, a stale page, a missing reason) does not stop the others: the result
    says for each whether it was done or why not. The list is finished once no item is left undecided.
    """
    names = decision_names(actor)
    if names is None:
        raise PermissionDenied(_("只有市委改革委可以确定试点（市委改革办可代为录入）。"))
    if rlist.status != RecommendationList.Status.SENT:
        raise WorkflowError(_("该试点建议名单已逐项确定完毕。"))
    if not (meeting_ref or "").strip():
        raise WorkflowError(_("请填写会议届次（例如：市委改革委第3次会议）。"), field="meeting_ref", status=400)
    if not decisions:
        raise WorkflowError(_("请至少对一个项目作出确定或不予确定的选择。"), status=400)
    items = {a.pk: a for a in selectors.recommendation_items(rlist).filter(pk__in=[d[0] for d in decisions])}
    results = []
    for app_id, choice, reason, expected_state in decisions:
        app = items.get(app_id)
        if app is None or choice not in CHOICES:
            continue  # not on this list: nothing to report about a record the page never showed
        try:
            changed = decide_application(
                actor=actor,
                application=app,
                name=names[choice],
                meeting_ref=meeting_ref,
                comment=reason,
                expected_state=expected_state or None,
            )
        except (WorkflowError, PermissionDenied) as err:
            results.append(ItemResult(app, choice, False, str(getattr(err, "message", err))))
        else:
            results.append(ItemResult(changed, choice, True, changed.get_status_display()))
    _finish_when_all_decided(rlist, actor)
    return results


def _finish_when_all_decided(rlist, actor):
    if rlist.items.filter(status__in=Application.RECOMMENDATION_MADE).exists():
        return rlist
    try:
        return perform(
            rlist,
            "finish",
            actor=None,
            system=True,
            details={"last_decided_by": actor.pk},
            comment=_("名单所列申报已全部确定。"),
        )
    except WorkflowError:  # finished meanwhile by the other decision page
        return RecommendationList.objects.get(pk=rlist.pk)
