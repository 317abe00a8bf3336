"""Applications in the admin for support staff: search, filters, corrections of what a county typed, logged.

Applications are created only by counties and decided only through the workflow: no add, no delete, and
the facts the workflow sets (county, batch, candidate, who, when, decision) are read-only."""

from django.contrib import admin

from workflow.admin import WorkflowRecordAdmin

from .models import Application


@admin.register(Application)
class ApplicationAdmin(WorkflowRecordAdmin):
    list_display = ["project_name", "county", "batch", "area", "status", "submitted_at", "updated_at"]
    list_filter = ["status", "batch", ("county", admin.RelatedOnlyFieldListFilter), "area"]
    search_fields = ["project_name", "county__name", "candidate__title"]
    list_select_related = ["county", "batch"]
    ordering = ["-updated_at", "-id"]
    readonly_fields = [
        "batch",
        "candidate",
        "county",
        "created_by",
        "meeting_ref",
        "submitted_at",
        "decided_at",
        "created_at",
        "updated_at",
    ]
