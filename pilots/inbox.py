"""我的待办 for the office: proposed candidates to list or decline."""

from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import has_role
from workflow.inbox import TodoItem

from .models import Candidate


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
