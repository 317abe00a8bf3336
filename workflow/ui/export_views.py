"""我的待办 as an Excel sheet: the same items, workflow filter and order as the page (workflow.ui.xlsx)."""

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..engine.registry import workflow_models
from ..inbox.todo import todo_items
from . import xlsx
from .forms import TodoFilter

C = xlsx.Column


@login_required
def inbox_export(request):
    workflows = {m.workflow_key: m._meta.verbose_name for m in workflow_models() if m.workflow_key}
    form = TodoFilter(request.GET or None, workflows=workflows)
    data = form.given
    now = timezone.now()
    columns = [
        C(gettext_lazy("流程"), lambda i: workflows.get(i.workflow, i.workflow)),
        C(gettext_lazy("事项"), "title", width=40),
        C(gettext_lazy("待办操作"), "action"),
        C(gettext_lazy("待办开始时间"), "opened_at", xlsx.DATETIME),
        C(gettext_lazy("办理期限"), "due_at", xlsx.DATETIME),
        C(gettext_lazy("已等待（天）"), lambda i: (now - i.opened_at).days, xlsx.INT),
        C(gettext_lazy("已逾期"), lambda i: _("是") if i.due_at and i.due_at < now else ""),
    ]
    rows = todo_items(request.user, workflow=data.get("workflow") or None, order=data.get("sort") or None)
    return xlsx.export_response(request, what="inbox", title=_("我的待办"), columns=columns, rows=rows, form=form)
