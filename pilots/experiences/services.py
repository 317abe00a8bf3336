"""Changes to experiences (经验做法), promotions (推广) and the bonus-point ledger; status changes go through
workflow.services.perform, edits through workflow.services.change, and the ledger only ever grows."""

from decimal import Decimal, InvalidOperation

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.roles import units
from pilots.experiences.models import BonusEntry, Experience, Promotion, PromotionLevel
from pilots.outcomes import evaluation_outcome, minimum_grade_label
from workflow.engine.errors import WorkflowError
from workflow.inbox.workitems import sync
from workflow.services import change, perform, record, save_attachments

EXPERIENCE_FIELDS = ("title", "summary", "body", "tags", "area")


def _drafting_role(actor, pilot):
    """The role in which ``actor`` drafts for ``pilot``: the office first, then the pilot's group or guide."""
    if units(actor, Role.REFORM_OFFICE):
        return Role.REFORM_OFFICE, units(actor, Role.REFORM_OFFICE)[0]
    for unit in units(actor, Role.SPECIAL_GROUP):
        if unit.pk == pilot.special_group_id:
            return Role.SPECIAL_GROUP, unit
    for unit in units(actor, Role.GUIDANCE_UNIT):
        if unit.pk == pilot.guidance_unit_id:
            return Role.GUIDANCE_UNIT, unit
    raise PermissionDenied(_("只有市委改革办及本试点的市级专项小组、牵头指导单位可以总结经验做法。"))


def _clean_text(data):
    values = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    errors = {}
    if not values.get("title"):
        errors["title"] = [_("请填写经验做法名称。")]
    if not values.get("summary"):
        errors["summary"] = [_("请填写摘要。")]
    if errors:
        raise WorkflowError(_("请检查标出的内容。"), errors=errors, status=400)
    return values


# --- experiences -------------------------------------------------------------------------------
def create_experience(*, actor, pilot, data, files=()):
    """A draft experience of ``pilot``; the office publishes it to the case library."""
    if not rules.has_perm("pilots.draft_experience_for", actor, pilot):
        raise PermissionDenied(_("只有市委改革办及本试点的市级专项小组、牵头指导单位可以总结经验做法。"))
    role, unit = _drafting_role(actor, pilot)
    values = _clean_text({k: data.get(k, "") for k in EXPERIENCE_FIELDS})
    values["area"] = values.get("area") or pilot.area
    with transaction.atomic():
        experience = Experience.objects.create(pilot=pilot, drafted_by_unit=unit, created_by=actor, **values)
        sync(experience)  # its work items (no signal does it)
        log = record(experience, "experience.created", actor=actor, role=role, unit=unit, to_state=experience.status)
        if files:
            save_attachments(experience, files, actor=actor, log=log)
    return experience


def update_experience(*, actor, experience, data, files=(), comment=""):
    """Edit a draft (or a withdrawn experience before it is published again)."""
    values = _clean_text({k: data.get(k, "") for k in EXPERIENCE_FIELDS})
    role, _unit = _drafting_role(actor, experience.pilot)

    def apply(locked):
        values["area"] = values.get("area") or locked.area
        changed = sorted(k for k, v in values.items() if getattr(locked, k) != v)
        for key, value in values.items():
            setattr(locked, key, value)
        return {"fields": changed}

    return change(
        experience,
        "experience_edited",
        actor=actor,
        apply=apply,
        permission="pilots.draft_experience_for",
        role=role,
        comment=comment,
        states=[Experience.Status.DRAFT, Experience.Status.WITHDRAWN],
        state_message=_("经验做法已发布（当前状态“%(state)s”），请先撤回再修改。"),
        files=files,
        files_on_log=False,
        freeze=True,
    )


