"""Pages of the recommendation list (试点建议名单): the office sends it, the committee decides it on one page."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import sees_everything
from pilots.models import Batch
from pilots.selectors import access_batch
from workflow.engine.errors import WorkflowError

from . import recommendations, selectors
from .models import RecommendationList

# A batch of Jiaxing's has at most seven applications (one per county): one page; a national batch pages on.
PER_PAGE = 100


def _access(user, batch_pk):
    """The office and the committee only (403 for every other role); 404 for a batch they cannot see."""
    if not sees_everything(user):
        raise PermissionDenied(_("试点建议名单仅供市委改革办和市委改革委查看。"))
    return access_batch(user, batch_pk)


def _page(request, batch, *, status=200, results=None, meeting_ref="", error=None, posted=None):
    rlist = recommendations.list_of(batch)
    context = {
        "batch": batch,
        "rlist": rlist,
        "results": results,
        "meeting_ref": meeting_ref,
        "meeting_error": error,
    }
    number = request.GET.get("page")
    if rlist is None:
        ready, pending = selectors.recommendable(batch)
        context.update(
            page=Paginator(ready, PER_PAGE).get_page(number),
            pending=list(pending[:20]),
            pending_count=pending.count(),
            can_send=rules.has_perm("applications.review_application", request.user),
            batch_closed=batch.status == Batch.Status.CLOSED,
        )
    else:
        page = Paginator(selectors.recommendation_items(rlist), PER_PAGE).get_page(number)
        page.object_list = list(page.object_list)
        for a in page:  # what was chosen and typed comes back when the page is shown again with an error
            a.posted_choice, a.posted_reason = (posted or {}).get(a.pk, ("", ""))
        names = recommendations.decision_names(request.user)
        context.update(
            page=page,
            can_decide=names is not None and rlist.status == RecommendationList.Status.SENT,
            on_behalf=names is not None and names["approve"] == "approve_on_behalf",
        )
    return TemplateResponse(request, "applications/recommendations.html", context, status=status)


@login_required
def recommendation_list(request, batch_pk):
    return _page(request, _access(request.user, batch_pk))


@login_required
@require_POST
def recommendation_send(request, batch_pk):
    if not rules.has_perm("applications.review_application", request.user):
        raise PermissionDenied(_("只有市委改革办可以报送试点建议名单。"))
    batch = _access(request.user, batch_pk)
    try:
        recommendations.send_list(actor=request.user, batch=batch, comment=request.POST.get("comment", ""))
    except WorkflowError as err:
        messages.error(request, err.message)
        return _page(request, batch, status=err.status)
    messages.success(request, _("试点建议名单已报送市委改革委。"))
    return redirect("applications:recommendations", batch.pk)


def _decisions(post):
    """``(application_id, choice, reason, expected_state)`` for every item the page posted a choice for."""
    found = []
    for raw in post.getlist("item"):
        if not raw.isdigit():
            continue
        choice = post.get(f"choice-{raw}", "")
        if choice in recommendations.CHOICES:
            found.append((int(raw), choice, post.get(f"reason-{raw}", "").strip(), post.get(f"state-{raw}", "")))
    return found


@login_required
@require_POST
def recommendation_decide(request, batch_pk):
    batch = _access(request.user, batch_pk)
    if recommendations.decision_names(request.user) is None:
        raise PermissionDenied(_("只有市委改革委可以确定试点（市委改革办可代为录入）。"))
    rlist = recommendations.list_of(batch)
    if rlist is None:
        raise Http404
    meeting_ref = request.POST.get("meeting_ref", "").strip()[:60]
    decisions = _decisions(request.POST)
    posted = {app_id: (choice, reason) for app_id, choice, reason, _state in decisions}
    try:
        results = recommendations.decide_items(
            actor=request.user, rlist=rlist, decisions=decisions, meeting_ref=meeting_ref
        )
    except WorkflowError as err:
        if err.field != "meeting_ref":
            messages.error(request, err.message)
        return _page(
            request,
            batch,
            status=err.status,
            meeting_ref=meeting_ref,
            error=err.message if err.field == "meeting_ref" else None,
            posted=posted,
        )
    done = sum(r.done for r in results)
    if done == len(results):
        messages.success(request, _("已确定%(n)s个项目。") % {"n": done})
    else:
        messages.warning(
            request, _("已确定%(done)s个项目，%(refused)s个未能确定。") % {"done": done, "refused": len(results) - done}
        )
    return _page(request, batch, results=results, meeting_ref=meeting_ref)
