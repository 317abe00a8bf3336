"""Who may see and do what on a county's application, as each role notices it in the pages and by URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import Application
from applications.services import FILLED_EXAMPLE
from applications.tests.factories import filled_application, listed_candidate, open_batch
from pilots.models import Pilot
from workflow.conventions.opinions import opinion_give
from workflow.models import Attachment, Opinion, TransitionLog

pytestmark = pytest.mark.django_db

MEETING = "第3次会议"
REASON = "材料不完整，请补充风险评估。"

# Every tested person, by what they are to the application (owned by 南湖区, lead group 数字化专项小组，
# guidance unit 市数据局, made with listed_candidate's defaults).
PEOPLE = {
    "owning_county": "county_nanhu",
    "other_county": "county_xiuzhou",
    "reform_office": "office_reviewer",
    "committee": "committee_member",
    "lead_special_group": "sg_digital",
    "unrelated_special_group": "sg_economy",
    "guidance_unit": "guidance_data",
    "expert": "expert_user",
}

# Who sees a draft, and who sees it once it is submitted (everybody else gets 404).
SEES_DRAFT = {"owning_county", "reform_office", "committee"}
SEES_SUBMITTED = SEES_DRAFT | {"lead_special_group", "guidance_unit"}

# transition → (the person who may take it, the state the application is driven to first)
TRANSITIONS = {
    "submit": ("owning_county", "draft"),
    "return_to_county": ("reform_office", "submitted"),
    "request_opinion": ("reform_office", "submitted"),
    "recommend": ("reform_office", "opinion_given"),
    "not_recommend": ("reform_office", "opinion_given"),
    "approve": ("committee", "recommended"),
    "reject": ("committee", "recommended"),
    "withdraw": ("owning_county", "submitted"),
}

TARGET = {
    "submit": Application.Status.SUBMITTED,
    "return_to_county": Application.Status.RETURNED,
    "request_opinion": Application.Status.CONSULTING,
    "recommend": Application.Status.RECOMMENDED,
    "not_recommend": Application.Status.NOT_RECOMMENDED,
    "approve": Application.Status.APPROVED,
    "reject": Application.Status.REJECTED,
    "withdraw": Application.Status.WITHDRAWN,
}

MATRIX = [(name, who) for name in TRANSITIONS for who in PEOPLE]
MATRIX_IDS = [f"{name}-by-{who}" for name, who in MATRIX]


def expected_status(name, who, *, success=302):
    rightful, stage = TRANSITIONS[name]
    visible = SEES_DRAFT if stage == "draft" else SEES_SUBMITTED
    if who == rightful:
        return success
    return 403 if who in visible else 404


@pytest.fixture
def people(request):
    return {key: request.getfixturevalue(fixture) for key, fixture in PEOPLE.items()}


@pytest.fixture
def batch(office_reviewer):
    return open_batch(office_reviewer)


@pytest.fixture
def candidate(office_reviewer, batch):
    return listed_candidate(office_reviewer, batch)


@pytest.fixture
def drive(people, candidate):
    """Bring a fresh application of 南湖区 to a stage, each step taken by its rightful actor."""

    def to(stage):
        app = filled_application(people["owning_county"], candidate)
        if stage == "draft":
            return app
        app = services.submit_application(actor=people["owning_county"], application=app)
        if stage == "submitted":
            return app
        app = services.review_application(actor=people["reform_office"], application=app, name="request_opinion")
        if stage == "consulting":
            return app
        opinion = Opinion.objects.for_object(app).get()
        opinion_give(actor=people["lead_special_group"], opinion=opinion, verdict="agree", text="同意推荐。")
        if stage == "opinion_given":
            return app
        app = services.review_application(actor=people["reform_office"], application=app, name="recommend")
        assert stage == "recommended"
        return app

    return to


def status_of(app):
    return Application.objects.get(pk=app.pk).status


def act_data(app, name, **overrides):
    data = {"name": name, "comment": REASON, "expected_state": app.status, "meeting_ref": MEETING}
    data.update(overrides)
    return data


def edit_data(app, action):
    return {
        **FILLED_EXAMPLE,
        "project_name": app.project_name,
        "area": app.area,
        "expected_state": app.status,
        "action": action,
    }


def page(response):
    return response.content.decode()


def assert_refused(response):
    assert response.status_code == 403
    assert "无权操作" in page(response)


# --- the transition matrix ---------------------------------------------------------------------
@pytest.mark.parametrize(("name", "who"), MATRIX, ids=MATRIX_IDS)
def test_action_button_is_shown_only_to_the_role_that_may_take_it(name, who, people, drive, login):
    rightful, stage = TRANSITIONS[name]
    app = drive(stage)
    client = login(people[who])
    if name == "submit":
        # The county submits from the edit page; the detail page never offers it.
        response = client.get(reverse("applications:edit", args=[app.pk]))
        button = 'name="action" value="submit"'
        assert response.status_code == expected_status(name, who, success=200)
    else:
        response = client.get(app.get_absolute_url())
        button = f'data-testid="action-{name}"'
        assert response.status_code == (200 if who in SEES_SUBMITTED else 404)
    assert (button in page(response)) is (who == rightful)


@pytest.mark.parametrize(("name", "who"), MATRIX, ids=MATRIX_IDS)
def test_posting_an_action_by_url_works_only_for_its_role(name, who, people, drive, login):
    app = drive(TRANSITIONS[name][1])
    before = app.status
    response = login(people[who]).post(reverse("applications:act", args=[app.pk]), act_data(app, name))
    expected = expected_status(name, who)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == app.get_absolute_url()
        assert status_of(app) == TARGET[name]
    else:
        assert status_of(app) == before
        if expected == 403:
            assert_refused(response)


@pytest.mark.parametrize("who", list(PEOPLE))
def test_only_the_owning_county_can_submit_from_the_edit_page(who, people, drive, login):
    app = drive("draft")
    response = login(people[who]).post(reverse("applications:edit", args=[app.pk]), edit_data(app, "submit"))
    expected = expected_status("submit", who)
    assert response.status_code == expected
    if expected == 302:
        assert status_of(app) == Application.Status.SUBMITTED
    else:
        assert status_of(app) == Application.Status.DRAFT
        if expected == 403:
            assert_refused(response)


def test_detail_page_never_offers_submit_even_to_the_owning_county(people, drive, login):
    app = drive("draft")
    response = login(people["owning_county"]).get(app.get_absolute_url())
    assert response.status_code == 200
    assert 'data-testid="action-submit"' not in page(response)
    assert 'data-testid="edit-link"' in page(response)


# --- opinions ----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", list(PEOPLE))
def test_opinion_form_is_shown_only_to_the_asked_special_group(who, people, drive, login):
    app = drive("consulting")
    response = login(people[who]).get(app.get_absolute_url())
    assert response.status_code == (200 if who in SEES_SUBMITTED else 404)
    assert ('data-testid="opinion-form"' in page(response)) is (who == "lead_special_group")


@pytest.mark.parametrize("who", list(PEOPLE))
def test_only_the_asked_special_group_can_give_the_opinion(who, people, drive, login):
    app = drive("consulting")
    opinion = Opinion.objects.for_object(app).get()
    assert opinion.unit.code == "sg-digital"
    response = login(people[who]).post(
        reverse("workflow:opinion", args=[opinion.pk]),
        {"verdict": "agree", "text": "同意推荐。", "expected_state": "pending"},
    )
    opinion.refresh_from_db()
    if who == "lead_special_group":
        assert response.status_code == 302
        assert opinion.status == Opinion.Status.GIVEN
        assert opinion.given_by == people[who]
    else:
        assert response.status_code == (403 if who in SEES_SUBMITTED else 404)
        assert opinion.status == Opinion.Status.PENDING
        assert opinion.given_by is None


# --- scoping -----------------------------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def nanhu_returned_with_attachment(people, candidate):
    """南湖区's application, submitted once (version 1), returned for changes, with an uploaded PDF."""
    owner = people["owning_county"]
    app = filled_application(owner, candidate)
    app = services.save_draft(
        actor=owner,
        application=app,
        data={},
        files=[SimpleUploadedFile("盖章申报表.pdf", PDF, content_type="application/pdf")],
    )
    app = services.submit_application(actor=owner, application=app)
    app = services.review_application(
        actor=people["reform_office"], application=app, name="return_to_county", comment=REASON
    )
    assert app.status == Application.Status.RETURNED
    return app