def experience_act(*, actor, experience, name, comment="", expected_state=None):
    if name == "publish":
        return perform(
            experience,
            "publish",
            actor=actor,
            comment=comment,
            expected_state=expected_state,
            params={"at": timezone.now()},
            freeze=True,
        )
    if name == "withdraw":
        return perform(experience, "withdraw", actor=actor, comment=comment, expected_state=expected_state)
    raise WorkflowError(_("没有这个操作。"), status=400)


# --- promotion ---------------------------------------------------------------------------------
def points_for(level):
    """The points a promotion at ``level`` proposes (settings.BONUS_POINTS), or None when it proposes none."""
    value = settings.BONUS_POINTS.get(level)
    if value in (None, ""):
        return None
    points = Decimal(str(value)).quantize(Decimal("0.01"))
    return points if points > 0 else None


def record_promotion(*, actor, experience, level, promoted_on, document_number, note="", files=()):
    """The office records a promotion of a published experience; at a level with points configured it proposes a
    bonus entry for the pilot's county in the promotion's year, which the office then confirms or declines."""
    if level not in PromotionLevel.values:
        raise WorkflowError(_("请选择推广层级。"), field="level", status=400)
    if not (document_number or "").strip():
        raise WorkflowError(_("请填写推广文件的文号。"), field="document_number", status=400)
    if promoted_on is None:
        raise WorkflowError(_("请填写推广日期。"), field="promoted_on", status=400)
    if promoted_on > timezone.localdate():
        raise WorkflowError(_("推广日期不能晚于今天。"), field="promoted_on", status=400)
    made = {}

    def apply(locked):
        try:
            with transaction.atomic():
                promotion = Promotion.objects.create(
                    experience=locked,
                    level=level,
                    promoted_on=promoted_on,
                    document_number=document_number.strip(),
                    note=(note or "").strip(),
                    recorded_by=actor,
                )
        except IntegrityError:
            raise WorkflowError(
                _("该经验做法已登记过%(level)s推广。") % {"level": PromotionLevel(level).label},
                field="level",
                status=400,
            ) from None
        made["promotion"] = promotion
        points = points_for(level)
        if points is not None:
            made["entry"] = _bonus_line(locked, promotion, points, actor)
        return {
            "promotion": promotion.pk,
            "level": level,
            "document_number": promotion.document_number,
            "bonus_entry": made["entry"].pk if "entry" in made else None,
            **({"bonus_status": made["entry"].status} if "entry" in made else {}),
        }

    with transaction.atomic():
        change(
            experience,
            "promotion_recorded",
            actor=actor,
            apply=apply,
            permission="pilots.record_promotion",
            role=Role.REFORM_OFFICE,
            states=[Experience.Status.PUBLISHED],
            state_message=_("只有已发布的经验做法才能登记推广（当前状态“%(state)s”）。"),
            denied=_("只有市委改革办可以登记经验推广。"),
            save=False,
        )
        if files:
            save_attachments(made["promotion"], files, actor=actor)
    return made["promotion"]


# --- 试点工作富有成效: the pilot's evaluation decides whether a promotion proposes points ---------------
def _withheld_note(outcome):
    return _("试点评估等次为“%(grade)s”，未达到“%(minimum)s”，不提出加分（试点工作富有成效的方可加分）。") % {
        "grade": outcome.label,
        "minimum": outcome.minimum_label,
    }


def _bonus_line(experience, promotion, points, actor):
    """The promotion's ledger line (seed 三（三）: 试点工作富有成效、相关改革经验在省市推广的酌情加分): proposed to the
    office when the pilot's evaluation reached ``BONUS_MIN_GRADE``; otherwise a line that says why nothing was
    proposed: waiting for the evaluation, or withheld by it (the system's transition, logged)."""
    outcome = evaluation_outcome(experience.pilot)
    worked = outcome is not None and outcome.worked
    entry = BonusEntry(
        year=promotion.promoted_on.year,
        county_id=experience.pilot.county_id,
        points=points,
        reason=_("经验做法《%(title)s》获%(level)s推广（%(doc)s）。")
        % {"title": experience.title, "level": promotion.get_level_display(), "doc": promotion.document_number},
        promotion=promotion,
        created_by=actor,
        status=BonusEntry.Status.PROPOSED if worked else BonusEntry.Status.AWAITING,
        note=""
        if worked
        else _("试点尚未完成评估：评估达到“%(minimum)s”及以上等次后提出加分。") % {"minimum": minimum_grade_label()},
    )
    entry.save()
    sync(entry)  # its work items (no signal does it)
    if outcome is not None and not worked:
        note = _withheld_note(outcome)
        entry = perform(entry, "withhold", actor=None, system=True, comment=note, params={"note": note})
    return entry


