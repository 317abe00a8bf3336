"""Demo applications in several states, each moved through the real services (so logs exist)."""

from accounts.models import User
from pilots.models import Batch, Candidate

from . import services
from .models import Application

FILLED = {
    "lead_department": "区委改革办", "cooperating_departments": "区数据局、区市场监管局、区司法局",
    "leader_name": "张明", "leader_post": "区委常委、常务副区长", "leader_phone": "0573-82000001",
    "contact_name": "李华", "contact_post": "区委改革办综合科科长", "contact_phone": "0573-82000002",
    "contact_email": "lihua@example.gov.cn",
    "reform_foundation": "已建成区级公共数据平台,归集数据 12 亿条;“一件事”集成服务覆盖 68 个事项。",
    "goals": "到试点期满,形成可复制的制度成果 5 项以上,群众办事时间平均压缩 50%。",
    "main_tasks": "1. 建立数据授权运营机制;2. 推进跨部门业务协同;3. 完善安全与合规评估。",
    "integration_tasks": "将数据归集、授权、运营三项改革任务整体设计、一体推进。",
    "integration_measures": "统筹出台配套政策 6 项,建立联席会议制度。",
    "integration_forces": "组建由区委改革办牵头、8 个部门参与的工作专班。",
    "integration_results": "形成制度成果汇编,推动成果在全市复制推广。",
    "expected_results": "制度成果:数据授权运营管理办法等;可复制经验:数据安全评估“一张表”。",
    "schedule": "第一年完成制度设计和平台建设;第二年全面推开并总结评估。",
    "safeguards": "区委主要领导挂帅,纳入年度综合考评,保障专项经费。",
    "risk_assessment": "已开展社会稳定风险评估和数据安全风险评估,风险可控。",
    "support_requested": "请求市级在数据共享授权和试点政策方面给予支持。",
}

# (county login, candidate title, how far it goes)
PLAN = [
    ("county_nanhu", "公共数据授权运营集成改革", "draft"),
    ("county_xiuzhou", "“一件事”集成服务改革", "submitted"),
    ("county_pinghu", "强村富民集成改革", "returned"),
    ("county_haining", "基层治理“四治融合”集成改革", "consulting"),
    ("county_tongxiang", "营商环境优化提升集成改革", "recommended"),
    ("county_jiashan", "公共数据授权运营集成改革", "approved"),
]


def _advance(app, county_user, target):
    office = User.objects.get(username="office")
    if target == "draft":
        return app
    app = services.submit_application(actor=county_user, application=app)
    if target == "submitted":
        return app
    if target == "returned":
        return services.review_application(
            actor=office, application=app, name="return_to_county",
            comment="“主要任务和举措”过于笼统,请按清单式、项目化要求细化到具体任务、责任单位和时间节点。",
        )
    app = services.review_application(actor=office, application=app, name="request_opinion")
    if target in ("recommended", "approved"):
        opinion = app.opinions()[0]
        group_user = User.objects.filter(memberships__unit=opinion.unit).first()
        services.give_opinion(actor=group_user, opinion=opinion, verdict="agree",
                              text="该项目改革基础较好,集成度高,同意推荐。")
        app = services.review_application(actor=office, application=app, name="recommend",
                                          comment="改革基础扎实,建议列为试点。")
    if target == "approved":
        app = services.decide_application(actor=User.objects.get(username="committee"), application=app,
                                          name="approve", meeting_ref="第3次会议")
    return app


def seed():
    batch = Batch.objects.get(name="2026年第一批")
    for username, title, target in PLAN:
        county_user = User.objects.get(username=username)
        county = county_user.memberships.get().unit
        if Application.objects.live().filter(batch=batch, county=county).exists():
            continue
        candidate = Candidate.objects.get(batch=batch, title=title)
        app = services.start_application(actor=county_user, candidate=candidate)
        app = services.save_draft(actor=county_user, application=app, data=FILLED)
        _advance(app, county_user, target)
