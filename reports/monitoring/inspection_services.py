"""Every change to inspections and rectification items: record, rectify with evidence, verify or reopen."""

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import units
from reports.monitoring.inspections import Inspection, RectificationItem
from workflow.engine.errors import WorkflowError
from workflow.inbox.workitems import sync
from workflow.services import notify, perform, record


def record_inspection(*, actor, held_on, team, findings, pilots, items):
    """The office records an inspection over ``pilots`` with its items (``pilot``, ``content``,
    ``responsible_unit``, ``deadline`` each); every item waits on its county until its deadline."""
    if not rules.has_perm("reports.record_inspection", actor):
        raise PermissionDenied(_("只有市委改革办可以录入调研督察。"))
    pilots = list(pilots)
    if not pilots:
        raise WorkflowError(_("请选择督察的试点。"), field="pilots", status=400)
    ids = {p.pk for p in pilots}
    for row in items:
        if row["pilot"].pk not in ids:
            raise WorkflowError(_("整改事项须属于本次督察的试点。"), field="items", status=400)
        if row["deadline"] < held_on:
            raise WorkflowError(_("整改时限不能早于督察日期。"), field="items", status=400)
    office = (units(actor, Role.REFORM_OFFICE) or [None])[0]
    with transaction.atomic():
        inspection = Inspection.objects.create(held_on=held_on, team=team, findings=findings, created_by=actor)
        inspection.pilots.set(pilots)
        for row in items:
            item = RectificationItem.objects.create(
                inspection=inspection,
                pilot=row["pilot"],
                county_id=row["pilot"].county_id,
                content=row["content"],
                responsible_unit=row["responsible_unit"],
                deadline=row["deadline"],
            )
            sync(item)  # its work items (no signal does it)
            log = record(
                item,
                "rectification.created",
                actor=actor,
                role=Role.REFORM_OFFICE,
                unit=office,
                to_state=item.status,
                details={"inspection": inspection.pk, "deadline": item.deadline.isoformat()},
            )
            notify(item, log, exclude=actor)
    return inspection


def rectify_item(*, actor, item, text, files=(), expected_state=None):
    """The county reports the rectification with its evidence (text and files)."""
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("请填写整改情况。"), field="comment", status=400)
    return perform(
        item, "rectify", actor=actor, comment=text, params={"text": text}, files=files, expected_state=expected_state
    )


def act(*, actor, item, name, comment="", files=(), expected_state=None):
    if name == "rectify":
        return rectify_item(actor=actor, item=item, text=comment, files=files, expected_state=expected_state)
    if name not in {"verify", "reopen", "urge"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    return perform(item, name, actor=actor, comment=comment, expected_state=expected_state, files=files)
