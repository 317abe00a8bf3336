"""Recording the guidance a pilot's guidance unit gave it (业务指导记录): one audited edit of the pilot
(``workflow.services.change``), so the record is a row of the pilot's timeline with its attachments."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from reports.guidance.models import GuidanceRecord
from workflow.engine.errors import WorkflowError
from workflow.models import TransitionLog
from workflow.services import change

ACTION = "guidance_recorded"


def record_guidance(*, actor, pilot, given_on, form, content, files=()):
    """The pilot's guidance unit records one piece of guidance (date, form, content, attachments) while the pilot
    runs; returns the GuidanceRecord. The attachments are checked by the core's upload rules (workflow.engine.files)."""
    content = (content or "").strip()
    made = []

    def apply(locked):
        if locked.status not in locked.RUNNING:
            raise WorkflowError(
                _("试点当前阶段为“%(state)s”，不能再记录业务指导。") % {"state": locked.get_status_display()},
                status=400,
            )
        if given_on is None:
            raise WorkflowError(_("请填写指导日期。"), field="given_on", status=400)
        if given_on > timezone.localdate():
            raise WorkflowError(_("指导日期不能晚于今天。"), field="given_on", status=400)
        if form not in GuidanceRecord.Form.values:
            raise WorkflowError(_("请选择指导形式。"), field="form", status=400)
        if not content:
            raise WorkflowError(_("请填写指导内容。"), field="content", status=400)
        made.append(
            GuidanceRecord.objects.create(
                pilot=locked,
                unit_id=locked.guidance_unit_id,
                given_on=given_on,
                form=form,
                content=content,
                recorded_by=actor,
            )
        )
        return {"given_on": given_on.isoformat(), "form": form}

    label = dict(GuidanceRecord.Form.choices).get(form, form)
    comment = _("%(form)s（%(day)s）：%(content)s") % {
        "form": label,
        "day": given_on.isoformat() if given_on else "",
        "content": content,
    }
    with transaction.atomic():
        pilot = change(
            pilot,
            ACTION,
            actor=actor,
            apply=apply,
            permission="reports.record_guidance",
            denied=_("只有本试点的市级牵头指导单位可以记录业务指导。"),
            role=Role.GUIDANCE_UNIT,
            comment=comment,
            files=files,
            save=False,
        )
        record = made[0]
        record.log = (
            TransitionLog.objects.filter(
                content_type=ContentType.objects.get_for_model(pilot),
                object_id=pilot.pk,
                action=f"{pilot.workflow_key}.{ACTION}",
            )
            .order_by("-id")
            .first()
        )
        record.save(update_fields=["log"])
    return record