def county_b_urls(app):
    attachment = Attachment.objects.get(object_id=app.pk, content_type__model="application")
    return {
        "detail": reverse("applications:detail", args=[app.pk]),
        "edit": reverse("applications:edit", args=[app.pk]),
        "print": reverse("applications:print", args=[app.pk]),
        "diff": reverse("applications:diff", args=[app.pk, 1]),
        "download": reverse("workflow:attachment", args=[attachment.pk]),
    }


def test_owning_county_reaches_every_page_of_its_application(nanhu_returned_with_attachment, people, login):
    client = login(people["owning_county"])
    urls = county_b_urls(nanhu_returned_with_attachment)
    download = urls.pop("download")
    for what, url in urls.items():
        assert client.get(url).status_code == 200, what
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    response.close()


def test_another_county_gets_404_for_every_page_of_the_application(nanhu_returned_with_attachment, people, login):
    app = nanhu_returned_with_attachment
    client = login(people["other_county"])
    for what, url in county_b_urls(app).items():
        response = client.get(url)
        assert response.status_code == 404, what
        assert app.project_name not in page(response), what


def test_another_county_cannot_change_or_delete_attachments_by_url(nanhu_returned_with_attachment, people, login):
    app = nanhu_returned_with_attachment
    attachment = Attachment.objects.get(object_id=app.pk, content_type__model="application")
    client = login(people["other_county"])
    edit = client.post(reverse("applications:edit", args=[app.pk]), {**edit_data(app, "save"), "goals": "篡改"})
    delete = client.post(reverse("applications:attachment_delete", args=[app.pk, attachment.pk]))
    assert edit.status_code == 404
    assert delete.status_code == 404
    app.refresh_from_db()
    assert app.goals == FILLED_EXAMPLE["goals"]
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_county_list_shows_its_own_application_but_not_another_countys(people, batch, office_reviewer, login):
    nanhu_app = filled_application(
        people["owning_county"], listed_candidate(office_reviewer, batch, title="南湖改革项目")
    )
    xiuzhou_app = filled_application(
        people["other_county"], listed_candidate(office_reviewer, batch, title="秀洲改革项目")
    )
    listing = page(login(people["other_county"]).get(reverse("applications:list")))
    assert xiuzhou_app.project_name in listing
    assert nanhu_app.project_name not in listing


