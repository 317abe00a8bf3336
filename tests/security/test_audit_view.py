"""The audit administrator's view: search by time, user, unit, event type, object and result; pages; an Excel
export that is itself audited."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from workflow.audit.events import audit
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(make_user, client):
    user = make_user("auditor", "info-center", role="audit_admin")
    client.force_login(user)
    return user


@pytest.fixture
def trail(county_nanhu, county_xiuzhou, units):
    audit(AuditEvent.Kind.LOGIN, user=county_nanhu)
    audit(AuditEvent.Kind.LOGIN_FAILED, username="county_xiuzhou")
    audit(AuditEvent.Kind.DENIED, user=county_xiuzhou, obj=county_nanhu)
    AuditEvent.objects.create(kind="login", username="long_ago", created_at=timezone.now() - timedelta(days=30))


def usernames(response):
    return [row[1] for row in response.context["rows"]]


def test_search_by_user_type_result_unit_object_and_time(client, auditor, trail, county_nanhu, units):
    url = reverse("audit_trail")
    assert set(usernames(client.get(url, {"user": "xiuzhou"}))) == {"county_xiuzhou"}
    assert usernames(client.get(url, {"kind": "login_failed"})) == ["county_xiuzhou"]
    assert set(usernames(client.get(url, {"result": "failure"}))) == {"county_xiuzhou"}
    assert usernames(client.get(url, {"unit": units["nanhu"].pk})) == ["county_nanhu"]
    assert usernames(client.get(url, {"target": "accounts.user"})) == ["county_xiuzhou"]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert "long_ago" not in usernames(client.get(url, {"start": since}))
    assert "long_ago" in usernames(client.get(url, {"end": (timezone.localdate() - timedelta(days=20)).isoformat()}))


def test_transition_rows_are_searchable_too(client, auditor, county_nanhu, office_reviewer):
    from applications.tests.factories import filled_application, listed_candidate, open_batch

    filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    response = client.get(reverse("audit_trail"), {"source": "transition", "user": "office_reviewer"})
    assert response.status_code == 200 and response.context["rows"]
    assert all(row[1] == "office_reviewer" for row in response.context["rows"])


def test_a_bad_date_range_is_a_clear_400(client, auditor):
    response = client.get(reverse("audit_trail"), {"start": "2026-05-02", "end": "2026-05-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()


def test_the_trail_is_paginated_with_a_flat_query_count(client, auditor, django_assert_max_num_queries):
    for i in range(60):
        audit(AuditEvent.Kind.LOGIN, username=f"u{i}")
    response = client.get(reverse("audit_trail"))
    assert len(response.context["rows"]) == 50 and response.context["page"].paginator.num_pages == 2
    with django_assert_max_num_queries(12):
        client.get(reverse("audit_trail"), {"page": 2})


def test_the_excel_export_holds_the_filtered_rows_and_is_itself_audited(client, auditor, trail):
    response = client.get(reverse("audit_export"), {"result": "failure"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "用户", "单位") and {r[1] for r in rows[1:]} == {"county_xiuzhou"}
    export = AuditEvent.objects.get(kind="export", actor=auditor)
    assert export.details["what"] == "audit_trail" and export.details["rows"] == 2
    assert export.details["filters"] == {"result": "failure"}
