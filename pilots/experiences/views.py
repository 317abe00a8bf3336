"""Pages of the case library 嘉兴样本 (browse, search, record, publish), promotions, and the bonus-point ledger
(per year and county, corrections, Excel export, A4 print)."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pilots.experiences import selectors, services
from pilots.experiences.forms import CorrectionForm, ExperienceForm, LedgerFilterForm, LibraryFilterForm, PromotionForm
from pilots.experiences.models import BonusEntry, Experience, Promotion
from workflow.models import Attachment
from workflow.services import available_actions
from workflow.ui import xlsx
from workflow.ui.forms import ActionForm
from workflow.ui.selectors import timeline
from workflow.ui.views import call_service, run_action


def _require(perm_name, user, message, obj=None):
    if not rules.has_perm(perm_name, user, obj):
        raise PermissionDenied(message)


# --- the case library --------------------------------------------------------------------------
@login_required
def experience_list(request):
    """嘉兴样本: published experiences for everyone, searched and filtered; drafts for those who draft them."""
    form = LibraryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    can_draft = rules.has_perm("pilots.draft_experience", request.user)
    status = data.get("status") if can_draft or rules.has_perm("pilots.publish_experience", request.user) else ""
    qs = selectors.experience_list(
        request.user,
        q=data.get("q", ""),
        area=data.get("area", ""),
        county=data.get("county"),
        level=data.get("level", ""),
        status=status or None,
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    if not can_draft:
        form.fields.pop("status", None)
    return TemplateResponse(
        request,
        "pilots/experience_list.html",
        {"form": form, "page": page, "can_draft": can_draft, "terms": selectors.search_terms(data.get("q", ""))},
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


@login_required
def experience_create(request):
    _require(
        "pilots.draft_experience",
        request.user,
        _("只有市委改革办及试点的市级专项小组、牵头指导单位可以总结经验做法。"),
    )
    pilots = selectors.draftable_pilots(request.user)
    initial = {"pilot": request.GET.get("pilot")} if request.GET.get("pilot", "").isdigit() else None
    form = ExperienceForm(request.POST or None, request.FILES or None, pilots=pilots, initial=initial)
    status = 200
    if request.method == "POST":
        saved, status = call_service(
            form,
            lambda d: services.create_experience(
                actor=request.user, pilot=d["pilot"], data=d, files=d.get("attachments") or ()
            ),
        )
        if saved:
            messages.success(request, _("经验做法已保存为草稿，市委改革办发布后进入嘉兴样本。"))
            return redirect(saved)
    return TemplateResponse(request, "pilots/experience_form.html", {"form": form}, status=status)


def _attachments(obj):
    ct = ContentType.objects.get_for_model(obj)
    return Attachment.objects.filter(content_type=ct, object_id=obj.pk).select_related("uploaded_by")


def _experience_detail(request, experience, form=None, promotion_form=None, status=200):
    user = request.user
    can_edit = experience.status != Experience.Status.PUBLISHED and rules.has_perm(
        "pilots.draft_experience_for", user, experience
    )
    can_promote = experience.is_published and rules.has_perm("pilots.record_promotion", user, experience)
    promotions = list(selectors.promotions_of(experience))
    documents = {}
    for att in Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(Promotion), object_id__in=[p.pk for p in promotions]
    ):
        documents.setdefault(att.object_id, []).append(att)
    for p in promotions:
        p.documents = documents.get(p.pk, [])
    return TemplateResponse(
        request,
        "pilots/experience_detail.html",
        {
            "experience": experience,
            "attachments": _attachments(experience),
            "promotions": promotions,
            # Points are the ledger's business: its readers for this county (the office, the committee, the county).
            "show_bonus": selectors.reads_ledger_of(user, experience.pilot.county_id),
            "actions": available_actions(experience, user),
            "action_form": form if form is not None else ActionForm(initial={"expected_state": experience.status}),
            "can_edit": can_edit,
            "promotion_form": (promotion_form or PromotionForm()) if can_promote else None,
            # The record's history is for those who work on it; readers of the library see the published text.
            "timeline": timeline(experience) if rules.has_perm("pilots.draft_experience", user) else None,
        },
        status=status,
    )


@login_required
def experience_detail(request, pk):
    return _experience_detail(request, selectors.access_experience(request.user, pk))


@login_required
def experience_edit(request, pk):
    experience = selectors.access_experience(request.user, pk)
    _require(
        "pilots.draft_experience_for",
        request.user,
        _("只有市委改革办及本试点的市级专项小组、牵头指导单位可以修改经验做法。"),
        experience,
    )
    form = ExperienceForm(request.POST or None, request.FILES or None, instance=experience)
    status = 200
    if request.method == "POST":
        # The form must not write the instance: the service edits the locked row.
        form.instance = Experience(pk=experience.pk, pilot=experience.pilot, area=experience.area)
        saved, status = call_service(
            form,
            lambda d: services.update_experience(
                actor=request.user, experience=experience, data=d, files=d.get("attachments") or ()
            ),
        )
        if saved:
            messages.success(request, _("经验做法已保存。"))
            return redirect(saved)
    return TemplateResponse(
        request,
        "pilots/experience_form.html",
        {"form": form, "experience": experience, "attachments": _attachments(experience)},
        status=status,
    )


@login_required
@require_POST
def experience_act(request, pk):
    experience = selectors.access_experience(request.user, pk)
    return run_action(
        request,
        experience,
        lambda d: services.experience_act(
            actor=request.user,
            experience=experience,
            name=request.POST.get("name", ""),
            comment=d["comment"],
            expected_state=d["expected_state"],
        ),
        lambda obj, form, status: _experience_detail(
            request, selectors.access_experience(request.user, obj.pk), form, None, status
        ),
    )


@login_required
@require_POST
def promotion_create(request, pk):
    experience = selectors.access_experience(request.user, pk)
    _require("pilots.record_promotion", request.user, _("只有市委改革办可以登记经验推广。"), experience)
    form = PromotionForm(request.POST, request.FILES)
    promotion, status = call_service(
        form,
        lambda d: services.record_promotion(
            actor=request.user,
            experience=experience,
            level=d["level"],
            promoted_on=d["promoted_on"],
            document_number=d["document_number"],
            note=d["note"],
            files=d.get("attachments") or (),
        ),
    )
    if promotion:
        entry = promotion.bonus_entries.first()
        if entry is not None:
            messages.success(
                request,
                _("已登记%(level)s推广，并提出年度考评加分%(points)s分，待市委改革办确认。")
                % {"level": promotion.get_level_display(), "points": entry.points},
            )
        else:
            messages.success(request, _("已登记%(level)s推广。") % {"level": promotion.get_level_display()})
        return redirect(experience)
    return _experience_detail(request, experience, promotion_form=form, status=status)


# --- the bonus-point ledger --------------------------------------------------------------------
def _ledger_filters(request):
    _require("pilots.read_bonus_ledger", request.user, _("您的角色不能查看年度考评加分台账。"))
    form = LedgerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data.get("year"), data.get("county")


def _filter_parts(year, county):
    return [
        _("%(year)s年") % {"year": year} if year else _("全部年度"),
        county.name if county else _("全部县（市、区）"),
    ]


def _filter_title(year, county):
    return _("年度考评加分台账（%(filters)s）") % {"filters": "，".join(str(p) for p in _filter_parts(year, county))}


@login_required
def bonus_ledger(request):
    form, year, county = _ledger_filters(request)
    entries = selectors.ledger_entries(request.user, year=year, county=county)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "pilots/bonus_ledger.html",
        {
            "form": form,
            "page": page,
            "totals": list(selectors.ledger_totals(request.user, year=year, county=county)[:200]),
            "title": _filter_title(year, county),
            "query": request.GET.urlencode(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def bonus_print(request):
    form, year, county = _ledger_filters(request)
    if form.is_bound and not form.is_valid():
        return bonus_ledger(request)
    return TemplateResponse(
        request,
        "pilots/bonus_print.html",
        {
            "entries": selectors.ledger_entries(request.user, year=year, county=county)[:EXPORT_LIMIT],
            "totals": list(selectors.ledger_totals(request.user, year=year, county=county)),
            "title": _filter_title(year, county),
            "printed_at": timezone.localtime(),
        },
    )


EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = [
    xlsx.Column(gettext_lazy("考评年度"), "year", xlsx.INT),
    xlsx.Column(gettext_lazy("县（市、区）"), "county.name"),
    xlsx.Column(gettext_lazy("加分（分）"), "points", xlsx.NUMBER),
    xlsx.Column(gettext_lazy("状态"), "get_status_display"),
    xlsx.Column(gettext_lazy("加分事由"), "reason", width=40),
    xlsx.Column(gettext_lazy("经验做法"), "promotion.experience.title", width=30),
    xlsx.Column(gettext_lazy("推广层级"), "promotion.get_level_display"),
    xlsx.Column(gettext_lazy("推广文号"), "promotion.document_number"),
    xlsx.Column(gettext_lazy("推广日期"), "promotion.promoted_on", xlsx.DATE),
    xlsx.Column(gettext_lazy("更正的条目"), lambda e: f"#{e.corrects_id}" if e.corrects_id else ""),
    xlsx.Column(gettext_lazy("登记人"), "created_by.display_name"),
    xlsx.Column(gettext_lazy("登记日期"), "created_at", xlsx.DATE),
    xlsx.Column(gettext_lazy("说明"), "note", width=40),  # why a line waits for, or got nothing from, the evaluation
]


@login_required
def bonus_export(request):
    """The ledger as an Excel sheet through the shared export (filter in the title row, typed cells, audited)."""
    form, year, county = _ledger_filters(request)
    if form.is_bound and not form.is_valid():
        return bonus_ledger(request)
    return xlsx.export_response(
        request,
        what="bonus_ledger",
        title=_("年度考评加分台账"),
        filters="，".join(str(p) for p in _filter_parts(year, county)),
        details={"year": year, "county": county.pk if county else None},
        columns=EXPORT_COLUMNS,
        rows=selectors.ledger_entries(request.user, year=year, county=county),
        limit=EXPORT_LIMIT,
    )


def _bonus_detail(request, entry, form=None, correction_form=None, status=200):
    user = request.user
    can_correct = (
        not entry.is_correction
        and entry.status == BonusEntry.Status.CONFIRMED
        and rules.has_perm("pilots.correct_bonus", user, entry)
    )
    return TemplateResponse(
        request,
        "pilots/bonus_detail.html",
        {
            "entry": entry,
            "corrections": entry.corrections.select_related("created_by").order_by("created_at", "id"),
            "total": services.corrected_total(entry) if entry.status == BonusEntry.Status.CONFIRMED else None,
            "actions": available_actions(entry, user),
            "action_form": form if form is not None else ActionForm(initial={"expected_state": entry.status}),
            "correction_form": (correction_form or CorrectionForm()) if can_correct else None,
            "timeline": timeline(entry),
        },
        status=status,
    )


@login_required
def bonus_detail(request, pk):
    _require("pilots.read_bonus_ledger", request.user, _("您的角色不能查看年度考评加分台账。"))
    return _bonus_detail(request, selectors.access_bonus(request.user, pk))


@login_required
@require_POST
def bonus_act(request, pk):
    entry = selectors.access_bonus(request.user, pk)
    return run_action(
        request,
        entry,
        lambda d: services.bonus_act(
            actor=request.user,
            entry=entry,
            name=request.POST.get("name", ""),
            comment=d["comment"],
            expected_state=d["expected_state"],
        ),
        lambda obj, form, status: _bonus_detail(
            request, selectors.access_bonus(request.user, obj.pk), form, None, status
        ),
    )


@login_required
@require_POST
def bonus_correct(request, pk):
    entry = selectors.access_bonus(request.user, pk)
    _require("pilots.correct_bonus", request.user, _("只有市委改革办可以更正加分台账。"), entry)
    form = CorrectionForm(request.POST)
    correction, status = call_service(
        form,
        lambda d: services.correct_bonus(actor=request.user, entry=entry, points=d["points"], reason=d["reason"]),
    )
    if correction:
        messages.success(request, _("已登记更正条目，台账合计随之调整。"))
        return redirect(entry)
    return _bonus_detail(request, entry, correction_form=form, status=status)
