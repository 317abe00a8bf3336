"""The special group's and the guidance unit's tools (issue 28, point 9): a special group sees its pilots' overdue
quarterly reports and open rectification items and urges them (催办: a notice to the county, logged); the pilot's
guidance unit records the guidance it gave (业务指导记录), shown on the pilot's timeline. Through the services and by
URL, with the right and the wrong role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from pilots.services import terminate_pilot
from reports.guidance import services as guidance_services
from reports.guidance.models import GuidanceRecord
from reports.models import QuarterlyReport
from reports.monitoring import services as report_services
from reports.monitoring import supervision
from reports.tests.factories import fill, inspect_pilot
from workflow.conventions import approval as conventions
from workflow.conventions.models import Urging
from workflow.engine.errors import WorkflowError
from workflow.models import Notification, TransitionLog

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GIVEN = datetime.date(2026, 5, 12)


@pytest.fixture
def guidance_data(make_user):
    return make_user("guidance_data", "gu-data", full_name="市数据局联络员")


@pytest.fixture
def guidance_agri(make_user):
    return make_user("guidance_agri", "gu-agri", full_name="市农业农村局联络员")


@pytest.fixture
def overdue(pilot, office_reviewer, clock):
    """2026-05-20: the first quarter's report (due 04-15) never submitted; an inspection's item open, due 06-30."""
    clock.set(datetime.date(2026, 5, 20))
    item = inspect_pilot(office_reviewer, pilot).items.get()
    return QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=1), item


# --- 协调督促 ----------------------------------------------------------------------------------------------------
def test_the_special_group_sees_and_urges_its_pilots_overdue_report_and_open_item(
    overdue, county_nanhu, sg_digital, sg_economy
):
    report, item = overdue
    page = supervision.page(sg_digital)
    assert [r.pk for r in page["reports"]] == [report.pk] and [i.pk for i in page["items"]] == [item.pk]
    assert page["reports"][0].days_overdue == 35 and page["reports"][0].may_urge and page["items"][0].may_urge
    other = supervision.page(sg_economy)  # another field's group: not its pilots
    assert other["reports"] == [] and other["items"] == []

    rows = supervision.urge(actor=sg_digital, kind="quarterly_report", pk=report.pk, comment="请尽快报送。")
    assert [(r.unit_id, r.urged_by) for r in rows] == [(report.county_id, sg_digital)]
    log = TransitionLog.objects.get(object_id=report.pk, action="quarterly_report.urge")
    assert (log.role, log.unit.code, log.comment) == ("special_group", "sg-digital", "请尽快报送。")
    assert Notification.objects.filter(recipient=county_nanhu, log=log).exists()
    with pytest.raises(WorkflowError, match="每天最多催办一次"):
        supervision.urge(actor=sg_digital, kind="quarterly_report", pk=report.pk)
    supervision.urge(actor=sg_digital, kind="rectification", pk=item.pk)
    assert TransitionLog.objects.get(object_id=item.pk, action="rectification.urge").role == "special_group"
    marked = supervision.page(sg_digital)
    assert marked["reports"][0].urged_today and marked["items"][0].urged_today


def test_only_the_pilots_group_urges_and_only_what_is_overdue_or_open(
    overdue, pilot, county_nanhu, sg_economy, office_reviewer, guidance_data
):
    report, item = overdue
    with pytest.raises(Http404):  # not its pilot
        supervision.urge(actor=sg_economy, kind="quarterly_report", pk=report.pk)
    with pytest.raises(PermissionDenied):
        supervision.urge(actor=county_nanhu, kind="quarterly_report", pk=report.pk)
    with pytest.raises(PermissionDenied):
        supervision.urge(actor=guidance_data, kind="rectification", pk=item.pk)
    with pytest.raises(PermissionDenied):  # the office urges its rectification items with its own step (督促整改)
        supervision.urge(actor=office_reviewer, kind="rectification", pk=item.pk)
    supervision.urge(actor=office_reviewer, kind="quarterly_report", pk=report.pk)  # the office may urge reports
    not_due = QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=2)
    with pytest.raises(Http404):
        supervision.urge(actor=office_reviewer, kind="quarterly_report", pk=not_due.pk)
    assert Urging.objects.count() == 1


def test_supervision_by_url(overdue, county_nanhu, sg_digital, guidance_data, office_reviewer, login):
    report, _item = overdue
    page = reverse("reports:supervision")
    html = login(sg_digital).get(page).content.decode()
    assert 'data-testid="overdue-report"' in html and 'data-testid="urge-item"' in html
    assert login(county_nanhu).get(page).status_code == 403
    assert login(guidance_data).get(page).status_code == 403
    assert login(office_reviewer).get(page).status_code == 200
    urge = reverse("reports:supervision_urge", args=["quarterly_report", report.pk])
    assert login(county_nanhu).post(urge).status_code == 403
    assert login(sg_digital).get(urge).status_code == 405
    assert login(sg_digital).post(urge).status_code == 302
    again = login(sg_digital).post(urge)
    assert again.status_code == 409 and "每天最多催办一次" in again.content.decode()
    html = login(sg_digital).get(report.get_absolute_url()).content.decode()
    assert 'data-testid="urgings"' in html  # 催办记录 on the report's page
    bad_kind = reverse("reports:supervision_urge", args=["plan", report.pk])
    assert login(sg_digital).post(bad_kind).status_code == 404


# --- 业务指导记录 --------------------------------------------------------------------------------------------------
def test_the_guidance_unit_records_guidance_on_the_pilots_timeline(pilot, guidance_data, clock):
    clock.set(datetime.date(2026, 5, 20))
    record = guidance_services.record_guidance(
        actor=guidance_data,
        pilot=pilot,
        given_on=GIVEN,
        form="on_site",
        content="赴南湖区现场指导数据授权运营平台建设。",
        files=[SimpleUploadedFile("指导意见.pdf", PDF, "application/pdf")],
    )
    assert (record.unit.code, record.form, record.given_on) == ("gu-data", "on_site", GIVEN)
    log = record.log
    assert (log.action, log.role, log.unit.code, log.object_id) == (
        "pilot.guidance_recorded",
        "guidance_unit",
        "gu-data",
        pilot.pk,
    )
    assert "现场指导（2026-05-12）" in log.comment and [a.original_name for a in log.attachments.all()] == [
        "指导意见.pdf"
    ]


def test_guidance_rules(pilot, guidance_data, guidance_agri, county_nanhu, committee_member, clock):
    clock.set(datetime.date(2026, 5, 20))
    kwargs = {"pilot": pilot, "given_on": GIVEN, "form": "policy", "content": "政策咨询"}
    with pytest.raises(PermissionDenied):
        guidance_services.record_guidance(actor=guidance_agri, **kwargs)  # another pilot's guidance unit
    with pytest.raises(PermissionDenied):
        guidance_services.record_guidance(actor=county_nanhu, **kwargs)
    with pytest.raises(WorkflowError, match="指导日期不能晚于今天") as err:
        guidance_services.record_guidance(actor=guidance_data, **{**kwargs, "given_on": datetime.date(2026, 6, 1)})
    assert err.value.status == 400
    with pytest.raises(WorkflowError, match="类型不允许上传"):
        guidance_services.record_guidance(
            actor=guidance_data, **kwargs, files=[SimpleUploadedFile("a.exe", b"MZ", "application/octet-stream")]
        )
    terminate_pilot(actor=committee_member, pilot=pilot, comment="改革任务调整。")
    pilot.refresh_from_db()
    with pytest.raises(WorkflowError, match="不能再记录业务指导"):
        guidance_services.record_guidance(actor=guidance_data, **kwargs)
    assert not GuidanceRecord.objects.exists()


def test_guidance_by_url(pilot, guidance_data, guidance_agri, county_nanhu, sg_digital, login, clock):
    clock.set(datetime.date(2026, 5, 20))
    url = reverse("reports:guidance_new", args=[pilot.pk])
    assert login(guidance_data).get(url).status_code == 200
    assert login(county_nanhu).get(url).status_code == 403
    assert login(sg_digital).get(url).status_code == 403
    assert login(guidance_agri).get(url).status_code == 404  # not a pilot it guides
    fake = SimpleUploadedFile("指导意见.pdf", b"not a pdf", "application/pdf")
    refused = login(guidance_data).post(
        url, {"given_on": "2026-05-12", "form": "meeting", "content": "座谈会商", "attachments": [fake]}
    )
    assert refused.status_code == 400 and "内容与其扩展名不符" in refused.content.decode()
    empty = login(guidance_data).post(url, {"given_on": "2026-05-12", "form": "", "content": ""})
    assert empty.status_code == 400 and "请选择指导形式" in empty.content.decode()
    done = login(guidance_data).post(
        url,
        {
            "given_on": "2026-05-12",
            "form": "meeting",
            "content": "召开数据授权运营座谈会。",
            "attachments": [SimpleUploadedFile("纪要.pdf", PDF, "application/pdf")],
        },
    )
    assert done.status_code == 302 and done["Location"] == pilot.get_absolute_url()
    html = login(sg_digital).get(pilot.get_absolute_url()).content.decode()
    assert 'data-testid="guidance-record"' in html and "召开数据授权运营座谈会" in html
    assert 'data-action="pilot.guidance_recorded"' in html and "纪要.pdf" in html  # on the timeline too
    assert 'data-testid="record-guidance"' not in html  # the group does not record guidance


def test_the_groups_urging_reaches_the_county_only(overdue, county_nanhu, sg_digital, office_reviewer, clock):
    """Past its deadline a rectification item waits on the office too (督促整改); the group's 催办 still tells only the
    county, and a report waiting on the office (submitted) has nobody the group may urge."""
    report, item = overdue
    clock.set(datetime.date(2026, 7, 2))
    rows = supervision.urge(actor=sg_digital, kind="rectification", pk=item.pk)
    assert [r.unit_id for r in rows] == [item.county_id]
    assert not Notification.objects.filter(recipient=office_reviewer, log__action="rectification.urge").exists()
    assert Notification.objects.filter(recipient=county_nanhu, log__action="rectification.urge").exists()
    report_services.submit_report(actor=county_nanhu, report=fill(county_nanhu, report))
    with pytest.raises(WorkflowError, match="没有待办理的单位"):
        conventions.urge(QuarterlyReport.objects.get(pk=report.pk), actor=sg_digital)
