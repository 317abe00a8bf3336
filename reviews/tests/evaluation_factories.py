"""A pilot evaluating (plan approved, a quarterly report submitted, term ended) and its self-evaluation and
evaluation, made through the real services."""

import datetime

from pilots.services import begin_evaluation, start_term
from reports.monitoring import services as report_services
from reviews.evaluation import services
from reviews.tests.factories import filled_plan, make_pilot
from workflow.services import record

OVERVIEW = "试点任务全部完成，公共数据授权运营平台上线运行。"


def implementing_pilot(county, office, committee, group, **kwargs):
    """A pilot whose plan (two tasks) was approved on 10 February 2026, its report quarters made."""
    pilot = make_pilot(county, office, committee, group, **kwargs)
    plan = filled_plan(county, pilot)
    cause = record(plan, "plan.approve", actor=committee, role="committee", comment="市委改革委第5次会议")
    pilot = start_term(pilot, cause_log=cause, approved_at=datetime.date(2026, 2, 10))
    report_services.ensure_report_quarters(pilot)
    return pilot


def fill(county, report, *, percentage, narrative):
    _fields, rows, _results, _source = report_services.initial_content(report)
    for row in rows:
        row.update(percentage=percentage, narrative=narrative, status="on_track")
    data = {"achievements": "平台一期上线", "problems": "数据质量参差不齐", "next_plan": "推进二期"}
    return report_services.save_report(actor=county, report=report, data=data, progress=rows, results=[])


def evaluating_pilot(county, office, committee, group, **kwargs):
    """An implementing pilot whose first quarterly report was submitted (60%), then its term ended."""
    pilot = implementing_pilot(county, office, committee, group, **kwargs)
    report = pilot.quarterly_reports.order_by("period_end").first()
    report = fill(county, report, percentage=60, narrative="管理办法已出台")
    report_services.submit_report(actor=county, report=report)
    cause = record(pilot, "pilot.term_ended", actor=None, role="system", details={"term_end": "2028-02-10"})
    return begin_evaluation(pilot, cause_log=cause)


def filled_self_evaluation(county, pilot, *, score="85"):
    services.ensure_default_criteria_set()
    se = services.start_self_evaluation(actor=county, pilot=pilot)
    return services.save_self_evaluation(
        actor=county,
        self_evaluation=se,
        data={"overview": OVERVIEW, "problems": "数据质量仍需提升。"},
        tasks={r.task_key: (100, "已完成") for r in se.task_results.all()},
        scores={s.criterion_id: (score, "") for s in se.self_scores.all()},
    )


def accepted(county, office, pilot):
    """The self-evaluation submitted and accepted: the pilot's evaluation is open."""
    se = services.submit_self_evaluation(actor=county, self_evaluation=filled_self_evaluation(county, pilot))
    se = services.review_self_evaluation(actor=office, self_evaluation=se, name="accept")
    return se.evaluation


def score_all(evaluation, user, score):
    criteria = evaluation.criteria_set.criteria.all()
    return services.submit_scores(
        actor=user, evaluation=evaluation, scores={c.pk: (str(score), "评价意见") for c in criteria}, comment="同意。"
    )