@pytest.fixture
def field_of_applications(people, batch, office_reviewer, make_user):
    """Four applications of four counties in the same batch, each named after what makes it visible."""

    def make(county, title, group, area, submit=True):
        candidate = listed_candidate(office_reviewer, batch, title=title, group=group, area=area, guide=None)
        app = filled_application(county, candidate)
        return services.submit_application(actor=county, application=app) if submit else app

    return {
        "digital_lead": make(people["owning_county"], "数字化牵头项目", "sg-digital", "digital"),
        "economy_area": make(people["other_county"], "经济领域项目", "sg-rural", "economy"),
        "digital_draft": make(
            make_user("county_jiashan", "jiashan"), "数字化草稿项目", "sg-digital", "digital", submit=False
        ),
        "law_lead": make(make_user("county_pinghu", "pinghu"), "法治领域项目", "sg-law", "democracy_law"),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("lead_special_group", {"digital_lead"}),
        ("unrelated_special_group", {"economy_area"}),
        ("reform_office", {"digital_lead", "economy_area", "digital_draft", "law_lead"}),
        ("committee", {"digital_lead", "economy_area", "digital_draft", "law_lead"}),
        ("expert", set()),
    ],
)
def test_each_role_lists_and_opens_only_applications_in_its_scope(who, sees, field_of_applications, people, login):
    client = login(people[who])
    listing = page(client.get(reverse("applications:list")))
    for key, app in field_of_applications.items():
        assert (app.project_name in listing) is (key in sees), key
        assert client.get(app.get_absolute_url()).status_code == (200 if key in sees else 404), key


def test_special_group_sees_an_application_of_its_field_once_submitted(people, candidate, login):
    app = filled_application(people["owning_county"], candidate)
    client = login(people["lead_special_group"])
    assert client.get(app.get_absolute_url()).status_code == 404
    services.submit_application(actor=people["owning_county"], application=app)
    assert client.get(app.get_absolute_url()).status_code == 200


# --- reasons and meeting -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "who", "stage"),
    [
        ("return_to_county", "reform_office", "submitted"),
        ("not_recommend", "reform_office", "opinion_given"),
        ("reject", "committee", "recommended"),
    ],
)
@pytest.mark.parametrize("comment", ["", "   "], ids=["empty", "blank"])
def test_refusing_without_a_reason_is_sent_back_with_请填写理由(name, who, stage, comment, people, drive, login):
    app = drive(stage)
    before = app.status
    response = login(people[who]).post(reverse("applications:act", args=[app.pk]), act_data(app, name, comment=comment))
    assert response.status_code == 400
    assert "请填写理由" in page(response)
    assert status_of(app) == before


