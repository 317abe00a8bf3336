"""Every change to a problem item: raise it from a source, assign or answer it (the office), reply or send it back
(the assigned unit), confirm it resolved or reopen it (the county). Each step through ``workflow.services.perform``."""

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import units
from reports.problems.models import ProblemItem
from reports.problems.rules import is_source_county
from reports.problems.selectors import source_facts
from workflow.engine.errors import WorkflowError
from workflow.inbox.workitems import assign as give_part
from workflow.inbox.workitems import sync
from workflow.services import notify, perform, record

# A reading part on the item for every unit it was ever assigned to (it keeps reading what it replied to).
HANDLER_PART = "problem_handler"


def raise_problem(*, actor, source, kind, content):
    """The county (or the office for it) raises one 存在问题 or 需市级支持事项 from its submitted application, plan or
    quarterly report; the item waits on the office."""
    if not rules.has_perm("reports.raise_problem", actor, source):
        raise PermissionDenied(_("只有提交该材料的县（市、区）和市委改革办可以提出问题和需市级支持事项。"))
    facts = source_facts(source)
    if not facts.submitted:
        raise WorkflowError(
            _("%(source)s尚未提交，提交后才能提出问题和需市级支持事项。") % {"source": facts.label}, status=400
        )
    if kind not in ProblemItem.Kind.values:
        raise WorkflowError(_("请选择类别。"), field="kind", status=400)
    content = (content or "").strip()
    if not content:
        raise WorkflowError(_("请填写事项内容。"), field="content", status=400)
    same = ProblemItem.objects.unresolved().filter(
        source_kind=facts.kind, source_id=source.pk, kind=kind, content=content
    )
    if same.exists():
        raise WorkflowError(_("同一事项已经提出，正在办理中。"), field="content", status=400)
    county_side = is_source_county(actor, source)
    role = Role.COUNTY if county_side else Role.REFORM_OFFICE
    unit = source.county if county_side else (units(actor, Role.REFORM_OFFICE) or [None])[0]
    with transaction.atomic():
        item = ProblemItem.objects.create(
            county_id=source.county_id,
            pilot=facts.pilot,
            source_kind=facts.kind,
            source_id=source.pk,
            source_label=facts.label[:200],
            source_url=source.get_absolute_url(),
            kind=kind,
            content=content,
            raised_by=actor,
        )
        sync(item)  # its work items: the office's 我的待办 (no signal does it)
        log = record(
            item,
            "problem.raised",
            actor=actor,
            role=role,
            unit=unit,
            comment=content,
            to_state=item.status,
            details={"source": facts.label, "kind": kind},
        )
        notify(item, log, exclude=actor)
    return item


def assign(*, actor, item, unit, due_on, comment="", expected_state=None):
    """The office assigns the item to a 市级有关单位 or the pilot's guidance unit, to reply by ``due_on``."""
    details = {}

    def check(locked):
        if unit is None:
            raise WorkflowError(_("请选择承办单位。"), field="unit", status=400)
        own_guidance = unit.kind == Role.GUIDANCE_UNIT and locked.pilot_id and locked.pilot.guidance_unit_id == unit.pk
        if not unit.is_active or not (unit.kind == Role.MUNICIPAL_DEPT or own_guidance):
            raise WorkflowError(_("只能交办给市级有关单位或本试点的市级牵头指导单位。"), field="unit", status=400)
        if due_on is None:
            raise WorkflowError(_("请填写办理时限。"), field="due_on", status=400)
        if due_on < timezone.localdate():
            raise WorkflowError(_("办理时限不能早于今天。"), field="due_on", status=400)
        details.update(unit=unit.name, due_on=due_on.isoformat())

    def give(locked, log):
        give_part(locked, role=unit.kind, unit=unit, purpose=HANDLER_PART, acts=False, actor=actor)

    return perform(
        item,
        "assign",
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        params={"unit": unit, "due_on": due_on},
        before=check,
        after=give,
        details=details,
    )


def reply(*, actor, item, name, text, files=(), expected_state=None):
    """The office answers the item itself (``answer``) or the assigned unit replies (``reply_to``)."""
    text = (text or "").strip()
    params = {}

    def check(locked):
        if not text:
            raise WorkflowError(_("请填写答复意见。"), field="comment", status=400)
        unit = locked.handler if name == "reply_to" else (units(actor, Role.REFORM_OFFICE) or [None])[0]
        params.update(text=text, unit=unit, at=timezone.now())

    return perform(
        item,
        name,
        actor=actor,
        comment=text,
        expected_state=expected_state,
        params=params,
        before=check,
        files=files,
    )


def act(*, actor, item, name, comment="", files=(), expected_state=None, unit=None, due_on=None):
    if name == "assign":
        return assign(actor=actor, item=item, unit=unit, due_on=due_on, comment=comment, expected_state=expected_state)
    if name in ("answer", "reply_to"):
        return reply(actor=actor, item=item, name=name, text=comment, files=files, expected_state=expected_state)
    if name in ("send_back", "resolve", "reopen"):
        return perform(item, name, actor=actor, comment=comment, expected_state=expected_state, files=files)
    raise WorkflowError(_("没有这个操作。"), status=400)
