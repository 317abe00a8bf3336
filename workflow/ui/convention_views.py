"""Pages of the approval conventions: recall, return to a step, urge, copy, approval sheet, batch result, 我的传阅,
saved phrases, deputies."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Unit, User
from accounts.roles import memberships
from accounts.views import preferences_page

from ..conventions import approval as conventions
from ..conventions.models import SavedPhrase
from ..engine.errors import WorkflowError
from ..engine.registry import acting_label, action_label
from ..inbox import deputies
from .forms import StyledMixin
from .selectors import timeline


@login_required
@require_POST
def record_recall(request, workflow, pk):
    obj = conventions.get_record(request.user, workflow, pk, "recall")
    changed = conventions.recall(obj, actor=request.user, comment=request.POST.get("comment", ""))
    messages.success(request, _("已撤回，当前状态：%(state)s。") % {"state": changed.get_status_display()})
    return redirect(changed)


@login_required
@require_POST
def record_opened(request, workflow, pk):
    """The record page, opened by the one the record waits on, says so (htmx, on load): no recall after this."""
    obj = conventions.get_record(request.user, workflow, pk, "recall")
    conventions.note_opening(obj, request.user)
    return HttpResponse(status=204)


@login_required
@require_POST
def record_return(request, workflow, pk):
    """退回到指定步骤: the chosen step and the reason come from the record page's panel."""
    obj = conventions.get_record(request.user, workflow, pk, "return_to_step")
    changed = conventions.return_to_step(
        obj, actor=request.user, step=request.POST.get("step", ""), comment=request.POST.get("comment", "")
    )
    messages.success(request, _("已退回，当前状态：%(state)s。") % {"state": changed.get_status_display()})
    return redirect(changed)


@login_required
@require_POST
def record_urge(request, workflow, pk):
    obj = conventions.get_record(request.user, workflow, pk, "urge")
    rows = conventions.urge(obj, actor=request.user, comment=request.POST.get("comment", ""))
    messages.success(request, _("已催办%(n)d个单位或人员。") % {"n": len(rows)})
    return redirect(obj)


