"""Demo of pilots whose term ended (registered by reports after its own demo: it walks every stage, so it lives at
the top of the lifecycle): pilots of a 2023 batch run through every step with the clock set to the day it would have
happened (demo data only). At each term's end the pilots' clock opened the county's self-evaluation, due
SELF_EVALUATION_DAYS later. 南湖区 was reminded, told overdue to the office and submitted late: it waits for the
office. 秀洲区's was accepted; its special group and guidance unit (evaluators from the start) and an expert scored
it, the grade was computed, the summary reported to the committee (the pilot is completed) and the committee
commented. 平湖市's plan was approved with an 18-month term (a recorded exception); its evaluation failed, the pilot
was completed and the committee marked it 容错免责. 桐乡市's pilot was terminated and marked 容错免责."""

import datetime
from contextlib import contextmanager
from unittest import mock

import pgtrigger
from django.utils import timezone

from accounts.models import Unit, User
from applications import services as app_services
from applications.services import FILLED_EXAMPLE
from pilots import services as pilot_services
from pilots.selectors import batch_list
from reports.monitoring import services as report_services
from reviews.evaluation import reminders, services
from reviews.plans import services as plan_services
from reviews.plans.demo import SECTIONS, _consult, _pdf
from workflow.conventions.opinions import opinion_give
from workflow.engine.errors import WorkflowError
from workflow.models import Opinion
from workflow.services import record

BATCH = "2023年第二批"
APPROVED = datetime.date(2023, 12, 29)
PILOTS = [
    (
        "county_nanhu",
        "数字乡村集成改革",
        [("建设数字乡村“一张图”，整合农业农村数据", "区农业农村局"), ("推行村级事务“线上办”", "区数据局")],
        "submitted",
    ),
    (
        "county_xiuzhou",
        "“一网通办”政务服务集成改革",
        [("整合政务服务事项，实现“一网通办”全覆盖", "区行政审批局"), ("建立跨部门数据共享机制", "区数据局")],
        "reported",
    ),
    (
        "county_pinghu",
        "“数字孪生”城市治理集成改革",
        [("建设城市治理数字孪生平台", "市大数据中心"), ("推行城市事件“一网统管”", "市综合执法局")],
        "failed",
    ),
    (
        "county_tongxiang",
        "数字贸易先行区集成改革",
        [("建设数字贸易公共服务平台", "市商务局"), ("探索跨境数据流动便利化", "市数据局")],
        "terminated",
    ),
]
# 试点期限原则上为2年: 平湖市's plan was approved with another term, a recorded exception with its reason.
TERMS = {
    "county_pinghu": {
        "term_months": 18,
        "term_reason": "城市治理数字孪生平台依托省级试点同步建设，试点期限与省级试点一致，定为18个月。",
    }
}
TOLERANCE = {
    "failed": "试点依托的省级平台建设延期，数字孪生底座未能按期建成，主要任务未达预期；县里已及时调整路径、"
    "总结教训，符合“允许试错、包容失败”的容错情形。",
    "terminated": "国家跨境数据流动政策调整，试点改革路径不再可行，县里主动报告并及时纠错，予以容错免责。",
}


@contextmanager
def on(day):
    """The clock set to ``day`` (10:00 in Jiaxing) for one historical step (as the reports demo does)."""
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=timezone.get_default_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


SCORES = {"sg_digital": "88", "gu_data": "92", "expert": "85"}
FAILED_SCORES = {"sg_digital": "55", "gu_data": "52", "expert": "50"}
OVERVIEW = "试点方案确定的任务全部完成，形成了可复制的制度成果。"


