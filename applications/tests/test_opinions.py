"""The special group's opinion on an application, now asked through the core: same behaviour, plus a unit
outside the application's field that the office invites reads it while invited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import RECOMMENDATION, Application
from workflow.conventions.opinions import opinion_request
from workflow.engine.errors import WorkflowError
from workflow.models import Opinion, WorkItem

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REASON = "材料不完整，请补充风险评估。"


@pytest.fixture
def consulting(county_nanhu, office_reviewer):
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    app = services.save_draft(
        actor=county_nanhu, application=app, data={}, files=[SimpleUploadedFile("申报表.pdf", PDF)]
    )
    app = services.submit_application(actor=county_nanhu, application=app)
    return services.review_application(actor=office_reviewer, application=app, name="request_opinion")


def page(response):
    return response.content.decode()


def fetch(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # reading it through closes the file
    return response.status_code


def test_the_lead_group_is_asked_with_the_recommendation_verdicts(consulting, sg_digital, login, settings):
    opinion = Opinion.objects.for_object(consulting).get()
    assert (opinion.purpose, opinion.unit.code, opinion.role) == (RECOMMENDATION, "sg-digital", "special_group")
    assert (opinion.requested_unit.code, opinion.requested_role) == ("reform-office", "reform_office")
    assert (opinion.due_at - opinion.requested_at).days in (settings.OPINION_DUE_DAYS - 1, settings.OPINION_DUE_DAYS)
    # 我的待办 of the group points at the one answer page; the record page carries the same form.
    item = WorkItem.objects.open_for(sg_digital).get(object_id=opinion.pk)
    assert item.url == reverse("workflow:opinion", args=[opinion.pk])
    response = login(sg_digital).get(consulting.get_absolute_url())
    html = page(response)
    assert 'data-testid="opinion-form"' in html and reverse("workflow:opinion", args=[opinion.pk]) in html
    assert all(label in html for label in ("同意推荐", "不同意推荐", "补充意见"))
    # Everyone who reads the application may open the request's own page (the county reads, cannot answer).
    assert 'data-testid="opinion-link"' in html


def test_answering_from_the_record_page_returns_to_it(consulting, sg_digital, login):
    opinion = Opinion.objects.for_object(consulting).get()
    response = login(sg_digital).post(
        reverse("workflow:opinion", args=[opinion.pk]),
        {
            "verdict": "supplement",
            "text": "建议补充数据安全措施。",
            "expected_state": "pending",
            "next": consulting.get_absolute_url(),
        },
    )
    assert response.status_code == 302 and response["Location"] == consulting.get_absolute_url()
    html = page(login(sg_digital).get(consulting.get_absolute_url()))
    assert "补充意见" in html and "建议补充数据安全措施。" in html


def test_next_never_leads_off_the_site(consulting, sg_digital, login):
    opinion = Opinion.objects.for_object(consulting).get()
    response = login(sg_digital).post(
        reverse("workflow:opinion", args=[opinion.pk]),
        {"verdict": "agree", "text": "同意。", "expected_state": "pending", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == consulting.get_absolute_url()


@pytest.mark.parametrize("who", ["office_reviewer", "county_nanhu", "sg_digital"])
def test_only_the_office_is_offered_to_cancel_on_the_record_page(who, consulting, request, login):
    user = request.getfixturevalue(who)
    html = page(login(user).get(consulting.get_absolute_url()))
    assert ('data-testid="opinion-cancel"' in html) is (who == "office_reviewer")


def test_the_office_cancels_and_the_recommendation_waits_for_a_new_request(consulting, office_reviewer, login):
    opinion = Opinion.objects.for_object(consulting).get()
    response = login(office_reviewer).post(
        reverse("workflow:opinion_cancel", args=[opinion.pk]),
        {"comment": "牵头单位调整，另行征求。", "expected_state": "pending", "next": consulting.get_absolute_url()},
    )
    assert response.status_code == 302 and response["Location"] == consulting.get_absolute_url()
    with pytest.raises(WorkflowError, match="尚未征求"):
        services.review_application(actor=office_reviewer, application=consulting, name="recommend")
    assert Application.objects.get(pk=consulting.pk).status == Application.Status.CONSULTING


def test_a_unit_outside_the_field_reads_the_application_only_while_invited(
    consulting, office_reviewer, make_user, county_xiuzhou, units, login
):
    """Today's bug: an invited unit outside ``visible_to`` got 404 on the record it was asked about."""
    propaganda = make_user("md_propaganda", "md-propaganda")
    attachment = reverse("workflow:attachment", args=[consulting_attachment(consulting).pk])
    client = login(propaganda)
    assert client.get(consulting.get_absolute_url()).status_code == 404 and fetch(client, attachment) == 404
    (opinion,) = opinion_request(
        target=consulting, invitees=[units["md-propaganda"]], purpose=RECOMMENDATION, actor=office_reviewer
    )
    response = client.get(consulting.get_absolute_url())
    assert response.status_code == 200 and 'data-testid="opinion-form"' in page(response)
    assert fetch(client, attachment) == 200
    assert fetch(login(county_xiuzhou), attachment) == 404
    # A return during consultation withdraws every open request, and the invitee's access with it.
    services.review_application(actor=office_reviewer, application=consulting, name="return_to_county", comment=REASON)
    assert Opinion.objects.get(pk=opinion.pk).status == Opinion.Status.CANCELLED
    client = login(propaganda)
    assert client.get(consulting.get_absolute_url()).status_code == 404 and fetch(client, attachment) == 404


def consulting_attachment(app):
    from workflow.models import Attachment

    return Attachment.objects.get(object_id=app.pk, content_type__model="application")
