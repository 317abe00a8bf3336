"""Report pages: edit (pre-filled, bad input), detail actions, print, the office's quarter page with flat query
counts, and scoping by URL (404 for another county, 403 for the wrong role)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.reference import COUNTIES
from applications.tests.factories import open_batch
from reports.monitoring import services
from reports.monitoring.models import QuarterlyReport
from reports.tests.factories import fill, implementing_pilot

pytestmark = pytest.mark.django_db


def q1(pilot):
    return QuarterlyReport.objects.get(pilot=pilot, year=2026, quarter=1)


def _form_data(report, **overrides):
    _f, rows, _r, _s = services.initial_content(report)
    data = {
        "expected_state": report.status,
        "achievements": "平台一期上线",
        "problems": "",
        "next_plan": "推进二期",
        "p-TOTAL_FORMS": str(len(rows)),
        "p-INITIAL_FORMS": str(len(rows)),
        "r-TOTAL_FORMS": "1",
        "r-INITIAL_FORMS": "0",
        "r-0-title": "嘉兴市南湖区公共数据授权运营管理办法",
        "r-0-kind": "policy",
        "r-0-issuing_body": "南湖区人民政府办公室",
        "r-0-doc_number": "南政办发〔2026〕12号",
        "r-0-issued_on": "2026-03-20",
    }
    for i, row in enumerate(rows):
        data.update({f"p-{i}-{k}": row[k] for k in ("task_key", "task_content", "status")})
        data.update({f"p-{i}-percentage": "50", f"p-{i}-narrative": f"任务{i + 1}推进中"})
    data.update(overrides)
    return data


def test_county_fills_and_submits_then_office_returns_and_accepts(pilot, county_nanhu, office_reviewer, login, clock):
    clock.set(datetime.date(2026, 4, 8))
    report = q1(pilot)
    client = login(county_nanhu)
    edit = reverse("reports:edit", args=[report.pk])
    page = client.get(edit)
    assert page.status_code == 200 and "建立公共数据授权运营机制" in page.content.decode()
    response = client.post(edit, _form_data(report, submit="1"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.results.get().doc_number == "南政办发〔2026〕12号"
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "任务1推进中" in detail and 'data-testid="action-accept"' not in detail

    office = login(office_reviewer)
    act = reverse("reports:act", args=[report.pk])
    refused = office.post(act, {"name": "return_to_county", "expected_state": "submitted", "comment": ""})
    assert refused.status_code == 400 and "请填写理由" in refused.content.decode()
    office.post(act, {"name": "return_to_county", "expected_state": "submitted", "comment": "请补充平台运行数据"})
    report.refresh_from_db()
    assert report.status == "returned"
    page = login(county_nanhu).get(report.get_absolute_url()).content.decode()
    assert "请补充平台运行数据" in page
    login(county_nanhu).post(edit, _form_data(report, submit="1"))
    response = login(office_reviewer).post(act, {"name": "accept", "expected_state": "submitted"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted" and not report.late


def test_bad_percentage_is_shown_next_to_the_field_and_nothing_is_lost(pilot, county_nanhu, login, clock):
    clock.set(datetime.date(2026, 4, 8))
    report = q1(pilot)
    client = login(county_nanhu)
    response = client.post(
        reverse("reports:edit", args=[report.pk]), _form_data(report, **{"p-0-percentage": "150", "r-0-kind": ""})
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "完成比例须在0到100之间。" in text and "请选择成果类型。" in text
    assert "任务2推进中" in text  # what was typed stays on the page
    report.refresh_from_db()
    assert report.saved_at is None


def test_print_page_is_an_a4_sheet_of_the_report(pilot, county_nanhu, office_reviewer, login, clock):
    clock.set(datetime.date(2026, 4, 8))
    report = fill(county_nanhu, q1(pilot), narrative="管理办法已印发")
    page = login(office_reviewer).get(reverse("reports:print", args=[report.pk])).content.decode()
    assert 'data-testid="print"' in page and "管理办法已印发" in page and "2026年第1季度" in page


def test_another_county_gets_404_and_the_wrong_role_403(
    pilot, county_nanhu, county_xiuzhou, office_reviewer, committee_member, login, clock
):
    clock.set(datetime.date(2026, 4, 8))
    report = fill(county_nanhu, q1(pilot))
    other = login(county_xiuzhou)
    for name in ("detail", "edit", "print"):
        assert other.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404
    assert other.post(reverse("reports:act", args=[report.pk]), {"name": "submit"}).status_code == 404
    assert other.post(reverse("reports:edit", args=[report.pk]), _form_data(report)).status_code == 404
    assert "report-row" not in other.get(reverse("reports:list")).content.decode()
    assert other.get(reverse("reports:quarter")).status_code == 403
    office = login(office_reviewer)
    assert office.get(reverse("reports:edit", args=[report.pk])).status_code == 403
    assert office.post(reverse("reports:edit", args=[report.pk]), _form_data(report)).status_code == 403
    nanhu = login(county_nanhu)
    services.submit_report(actor=county_nanhu, report=report)
    denied = nanhu.post(reverse("reports:act", args=[report.pk]), {"name": "accept", "expected_state": "submitted"})
    assert denied.status_code == 403
    committee = login(committee_member)
    assert committee.get(report.get_absolute_url()).status_code == 200
    assert (
        committee.post(
            reverse("reports:act", args=[report.pk]), {"name": "accept", "expected_state": "submitted"}
        ).status_code
        == 403
    )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_quarter_page_shows_on_time_late_missing_with_flat_queries(
    office_reviewer, committee_member, sg_digital, make_user, login, clock, django_assert_num_queries
):
    batch = open_batch(office_reviewer)
    counties = []

    def add(i):
        county = make_user(f"c{i}", COUNTIES[i][0])
        counties.append(county)
        return implementing_pilot(
            county, office_reviewer, committee_member, sg_digital, candidate_title=f"项目{i}", batch=batch
        )

    first = add(0)
    clock.set(datetime.date(2026, 4, 10))
    services.submit_report(actor=counties[0], report=fill(counties[0], q1(first)))
    client = login(office_reviewer)
    url = reverse("reports:quarter") + "?year=2026&quarter=1"
    few = _count(client, url)
    clock.reset()  # the batch's window is read against the real time
    second, _third = add(1), add(2)
    clock.set(datetime.date(2026, 4, 30))
    services.submit_report(actor=counties[1], report=fill(counties[1], q1(second)))  # late; third is missing
    client = login(office_reviewer)  # the session of the frozen day has expired meanwhile
    with django_assert_num_queries(few):
        page = client.get(url).content.decode()
    assert page.count('data-testid="report-row"') == 3
    assert 'data-timeliness="on_time"' in page and 'data-timeliness="late"' in page
    assert 'data-timeliness="missing"' in page
    missing = client.get(url + "&timeliness=missing").content.decode()
    assert missing.count('data-testid="report-row"') == 1 and "项目2" in missing
    own = login(counties[2]).get(reverse("reports:list")).content.decode()
    assert own.count('data-testid="report-row"') == 9 and "项目0" not in own


def test_pilot_page_shows_elapsed_remaining_and_next_deadline(pilot, county_nanhu, login, clock):
    clock.set(datetime.date(2026, 4, 20))  # Q1 (due 04-15) not submitted: overdue
    page = login(county_nanhu).get(pilot.get_absolute_url()).content.decode()
    assert "已实施69天，距期满还有661天。" in page
    assert 'data-testid="next-deadline"' in page and "2026年第1季度进展报告" in page and "已逾期" in page
    assert 'data-testid="apply-extension"' in page


def test_attachment_saved_with_the_report_and_office_told_of_the_submission(
    pilot, county_nanhu, office_reviewer, login, clock
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflow.models import Notification

    clock.set(datetime.date(2026, 4, 8))
    report = q1(pilot)
    client = login(county_nanhu)
    pdf = SimpleUploadedFile(
        "平台运行数据.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )
    data = _form_data(report, submit="1")
    data["attachments"] = pdf
    assert client.post(reverse("reports:edit", args=[report.pk]), data).status_code == 302
    page = login(office_reviewer).get(report.get_absolute_url()).content.decode()
    assert "平台运行数据.pdf" in page and 'data-testid="action-accept"' in page
    assert Notification.objects.filter(recipient=office_reviewer, log__action="quarterly_report.submit").exists()
