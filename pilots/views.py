"""Pages for batches (office), the candidate list (proposals, decisions, published list), the decided list
(确定名单) and pilots (stage, termination by the committee, guidance unit assigned by the office)."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.roles import roles_of, sees_everything
from pilots import selectors, services
from pilots.forms import BatchForm, CandidateFilter, CandidateForm, GuidanceUnitForm, PilotFilterForm, ToleranceForm
from pilots.models import Batch, Candidate, Pilot
from workflow.engine.registry import related_for
from workflow.services import available_actions
from workflow.ui.forms import ActionForm
from workflow.ui.selectors import timeline
from workflow.ui.views import call_service, run_action


def _require(perm_name, user, message):
    if not rules.has_perm(perm_name, user):
        raise PermissionDenied(message)


# --- batches -----------------------------------------------------------------------------------
@login_required
def batch_list(request):
    return TemplateResponse(
        request,
        "pilots/batch_list.html",
        {
            "batches": selectors.batch_list(request.user),
            "can_manage": rules.has_perm("pilots.manage_batch", request.user),
        },
    )


@login_required
def batch_form(request, pk=None):
    _require("pilots.manage_batch", request.user, _("只有市委改革办可以管理批次。"))
    batch = selectors.access_batch(request.user, pk) if pk else None
    form = BatchForm(request.POST or None, instance=batch)
    status = 200
    if request.method == "POST":

        def save(data):
            data = {k: data[k] for k in BatchForm.Meta.fields}
            if batch is None:
                return services.create_batch(actor=request.user, data=data)
            return services.update_batch(actor=request.user, batch=batch, data=data)

        saved, status = call_service(form, save)
        if saved:
            messages.success(request, _("批次已保存。"))
            return redirect(saved)
    return TemplateResponse(request, "pilots/batch_form.html", {"form": form, "batch": batch}, status=status)


def _batch_detail(request, batch, form=None, status=200):
    return TemplateResponse(
        request,
        "pilots/batch_detail.html",
        {
            "batch": batch,
            "candidates": selectors.candidate_list(request.user).filter(batch=batch),
            "actions": available_actions(batch, request.user),
            "action_form": form if form is not None else ActionForm(initial={"expected_state": batch.status}),
            "timeline": timeline(batch),
            "can_manage": rules.has_perm("pilots.manage_batch", request.user),
            "sees_recommendations": sees_everything(request.user) and batch.status != Batch.Status.DRAFT,
        },
        status=status,
    )


@login_required
def batch_detail(request, pk):
    return _batch_detail(request, selectors.access_batch(request.user, pk))


@login_required
@require_POST
def batch_act(request, pk):
    batch = selectors.access_batch(request.user, pk)
    return run_action(
        request,
        batch,
        lambda d: services.batch_act(
            actor=request.user,
            batch=batch,
            name=request.POST.get("name", ""),
            comment=d["comment"],
            expected_state=d["expected_state"],
        ),
        lambda obj, form, status: _batch_detail(request, obj, form, status),
    )


# --- candidates --------------------------------------------------------------------------------
@login_required
def candidate_list(request):
    form = CandidateFilter(request.GET or None)
    page = Paginator(form.apply(selectors.candidate_list(request.user)), 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "pilots/candidate_list.html",
        {
            "page": page,
            "filter": form,
            "statuses": Candidate.Status.choices,
            "status": request.GET.get("status", ""),
            "can_propose": rules.has_perm("pilots.propose_candidate", request.user),
            "can_import": rules.has_perm("pilots.import_candidates", request.user),
        },
    )


def _proposer_role(user):
    roles = roles_of(user)
    for role in (Role.REFORM_OFFICE, Role.SPECIAL_GROUP, Role.COUNTY):
        if role in roles:
            return role
    return None


@login_required
def candidate_propose(request):
    _require("pilots.propose_candidate", request.user, _("您的角色不能提出候选项目。"))
    form = CandidateForm(request.POST or None, role=_proposer_role(request.user))
    status = 200
    if request.method == "POST":
        candidate, status = call_service(
            form,
            lambda d: services.propose_candidate(
                actor=request.user,
                data={k: d[k] for k in CandidateForm.Meta.fields},
                addressed_to=d.get("addressed_to"),
                accept=d.get("accept", False),
            ),
        )
        if candidate:
            messages.success(request, _("候选项目已提出。"))
            return redirect(candidate)
    return TemplateResponse(request, "pilots/candidate_form.html", {"form": form}, status=status)


def _candidate_detail(request, candidate, form=None, status=200):
    return TemplateResponse(
        request,
        "pilots/candidate_detail.html",
        {
            "candidate": candidate,
            "actions": available_actions(candidate, request.user),
            "action_form": form if form is not None else ActionForm(initial={"expected_state": candidate.status}),
            "timeline": timeline(candidate),
            "can_apply": rules.has_perm("applications.start_application", request.user)
            and candidate.status == Candidate.Status.LISTED
            and candidate.batch.window_is_open(),
        },
        status=status,
    )


@login_required
def candidate_detail(request, pk):
    return _candidate_detail(request, selectors.access_candidate(request.user, pk))


@login_required
@require_POST
def candidate_act(request, pk):
    candidate = selectors.access_candidate(request.user, pk)
    return run_action(
        request,
        candidate,
        lambda d: services.decide_candidate(
            actor=request.user,
            candidate=candidate,
            name=request.POST.get("name", ""),
            comment=d["comment"],
            expected_state=d["expected_state"],
        ),
        lambda obj, form, status: _candidate_detail(request, obj, form, status),
    )


@login_required
def published_list(request):
    """试点候选名单: the listed candidates of a batch, readable and printable by every logged-in user."""
    batches = list(selectors.published_batches())
    chosen = next((b for b in batches if str(b.pk) == request.GET.get("batch")), None)
    chosen = (
        chosen or next((b for b in batches if b.status == Batch.Status.OPEN), None) or (batches[0] if batches else None)
    )
    return TemplateResponse(
        request,
        "pilots/published_list.html",
        {
            "batches": batches,
            "batch": chosen,
            "candidates": selectors.published_candidates(chosen) if chosen else [],
            "can_apply": rules.has_perm("applications.start_application", request.user)
            and chosen is not None
            and chosen.window_is_open(),
        },
    )


# --- pilots ------------------------------------------------------------------------------------
@login_required
def pilot_list(request):
    form = PilotFilterForm(request.GET or None, batches=selectors.batch_list(request.user))
    page = Paginator(form.pilots(request.user), 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "pilots/pilot_list.html", {"page": page, "filter": form})


def _pilot_detail(request, pilot, form=None, guidance_form=None, status=200, tolerance_form=None):
    """The pilot's stage follows its records: the only button is the committee's termination (and, on a terminated
    or failed pilot, its 容错免责 mark)."""
    can_assign = rules.has_perm("pilots.assign_guidance_unit", request.user, pilot) and pilot.status in Pilot.RUNNING
    may_tolerate = rules.has_perm("pilots.mark_tolerance", request.user, pilot) and services.may_be_tolerated(pilot)
    return TemplateResponse(
        request,
        "pilots/pilot_detail.html",
        {
            "pilot": pilot,
            "timeline": timeline(pilot),
            "related": related_for(request.user, pilot),
            "actions": available_actions(pilot, request.user),
            "action_form": form if form is not None else ActionForm(initial={"expected_state": pilot.status}),
            "guidance_form": (guidance_form or GuidanceUnitForm(initial={"unit": pilot.guidance_unit_id}))
            if can_assign
            else None,
            "tolerance_form": (tolerance_form or ToleranceForm(initial={"expected_state": pilot.status}))
            if may_tolerate or tolerance_form is not None
            else None,
        },
        status=status,
    )


@login_required
def pilot_detail(request, pk):
    return _pilot_detail(request, selectors.access_pilot(request.user, pk))


@login_required
@require_POST
def pilot_act(request, pk):
    pilot = selectors.access_pilot(request.user, pk)
    if request.POST.get("name") != "terminate":  # every other stage change follows the pilot's records
        raise PermissionDenied(_("试点阶段随试点方案、延期申请和试点总结的办理自动变化，不能手动调整。"))
    return run_action(
        request,
        pilot,
        lambda d: services.terminate_pilot(
            actor=request.user, pilot=pilot, comment=d["comment"], expected_state=d["expected_state"]
        ),
        lambda obj, form, status: _pilot_detail(
            request, selectors.access_pilot(request.user, obj.pk), form, None, status
        ),
    )


@login_required
@require_POST
def pilot_guidance(request, pk):
    pilot = selectors.access_pilot(request.user, pk)
    if not rules.has_perm("pilots.assign_guidance_unit", request.user, pilot):
        raise PermissionDenied(_("只有市委改革办可以指定牵头指导单位。"))
    form = GuidanceUnitForm(request.POST)
    changed, status = call_service(
        form,
        lambda d: services.assign_guidance_unit(actor=request.user, pilot=pilot, unit=d["unit"], comment=d["comment"]),
    )
    if changed:
        messages.success(request, _("牵头指导单位已调整为%(unit)s。") % {"unit": changed.guidance_unit.name})
        return redirect(changed)
    return _pilot_detail(request, pilot, guidance_form=form, status=status)


@login_required
@require_POST
def pilot_tolerance(request, pk):
    """容错免责: the committee marks a terminated or failed pilot, with its reason and meeting."""
    pilot = selectors.access_pilot(request.user, pk)
    if not rules.has_perm("pilots.mark_tolerance", request.user, pilot):
        raise PermissionDenied(_("只有市委改革委可以认定容错免责。"))
    form = ToleranceForm(request.POST)
    changed, status = call_service(
        form,
        lambda d: services.mark_tolerance(
            actor=request.user,
            pilot=pilot,
            reason=d["reason"],
            meeting_ref=d["meeting_ref"],
            expected_state=d["expected_state"] or None,
        ),
    )
    if changed:
        messages.success(request, _("已认定容错免责。"))
        return redirect(changed)
    return _pilot_detail(request, selectors.access_pilot(request.user, pk), status=status, tolerance_form=form)


# --- 确定名单 ----------------------------------------------------------------------------------
@login_required
def decided_list(request):
    """确定名单: the pilots decided in a batch, published to every logged-in user and printable."""
    batches = list(selectors.decided_batches())
    chosen = next((b for b in batches if str(b.pk) == request.GET.get("batch")), None) or (
        batches[0] if batches else None
    )
    page = Paginator(selectors.decided_pilots(chosen) if chosen else Pilot.objects.none(), 100).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(request, "pilots/decided_list.html", {"batches": batches, "batch": chosen, "page": page})
