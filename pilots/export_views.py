"""Excel sheets of the pilots app's lists (batches, candidates, pilots, the decided list, the case library),
each with the same scoping and filter as its page, through the shared export (workflow.xlsx)."""

import rules
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pilots import selectors
from pilots.experiences import selectors as experience_selectors
from pilots.experiences.forms import LibraryFilterForm
from pilots.forms import CandidateFilter, PilotFilterForm
from workflow.ui import xlsx

C = xlsx.Column

BATCH_COLUMNS = [
    C(gettext_lazy("批次名称"), "name", width=24),
    C(gettext_lazy("年度"), "year", xlsx.INT),
    C(gettext_lazy("申报开始时间"), "window_opens_at", xlsx.DATETIME),
    C(gettext_lazy("申报截止时间"), "window_closes_at", xlsx.DATETIME),
    C(gettext_lazy("状态"), "get_status_display"),
    C(gettext_lazy("创建时间"), "created_at", xlsx.DATETIME),
]

CANDIDATE_COLUMNS = [
    C(gettext_lazy("批次"), "batch.name"),
    C(gettext_lazy("试点项目名称"), "title", width=36),
    C(gettext_lazy("改革领域"), "get_area_display"),
    C(gettext_lazy("牵头专项小组"), "lead_group.name"),
    C(gettext_lazy("建议牵头指导单位"), "guidance_unit.name"),
    C(gettext_lazy("提出方式"), "get_channel_display"),
    C(gettext_lazy("提出单位"), "proposer_unit.name"),
    C(gettext_lazy("状态"), "get_status_display"),
    C(gettext_lazy("提出时间"), "created_at", xlsx.DATETIME),
]

PILOT_COLUMNS = [
    C(gettext_lazy("试点项目名称"), "title", width=36),
    C(gettext_lazy("试点县（市、区）"), "county.name"),
    C(gettext_lazy("批次"), "batch.name"),
    C(gettext_lazy("改革领域"), "get_area_display"),
    C(gettext_lazy("市级专项小组"), "special_group.name"),
    C(gettext_lazy("市级牵头指导单位"), "guidance_unit.name"),
    C(gettext_lazy("阶段"), "get_status_display"),
    C(gettext_lazy("试点开始日期"), "term_start", xlsx.DATE),
    C(gettext_lazy("试点期满日期"), "term_end", xlsx.DATE),
    C(gettext_lazy("确定时间"), "created_at", xlsx.DATETIME),
]

DECIDED_COLUMNS = [
    C(gettext_lazy("试点县（市、区）"), "county.name"),
    C(gettext_lazy("试点项目名称"), "title", width=36),
    C(gettext_lazy("改革领域"), "get_area_display"),
    C(gettext_lazy("市级专项小组"), "special_group.name"),
    C(gettext_lazy("市级牵头指导单位"), "guidance_unit.name"),
    C(gettext_lazy("会议届次"), "application.meeting_ref"),
    C(gettext_lazy("确定时间"), "created_at", xlsx.DATE),
]

EXPERIENCE_COLUMNS = [
    C(gettext_lazy("经验做法名称"), "title", width=36),
    C(gettext_lazy("试点县（市、区）"), "pilot.county.name"),
    C(gettext_lazy("试点项目"), "pilot.title", width=30),
    C(gettext_lazy("改革领域"), "get_area_display"),
    C(gettext_lazy("总结单位"), "drafted_by_unit.name"),
    C(gettext_lazy("关键词"), "tags"),
    C(gettext_lazy("推广层级"), lambda e: "、".join(str(p.get_level_display()) for p in e.promotions.all())),
    C(gettext_lazy("状态"), "get_status_display"),
    C(gettext_lazy("发布时间"), "published_at", xlsx.DATETIME),
    C(gettext_lazy("摘要"), "summary", width=50),
]


@login_required
def batch_export(request):
    return xlsx.export_response(
        request,
        what="batch_list",
        title=_("试点批次"),
        columns=BATCH_COLUMNS,
        rows=selectors.batch_list(request.user),
        filters="",
        details={},
    )


@login_required
def candidate_export(request):
    form = CandidateFilter(request.GET or None)
    qs = form.apply(selectors.candidate_list(request.user))
    return xlsx.export_response(
        request, what="candidate_list", title=_("候选项目"), columns=CANDIDATE_COLUMNS, rows=qs, form=form
    )


@login_required
def pilot_export(request):
    form = PilotFilterForm(request.GET or None, batches=selectors.batch_list(request.user))
    return xlsx.export_response(
        request,
        what="pilot_list",
        title=_("试点项目"),
        columns=PILOT_COLUMNS,
        rows=form.pilots(request.user),
        form=form,
    )


@login_required
def decided_export(request):
    """确定名单 of one batch (the page's ``batch``, else the newest decided one), readable by every user."""
    batches = list(selectors.decided_batches())
    chosen = next((b for b in batches if str(b.pk) == request.GET.get("batch")), None) or (
        batches[0] if batches else None
    )
    rows = selectors.decided_pilots(chosen) if chosen else []
    return xlsx.export_response(
        request,
        what="decided_list",
        title=_("试点项目确定名单"),
        columns=DECIDED_COLUMNS,
        rows=rows,
        filters=chosen.name if chosen else "",
        details={"batch": chosen.pk if chosen else None},
    )


@login_required
def experience_export(request):
    """嘉兴样本 as the library page shows it: published ones, other states only for those who draft or publish."""
    form = LibraryFilterForm(request.GET or None)
    if not (
        rules.has_perm("pilots.draft_experience", request.user)
        or rules.has_perm("pilots.publish_experience", request.user)
    ):
        form.fields.pop("status", None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = experience_selectors.experience_list(
        request.user,
        q=data.get("q", ""),
        area=data.get("area", ""),
        county=data.get("county"),
        level=data.get("level", ""),
        status=data.get("status") or None,
    )
    return xlsx.export_response(
        request, what="experience_list", title=_("嘉兴样本"), columns=EXPERIENCE_COLUMNS, rows=qs, form=form
    )
