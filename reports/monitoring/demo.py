"""Demo reports of the Jiashan pilot over several quarters (on time, late, returned and accepted, one missing, one
waiting for the office), an inspection with an open overdue item and a verified one, and three extension requests
(withdrawn, refused by the office with its reason, waiting for the committee).

The pilot's plan is approved by the plans demo "today"; to show a history of quarters its term is set back to
2025-07-01 through the core's audited edit (a logged correction), and each historical step runs with the clock set
to the day it would have happened (demo data only)."""

import datetime
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from accounts.models import User
from pilots.selectors import pilot_list
from reports.monitoring import extension_services, inspection_services, services
from reports.monitoring.models import QuarterlyReport
from workflow.conventions.opinions import opinion_give
from workflow.models import Opinion
from workflow.services import change

START = datetime.date(2025, 7, 1)


@contextmanager
def on(day):
    moment = datetime.datetime.combine(day, datetime.time(10), tzinfo=timezone.get_default_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _fill(county, report, n, **extra):
    _f, rows, _r, _s = services.initial_content(report)
    for i, row in enumerate(rows):
        row.update(
            status="on_track", percentage=min(100, 20 * n + 10 * i), narrative=f"第{n}季度：任务{i + 1}按计划推进。"
        )
    results = extra.pop("results", [])
    data = {
        "achievements": f"第{n}季度完成阶段目标。",
        "problems": "跨部门数据共享仍需协调。",
        "next_plan": "继续推进平台建设和制度完善。",
    }
    return services.save_report(actor=county, report=report, data=data, progress=rows, results=results)


def seed():
    office = User.objects.get(username="office")
    county = User.objects.get(username="county_jiashan")
    pilot = pilot_list(office).filter(county__code="jiashan", status="implementing").first()
    if pilot is None or QuarterlyReport.objects.filter(pilot=pilot, saved_at__isnull=False).exists():
        return

    def backdate(locked):
        locked.term_start, locked.term_end = START, START.replace(year=START.year + 2)
        return {"term_start": START.isoformat()}

    pilot = change(
        pilot,
        "admin_edit",
        actor=office,
        apply=backdate,
        permission=lambda obj, user: True,
        role="reform_office",
        comment="演示数据：按方案批复时间设定试点期限。",
    )
    services.ensure_report_quarters(pilot)
    q = {(r.year, r.quarter): r for r in QuarterlyReport.objects.filter(pilot=pilot)}

    def submit(key, day, n, **extra):
        with on(day):
            report = _fill(county, q[key], n, **extra)
            return services.submit_report(actor=county, report=report)

    def review(report, day, name="accept", comment=""):
        with on(day):
            return services.review_report(actor=office, report=report, name=name, comment=comment)

    result = {
        "title": "嘉善县公共数据授权运营管理办法（试行）",
        "kind": "policy",
        "issuing_body": "嘉善县人民政府办公室",
        "doc_number": "善政办发〔2025〕38号",
        "issued_on": datetime.date(2025, 9, 18),
    }
    review(submit((2025, 3), datetime.date(2025, 10, 10), 1, results=[result]), datetime.date(2025, 10, 12))
    review(submit((2025, 4), datetime.date(2026, 1, 25), 2), datetime.date(2026, 1, 27))  # late, accepted
    r = submit((2026, 1), datetime.date(2026, 4, 10), 3)
    r = review(r, datetime.date(2026, 4, 11), "return_to_county", "请补充平台交易数据。")
    review(submit((2026, 1), datetime.date(2026, 4, 14), 3), datetime.date(2026, 4, 15))
    # 2026 Q2: never submitted (missing). 2026 Q3: submitted late, waiting for the office.
    submit((2026, 3), datetime.date(2026, 10, 20), 5)

    with on(datetime.date(2026, 9, 10)):
        inspection = inspection_services.record_inspection(
            actor=office,
            held_on=datetime.date(2026, 9, 10),
            team="市委改革办督察组（王改革、李统筹）",
            findings="第二季度进展报告未按时报送；数据产品上架数量偏少。",
            pilots=[pilot],
            items=[
                {
                    "pilot": pilot,
                    "content": "补报第二季度进展报告，建立报告报送提醒机制",
                    "responsible_unit": "县委改革办",
                    "deadline": datetime.date(2026, 10, 31),
                },
                {
                    "pilot": pilot,
                    "content": "新增上架数据产品不少于5个",
                    "responsible_unit": "县数据局",
                    "deadline": datetime.date(2026, 10, 15),
                },
            ],
        )
    done = inspection.items.order_by("deadline").first()
    with on(datetime.date(2026, 10, 12)):
        done = inspection_services.rectify_item(actor=county, item=done, text="已新增上架数据产品6个，清单见附件。")
    with on(datetime.date(2026, 10, 14)):
        inspection_services.act(actor=office, item=done, name="verify", comment="核实无误。")

    _extensions(county, office, pilot)


def _answer(ext, verdicts):
    """Each asked unit answers (``verdicts``: {unit kind: (verdict, text)}) as its first demo login."""
    for opinion in Opinion.objects.for_object(ext).filter(status=Opinion.Status.PENDING).select_related("unit"):
        verdict, text = verdicts[opinion.role]
        giver = User.objects.filter(memberships__unit=opinion.unit, memberships__role=opinion.role).first()
        opinion_give(actor=giver, opinion=opinion, verdict=verdict, text=text)


def _extensions(county, office, pilot):
    """Three requests of the Jiashan pilot: one withdrawn by the county while the units were being asked (their
    requests cancelled by the system), one refused by the office with its reason after both opinions, and one
    the office passed on after both opinions, waiting for the committee's decision at its meeting."""
    with on(datetime.date(2026, 3, 2)):
        ext = extension_services.apply_extension(
            actor=county,
            pilot=pilot,
            reason="changed",
            reason_text="省里部署数据要素市场化配置改革，试点任务需相应调整。",
            new_end=pilot.term_end.replace(month=12, day=31),
        )
    with on(datetime.date(2026, 3, 3)):
        ext = extension_services.consult(actor=office, extension=ext, comment="请于10日内反馈意见。")
    with on(datetime.date(2026, 3, 16)):
        extension_services.withdraw(
            actor=county, extension=ext, comment="经县委改革办研究，待年度评估后再统筹考虑延期事项。"
        )

    with on(datetime.date(2026, 6, 1)):
        ext = extension_services.apply_extension(
            actor=county,
            pilot=pilot,
            reason="complex",
            reason_text="数据确权、收益分配和安全监管涉及多个部门，需延长一年完善制度设计。",
            new_end=extension_services.latest_new_end(pilot.term_end) - datetime.timedelta(days=1),
        )
    with on(datetime.date(2026, 6, 2)):
        ext = extension_services.consult(actor=office, extension=ext, comment="请于10日内反馈意见。")
    with on(datetime.date(2026, 6, 8)):
        _answer(
            ext,
            {
                "special_group": ("disagree", "任务清单中多数事项可在期限内完成，延期一年时间过长。"),
                "guidance_unit": ("agree", "数据确权制度设计确需时间，同意适当延期。"),
            },
        )
    with on(datetime.date(2026, 6, 12)):
        extension_services.review(
            actor=office,
            extension=ext,
            name="refuse",
            comment="延期时间过长：任务清单中多数事项可在原期限内完成。请聚焦数据确权制度设计，压缩延期时长后重新申请。",
        )

    with on(datetime.date(2026, 11, 2)):
        ext = extension_services.apply_extension(
            actor=county,
            pilot=pilot,
            reason="complex",
            reason_text="数据确权和收益分配涉及多个部门，制度设计需延长半年完善。",
            new_end=pilot.term_end.replace(month=12, day=31),
        )
    with on(datetime.date(2026, 11, 3)):
        ext = extension_services.consult(actor=office, extension=ext, comment="请于10日内反馈意见。")
    with on(datetime.date(2026, 11, 9)):
        _answer(
            ext,
            {
                "special_group": ("agree", "延期半年聚焦数据确权制度设计，同意延期。"),
                "guidance_unit": ("agree", "同意延期，市数据局将加强业务指导。"),
            },
        )
    with on(datetime.date(2026, 11, 12)):
        # Pending: with the committee, whose decision (or the office's record of it) cites its meeting.
        extension_services.review(
            actor=office, extension=ext, name="forward", comment="经审核，建议同意延期至2027年12月31日。"
        )
