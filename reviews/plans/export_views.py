"""The plan list as an Excel sheet: the same scoping and filters as the list page (workflow.xlsx)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reviews.plans import selectors
from reviews.plans.filters import PlanFilter
from workflow.ui import xlsx

C = xlsx.Column


COLUMNS = [
    C(gettext_lazy("方案名称"), "title", width=36),
    C(gettext_lazy("试点项目"), "pilot.title", width=30),
    C(gettext_lazy("试点县（市、区）"), "county.name"),
    C(gettext_lazy("批次"), "pilot.batch.name"),
    C(gettext_lazy("市级专项小组"), "pilot.special_group.name"),
    C(gettext_lazy("市级牵头指导单位"), "pilot.guidance_unit.name"),
    C(gettext_lazy("状态"), "get_status_display"),
    C(gettext_lazy("最近提交时间"), "submitted_at", xlsx.DATETIME),
    C(gettext_lazy("批准时间"), "approved_at", xlsx.DATETIME),
    C(gettext_lazy("会议届次"), "meeting_ref"),
    C(gettext_lazy("更新时间"), "updated_at", xlsx.DATETIME),
]


@login_required
def plan_export(request):
    form = PlanFilter(request.GET or None)
    qs = form.apply(selectors.plan_list(request.user))
    return xlsx.export_response(request, what="plan_list", title=_("试点方案"), columns=COLUMNS, rows=qs, form=form)
