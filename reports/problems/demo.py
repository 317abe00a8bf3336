"""Demo of issue 28's points 8 and 9 on the Jiashan pilot (after the reports demo): 存在问题 and 需市级支持事项 raised
from its application, plan and quarterly reports in every step (waiting for the office, assigned to a 市级有关单位 and
overdue, assigned and not yet due, answered by the office, replied and reopened, resolved), a guidance record of its
guidance unit with an attachment, and its special group's 催办 of the quarterly report still owed."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Unit, User
from applications import selectors as application_selectors
from pilots.selectors import pilot_list
from reports.guidance import services as guidance_services
from reports.models import QuarterlyReport
from reports.monitoring import supervision
from reports.monitoring.demo import on
from reports.problems import services as problem_services
from reports.problems.models import ProblemItem
from reviews.plans import selectors as review_selectors

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def seed():
    office = User.objects.get(username="office")
    pilot = pilot_list(office).filter(county__code="jiashan", status="implementing").first()
    if pilot is None or ProblemItem.objects.filter(pilot=pilot).exists():
        return
    county = User.objects.get(username="county_jiashan")
    finance, hrss = Unit.objects.get(code="md-finance"), Unit.objects.get(code="md-hrss")
    finance_user = User.objects.get(username="md_finance")
    guide = User.objects.get(username="gu_data")
    reports = {(r.year, r.quarter): r for r in QuarterlyReport.objects.filter(pilot=pilot)}
    plan = review_selectors.plan_list(office).filter(pilot=pilot).first()
    application = application_selectors.application_list(office).filter(pilot=pilot).first()
    today = timezone.localdate()
    day = lambda n: today - datetime.timedelta(days=n)  # noqa: E731

    def raise_(source, kind, content, when):
        with on(when):
            return problem_services.raise_problem(actor=county, source=source, kind=kind, content=content)

    def act(actor, item, name, when, **kw):
        with on(when):
            return problem_services.act(actor=actor, item=item, name=name, **kw)

    # Resolved: the first report's problem, assigned to the guidance unit, replied, confirmed by the county.
    a = raise_(
        reports[(2025, 3)], "problem", "跨部门数据共享仍需协调，市级部门数据回流不及时。", datetime.date(2025, 10, 11)
    )
    a = act(
        office, a, "assign", datetime.date(2025, 10, 13), unit=pilot.guidance_unit, due_on=datetime.date(2025, 10, 31)
    )
    a = act(
        guide, a, "reply_to", datetime.date(2025, 10, 25), comment="已建立市县数据回流周报机制，首批12类数据已回流。"
    )
    act(county, a, "resolve", datetime.date(2025, 10, 28), comment="数据已按周回流，问题已解决。")

    # Assigned to the finance bureau and overdue (the bureau's 我的待办 shows it in red, the dashboard counts it).
    b = raise_(reports[(2026, 1)], "support", "请市财政局明确数据授权运营收益分配的财政政策口径。", day(25))
    act(office, b, "assign", day(20), unit=finance, due_on=day(5), comment="请研究并答复县里。")

    # Assigned to the human-resources bureau, not yet due.
    if plan is not None:
        c = raise_(plan, "support", "请市人力社保局支持数据运营专业人才引进政策。", day(3))
        act(office, c, "assign", day(2), unit=hrss, due_on=today + datetime.timedelta(days=12))
        # Answered by the office itself, waiting for the county to confirm.
        d = raise_(plan, "problem", "数据产品定价缺乏依据，交易价格难以确定。", day(10))
        act(office, d, "answer", day(2), comment="市委改革办已协调市发展改革委，下月出台数据产品定价指引。")

    # Waiting for the office: the application's 需市级层面支持的事项.
    if application is not None:
        text = (application.support_requested or "").strip() or "请求市级在数据共享授权方面给予支持。"
        raise_(application, "support", text, day(1))

    # Replied by the finance bureau, reopened by the county: back with the office.
    f = raise_(reports[(2026, 3)], "support", "平台运维经费缺口较大，请市级给予支持。", day(40))
    f = act(office, f, "assign", day(38), unit=finance, due_on=day(25))
    f = act(finance_user, f, "reply_to", day(30), comment="可申报市级数字化改革专项资金。")
    act(county, f, "reopen", day(28), comment="答复未明确申报时间和额度，请进一步协调。")

    # 业务指导记录 of the guidance unit, with its minutes attached.
    with on(day(15)):
        guidance_services.record_guidance(
            actor=guide,
            pilot=pilot,
            given_on=day(15),
            form="on_site",
            content="赴嘉善县现场指导数据授权运营平台建设，就数据产品上架流程提出三条意见。",
            files=[SimpleUploadedFile("现场指导纪要.pdf", PDF, "application/pdf")],
        )
    with on(day(6)):
        guidance_services.record_guidance(
            actor=guide, pilot=pilot, given_on=day(6), form="policy", content="解读省公共数据授权运营管理办法。"
        )

    # The special group urges the quarterly report still owed (2026 Q2, never submitted).
    owed = reports.get((2026, 2))
    if owed is not None and owed.first_submitted_on is None:
        supervision.urge(
            actor=User.objects.get(username="sg_digital"), kind="quarterly_report", pk=owed.pk, comment="请尽快补报。"
        )
