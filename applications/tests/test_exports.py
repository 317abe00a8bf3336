"""我的待办 exported: the user's own open items with the page's workflow filter, typed dates, audited."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from applications import services
from workflow.models import AuditEvent

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    assert response.status_code == 200, response.content[:500]
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))


@pytest.fixture
def submitted(office_reviewer, county_nanhu):
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    return services.submit_application(actor=county_nanhu, application=app)


def test_the_office_exports_its_todo_with_the_workflow_filter(submitted, office_reviewer, login):
    client = login(office_reviewer)
    rows = sheet_rows(client.get(reverse("workflow:inbox_export")))
    assert rows[0][0] == "我的待办（全部）"
    assert rows[1][:3] == ("流程", "事项", "待办操作")
    mine = [r for r in rows[2:] if submitted.project_name in (r[1] or "")]
    assert len(mine) == 1 and isinstance(mine[0][3], datetime.datetime) and isinstance(mine[0][5], int)
    rows = sheet_rows(client.get(reverse("workflow:inbox_export"), {"workflow": "application"}))
    assert rows[0][0] == "我的待办（流程：试点申报）" and {r[0] for r in rows[2:]} == {"试点申报"}
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, details__what="inbox").latest("id")
    assert event.actor == office_reviewer and event.details["filters"] == {"workflow": "application"}


def test_a_county_exports_only_its_own_items(submitted, county_xiuzhou, login):
    rows = sheet_rows(login(county_xiuzhou).get(reverse("workflow:inbox_export")))
    assert all(submitted.project_name not in (r[1] or "") for r in rows[2:])


def test_bad_workflow_is_a_400(office_reviewer, login):
    response = login(office_reviewer).get(reverse("workflow:inbox_export"), {"workflow": "nonsense"})
    assert response.status_code == 400 and "筛选条件有误" in response.content.decode()


@pytest.mark.parametrize(
    ("page", "export", "query"),
    [
        ("applications:list", "applications:export", "status=submitted"),
        ("reviews:list", "reviews:export", "status=draft"),
        ("inbox", "workflow:inbox_export", "workflow=application"),
    ],
)
def test_each_list_links_to_its_export_with_its_query_string(page, export, query, office_reviewer, login):
    html = login(office_reviewer).get(f"{reverse(page)}?{query}").content.decode()
    href = reverse(export) + (f"?{query}" if query else "")
    assert f'href="{href}" data-testid="export-link"' in html


def test_todo_export_query_count_does_not_grow_with_items(submitted, office_reviewer, county_xiuzhou, login):
    client = login(office_reviewer)

    def export():
        with CaptureQueriesContext(connection) as ctx:
            rows = sheet_rows(client.get(reverse("workflow:inbox_export")))
        return len(ctx.captured_queries), len(rows)

    small, before = export()
    other = listed_candidate(office_reviewer, submitted.batch, title="强村富民集成改革")
    services.submit_application(actor=county_xiuzhou, application=filled_application(county_xiuzhou, other))
    large, after = export()
    assert after > before and large == small


def test_a_bad_filter_on_the_application_list_is_named_and_the_valid_ones_still_apply(
    submitted, office_reviewer, county_xiuzhou, login
):
    client = login(office_reviewer)
    page = client.get(reverse("applications:list"), {"status": "xx", "county": submitted.county_id})
    assert page.status_code == 200
    text = page.content.decode()
    assert "筛选条件有误，已忽略：状态：没有这个选项，请重新选择。" in text
    assert submitted.project_name in text  # the county filter still applied, the submitted application listed
    other = client.get(
        reverse("applications:list"), {"status": "xx", "county": county_xiuzhou.memberships.get().unit_id}
    )
    assert submitted.project_name not in other.content.decode()
    export = client.get(reverse("applications:export"), {"status": "xx"})
    assert export.status_code == 400 and "状态：没有这个选项，请重新选择。" in export.content.decode()


def test_a_bad_filter_on_my_todo_list_is_named_and_the_valid_one_still_applies(submitted, office_reviewer, login):
    client = login(office_reviewer)
    text = client.get(reverse("inbox"), {"workflow": "nonsense"}).content.decode()
    assert "筛选条件有误，已忽略：流程：没有这个选项，请重新选择。" in text and submitted.project_name in text
    text = client.get(reverse("inbox"), {"workflow": "candidate", "sort": "sideways"}).content.decode()
    assert "排序：没有这个选项，请重新选择。" in text
    assert submitted.project_name not in text  # the valid workflow filter still applied
