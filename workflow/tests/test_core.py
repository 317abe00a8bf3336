"""The shared workflow core: append-only log, uploads, versions and their diff."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from workflow.errors import WorkflowError
from workflow.files import validate_upload
from workflow.models import Attachment, TransitionLog
from workflow.versions import diff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("盖章申报表.pdf", PDF, "pdf"),
        ("照片.PNG", PNG, "png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpg"),
        ("旧版.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "doc"),
        ("表.xlsx", _zip(["[Content_Types].xml", "xl/workbook.xml"]), "xlsx"),
        ("方案.docx", _zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
        ("公文.ofd", _zip(["OFD.xml", "Doc_0/Document.xml"]), "ofd"),
    ],
)
def test_allowed_types_pass_when_content_matches(name, content, kind):
    assert validate_upload(SimpleUploadedFile(name, content)) == kind


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("病毒.exe", b"MZ\x90\x00", "类型不允许上传"),
        ("伪装.pdf", b"MZ\x90\x00 this is really an exe", "内容与其扩展名不符"),
        ("伪装.docx", _zip(["xl/workbook.xml"]), "内容与其扩展名不符"),
        ("伪装.ofd", b"PK\x03\x04 not a zip at all", "内容与其扩展名不符"),
        ("空.pdf", b"", "内容与其扩展名不符"),
        ("无扩展名", PDF, "类型不允许上传"),
    ],
)
def test_disguised_or_forbidden_files_are_refused_in_chinese(name, content, message):
    with pytest.raises(WorkflowError, match=message) as err:
        validate_upload(SimpleUploadedFile(name, content))
    assert err.value.status == 400 and err.value.field == "attachments"


def test_oversized_files_are_refused_with_the_limit(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(WorkflowError, match="不能超过100"):
        validate_upload(SimpleUploadedFile("大.pdf", PDF + b"x" * 200))


def test_log_rows_cannot_be_changed_or_deleted(county_nanhu, office_reviewer):
    candidate = listed_candidate(office_reviewer, open_batch(office_reviewer))
    filled_application(county_nanhu, candidate)
    log = TransitionLog.objects.filter(action="application.created").get()
    log.comment = "篡改"
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        log.delete()
    with pytest.raises(PermissionError):
        TransitionLog.objects.filter(pk=log.pk).update(comment="篡改")
    with pytest.raises(PermissionError):
        TransitionLog.objects.all().delete()
    log.refresh_from_db()
    assert log.comment == ""


def test_diff_names_changed_fields_and_rows():
    old = {"fields": {"goals": "A", "schedule": "same"}, "rows": [{"key": 1, "task": "a"}, {"key": 2, "task": "b"}]}
    new = {"fields": {"goals": "B", "schedule": "same"}, "rows": [{"key": 1, "task": "a2"}, {"key": 3, "task": "c"}]}
    fields, rows = diff(old, new, {"goals": "改革目标", "schedule": "进度安排"})
    assert [(f.label, f.old, f.new) for f in fields] == [("改革目标", "A", "B")]
    assert {(r.kind, r.key) for r in rows} == {("changed", 1), ("added", 3), ("removed", 2)}
    assert next(r for r in rows if r.kind == "changed").changed_fields == ["task"]


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


def test_attachments_are_served_only_to_those_who_see_the_record(
    county_nanhu, county_xiuzhou, office_reviewer, login, client
):
    candidate = listed_candidate(office_reviewer, open_batch(office_reviewer))
    app = filled_application(county_nanhu, candidate)
    services.save_draft(actor=county_nanhu, application=app, data={}, files=[SimpleUploadedFile("盖章申报表.pdf", PDF)])
    att = Attachment.objects.get()
    url = reverse("workflow:attachment", args=[att.pk])
    response = login(county_nanhu).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    client.force_login(county_xiuzhou)
    assert client.get(url).status_code == 404
    client.force_login(office_reviewer)
    office_response = client.get(url)
    assert office_response.status_code == 200
    assert b"".join(office_response.streaming_content) == PDF  # reading it through closes the file


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
