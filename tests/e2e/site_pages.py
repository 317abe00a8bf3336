"""The pages each role really uses, on the demo data, for the site-wide browser checks (phones, accessibility).

The demo data (seed_demo) has applications in every state up to a pilot, plans, quarterly reports, an inspection
and an extension, so each role finds a record of each kind it may open. A page a role may not open is not in its
list; every listed page must answer 200.
"""

import io
from dataclasses import dataclass, field

import rules
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from reports.problems.models import ProblemItem


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
    reform office, committee, special group, guidance unit, expert; then the three administrators."""
    from accounts.models import User
    from applications.models import Application
    from pilots.models import Batch, Candidate, Pilot
    from workflow.models import Opinion

    result = []
    for username in ["county_pinghu", "county_jiashan", "office", "committee", "sg_digital", "gu_data", "expert"]:
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
        _later_stage_pages(visitor, user)
        result.append(visitor)
    result += _administrators()
    return result


def half_of(all_visitors, half):
    """One of two halves of the visitors with about as many pages each (a parallel run checks them side by
    side): the largest first, each to the half with fewer pages so far."""
    halves, sizes = ([], []), [0, 0]
    for visitor in sorted(all_visitors, key=lambda v: -len(v.pages)):
        lighter = sizes.index(min(sizes))
        halves[lighter].append(visitor)
        sizes[lighter] += len(visitor.pages)
    return halves[half]


def _seen_by(user, candidates):
    """The pages of ``candidates`` (name, path, is_list) this user may open. A page refused to the role (403/404)
    or redirected away (a plan's edit page once submitted) is left out; any other answer is kept, so the browser
    test reports it rather than hiding it."""
    client = Client()
    client.force_login(user)
    seen = []
    for name, path, is_list in candidates:
        if path and client.get(path).status_code not in {302, 403, 404}:
            seen.append((name, path, is_list))
    return seen


def _later_stage_pages(visitor, user):
    """方案审核, 季度报告, 督察整改, 延期, 我的传阅 and 审批单: list, record, form and print of each, where the role
    sees them."""
    from applications.models import Application
    from reports.monitoring.extensions import ExtensionRequest
    from reports.monitoring.inspections import Inspection, RectificationItem
    from reports.monitoring.models import QuarterlyReport
    from reviews.plans.models import Plan
    from workflow.models import Opinion

    pages = [
        ("方案审核", reverse("reviews:list"), True),
        ("参考任务库", reverse("reviews:references"), True),
        ("季度报告", reverse("reports:list"), True),
        ("季度报送情况", reverse("reports:quarter"), True),
        ("督察整改", reverse("reports:inspections"), True),
        ("记录督察", reverse("reports:inspection_new"), False),
        ("延期申请", reverse("reports:extensions"), True),
        ("我的传阅", reverse("workflow:copies"), True),
        # 工作看板 (committee and office), its time-in-stage page, the office's goals, the results list
        ("工作看板", _maybe("reports:dashboard"), True),
        ("阶段用时分析", _maybe("reports:time_in_stage"), True),
        ("维护工作目标", _maybe("reports:goals"), True),
        ("制度成果", _maybe("reports:results"), True),
        # 问题协调 (存在问题、需市级支持事项) and a special group's 协调督促
        ("问题协调", reverse("reports:problems"), True),
        ("协调督促", reverse("reports:supervision"), True),
    ]
    plans = Plan.objects.visible_to(user).order_by("pk")
    first, last = plans.first(), plans.last()
    if first:  # the approved plan: its record, print, opinion summary and versions
        pages += [
            ("方案详情", reverse("reviews:detail", args=[first.pk]), False),
            ("方案编辑", reverse("reviews:edit", args=[first.pk]), False),
            ("方案打印", reverse("reviews:print", args=[first.pk]), False),
            ("意见汇总", reverse("reviews:summary", args=[first.pk]), True),
            ("方案版本比较", reverse("reviews:compare", args=[first.pk, 1]), False),
            ("方案审批单", reverse("workflow:sheet", args=["plan", first.pk]), True),
        ]
    if last and last != first:  # the plan under consultation: its record and the open opinions (answer forms)
        pages += [
            ("征求意见中的方案", reverse("reviews:detail", args=[last.pk]), False),
            ("方案编辑", reverse("reviews:edit", args=[last.pk]), False),
        ]
    for plan in {first, last} - {None}:
        for opinion in Opinion.objects.for_object(plan).order_by("pk"):
            pages.append(("方案征求意见", reverse("reviews:opinion", args=[plan.pk, opinion.pk]), False))
    if Plan.objects.visible_to(user).exists():
        pilot = Plan.objects.visible_to(user).order_by("pk").first().pilot
        pages.append(("申请延期", reverse("reports:extension_new", args=[pilot.pk]), False))
    report = QuarterlyReport.objects.visible_to(user).filter(saved_at__isnull=False).order_by("pk").first()
    if report:
        pages += [
            ("季度报告详情", reverse("reports:detail", args=[report.pk]), False),
            ("季度报告打印", reverse("reports:print", args=[report.pk]), False),
            ("季度报告审批单", reverse("workflow:sheet", args=["quarterly_report", report.pk]), True),
        ]
    for report in QuarterlyReport.objects.visible_to(user).order_by("-pk")[:3]:
        pages.append(("季度报告填报", reverse("reports:edit", args=[report.pk]), False))
    if report:
        pages.append(("提出问题", reverse("reports:problem_new", args=["quarterly_report", report.pk]), False))
    problem = ProblemItem.objects.visible_to(user).order_by("pk").first()
    if problem:
        pages.append(("问题详情", reverse("reports:problem", args=[problem.pk]), False))
    if Plan.objects.visible_to(user).exists():  # the guidance unit's 业务指导记录 form on its pilot
        pilot = Plan.objects.visible_to(user).order_by("pk").first().pilot
        pages.append(("记录业务指导", reverse("reports:guidance_new", args=[pilot.pk]), False))
    inspection = Inspection.objects.order_by("pk").first()
    if inspection:
        pages.append(("督察详情", reverse("reports:inspection", args=[inspection.pk]), True))
    item = RectificationItem.objects.visible_to(user).order_by("pk").first()
    if item:
        pages.append(("整改事项", reverse("reports:item", args=[item.pk]), False))
    extension = ExtensionRequest.objects.visible_to(user).order_by("pk").first()
    if extension:
        pages.append(("延期详情", reverse("reports:extension", args=[extension.pk]), False))
    app = Application.objects.visible_to(user).order_by("pk").first()
    if app:
        pages.append(("申报审批单", reverse("workflow:sheet", args=["application", app.pk]), True))
    pages += _county_pages(user)
    pages += _evaluation_pages(user)
    for name, path, is_list in _seen_by(user, pages):
        visitor.add(name, path, is_list)


def _county_pages(user):
    """县（市、区）概况 (a county its own; the office and the committee the first county) and 各县（市、区）对比."""
    from accounts.models import Role, Unit

    counties = Unit.objects.filter(kind=Role.COUNTY).order_by("sort_order", "code")
    county = counties.filter(memberships__user=user).first() or counties.first()
    return [
        ("县（市、区）概况", reverse("reports:county", args=[county.pk]), True),
        ("各县（市、区）对比", reverse("reports:counties"), True),
    ]


def _administrators():
    """三员分立: the system, security and audit administrators' consoles (lists and forms)."""
    from accounts.models import Unit, User

    user = User.objects.get(username="county_pinghu")
    unit = Unit.objects.get(code="reform-office")
    sysadmin = Visitor("sysadmin")
    sysadmin.add("首页", reverse("home"), is_list=True)
    sysadmin.add("用户管理", reverse("sysadmin_users"), is_list=True)
    sysadmin.add("新建用户", reverse("sysadmin_user_create"))
    sysadmin.add("编辑用户", reverse("sysadmin_user_edit", args=[user.pk]), is_list=True)
    sysadmin.add("单位管理", reverse("sysadmin_units"), is_list=True)
    sysadmin.add("新建单位", reverse("sysadmin_unit_create"))
    sysadmin.add("编辑单位", reverse("sysadmin_unit_edit", args=[unit.pk]))
    secadmin = Visitor("secadmin")
    secadmin.add("首页", reverse("home"), is_list=True)
    secadmin.add("账号安全", reverse("secadmin_users"), is_list=True)
    secadmin.add("安全策略", reverse("secadmin_settings"))
    auditadmin = Visitor("auditadmin")
    auditadmin.add("首页", reverse("home"), is_list=True)
    auditadmin.add("审计日志", reverse("audit_trail"), is_list=True)
    auditadmin.add("审计日志筛选", reverse("audit_trail") + "?user=office", is_list=True)
    auditadmin.add("日志链校验", reverse("audit_chain"), is_list=True)
    return [sysadmin, secadmin, auditadmin]


def _case_library_pages(visitor, user):
    """嘉兴样本 (every role), recording an experience (who drafts) and the bonus-point ledger (who reads it)."""
    from pilots.experiences.models import BonusEntry, Experience

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


def _evaluation_pages(user):
    """总结评估: the list, a self-evaluation (record, form, 审批单) and an evaluation (record, score form, summary
    form, A4 result) where the role sees them (the demo's 2023 pilots)."""
    from reviews.evaluation.models import Evaluation, SelfEvaluation

    pages = [("总结评估", reverse("reviews:evaluation_list"), True)]
    for se in SelfEvaluation.objects.visible_to(user).order_by("pk"):
        pages += [
            ("试点自评", reverse("reviews:self_evaluation", args=[se.pk]), False),
            ("填报试点自评", reverse("reviews:self_evaluation_edit", args=[se.pk]), False),
            ("试点自评审批单", reverse("workflow:sheet", args=["self_evaluation", se.pk]), True),
        ]
    for evaluation in Evaluation.objects.visible_to(user).order_by("pk"):
        pages += [
            ("试点评估", reverse("reviews:evaluation", args=[evaluation.pk]), False),
            ("评估打分", reverse("reviews:evaluation_score", args=[evaluation.pk]), False),
            ("撰写试点总结", reverse("reviews:evaluation_summary", args=[evaluation.pk]), False),
            ("评估结果表", reverse("reviews:evaluation_print", args=[evaluation.pk]), True),
        ]
    return pages
