"""Edits that are not transitions go through ``workflow.services.change``: locked, permission-checked, logged
without a state change, stale-checked, and the county's save-and-submit is one service call."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from workflow.engine.errors import WorkflowError
from workflow.models import Attachment, TransitionLog, WorkItem
from workflow.services import change

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(office_reviewer, county_nanhu):
    return filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))


def _logs(app, action):
    return TransitionLog.objects.filter(object_id=app.pk, action=f"application.{action}")


def test_saving_a_draft_is_logged_without_a_state_change(app, county_nanhu):
    before = _logs(app, "updated").count()
    app = services.save_draft(actor=county_nanhu, application=app, data={"goals": "压缩办事时间60%"})
    log = _logs(app, "updated").last()
    assert _logs(app, "updated").count() == before + 1
    assert (log.actor, log.role, log.unit, log.from_state, log.to_state) == (
        county_nanhu,
        "county",
        app.county,
        "draft",
        "draft",
    )
    assert log.sentence.endswith("保存草稿")
    assert WorkItem.objects.for_object(app).filter(closed_at=None).count() == 1  # re-synced, not duplicated


def test_another_county_may_not_save_and_a_submitted_application_may_not_be_edited(app, county_nanhu, county_xiuzhou):
    with pytest.raises(PermissionDenied):
        services.save_draft(actor=county_xiuzhou, application=app, data={"goals": "篡改"})
    services.submit_application(actor=county_nanhu, application=app)
    with pytest.raises(WorkflowError, match="申报当前状态为“已提交”，不能修改。"):
        services.save_draft(actor=county_nanhu, application=app, data={"goals": "提交后再改"})
    app.refresh_from_db()
    assert app.goals != "提交后再改" and app.goals != "篡改"


def test_a_stale_edit_is_refused_and_changes_nothing(app, county_nanhu):
    with pytest.raises(WorkflowError, match="已被其他用户处理"):
        services.save_draft(actor=county_nanhu, application=app, data={"goals": "旧页面"}, expected_state="returned")
    app.refresh_from_db()
    assert app.goals != "旧页面"


def test_change_can_freeze_a_version_and_rolls_everything_back_when_the_edit_fails(app, county_nanhu):
    def fail(locked):
        locked.goals = "不会保存"
        raise WorkflowError("编辑被拒绝", status=400)

    logs = TransitionLog.objects.count()
    with pytest.raises(WorkflowError):
        change(
            app, "updated", actor=county_nanhu, role="county", apply=fail, permission="applications.edit_application"
        )
    app.refresh_from_db()
    assert app.goals != "不会保存" and TransitionLog.objects.count() == logs
    app = change(
        app,
        "updated",
        actor=county_nanhu,
        role="county",
        apply=lambda locked: {"note": "冻结"},
        permission="applications.edit_application",
        freeze=True,
    )
    log = _logs(app, "updated").last()
    assert log.version.number == 1 and log.details["note"] == "冻结"


def test_save_and_submit_is_one_request_that_keeps_what_was_typed_when_refused(app, county_nanhu, login):
    client = login(county_nanhu)
    data = {f: getattr(app, f) for f in services.REQUIRED_ON_SUBMIT}
    data.update({"goals": "", "schedule": "新的进度安排", "action": "submit", "expected_state": "draft"})
    response = client.post(reverse("applications:edit", args=[app.pk]), data)
    assert response.status_code == 400 and "提交前请填写“改革目标”" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "draft" and app.schedule == "新的进度安排"  # saved, not submitted
    data["goals"] = "完整的目标"
    response = client.post(reverse("applications:edit", args=[app.pk]), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "submitted" and app.goals == "完整的目标"
    assert _logs(app, "submit").count() == 1


def test_deleting_a_draft_attachment_is_a_logged_change_and_only_the_owner_may(
    app, county_nanhu, county_xiuzhou, login
):
    app = services.save_draft(
        actor=county_nanhu, application=app, data={}, files=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4 test")]
    )
    att = Attachment.objects.get()
    url = reverse("applications:attachment_delete", args=[app.pk, att.pk])
    assert login(county_xiuzhou).post(url).status_code == 404  # not theirs: not even revealed
    assert login(county_nanhu).post(url).status_code == 302
    assert not Attachment.objects.exists()
    assert _logs(app, "attachment_removed").get().details["file"] == "方案.pdf"
    assert login(county_nanhu).post(url).status_code == 404  # already gone
