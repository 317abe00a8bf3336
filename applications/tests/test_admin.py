"""Django admin for support staff: batches, candidates, applications and pilots are searchable and filterable
at a flat query cost, their state cannot be changed there, nothing is added or deleted there, and every
correction is logged with who, why and which fields."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Unit, User
from applications.models import Application
from pilots.models import Batch, Candidate, Pilot
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

MODELS = {"batch": Batch, "candidate": Candidate, "application": Application, "pilot": Pilot}


@pytest.fixture
def support_staff(units):
    user = User.objects.create_user("support", password="x", full_name="运维支持", is_staff=True)
    codenames = [f"{action}_{name}" for name in MODELS for action in ("view", "change", "add", "delete")]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def staff_client(client, support_staff):
    client.force_login(support_staff)
    return client


def changelist(name):
    app = MODELS[name]._meta.app_label
    return reverse(f"admin:{app}_{name}_changelist")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_rows(units, office, start, count, pilots=True):
    """``count`` batches, each with a candidate, an application of a county of its own and (unless
    ``pilots=False``) a pilot: a county running a pilot cannot touch a draft (a PostgreSQL rule)."""
    for i in range(start, start + count):
        county = Unit.objects.create(code=f"county-{i}", name=f"测试县{i}", kind="county")
        batch = Batch.objects.create(name=f"2026年第{i}批", year=2026)
        candidate = Candidate.objects.create(
            batch=batch,
            title=f"集成改革项目{i}",
            area="digital",
            lead_group=units["sg-digital"],
            guidance_unit=units["gu-data"],
            description="改革内容简介",
            channel="office",
            proposer_unit=units["reform-office"],
            proposed_by=office,
        )
        app = Application.objects.create(
            batch=batch,
            candidate=candidate,
            county=county,
            created_by=office,
            project_name=f"{county.name}集成改革{i}",
            area="digital",
        )
        if not pilots:
            continue
        Pilot.objects.create(
            title=app.project_name,
            county=county,
            batch=batch,
            candidate=candidate,
            application=app,
            area="digital",
            special_group=units["sg-digital"],
            guidance_unit=units["gu-data"],
        )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("name", list(MODELS))
def test_change_lists_cost_the_same_queries_as_rows_grow(name, staff_client, units, office_reviewer):
    add_rows(units, office_reviewer, 1, 2)
    few, response = count_queries(staff_client, changelist(name))
    assert "集成改革" in response.content.decode() or name == "batch"
    add_rows(units, office_reviewer, 3, 8)
    many, response = count_queries(staff_client, changelist(name))
    assert many == few, f"{few} queries with 2 rows, {many} with 10"
    assert response.context["cl"].result_count == 10


def test_applications_are_found_by_name_and_county_and_filtered_by_status_batch_county_area(
    staff_client, units, office_reviewer
):
    add_rows(units, office_reviewer, 1, 3)
    second = Application.objects.get(project_name="测试县2集成改革2")
    url = changelist("application")
    found = staff_client.get(url, {"q": "测试县2"}).context["cl"].result_list
    assert list(found) == [second]
    filters = {"status__exact": "draft", "batch__id__exact": second.batch_id, "county__id__exact": second.county_id}
    assert list(staff_client.get(url, {**filters, "area": "digital"}).context["cl"].result_list) == [second]
    assert list(staff_client.get(url, {"status__exact": "approved"}).context["cl"].result_list) == []
    spec_titles = {str(spec.title) for spec in staff_client.get(url).context["cl"].filter_specs}
    assert {"状态", "批次", "申报单位", "改革领域"} <= spec_titles


def test_pilots_and_candidates_are_found_by_title_or_county(staff_client, units, office_reviewer):
    add_rows(units, office_reviewer, 1, 3)
    assert [p.title for p in staff_client.get(changelist("pilot"), {"q": "测试县3"}).context["cl"].result_list] == [
        "测试县3集成改革3"
    ]
    assert [c.title for c in staff_client.get(changelist("candidate"), {"q": "项目2"}).context["cl"].result_list] == [
        "集成改革项目2"
    ]


def test_nothing_is_added_or_deleted_in_the_admin_even_with_the_permissions(staff_client, units, office_reviewer):
    add_rows(units, office_reviewer, 1, 1)
    app = Application.objects.get()
    for name in MODELS:
        assert staff_client.get(reverse(f"admin:{MODELS[name]._meta.app_label}_{name}_add")).status_code == 403
    delete = reverse("admin:applications_application_delete", args=[app.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Application.objects.filter(pk=app.pk).exists()
    action_form = staff_client.get(changelist("application")).context["action_form"]
    assert action_form is None or "delete_selected" not in dict(action_form.fields["action"].choices)


def test_status_is_read_only_and_a_posted_status_changes_nothing(staff_client, units, office_reviewer):
    add_rows(units, office_reviewer, 1, 1)
    app = Application.objects.get()
    page = staff_client.get(change_url(app))
    assert "status" not in page.context["adminform"].form.fields
    assert "草稿" in page.content.decode()  # shown, not editable
    response = staff_client.post(
        change_url(app),
        {"project_name": app.project_name, "area": "digital", "status": "approved", "change_reason": "试图改状态"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "draft"
    assert not TransitionLog.objects.exists()  # nothing changed, nothing to log


def test_a_correction_is_logged_with_who_why_and_each_changed_field(
    staff_client, support_staff, units, office_reviewer
):
    add_rows(units, office_reviewer, 1, 1, pilots=False)
    app = Application.objects.get()
    data = {field: getattr(app, field) for field in ("project_name", "area")}
    data.update(contact_phone="0573-82000000", change_reason="按县里来函更正联系电话")
    response = staff_client.post(change_url(app), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.contact_phone == "0573-82000000" and app.status == "draft"
    log = TransitionLog.objects.get()
    assert (log.action, log.actor, log.role, log.comment) == (
        "application.admin_edit",
        support_staff,
        "system_admin",
        "按县里来函更正联系电话",
    )
    assert log.details["fields"] == {"contact_phone": {"label": "联系人电话", "old": "", "new": "0573-82000000"}}
    assert log.from_state == log.to_state == "draft"
    assert "后台更正" in log.sentence


def test_a_correction_needs_a_reason(staff_client, units, office_reviewer):
    add_rows(units, office_reviewer, 1, 1)
    pilot = Pilot.objects.get()
    response = staff_client.post(change_url(pilot), {"title": "新名称", "area": "digital"})
    assert response.status_code == 200 and "修改原因" in response.content.decode()
    assert response.context["adminform"].form.errors["change_reason"]
    pilot.refresh_from_db()
    assert pilot.title != "新名称" and not TransitionLog.objects.exists()


def test_staff_without_the_change_permission_cannot_correct(client, units, office_reviewer):
    add_rows(units, office_reviewer, 1, 1)
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_batch"))
    client.force_login(viewer)
    batch = Batch.objects.get()
    assert client.get(change_url(batch)).status_code == 200  # may look
    response = client.post(change_url(batch), {"name": "改名", "year": 2026, "change_reason": "x"})
    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.name == "2026年第1批" and not TransitionLog.objects.exists()


def test_a_refused_correction_says_why_and_changes_nothing(staff_client, units, office_reviewer, monkeypatch):
    from workflow import services
    from workflow.engine.errors import WorkflowError

    def refuse(*args, **kwargs):
        raise WorkflowError("该县（市、区）正在开展集成改革试点，按照工作方案不再申报。")

    add_rows(units, office_reviewer, 1, 1)
    monkeypatch.setattr(services, "change", refuse)
    app = Application.objects.get()
    data = {"project_name": "改名", "area": "digital", "change_reason": "更正名称"}
    response = staff_client.post(change_url(app), data, follow=True)
    assert response.redirect_chain == [(change_url(app), 302)]
    assert "正在开展集成改革试点" in response.content.decode()
    app.refresh_from_db()
    assert app.project_name != "改名" and not TransitionLog.objects.exists()
