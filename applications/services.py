"""Every change to an application: start, save draft, submit, review, opinion, decision, withdrawal."""

from datetime import timedelta

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Unit
from accounts.roles import units
from applications.selectors import names_of, undecided_in_batch
from pilots.models import Batch, Candidate, Pilot
from pilots.services import create_pilot_for
from workflow.conventions.opinions import cancel_open, opinion_request
from workflow.engine.errors import WorkflowError, rule_violation
from workflow.inbox.workitems import sync
from workflow.services import change, perform, record, remove_draft_attachment

from .models import FORM_FIELDS, OPTIONAL_ON_SUBMIT, RECOMMENDATION, Application

REQUIRED_ON_SUBMIT = [name for name in FORM_FIELDS if name not in OPTIONAL_ON_SUBMIT]


# A complete, realistic form: the demo data and the tests fill applications with it.
FILLED_EXAMPLE = {
    "lead_department": "区委改革办",
    "cooperating_departments": "区数据局、区市场监管局、区司法局",
    "leader_name": "张明",
    "leader_post": "区委常委、常务副区长",
    "leader_phone": "0573-82000001",
    "contact_name": "李华",
    "contact_post": "区委改革办综合科科长",
    "contact_phone": "0573-82000002",
    "contact_email": "lihua@example.gov.cn",
    "reform_foundation": "已建成区级公共数据平台，归集数据12亿条；“一件事”集成服务覆盖68个事项。",
    "goals": "到试点期满，形成可复制的制度成果5项以上，群众办事时间平均压缩50%。",
    "main_tasks": "1. 建立数据授权运营机制；2. 推进跨部门业务协同；3. 完善安全与合规评估。",
    "integration_tasks": "将数据归集、授权、运营三项改革任务整体设计、一体推进。",
    "integration_measures": "统筹出台配套政策6项，建立联席会议制度。",
    "integration_forces": "组建由区委改革办牵头、8个部门参与的工作专班。",
    "integration_results": "形成制度成果汇编，推动成果在全市复制推广。",
    "expected_results": "制度成果：数据授权运营管理办法等；可复制经验：数据安全评估“一张表”。",
    "schedule": "第一年完成制度设计和平台建设；第二年全面推开并总结评估。",
    "safeguards": "区委主要领导挂帅，纳入年度综合考评，保障专项经费。",
    "risk_assessment": "已开展社会稳定风险评估和数据安全风险评估，风险可控。",
    "support_requested": "请求市级在数据共享授权和试点政策方面给予支持。",
}


def _one_per_batch_message(existing):
    return _(
        "本县（市、区）在“%(batch)s”已有一份申报（%(name)s，状态：%(state)s）。按照工作方案，同一批次最多申报一个项目。"
    ) % {
        "batch": existing.batch.name,
        "name": existing.project_name,
        "state": existing.get_status_display(),
    }


def start_application(*, actor, candidate):
    """Create the county's draft for a listed candidate of an open batch, enforcing the seed's rules."""
    if not rules.has_perm("applications.start_application", actor):
        raise PermissionDenied(_("只有县（市、区）用户可以填写申报表。"))
    county = units(actor, Role.COUNTY)[0]
    if candidate.status != Candidate.Status.LISTED:
        raise WorkflowError(_("只能申报已列入候选名单的项目。"), status=400)
    if not candidate.batch.window_is_open():
        raise WorkflowError(_("“%(batch)s”当前不在申报时间内。") % {"batch": candidate.batch.name}, status=409)
    with transaction.atomic():
        Unit.objects.select_for_update().get(pk=county.pk)  # serialise this county's starts
        existing = Application.objects.live().filter(batch=candidate.batch, county=county).first()
        if existing:
            raise WorkflowError(_one_per_batch_message(existing), status=409)
        if Pilot.objects.running().filter(county=county).exists():
            raise WorkflowError(_("本县（市、区）正在开展集成改革试点，按照工作方案不再申报。"), status=409)
        try:
            with transaction.atomic():
                app = Application.objects.create(
                    batch=candidate.batch,
                    candidate=candidate,
                    county=county,
                    created_by=actor,
                    project_name=candidate.title,
                    area=candidate.area,
                )
                sync(app)  # its work items (no signal does it)
        except IntegrityError as exc:
            if violation := rule_violation(exc):
                raise violation from None
            existing = Application.objects.live().get(batch=candidate.batch, county=county)
            raise WorkflowError(_one_per_batch_message(existing), status=409) from None
        record(app, "application.created", actor=actor, role=Role.COUNTY, unit=county, to_state=app.status)
    return app