class CopyForm(StyledMixin, forms.Form):
    units = forms.ModelMultipleChoiceField(label=gettext_lazy("抄送单位"), queryset=None, required=False)
    users = forms.ModelMultipleChoiceField(label=gettext_lazy("抄送人员"), queryset=None, required=False)
    comment = forms.CharField(
        label=gettext_lazy("附言"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.order_by("kind", "name")
        self.fields["users"].queryset = User.objects.filter(is_active=True, memberships__isnull=False).distinct()
        self.fields["users"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("units") and not data.get("users"):
            self.add_error("units", _("请选择抄送的单位或人员。"))
        return data


@login_required
def record_copy(request, workflow, pk):
    obj = conventions.get_record(request.user, workflow, pk, "copy")
    if not conventions.may_copy(obj, request.user):
        raise PermissionDenied(_("您没有权限抄送该记录。"))
    form = CopyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            conventions.copy_to(obj, actor=request.user, units=d["units"], users=d["users"], comment=d["comment"])
            messages.success(request, _("已抄送。"))
            return redirect(obj)
        status = 400
    return TemplateResponse(request, "workflow/copy_form.html", {"obj": obj, "form": form}, status=status)


@login_required
def record_sheet(request, workflow, pk):
    """审批单: the record's opinions, decisions, signers, units and dates in order, from the timeline's rows."""
    obj = conventions.get_record(request.user, workflow, pk, "sheet")

    # The steps (state changes, the opinions' included) and anything said with a comment; drafts saved are not 办理意见.
    rows = [log for log in timeline(obj) if (log.from_state and log.from_state != log.to_state) or log.comment]

    for log in rows:
        log.step = action_label(log.action)
        log.signer = acting_label(log)  # "张三（代李四）" where a deputy signed
    return TemplateResponse(
        request,
        "workflow/sheet.html",
        {"obj": obj, "kind": type(obj)._meta.verbose_name, "rows": rows, "printed_at": timezone.now()},
    )


@login_required
@require_POST
def batch(request, workflow):
    """批量审批: one transition with one comment on each selected record, each on its own; a result page."""
    model = conventions.model_for(workflow)
    if model is None or not conventions.declared(model, "batch"):
        raise Http404
    ids = sorted({int(i) for i in request.POST.getlist("ids") if i.isdigit()})
    if not ids:
        raise WorkflowError(_("请至少选择一条记录。"), status=400)
    name = request.POST.get("name", "")
    results = conventions.run_batch(model, request.user, ids, name, request.POST.get("comment", ""))
    label = next((label for n, label, _r in conventions.batch_actions(model, request.user) if n == name), name)
    return TemplateResponse(
        request,
        "workflow/batch_result.html",
        {
            "label": label,
            "results": results,
            "done": sum(1 for r in results if r[2]),
            "refused": sum(1 for r in results if not r[2]),
            "back": request.POST.get("next") or "/",
            "model": model,
        },
    )


@login_required
def copy_list(request):
    """我的传阅: what was copied to the user or the user's units, unread first marked."""
    page = Paginator(conventions.copies_for(request.user), 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "workflow/copies.html", {"page": page})


@login_required
@require_POST
def copy_open(request, pk):
    copy = get_object_or_404(conventions.copies_for(request.user), pk=pk)
    if copy.read_at is None:
        copy.read_at = timezone.now()
        copy.save(update_fields=["read_at"])
    return redirect(copy.url)


@login_required
@require_POST
def phrase_add(request):
    text = request.POST.get("text", "").strip()
    if not text or len(text) > 200:
        raise WorkflowError(_("常用意见不能为空，且不超过200字。"), status=400)
    SavedPhrase.objects.get_or_create(user=request.user, text=text)
    messages.success(request, _("常用意见已保存。"))
    return redirect("preferences")


@login_required
@require_POST
def phrase_delete(request, pk):
    get_object_or_404(SavedPhrase, pk=pk, user=request.user).delete()
    messages.success(request, _("常用意见已删除。"))
    return redirect("preferences")


# --- 代理 (deputies), on the preferences page ------------------------------------------------------------------


class DeputyForm(StyledMixin, forms.Form):
    """Name a colleague of the same unit and role as deputy for a date range (checked by ``deputies.appoint``)."""

    membership = forms.ChoiceField(label=gettext_lazy("代理的岗位"))
    deputy = forms.ModelChoiceField(label=gettext_lazy("代理人"), queryset=None)
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = memberships(user)
        self.fields["membership"].choices = [
            (f"{m.unit_id}:{m.role}", f"{m.unit.name} · {m.get_role_display()}") for m in own
        ]
        scope = Q(pk__in=[])
        for m in own:
            scope |= Q(memberships__unit_id=m.unit_id, memberships__role=m.role)
        self.fields["deputy"].queryset = (
            User.objects.filter(scope, is_active=True).exclude(pk=user.pk).distinct().order_by("full_name", "pk")
        )
        self.fields["deputy"].label_from_instance = lambda u: u.display_name
        self.fields["deputy"].error_messages["invalid_choice"] = _("代理人必须是同一单位、同一角色的同事。")

    def membership_parts(self):
        unit_id, _sep, role = self.cleaned_data["membership"].partition(":")
        return int(unit_id), role


@login_required
@require_POST
def deputy_add(request):
    form = DeputyForm(request.POST, user=request.user)
    if form.is_valid():
        unit_id, role = form.membership_parts()
        d = form.cleaned_data
        try:
            deputies.appoint(
                user=request.user,
                deputy=d["deputy"],
                unit_id=unit_id,
                role=role,
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
            )
        except WorkflowError as err:
            form.add_workflow_error(err)
        else:
            messages.success(request, _("已设置代理人。"))
            return redirect("preferences")
    return preferences_page(request, deputy_form=form, status=400)


@login_required
@require_POST
def deputy_cancel(request, pk):
    deputies.cancel(user=request.user, pk=pk)
    messages.success(request, _("已取消代理。"))
    return redirect("preferences")
