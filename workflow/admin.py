"""Read-only admin views of the audit records (the audit administrator's dedicated view comes later)."""

from django.contrib import admin

from .models import AuditEvent, Notification, TransitionLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "role", "unit", "from_state", "to_state"]
    list_filter = ["role", "action"]
    list_select_related = ["actor", "unit"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "username", "ip_address", "path"]
    list_filter = ["kind"]
    search_fields = ["username", "path"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "email_status", "email_attempts", "read_at"]
    list_filter = ["email_status"]
    list_select_related = ["recipient"]