def save_draft(*, actor, application, data, files=(), expected_state=None):
    """Save what the county typed (any time while editable); nothing is validated beyond field formats.
    One ``workflow.services.change``: locked, permission-checked, logged (保存草稿), work items re-synced."""

    def apply(locked):
        for key, value in data.items():
            setattr(locked, key, value)

    return change(
        application,
        "updated",
        actor=actor,
        role=Role.COUNTY,
        apply=apply,
        permission="applications.edit_application",
        denied=_("只有申报县（市、区）可以修改申报表。"),
        states=Application.EDITABLE,
        state_message=_("申报当前状态为“%(state)s”，不能修改。"),
        expected_state=expected_state,
        files=files,
        files_on_log=False,  # a draft's files stay removable until it is submitted
    )


def delete_attachment(*, actor, application, attachment_id):
    """Remove one of the draft's own attachments (files already submitted with a step are kept)."""
    return remove_draft_attachment(
        application,
        attachment_id,
        actor=actor,
        missing=_("附件不存在或已随申报提交，不能删除。"),
        role=Role.COUNTY,
        permission="applications.edit_application",
        denied=_("只有申报县（市、区）可以删除附件。"),
        states=Application.EDITABLE,
        state_message=_("申报当前状态为“%(state)s”，不能删除附件。"),
    )


def missing_fields(application):
    errors = {}
    for name in REQUIRED_ON_SUBMIT:
        if not str(getattr(application, name) or "").strip():
            errors[name] = [_("提交前请填写“%(label)s”。") % {"label": application._meta.get_field(name).verbose_name}]
    return errors


def _check_complete(application):
    errors = missing_fields(application)
    if errors:
        raise WorkflowError(
            _("申报表还有%(n)s项必填内容未填写，已保存为草稿，请补充后再提交。") % {"n": len(errors)},
            errors=errors,
            status=400,
        )


def _check_window_and_complete(application):
    """Lock the batch so the office closing it and a county submitting are never in flight together.

    The window limits the first submission only: an application returned for revision may be resubmitted
    after the window has closed (the transition's condition and the PostgreSQL trigger say the same)."""
    application.batch = Batch.objects.select_for_update().get(pk=application.batch_id)
    if application.submitted_at is None and not application.batch.window_is_open():
        raise WorkflowError(_("申报批次不在申报时间内，不能提交。"))
    _check_complete(application)


def submit_application(*, actor, application, comment="", expected_state=None, data=None, files=()):
    """Submit the application; with ``data`` (the edit form's "save and submit") what was typed is saved first,
    in its own transaction, so a submission refused for missing fields still keeps it."""
    if data is not None or files:
        application = save_draft(
            actor=actor, application=application, data=data or {}, files=files, expected_state=expected_state
        )
    return perform(
        application,
        "submit",
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        params={"at": timezone.now()},
        before=_check_window_and_complete,
        freeze=True,
    )


def _ask_the_lead_group(application, log):
    """The special group's lead unit is asked in the same transaction as the move to consultation."""
    opinion_request(
        target=application,
        invitees=[application.candidate.lead_group],
        purpose=RECOMMENDATION,
        due=timedelta(days=settings.OPINION_DUE_DAYS),
        actor=log.actor,
        role=Role.REFORM_OFFICE,
    )


