"""The pilot page's 相关记录 from the plan app: the plan, the self-evaluation, the evaluation and the summary the
user may open (each scoped like its own page: one query per record kind, however many there are)."""

from django.utils.translation import gettext as _

from reviews.evaluation import selectors as evaluation_selectors
from reviews.evaluation.models import Evaluation
from reviews.plans import selectors


def plan_links(user, pilot):
    plan = selectors.plan_list(user).filter(pilot=pilot).first()
    return [(_("试点方案"), plan.get_absolute_url(), plan.get_status_display())] if plan else []


def evaluation_links(user, pilot):
    links = []
    se = evaluation_selectors.self_evaluation_list(user).filter(pilot=pilot).first()
    if se is not None:
        links.append((_("试点自评"), se.get_absolute_url(), se.get_status_display()))
    evaluation = Evaluation.objects.visible_to(user).filter(pilot=pilot).first()
    if evaluation is not None:
        links.append((_("评估"), evaluation.get_absolute_url(), evaluation.get_status_display()))
        if evaluation.summary:
            reported = evaluation.status == Evaluation.Status.REPORTED
            state = _("已报市委改革委") if reported else _("已撰写")
            links.append((_("试点总结"), evaluation.get_absolute_url() + "#summary", state))
    return links
