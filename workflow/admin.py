"""Admin for support staff: read-only audit records, and ``WorkflowRecordAdmin``, the base every app's admin of
a workflow record uses (status read-only, no add or delete that would bypass the workflow, every change logged)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

from . import services
from .engine.errors import WorkflowError
from .models import AuditEvent, Notification, TransitionLog

#: the log action of an edit made in the admin (``<workflow_key>.admin_edit``, labelled in workflow.engine.registry)
ADMIN_EDIT = "admin_edit"


class WorkflowRecordForm(forms.ModelForm):
    """Every admin change says why (it becomes the log row's comment)."""

    change_reason = forms.CharField(
        label=_("修改原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写入流转记录，例如：按县里来函更正联系人电话。"),
    )


class WorkflowRecordAdmin(admin.ModelAdmin):
    """A workflow record in the admin, for support staff correcting what was typed.

    The state moves only through the workflow's buttons (``status`` is read-only here and the FSM field is
    protected); records are created and removed only through their services, so the admin neither adds nor
    deletes. ``readonly_fields`` of a subclass name the facts the workflow sets (who, when, decisions). Each
    save goes through ``workflow.services.change``: row lock, permission, and a TransitionLog row
    (``<key>.admin_edit``, role 系统管理员) with the reason and each changed field's old and new value.
    """

    form = WorkflowRecordForm
    show_full_result_count = False  # one COUNT per page, not two, however large the table
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return ["status", *[f for f in fields if f != "status"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:  # pragma: no cover - adding is refused above
            raise WorkflowError(_("记录只能通过业务流程创建。"), status=403)
        names = [name for name in form.changed_data if name != "change_reason"]
        if not names:
            return

        def apply(locked):
            changed = {}
            for name in names:
                field = locked._meta.get_field(name)
                old = field.value_to_string(locked)
                setattr(locked, field.attname, getattr(obj, field.attname))
                changed[name] = {"label": str(field.verbose_name), "old": old, "new": field.value_to_string(locked)}
            return {"fields": changed}

        saved = services.change(
            obj,
            ADMIN_EDIT,
            actor=request.user,
            apply=apply,
            permission=lambda record, user: self.has_change_permission(request, record),
            role=Role.SYSTEM_ADMIN,
            comment=form.cleaned_data.get("change_reason", ""),
        )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except WorkflowError as exc:  # a rule or a concurrent change: say so, keep the record as it was
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


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