def settle_bonus(pilot, *, cause_log):
    """The pilot's evaluation was completed: each line that waited for it is proposed to the office (the grade
    reached ``BONUS_MIN_GRADE``) or withheld with the reason; the system's transitions name the evaluation."""
    outcome = evaluation_outcome(pilot)
    if outcome is None:
        return []
    waiting = BonusEntry.objects.filter(promotion__experience__pilot=pilot, status=BonusEntry.Status.AWAITING)
    details = {"cause": {"log": cause_log.pk, "action": cause_log.action}, "grade": outcome.grade}
    settled = []
    for entry in waiting.order_by("id"):
        if outcome.worked:
            note = _("试点评估等次为“%(grade)s”，达到加分条件，提出加分。") % {"grade": outcome.label}
            name = "release"
        else:
            note, name = _withheld_note(outcome), "withhold"
        settled.append(
            perform(entry, name, actor=None, system=True, comment=note, params={"note": note}, details=details)
        )
    return settled


# --- the bonus-point ledger --------------------------------------------------------------------
def bonus_act(*, actor, entry, name, comment="", expected_state=None):
    """The office confirms a proposed entry (it then counts in the ledger) or declines it with a reason."""
    if name not in {"confirm", "decline"}:
        raise WorkflowError(_("没有这个操作。"), status=400)
    return perform(entry, name, actor=actor, comment=comment, expected_state=expected_state)


def corrected_total(entry):
    """Points an original entry counts for now: its own plus its confirmed corrections."""
    extra = entry.corrections.confirmed().aggregate(s=Sum("points"))["s"] or Decimal("0")
    return entry.points + extra


def correct_bonus(*, actor, entry, points, reason):
    """A correction is a new ledger line (the office's own, confirmed at once) whose points are added to the
    corrected entry's: negative takes points back, zero records a note; the entry never drops below zero."""
    if not rules.has_perm("pilots.correct_bonus", actor, entry):
        raise PermissionDenied(_("只有市委改革办可以更正加分台账。"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写更正理由。"), field="reason", status=400)
    try:
        delta = Decimal(str(points)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise WorkflowError(_("请填写分值（可为负数）。"), field="points", status=400) from None
    with transaction.atomic():
        original = BonusEntry.objects.select_for_update().get(pk=entry.pk)
        if original.is_correction:
            raise WorkflowError(_("请更正原始台账条目，不能更正一条更正记录。"), status=400)
        if original.status != BonusEntry.Status.CONFIRMED:
            raise WorkflowError(
                _("只有已确认的台账条目可以更正（当前状态“%(state)s”）。") % {"state": original.get_status_display()}
            )
        if corrected_total(original) + delta < 0:
            raise WorkflowError(
                _("更正后该条加分为%(total)s分，不能小于零。") % {"total": corrected_total(original) + delta},
                field="points",
                status=400,
            )
        correction = BonusEntry.objects.create(
            year=original.year,  # a correction belongs to the year it corrects, whenever it is written
            county_id=original.county_id,
            points=delta,
            reason=reason,
            promotion_id=original.promotion_id,
            corrects=original,
            created_by=actor,
        )
        sync(correction)  # its work items (no signal does it)
        return perform(correction, "confirm", actor=actor, comment=reason, details={"corrects": original.pk})
