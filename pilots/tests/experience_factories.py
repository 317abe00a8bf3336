"""Pilots, experiences and promotions for the case-library and ledger tests, made through the real services."""

import datetime

from applications import services as app_services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from pilots import outcomes
from pilots.experiences import services as experiences
from workflow.conventions.opinions import opinion_give

BODY = "我们推行“容缺受理”机制，企业开办材料不全时先行受理，并由数据专班集中归集公共数据。"


def approved_pilot(county_user, office, committee, special_group, candidate=None):
    """A pilot of ``county_user``'s county, approved by the committee after the special group's opinion."""
    candidate = candidate or listed_candidate(office, open_batch(office))
    app = filled_application(county_user, candidate)
    app = app_services.submit_application(actor=county_user, application=app)
    app = app_services.review_application(actor=office, application=app, name="request_opinion")
    opinion_give(actor=special_group, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
    app = app_services.review_application(actor=office, application=app, name="recommend")
    app = app_services.decide_application(
        actor=committee, application=app, name="approve", meeting_ref="市委改革委第3次会议"
    )
    return app.pilot


def draft(actor, pilot, title="企业开办“一件事”集成服务", **data):
    values = {"title": title, "summary": "企业开办全流程一次办结。", "body": BODY, "tags": "一件事、数据共享"}
    values.update(data)
    return experiences.create_experience(actor=actor, pilot=pilot, data=values)


def published(office, pilot, title="企业开办“一件事”集成服务", **data):
    return experiences.experience_act(actor=office, experience=draft(office, pilot, title, **data), name="publish")


def promote(office, experience, level="province", day=datetime.date(2026, 3, 1), doc="浙改办〔2026〕8号"):
    return experiences.record_promotion(
        actor=office, experience=experience, level=level, promoted_on=day, document_number=doc
    )


def graded(monkeypatch, grade="good", *, worked=True, failed=False):
    """Every pilot reads as evaluated with ``grade`` (what the reviews app's reader would say once an evaluation is
    completed): the ledger's own rules are tested on pilots that earned points; the rule itself in test_bonus_rule."""
    names = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
    outcome = outcomes.Outcome(grade=grade, label=names[grade], worked=worked, failed=failed, minimum_label="合格")
    monkeypatch.setitem(outcomes._readers, "evaluation", lambda pilot: outcome)
    monkeypatch.setitem(outcomes._readers, "minimum", lambda: "合格")
    return outcome
