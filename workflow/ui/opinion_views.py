"""The one page (and form) for giving an opinion on any record, and the asking unit's cancellation."""

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..conventions.models import Opinion
from ..conventions.opinions import get_purpose, opinion_cancel, opinion_give
from ..engine.errors import WorkflowError
from ..inbox.deputies import may
from .forms import MultipleFileField, StyledMixin


class OpinionForm(StyledMixin, forms.Form):
    """Verdict radio (choices from the opinion's purpose), text and optional attachments."""

    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    verdict = forms.ChoiceField(
        label=gettext_lazy("意见"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择意见。"), "invalid_choice": gettext_lazy("请选择意见。")},
    )
    text = forms.CharField(
        label=gettext_lazy("意见说明"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("请填写意见说明。")},
    )
    attachments = MultipleFileField(label=gettext_lazy("附件"), help_text=gettext_lazy("可选，如书面意见的扫描件。"))

    BASE = ("expected_state", "verdict", "text", "attachments")

    def __init__(self, *args, opinion, **kwargs):
        kwargs.setdefault("initial", {"expected_state": Opinion.Status.PENDING})
        super().__init__(*args, **kwargs)
        purpose = get_purpose(opinion.purpose)
        self.fields["verdict"].choices = list(purpose.verdicts)
        if purpose.extend_form is not None:
            purpose.extend_form(self, opinion)
            self.style_fields()

    @property
    def extra(self):
        """The values of the purpose's own fields."""
        return {k: v for k, v in self.cleaned_data.items() if k not in self.BASE}


class CancelForm(StyledMixin, forms.Form):
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=gettext_lazy("撤销理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写撤销理由。")},
    )


def access_opinion(user, pk):
    """The opinion if the user may read the record it is about (or was asked it, or asked it); 404 otherwise."""
    opinion = get_object_or_404(
        Opinion.objects.visible_to(user).select_related("unit", "user", "requested_by", "requested_unit", "given_by"),
        pk=pk,
    )
    if opinion.target is None:
        raise Http404
    return opinion


def may_give(user, opinion):
    """The invitee, or their deputy while they are away (代理: checked with the invitee's rights)."""
    return may(user, "workflow.give_opinion", opinion, "give")


def my_pending_opinion(user, opinions):
    """The first open request among ``opinions`` that this user answers (for the form on a record page)."""
    return next(
        (o for o in opinions if o.is_pending and may_give(user, o)),
        None,
    )


def opinion_panel(user, opinions, *, form=None):
    """Context for a record page: its opinions, the form for the one this user answers, what they may cancel."""
    mine = my_pending_opinion(user, opinions)
    return {
        "opinions": opinions,
        "my_opinion": mine,
        "opinion_form": form or (OpinionForm(opinion=mine) if mine else None),
        "cancellable": {o.pk for o in opinions if o.is_pending and rules.has_perm("workflow.cancel_opinion", user, o)},
    }


def _back(request, opinion):
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return opinion.target.get_absolute_url()


def _page(request, opinion, *, form=None, cancel_form=None, status=200):
    user = request.user
    giving = opinion.is_pending and may_give(user, opinion)
    may_cancel = opinion.is_pending and rules.has_perm("workflow.cancel_opinion", user, opinion)
    return TemplateResponse(
        request,
        "workflow/opinion.html",
        {
            "opinion": opinion,
            "target": opinion.target,
            "purpose": get_purpose(opinion.purpose),
            "form": (form or OpinionForm(opinion=opinion)) if giving else None,
            "cancel_form": (cancel_form or CancelForm(initial={"expected_state": opinion.status}))
            if may_cancel
            else None,
        },
        status=status,
    )


def _failed(request, opinion, err, **forms_):
    """Field errors stay next to the fields (400); a stale page or a state that no longer allows the step is
    said above the fresh request, whose form may be gone (409)."""
    fresh = access_opinion(request.user, opinion.pk)
    if err.errors:
        for form in forms_.values():
            form.add_workflow_error(err)
        return _page(request, fresh, status=err.status, **forms_)
    messages.error(request, err.message)
    return _page(request, fresh, status=err.status)


@login_required
def opinion_detail(request, pk):
    """GET: the request and, for the invitee, the form; POST: the answer."""
    opinion = access_opinion(request.user, pk)
    if request.method != "POST":
        return _page(request, opinion)
    if not may_give(request.user, opinion):
        raise PermissionDenied(_("您不是被征求意见的单位或人员，不能提出意见。"))
    form = OpinionForm(request.POST, request.FILES, opinion=opinion)
    if not form.is_valid():
        return _page(request, opinion, form=form, status=400)
    try:
        opinion_give(
            actor=request.user,
            opinion=opinion,
            verdict=form.cleaned_data["verdict"],
            text=form.cleaned_data["text"],
            expected_state=form.cleaned_data["expected_state"] or None,
            files=form.cleaned_data["attachments"],
            extra=form.extra,
        )
    except WorkflowError as err:
        return _failed(request, opinion, err, form=form)
    messages.success(request, str(get_purpose(opinion.purpose).given_message))
    return redirect(_back(request, opinion))


@login_required
@require_POST
def opinion_cancel_view(request, pk):
    opinion = access_opinion(request.user, pk)
    if not rules.has_perm("workflow.cancel_opinion", request.user, opinion):
        raise PermissionDenied(_("只有征求意见的单位可以撤销征求意见。"))
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _page(request, opinion, cancel_form=form, status=400)
    try:
        opinion_cancel(
            actor=request.user,
            opinion=opinion,
            comment=form.cleaned_data["comment"],
            expected_state=form.cleaned_data["expected_state"] or None,
        )
    except WorkflowError as err:
        return _failed(request, opinion, err, cancel_form=form)
    messages.success(request, _("已撤销向“%(name)s”征求意见。") % {"name": opinion.invitee_name})
    return redirect(_back(request, opinion))
