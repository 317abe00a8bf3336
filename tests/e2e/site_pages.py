"""The pages each role really uses, on the demo data, for the site-wide browser checks (phones, accessibility).

The demo data (seed_demo) has applications in every state up to a pilot, so each role finds a record of each
kind it may open. A page a role may not open is not in its list; every listed page must answer 200.
"""

import io
from dataclasses import dataclass, field

import rules
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse


@dataclass
class Visitor:
    """One demo login and the pages it opens: (name, path, is_list)."""

    username: str
    pages: list = field(default_factory=list)

    def add(self, name, path, is_list=False):
        self.pages.append((name, path, is_list))


def _maybe(name, *args):
    """A page being added alongside (the batch's recommendation and decided lists); None until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def seed_demo_site():
    from django.core.management import call_command

    call_command("seed_demo", force=True, stdout=io.StringIO())  # tests run with DEBUG off


def visitors():
    """The roles of the process on the demo data: county (one with an editable application, one with a pilot),
    reform office, committee, special group, guidance unit."""
    from accounts.models import User
    from applications.models import Application
    from pilots.models import Batch, Candidate, Pilot
    from workflow.models import Opinion

    result = []
    for username in ["county_pinghu", "county_jiashan", "office", "committee", "sg_digital", "gu_data"]:
        user = User.objects.get(username=username)
        roles = set(user.memberships.values_list("role", flat=True))
        visitor = Visitor(username)
        visitor.add("首页", reverse("home"), is_list=True)
        visitor.add("我的待办", reverse("inbox"), is_list=True)
        visitor.add("通知", reverse("workflow:notifications"), is_list=True)
        visitor.add("我的日程", reverse("workflow:calendar"), is_list=True)
        visitor.add("通知设置", reverse("preferences"))
        visitor.add("修改密码", reverse("password_change"))
        visitor.add("试点候选名单", reverse("pilots:published_list"), is_list=True)
        if roles & {"reform_office", "special_group", "county"}:
            visitor.add("候选项目", reverse("pilots:candidate_list"), is_list=True)
            candidate = Candidate.objects.visible_to(user).order_by("pk").first()
            visitor.add("候选项目详情", reverse("pilots:candidate_detail", args=[candidate.pk]))
        if rules.has_perm("pilots.propose_candidate", user):
            visitor.add("提出候选项目", reverse("pilots:candidate_propose"))
        if "reform_office" in roles:
            visitor.add("批次", reverse("pilots:batch_list"), is_list=True)
            visitor.add("新建批次", reverse("pilots:batch_create"))
            batch = Batch.objects.order_by("pk").first()
            visitor.add("批次详情", reverse("pilots:batch_detail", args=[batch.pk]), is_list=True)
        decided = _maybe("pilots:decided_list")  # 确定名单, published to every logged-in user
        if decided:
            visitor.add("确定名单", decided, is_list=True)
        if roles & {"reform_office", "committee"}:
            batch = Batch.objects.order_by("pk").first()
            recommendations = _maybe("applications:recommendations", batch.pk)  # 试点建议名单
            if recommendations:
                visitor.add("试点建议名单", recommendations, is_list=True)
        visitor.add("试点申报", reverse("applications:list"), is_list=True)
        visible = Application.objects.visible_to(user).order_by("pk")
        app = visible.first()
        if app:
            visitor.add("申报详情", reverse("applications:detail", args=[app.pk]))
            visitor.add("申报打印", reverse("applications:print", args=[app.pk]))
        editable = visible.filter(status__in=Application.EDITABLE).first() if "county" in roles else None
        if editable:
            visitor.add("申报编辑", reverse("applications:edit", args=[editable.pk]))
        opinion = Opinion.objects.filter(unit__memberships__user=user).order_by("pk").first()
        if opinion:
            visitor.add("提出意见", reverse("workflow:opinion", args=[opinion.pk]))
        visitor.add("试点项目", reverse("pilots:pilot_list"), is_list=True)
        pilot = Pilot.objects.visible_to(user).order_by("pk").first()
        if pilot:
            visitor.add("试点详情", reverse("pilots:pilot_detail", args=[pilot.pk]))
        _case_library_pages(visitor, user)
        result.append(visitor)
    return result


def _case_library_pages(visitor, user):
    """嘉兴样本 (every role), recording an experience (who drafts) and the bonus-point ledger (who reads it)."""
    from pilots.experience_models import BonusEntry, Experience

    visitor.add("嘉兴样本", reverse("pilots:experience_list"), is_list=True)
    experience = Experience.objects.visible_to(user).order_by("pk").first()
    if experience:
        visitor.add("经验做法", reverse("pilots:experience_detail", args=[experience.pk]))
    if rules.has_perm("pilots.draft_experience", user):
        visitor.add("登记经验做法", reverse("pilots:experience_create"))
    if rules.has_perm("pilots.read_bonus_ledger", user):
        visitor.add("考评加分台账", reverse("pilots:bonus_ledger"), is_list=True)
        visitor.add("考评加分打印", reverse("pilots:bonus_print"))
        entry = BonusEntry.objects.visible_to(user).order_by("pk").first()
        if entry:
            visitor.add("考评加分条目", reverse("pilots:bonus_detail", args=[entry.pk]))


def open_context(browser, live_server, username=None, **options):
    """A browser context, logged in as the demo user by its session cookie (the login form has its own tests)."""
    context = browser.new_context(locale="zh-CN", **options)
    if username:
        from accounts.models import User

        client = Client()
        client.force_login(User.objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context
