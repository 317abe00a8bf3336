"""The shared workflow core: append-only log, uploads, versions and their diff."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workflow.engine.errors import WorkflowError
from workflow.engine.files import validate_upload
from workflow.engine.versions import diff
from workflow.models import Attachment, TransitionLog
from workflow.services import perform, save_attachments
from workflow.tests.testapp.models import make_ticket

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(names):
    """The same bytes at every collection (a parallel run's processes must collect the same test ids): the
    entries carry a fixed date, not the time of collection."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), "<x/>")
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


def test_log_rows_cannot_be_changed_or_deleted(county_nanhu):
    perform(make_ticket(county_nanhu), "submit", actor=county_nanhu)
    log = TransitionLog.objects.filter(action="ticket.submit").get()
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


def test_attachments_are_served_only_to_those_who_see_the_record(
    county_nanhu, county_xiuzhou, office_reviewer, login, client
):
    ticket = make_ticket(county_nanhu)
    save_attachments(ticket, [SimpleUploadedFile("盖章申报表.pdf", PDF)], actor=county_nanhu)
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
