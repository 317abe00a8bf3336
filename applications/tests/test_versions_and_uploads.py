"""The core's versions and uploads as the applications workflow uses them: the office's diff page and the
county's form keeping what was typed when an upload is refused (moved from the core's tests, which use the
test-only Ticket workflow)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from workflow.models import Attachment

pytestmark = pytest.mark.django_db


def test_office_sees_what_changed_since_the_last_submission(county_nanhu, office_reviewer, login):
    candidate = listed_candidate(office_reviewer, open_batch(office_reviewer))
    app = services.submit_application(actor=county_nanhu, application=filled_application(county_nanhu, candidate))
    app = services.review_application(
        actor=office_reviewer, application=app, name="return_to_county", comment="目标不够具体"
    )
    app = services.save_draft(actor=county_nanhu, application=app, data={"goals": "到2027年压缩办事时间60%"})
    services.submit_application(actor=county_nanhu, application=app)
    page = login(office_reviewer).get(reverse("applications:diff", args=[app.pk, 2])).content.decode()
    assert "改革目标" in page and "到2027年压缩办事时间60%" in page
    assert "进度安排" not in page  # unchanged fields are not listed


def test_bad_upload_in_the_form_is_a_400_with_the_message_and_saves_nothing_twice(county_nanhu, office_reviewer, login):
    candidate = listed_candidate(office_reviewer, open_batch(office_reviewer))
    app = filled_application(county_nanhu, candidate)
    data = {f: getattr(app, f) for f in services.REQUIRED_ON_SUBMIT}
    data.update({"goals": "新目标", "action": "save", "attachments": SimpleUploadedFile("x.pdf", b"MZ-exe")})
    response = login(county_nanhu).post(reverse("applications:edit", args=[app.pk]), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "内容与其扩展名不符" in text and "新目标" in text  # what was typed stays in the page
    assert not Attachment.objects.exists()
