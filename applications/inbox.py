"""我的待办 for applications: every application this user may move now, and every opinion awaited from them."""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.utils.translation import gettext as _

from accounts.roles import memberships
from workflow.inbox import TodoItem, waiting_states
from workflow.models import Opinion
from workflow.services import available_actions

from .models import Application
from .selectors import with_workflow_facts


def application_todos(user):
    states = waiting_states(Application, user)
    if states:
        apps = Application.objects.visible_to(user).filter(status__in=states).select_related("batch", "county")
        for app in with_workflow_facts(apps):
            actions = [t for t in available_actions(app, user) if not t.custom.get("optional")]
            if actions:
                deadline = app.batch.window_closes_at if app.is_editable else None
                yield TodoItem(
                    title=f"{app.county.name} · {app.project_name}",
                    url=app.get_absolute_url(),
                    action="、".join(str(t.custom["label"]) for t in actions),
                    kind=_("试点申报"),
                    deadline=deadline,
                )
    pending = Opinion.objects.visible_to(user).filter(status=Opinion.Status.PENDING).select_related("unit")
    targets = GenericPrefetch("target", [Application.objects.select_related("county")])
    for opinion in pending.prefetch_related(targets):
        if any(m.unit_id == opinion.unit_id and m.role == opinion.role for m in memberships(user)):
            target = opinion.target
            yield TodoItem(
                title=str(target),
                url=opinion.get_absolute_url(),
                action=_("提出意见"),
                kind=_("征求意见"),
                deadline=opinion.due_at,
            )
