"""The application list as an Excel sheet: the same scoping and filter as the list page (workflow.xlsx)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow.ui import xlsx

from . import selectors
from .forms import ApplicationFilter

COLUMNS = [
    xlsx.Column(gettext_lazy("编号"), "pk", xlsx.INT, width=8),
    xlsx.Column(gettext_lazy("试点项目名称"), "project_name", width=36),
    xlsx.Column(gettext_lazy("申报单位"), "county.name"),
    xlsx.Column(gettext_lazy("批次"), "batch.name"),
    xlsx.Column(gettext_lazy("候选项目"), "candidate.title", width=30),
    xlsx.Column(gettext_lazy("改革领域"), "get_area_display"),
    xlsx.Column(gettext_lazy("牵头专项小组"), "candidate.lead_group.name"),
    xlsx.Column(gettext_lazy("县级牵头部门"), "lead_department"),
    xlsx.Column(gettext_lazy("状态"), "get_status_display"),
    xlsx.Column(gettext_lazy("最近提交时间"), "submitted_at", xlsx.DATETIME),
    xlsx.Column(gettext_lazy("确定时间"), "decided_at", xlsx.DATETIME),
    xlsx.Column(gettext_lazy("会议届次"), "meeting_ref"),
    xlsx.Column(gettext_lazy("更新时间"), "updated_at", xlsx.DATETIME),
]


@login_required
def application_export(request):
    filterset = ApplicationFilter(request.GET or None, queryset=selectors.application_list(request.user))
    return xlsx.export_response(
        request, what="application_list", title=_("试点申报"), columns=COLUMNS, rows=filterset.qs, form=filterset
    )