def _pilot(batch, office, committee, username, title, tasks):
    county_user = User.objects.get(username=username)
    group = User.objects.get(username="sg_digital")
    with on(datetime.date(2023, 10, 12)):
        candidate = pilot_services.propose_candidate(
            actor=office,
            accept=True,
            data={
                "batch": batch,
                "title": title,
                "area": "digital",
                "lead_group": Unit.objects.get(code="sg-digital"),
                "guidance_unit": Unit.objects.get(code="gu-data"),
                "description": f"{title}：集成相关领域改革举措。",
            },
        )
    with on(datetime.date(2023, 10, 20)):
        app = app_services.start_application(actor=county_user, candidate=candidate)
        app = app_services.save_draft(actor=county_user, application=app, data=FILLED_EXAMPLE)
        # On PostgreSQL a trigger also holds the first submission to the batch's window, by the database's own clock,
        # which the demo's set clock cannot reach: that one rule is left to the service's check, made at 2023-10-20.
        with pgtrigger.ignore("applications.Application:application_submit_in_window"):
            app = app_services.submit_application(actor=county_user, application=app)
        app = app_services.review_application(actor=office, application=app, name="request_opinion")
        opinion_give(actor=group, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
        app = app_services.review_application(actor=office, application=app, name="recommend")
    with on(datetime.date(2023, 11, 20)):
        app = app_services.decide_application(actor=committee, application=app, name="approve", meeting_ref="第1次会议")
    pilot = app.pilot
    with on(datetime.date(2023, 12, 1)):
        plan = plan_services.start_plan(actor=county_user, pilot=pilot)
        plan = plan_services.save_plan(
            actor=county_user,
            plan=plan,
            data=SECTIONS,
            tasks=[{"content": c, "responsible_unit": u, "result_form": "policy"} for c, u in tasks],
            risk_files=[_pdf("社会稳定风险评估报告.pdf")],
            legality_files=[_pdf("合法性审查意见书.pdf")],
        )
        plan = plan_services.submit_plan(actor=county_user, plan=plan)
    with on(datetime.date(2023, 12, 5)):
        plan = _consult(plan, User.objects.get(username="gu_data"), [Unit.objects.get(code="md-finance")])
        opinion = Opinion.objects.for_object(plan).order_by("id").first()
        plan_services.give_opinion(
            actor=User.objects.get(username="md_finance"), opinion=opinion, verdict="agree", text="同意。"
        )
        plan = plan_services.close_consultation(actor=User.objects.get(username="gu_data"), plan=plan)
    with on(datetime.date(2023, 12, 20)):
        plan = plan_services.review_plan(actor=office, plan=plan, name="pass_to_committee", comment="审核通过。")
    plan = plan.__class__.objects.get(pk=plan.pk)
    with on(APPROVED):
        plan_services.decide_plan(
            actor=committee, plan=plan, name="approve", meeting_ref="第2次会议", **TERMS.get(username, {})
        )
    return county_user, pilot.__class__.objects.get(pk=pilot.pk)


def _reports(county_user, office, pilot):
    for report in pilot.quarterly_reports.order_by("period_end"):
        day = report.period_end + datetime.timedelta(days=5)
        n = report.quarter
        with on(day):
            _f, rows, _r, _s = report_services.initial_content(report)
            for i, row in enumerate(rows):
                done = min(100, 15 * ((report.year - 2023) * 4 + n) + 10 * i)
                row.update(
                    status="on_track", percentage=done, narrative=f"{report.period_label}：任务{i + 1}推进顺利。"
                )
            data = {"achievements": "完成阶段目标。", "problems": "数据共享仍需协调。", "next_plan": "深化推进。"}
            report = report_services.save_report(actor=county_user, report=report, data=data, progress=rows, results=[])
            report = report_services.submit_report(actor=county_user, report=report)
        with on(day + datetime.timedelta(days=2)):
            report_services.review_report(actor=office, report=report, name="accept")


def _evaluate(county_user, office, committee, pilot, stop):
    if stop == "terminated":
        return _terminate(committee, pilot)
    ended = pilot.term_end + datetime.timedelta(days=1)
    with on(ended):  # the pilots' clock (reports.clock.close_ended_terms): evaluation, and the self-evaluation opens
        cause = record(pilot, "pilot.term_ended", actor=None, role="system", details={"term_end": str(pilot.term_end)})
        pilot = pilot_services.begin_evaluation(pilot, cause_log=cause)
        se = services.open_self_evaluation(pilot, cause_log=cause)
    if stop == "submitted":  # reminded before and on the due date, the office told when overdue; submitted late
        for day in (se.due_on - datetime.timedelta(days=3), se.due_on, se.due_on + datetime.timedelta(days=1)):
            with on(day):
                reminders.send_reminders(day)
    submitted_on = se.due_on + datetime.timedelta(days=5) if stop == "submitted" else ended + datetime.timedelta(13)
    done, overview = (40, "试点方案确定的任务部分完成，数字孪生平台尚未建成。") if stop == "failed" else (100, OVERVIEW)
    with on(submitted_on):
        se = services.save_self_evaluation(
            actor=county_user,
            self_evaluation=se,
            data={"overview": overview, "problems": "部分数据共享仍依赖人工协调，下一步推动制度化。"},
            tasks={r.task_key: (done, "已按期完成，建立长效机制。") for r in se.task_results.all()},
            scores={s.criterion_id: ("90" if done == 100 else "60", "") for s in se.self_scores.all()},
            files=[_pdf("试点自评报告.pdf")],
        )
        se = services.submit_self_evaluation(actor=county_user, self_evaluation=se)
    if stop == "submitted":
        return
    scores = FAILED_SCORES if stop == "failed" else SCORES
    with on(submitted_on + datetime.timedelta(days=5)):
        se = services.review_self_evaluation(actor=office, self_evaluation=se, name="accept", comment="材料齐全。")
        # The pilot's special group and guidance unit evaluate from the start; the office adds an expert.
        evaluation = services.assign_evaluators(
            actor=office, evaluation=se.evaluation, user_ids=[User.objects.get(username="expert").pk]
        )
    with on(submitted_on + datetime.timedelta(days=20)):
        for username, score in scores.items():
            criteria = evaluation.criteria_set.criteria.all()
            services.submit_scores(
                actor=User.objects.get(username=username),
                evaluation=evaluation,
                scores={c.pk: (score, "") for c in criteria},
                comment="试点成效明显，经验可复制推广。" if stop != "failed" else "主要任务未达预期。",
            )
    with on(submitted_on + datetime.timedelta(days=25)):
        evaluation = services.complete_evaluation(actor=office, evaluation=evaluation)
        evaluation = services.save_summary(
            actor=office, evaluation=evaluation, summary=services.initial_summary(evaluation)
        )
        evaluation = services.report_summary(actor=office, evaluation=evaluation, comment="请审阅。")
    with on(submitted_on + datetime.timedelta(days=35)):
        services.comment_summary(actor=committee, evaluation=evaluation, comment="同意。请总结经验，在全市复制推广。")
        if stop == "failed":
            _tolerate(committee, pilot, stop, "第6次会议")


def _terminate(committee, pilot):
    with on(datetime.date(2024, 9, 10)):
        pilot = pilot_services.terminate_pilot(
            actor=committee, pilot=pilot, comment="国家跨境数据流动政策调整，改革路径不再可行，终止试点。"
        )
    with on(datetime.date(2024, 9, 20)):
        _tolerate(committee, pilot, "terminated", "第2次会议")


def _tolerate(committee, pilot, stop, meeting):
    pilot_services.mark_tolerance(
        actor=committee, pilot=pilot, reason=TOLERANCE[stop], meeting_ref=f"市委改革委{meeting}"
    )


def seed():
    services.ensure_default_criteria_set()
    office, committee = User.objects.get(username="office"), User.objects.get(username="committee")
    if batch_list(office).filter(name=BATCH).exists():
        return
    with on(datetime.date(2023, 10, 10)):
        batch = pilot_services.create_batch(
            actor=office,
            data={
                "name": BATCH,
                "year": 2023,
                "window_opens_at": on_day(2023, 10, 10),
                "window_closes_at": on_day(2023, 11, 10),
                "description": "2023年第二批试点申报（演示数据）。",
            },
        )
        batch = pilot_services.batch_act(actor=office, batch=batch, name="open")
    for username, title, tasks, stop in PILOTS:
        county_user, pilot = _pilot(batch, office, committee, username, title, tasks)
        if stop != "terminated":
            _reports(county_user, office, pilot)
        _evaluate(county_user, office, committee, pilot, stop)
    for name, day in (("close", datetime.date(2023, 11, 11)), ("decide", datetime.date(2023, 11, 21))):
        try:
            with on(day):
                batch = pilot_services.batch_act(actor=office, batch=batch_list(office).get(pk=batch.pk), name=name)
        except WorkflowError:  # a batch rule of the day: the demo batch simply stays as it is
            break


def on_day(year, month, day):
    return datetime.datetime(year, month, day, 9, tzinfo=timezone.get_default_timezone())
