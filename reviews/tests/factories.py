"""A pilot in planning (made through the real application services) and plans filled through the plan services."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services as app_services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from reviews.plans import services
from workflow.conventions.opinions import opinion_give

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MEETING = "市委改革委第5次会议"

SECTIONS = {
    "risk_conclusion": "经社会稳定风险评估，风险等级为低风险，可以实施。",
    "risk_body": "南湖区社会稳定风险评估中心",
    "risk_date": datetime.date(2026, 3, 1),
    "legality_conclusion": "方案内容符合法律法规规定，未发现合法性问题。",
    "legality_body": "南湖区司法局",
    "legality_date": datetime.date(2026, 3, 5),
}
TASKS = [
    {
        "content": "建立公共数据授权运营机制，制定数据授权运营管理办法",
        "responsible_unit": "区数据局",
        "milestones": "6月底前出台办法",
        "deadline": datetime.date(2026, 12, 31),
        "result_form": "policy",
    },
    {
        "content": "建设公共数据授权运营平台，实现数据产品上架交易",
        "responsible_unit": "区大数据中心",
        "milestones": "9月底前平台上线",
        "deadline": datetime.date(2027, 6, 30),
        "result_form": "platform",
    },
]


def pdf(name="评估报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_pilot(county, office, committee, group, *, candidate_title="公共数据授权运营集成改革", batch=None):
    batch = batch or open_batch(office)
    app = filled_application(county, listed_candidate(office, batch, title=candidate_title))
    app = app_services.submit_application(actor=county, application=app)
    app = app_services.review_application(actor=office, application=app, name="request_opinion")
    opinion_give(actor=group, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
    app = app_services.review_application(actor=office, application=app, name="recommend")
    app = app_services.decide_application(actor=committee, application=app, name="approve", meeting_ref=MEETING)
    return app.pilot


def filled_plan(county, pilot, *, tasks=None, sections=True, legality=True):
    """The pilot's plan with its task list and (optionally) both sections with their documents."""
    plan = services.start_plan(actor=county, pilot=pilot)
    data = dict(SECTIONS) if sections else {}
    if not legality:
        data = {k: v for k, v in data.items() if not k.startswith("legality")}
    return services.save_plan(
        actor=county,
        plan=plan,
        data=data,
        tasks=[dict(t) for t in (tasks or TASKS)],
        risk_files=[pdf()] if sections else [],
        legality_files=[pdf("合法性审查意见书.pdf")] if sections and legality else [],
    )
