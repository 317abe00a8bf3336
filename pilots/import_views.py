"""Excel import of candidates (reform office only): the upload page and the template download."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from pilots import imports
from pilots.forms import ImportForm
from workflow.engine.errors import WorkflowError


def _require_office(user):
    if not rules.has_perm("pilots.import_candidates", user):
        raise PermissionDenied(_("只有市委改革办可以导入候选项目。"))


@login_required
@require_http_methods(["GET", "POST"])
def candidate_import(request):
    _require_office(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    form.fields["file"].widget.attrs["accept"] = f".xlsx,{imports.XLSX_CONTENT_TYPE}"
    row_errors, summary = [], ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = imports.import_candidates(
                    actor=request.user, batch=form.cleaned_data["batch"], file=form.cleaned_data["file"]
                )
            except WorkflowError as err:
                row_errors = [e for e in getattr(err, "row_errors", []) if e.row is not None]
                if row_errors:
                    summary = err.message  # shown above the table of row errors
                else:
                    form.add_workflow_error(err)  # a whole-file problem: next to the file field
                status = err.status
            else:
                messages.success(
                    request,
                    _("已从 Excel 导入%(count)s个候选项目，均已列入批次“%(batch)s”的试点候选名单。")
                    % {"count": len(created), "batch": form.cleaned_data["batch"].name},
                )
                return redirect("pilots:candidate_list")
        else:
            status = 400
    return TemplateResponse(
        request,
        "pilots/candidate_import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "summary": summary,
            "headers": imports.HEADERS,
            "max_rows": imports.MAX_ROWS,
            "title_max": imports.TITLE_MAX,
        },
        status=status,
    )


@login_required
@require_safe
def candidate_import_template(request):
    _require_office(request.user)
    response = HttpResponse(imports.build_template(), content_type=imports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, imports.TEMPLATE_FILENAME)
    response["Cache-Control"] = "no-store"
    return response
