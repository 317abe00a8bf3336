"""Demo applications in several states, each moved through the real services (so logs exist)."""

from accounts.models import User
from pilots.models import Batch, Candidate
from workflow.conventions.opinions import opinion_give

from . import services
from .models import Application
from .services import FILLED_EXAMPLE

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
            actor=office,
            application=app,
            name="return_to_county",
            comment="“主要任务和举措”过于笼统，请按清单式、项目化要求细化到具体任务、责任单位和时间节点。",
        )
    app = services.review_application(actor=office, application=app, name="request_opinion")
    if target in ("recommended", "approved"):
        opinion = app.opinions()[0]
        group_user = User.objects.filter(memberships__unit=opinion.unit).first()
        opinion_give(
            actor=group_user, opinion=opinion, verdict="agree", text="该项目改革基础较好，集成度高，同意推荐。"
        )
        app = services.review_application(
            actor=office, application=app, name="recommend", comment="改革基础扎实，建议列为试点。"
        )
    if target == "approved":
        app = services.decide_application(
            actor=User.objects.get(username="committee"), application=app, name="approve", meeting_ref="第3次会议"
        )
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
        app = services.save_draft(actor=county_user, application=app, data=FILLED_EXAMPLE)
        _advance(app, county_user, target)
