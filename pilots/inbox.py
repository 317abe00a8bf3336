"""我的待办 for the office: proposed candidates to list or decline."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import has_role
from workflow.inbox import TodoItem
from workflow.services import available_actions

from .models import Batch, Candidate


def candidate_todos(user):
    if not has_role(user, Role.REFORM_OFFICE):
        return
    for c in Candidate.objects.filter(status=Candidate.Status.PROPOSED).select_related("batch", "proposer_unit"):
        yield TodoItem(
            title=f"{c.batch.name} · {c.title}({c.proposer_unit.name}提出)",
            url=c.get_absolute_url(),
            action=_("列入或不列入候选名单"),
            kind=_("候选项目"),
        )


def batch_todos(user):
    """The office's batches waiting for a step: drafts to open, windows that ended to close, closed ones to mark."""
    if not has_role(user, Role.REFORM_OFFICE):
        return
    now = timezone.now()
    for batch in Batch.objects.exclude(status=Batch.Status.DECIDED):
        if batch.status == Batch.Status.OPEN and (batch.window_closes_at is None or batch.window_closes_at > now):
            continue  # applications are still coming in: nothing to do yet
        actions = available_actions(batch, user)
        if actions:
            yield TodoItem(
                title=batch.name,
                url=batch.get_absolute_url(),
                kind=_("批次"),
                action="、".join(str(t.custom["label"]) for t in actions),
                deadline=batch.window_closes_at if batch.status == Batch.Status.OPEN else None,
            )