def _cancel_open_opinions(application, log):
    """A return during consultation withdraws the questions still open; a resubmission asks again."""
    cancel_open(target=application, actor=log.actor, comment=log.comment, purpose=RECOMMENDATION)


def review_application(*, actor, application, name, comment="", expected_state=None, files=()):
    """The office's steps: return to the county, ask the special group, recommend or not."""
    if name not in {"return_to_county", "request_opinion", "recommend", "not_recommend"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    after = {"request_opinion": _ask_the_lead_group, "return_to_county": _cancel_open_opinions}.get(name)
    return perform(
        application, name, actor=actor, comment=comment, expected_state=expected_state, files=files, after=after
    )


# Who may take each decision: the committee itself, or the office recording it on the committee's behalf (代为录入).
DECISIONS = {
    "approve": "applications.decide_application",
    "reject": "applications.decide_application",
    "approve_on_behalf": "applications.record_decision",
    "reject_on_behalf": "applications.record_decision",
}


def decide_application(*, actor, application, name, meeting_ref, comment="", expected_state=None, files=()):
    """The committee approves (creating the Pilot) or rejects, citing its meeting; or the office records that
    decision on the committee's behalf (代为录入), logged as such with the meeting."""
    if name not in DECISIONS:
        raise WorkflowError(_("没有这个操作。"), status=400)
    meeting_ref = (meeting_ref or "").strip()
    if not rules.has_perm(DECISIONS[name], actor, application):
        raise PermissionDenied(_("只有市委改革委可以确定试点（市委改革办可代为录入）。"))
    if not meeting_ref:
        raise WorkflowError(_("请填写会议届次（例如：市委改革委第3次会议）。"), field="meeting_ref", status=400)
    details = {"meeting_ref": meeting_ref}
    if name.endswith("_on_behalf"):
        if name == "reject_on_behalf" and not (comment or "").strip():  # checked before the note is prefixed
            raise WorkflowError(_("请填写理由：退回或不同意时必须说明原因。"), field="comment", status=400)
        details.update(on_behalf_of=Role.COMMITTEE, recorded_by=actor.pk, recorded_by_name=actor.display_name)
        note = _("代为录入：%(meeting)s的决定（由%(user)s录入）。") % {
            "meeting": meeting_ref,
            "user": actor.display_name,
        }
        comment = f"{note}{(comment or '').strip()}"
    after = (lambda app, log: create_pilot_for(app, log)) if name in {"approve", "approve_on_behalf"} else None
    return perform(
        application,
        name,
        actor=actor,
        comment=comment,
        expected_state=expected_state,
        files=files,
        params={"meeting_ref": meeting_ref, "at": timezone.now()},
        after=after,
        details=details,
    )


def withdraw_application(*, actor, application, comment="", expected_state=None):
    return perform(application, "withdraw", actor=actor, comment=comment, expected_state=expected_state)


def act(*, actor, application, name, comment="", expected_state=None, meeting_ref="", files=()):
    """Dispatch a button's transition name to its service (the view's one entry point)."""
    if name == "submit":
        return submit_application(actor=actor, application=application, comment=comment, expected_state=expected_state)
    if name == "withdraw":
        return withdraw_application(
            actor=actor, application=application, comment=comment, expected_state=expected_state
        )
    if name in DECISIONS:
        return decide_application(
            actor=actor,
            application=application,
            name=name,
            meeting_ref=meeting_ref,
            comment=comment,
            expected_state=expected_state,
            files=files,
        )
    return review_application(
        actor=actor, application=application, name=name, comment=comment, expected_state=expected_state, files=files
    )


def refuse_while_undecided(batch):
    """A batch is marked decided only when the committee has decided every application submitted to it
    (registered with pilots.services.check_before_deciding_batch)."""
    count, names = names_of(undecided_in_batch(batch))
    if count:
        raise WorkflowError(
            _("本批次还有%(n)s份申报尚未确定，不能标记为已确定：%(list)s。") % {"n": count, "list": names}
        )