def test_approving_without_the_meeting_is_sent_back_and_makes_no_pilot(people, drive, login):
    app = drive("recommended")
    response = login(people["committee"]).post(
        reverse("applications:act", args=[app.pk]), act_data(app, "approve", meeting_ref="")
    )
    assert response.status_code == 400
    assert "请填写会议届次" in page(response)
    assert status_of(app) == Application.Status.RECOMMENDED
    assert not Pilot.objects.filter(application=app).exists()


def test_approving_with_the_meeting_makes_the_pilot(people, drive, login):
    app = drive("recommended")
    response = login(people["committee"]).post(reverse("applications:act", args=[app.pk]), act_data(app, "approve"))
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.meeting_ref) == (Application.Status.APPROVED, MEETING)
    assert Pilot.objects.filter(application=app, county=app.county).exists()


# --- stale pages -------------------------------------------------------------------------------
def test_office_acting_on_a_stale_page_is_told_someone_else_handled_it(people, drive, login, make_user):
    app = drive("submitted")
    colleague = make_user("office_colleague", "reform-office")
    services.review_application(actor=colleague, application=app, name="return_to_county", comment=REASON)
    logs_before = TransitionLog.objects.count()
    response = login(people["reform_office"]).post(
        reverse("applications:act", args=[app.pk]),
        act_data(app, "request_opinion", expected_state=Application.Status.SUBMITTED),
    )
    assert response.status_code == 409
    assert "已被其他用户处理" in page(response)
    assert status_of(app) == Application.Status.RETURNED
    assert not Opinion.objects.for_object(app).exists()
    assert TransitionLog.objects.count() == logs_before


def test_committee_member_approving_on_a_stale_page_is_told_a_colleague_rejected_it(people, drive, login, make_user):
    app = drive("recommended")
    colleague = make_user("committee_colleague", "committee")
    services.decide_application(actor=colleague, application=app, name="reject", meeting_ref=MEETING, comment=REASON)
    logs_before = TransitionLog.objects.count()
    response = login(people["committee"]).post(
        reverse("applications:act", args=[app.pk]),
        act_data(app, "approve", expected_state=Application.Status.RECOMMENDED),
    )
    assert response.status_code == 409
    assert "已被其他用户处理" in page(response)
    assert status_of(app) == Application.Status.REJECTED
    assert not Pilot.objects.exists()
    assert TransitionLog.objects.count() == logs_before


# --- regressions of bugs found while writing these tests -------------------------------------
@pytest.mark.parametrize("who", ["lead_special_group", "guidance_unit"])
def test_a_draft_withdrawn_before_submission_stays_hidden_from_special_group_and_guidance_unit(
    who, people, drive, login
):
    app = drive("draft")
    services.withdraw_application(actor=people["owning_county"], application=app)
    client = login(people[who])
    assert client.get(app.get_absolute_url()).status_code == 404
    assert client.get(reverse("applications:print", args=[app.pk])).status_code == 404
    assert app.project_name not in page(client.get(reverse("applications:list")))


@pytest.mark.parametrize("stage", ["consulting", "recommended"])
def test_county_may_withdraw_until_the_committee_decides(stage, people, drive, login):
    """Issue 3: "The county may withdraw before the decision" (the committee's), so also during review."""
    app = drive(stage)
    client = login(people["owning_county"])
    assert 'data-testid="action-withdraw"' in page(client.get(app.get_absolute_url()))
    response = client.post(reverse("applications:act", args=[app.pk]), act_data(app, "withdraw"))
    assert response.status_code == 302
    assert status_of(app) == Application.Status.WITHDRAWN


def test_returning_during_consultation_withdraws_the_opinion_request(people, drive, login):
    app = drive("consulting")
    services.review_application(actor=people["reform_office"], application=app, name="return_to_county", comment=REASON)
    response = login(people["lead_special_group"]).get(app.get_absolute_url())
    assert response.status_code == 200
    assert 'data-testid="opinion-form"' not in page(response)


def test_office_can_ask_the_special_group_again_after_returning_during_consultation(people, drive, login):
    app = drive("consulting")
    services.review_application(actor=people["reform_office"], application=app, name="return_to_county", comment=REASON)
    app = services.submit_application(actor=people["owning_county"], application=app)
    response = login(people["reform_office"]).post(
        reverse("applications:act", args=[app.pk]), act_data(app, "request_opinion")
    )
    assert response.status_code == 302
    assert status_of(app) == Application.Status.CONSULTING
    assert Opinion.objects.for_object(app).filter(status=Opinion.Status.PENDING).count() == 1
