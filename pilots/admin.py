"""Batches, candidates and pilots in the admin for support staff: search, filters, corrections logged."""

from django.contrib import admin

from pilots.models import Batch, Candidate, Pilot
from workflow.admin import WorkflowRecordAdmin


@admin.register(Batch)
class BatchAdmin(WorkflowRecordAdmin):
    list_display = ["name", "year", "status", "window_opens_at", "window_closes_at"]
    list_filter = ["status", "year"]
    search_fields = ["name"]
    ordering = ["-year", "-id"]
    readonly_fields = ["created_at"]


@admin.register(Candidate)
class CandidateAdmin(WorkflowRecordAdmin):
    list_display = ["title", "batch", "area", "lead_group", "guidance_unit", "channel", "status"]
    list_filter = ["status", "batch", "area", "channel"]
    search_fields = ["title", "proposer_unit__name"]
    list_select_related = ["batch", "lead_group", "guidance_unit"]
    ordering = ["-id"]
    # Who proposed what, through which channel, is a fact of the proposal, not a typo to correct.
    readonly_fields = ["batch", "channel", "proposer_unit", "addressed_to", "proposed_by", "created_at"]
    autocomplete_fields = ["lead_group", "guidance_unit"]


@admin.register(Pilot)
class PilotAdmin(WorkflowRecordAdmin):
    list_display = ["title", "county", "batch", "area", "status", "term_start", "term_end"]
    list_filter = ["status", "batch", ("county", admin.RelatedOnlyFieldListFilter), "area"]
    search_fields = ["title", "county__name"]
    list_select_related = ["county", "batch"]
    ordering = ["-id"]
    # The term follows the plan and extension decisions, the guidance unit is assigned by the office's service.
    readonly_fields = [
        "county",
        "batch",
        "candidate",
        "application",
        "special_group",
        "guidance_unit",
        "term_start",
        "term_end",
        "created_at",
    ]
