"""A pilot implementing (plan with tasks, term started through pilots' service) and its quarterly reports."""

import datetime

from django.utils import timezone

from accounts.reference import COUNTIES
from applications import services as app_services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from pilots.services import start_term
from reports.monitoring import extension_services, inspection_services, services
from reports.monitoring.models import QuarterlyReport
from reviews.plans import services as plan_services
from workflow.conventions.opinions import opinion_give
from workflow.services import record

TERM_START = datetime.date(2026, 2, 10)
TASKS = [
    {"content": "建立公共数据授权运营机制，制定数据授权运营管理办法", "responsible_unit": "区数据局"},
    {"content": "建设公共数据授权运营平台，实现数据产品上架交易", "responsible_unit": "区大数据中心"},
]


def make_pilot(county, office, committee, group, *, candidate_title="公共数据授权运营集成改革", batch=None):
    """A pilot in planning, made through the application services (the committee approved the application)."""
    batch = batch or open_batch(office)
    app = filled_application(county, listed_candidate(office, batch, title=candidate_title))
    app = app_services.submit_application(actor=county, application=app)
    app = app_services.review_application(actor=office, application=app, name="request_opinion")
    opinion_give(actor=group, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
    app = app_services.review_application(actor=office, application=app, name="recommend")
    app = app_services.decide_application(
        actor=committee, application=app, name="approve", meeting_ref="市委改革委第5次会议"
    )
    return app.pilot


def filled_plan(county, pilot):
    """The pilot's plan with its two tasks, saved through the plan services."""
    plan = plan_services.start_plan(actor=county, pilot=pilot)
    return plan_services.save_plan(actor=county, plan=plan, data={}, tasks=[dict(t) for t in TASKS])


def implementing_pilot(county, office, committee, group, *, start=TERM_START, candidate_title=None, batch=None):
    """A pilot whose plan (two tasks) was approved on ``start``: implementing, its term two years long."""
    kwargs = {"batch": batch} if batch else {}
    if candidate_title:
        kwargs["candidate_title"] = candidate_title
    pilot = make_pilot(county, office, committee, group, **kwargs)
    plan = filled_plan(county, pilot)
    cause = record(plan, "plan.approve", actor=committee, role="committee", comment="市委改革委第5次会议")
    pilot = start_term(pilot, cause_log=cause, approved_at=start)
    services.ensure_report_quarters(pilot)
    return pilot


def fill(actor, report, *, narrative="完成数据授权运营管理办法起草", percentage=40, results=None, **fields):
    """Save the report with every task row filled from its pre-filled content."""
    _f, rows, _r, _s = services.initial_content(report)
    for row in rows:
        row.update(percentage=percentage, narrative=narrative, status="on_track")
    data = {"achievements": "建成数据授权运营平台一期", "problems": "数据质量参差不齐", "next_plan": "推进平台二期建设"}
    data.update(fields)
    return services.save_report(actor=actor, report=report, data=data, progress=rows, results=results or [])


INSPECTED = datetime.date(2026, 5, 20)
ITEM_DEADLINE = datetime.date(2026, 6, 30)


def inspect_pilot(office, pilot, *, day=INSPECTED):
    """An inspection of ``pilot`` recorded by the office on ``day`` with one rectification item due ITEM_DEADLINE."""
    from reports.monitoring import inspection_services

    return inspection_services.record_inspection(
        actor=office,
        held_on=day,
        team="市委改革办督察组",
        findings="数据授权运营平台上线滞后",
        pilots=[pilot],
        items=[{"pilot": pilot, "content": "加快平台建设", "responsible_unit": "区数据局", "deadline": ITEM_DEADLINE}],
    )


def listed_reports(html):
    """The rows of the report list's page as (period, pilot, county), in the page's order."""
    import re

    return re.findall(
        r'<tr data-testid="report-row"><td><a href="[^"]*">([^<]*)</a></td><td>([^<]*)</td><td>([^<]*)</td>', html
    )


class World:
    """Pilots built through the real services, one county each, with what the dashboard counts."""

    def __init__(self, office, committee, group, make_user):
        self.office, self.committee, self.group, self.make_user = office, committee, group, make_user
        self.batch = open_batch(office)
        self.counties = []

    def add(self):
        i = len(self.counties)
        county = self.make_user(f"c{i}", COUNTIES[i][0])
        self.counties.append(county)
        pilot = implementing_pilot(
            county, self.office, self.committee, self.group, candidate_title=f"项目{i}", batch=self.batch
        )
        today = timezone.localdate()
        inspection_services.record_inspection(
            actor=self.office,
            held_on=today - datetime.timedelta(days=20),
            team="市委改革办督察组",
            findings="平台建设滞后",
            pilots=[pilot],
            items=[
                {"pilot": pilot, "content": f"事项{i}甲", "responsible_unit": "区数据局", "deadline": d}
                for d in (today - datetime.timedelta(days=2), today + datetime.timedelta(days=20))
            ],
        )
        extension_services.apply_extension(
            actor=county,
            pilot=pilot,
            reason="complex",
            reason_text="任务复杂",
            new_end=pilot.term_end.replace(year=2029),
        )
        report = QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=1)
        result = {"title": f"管理办法{i}", "kind": "standard", "issuing_body": "", "doc_number": "", "issued_on": None}
        services.submit_report(actor=county, report=fill(county, report, results=[result]))
        return pilot
