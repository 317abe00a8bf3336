"""项目确定: resubmission after the window, the batch's decided mark, 代为录入, the recommendation list (试点建议名单)
decided item by item on one page, and the published decided list (确定名单)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import recommendations, services
from applications.models import Application, RecommendationList
from pilots.models import Batch, Pilot
from pilots.services import batch_act, update_batch
from workflow.conventions.opinions import opinion_give
from workflow.engine.errors import WorkflowError
from workflow.models import TransitionLog

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db

TITLES = {"nanhu": "公共数据授权运营集成改革", "xiuzhou": "强村富民集成改革", "jiashan": "营商环境集成改革"}


@pytest.fixture
def batch(office_reviewer):
    return open_batch(office_reviewer)


@pytest.fixture
def counties(make_user, county_nanhu, county_xiuzhou):
    return {"nanhu": county_nanhu, "xiuzhou": county_xiuzhou, "jiashan": make_user("county_jiashan", "jiashan")}


def _apply(county_user, office, batch, code):
    return filled_application(county_user, listed_candidate(office, batch, title=TITLES[code]))


def _recommend(app, county, office, group, *, recommend=True):
    app = services.submit_application(actor=county, application=app)
    app = services.review_application(actor=office, application=app, name="request_opinion")
    opinion_give(actor=group, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
    if recommend:
        return services.review_application(actor=office, application=app, name="recommend")
    return services.review_application(actor=office, application=app, name="not_recommend", comment="基础薄弱。")


def _close(batch, office):
    batch = update_batch(
        actor=office,
        batch=batch,
        data={
            "window_opens_at": timezone.now() - timedelta(days=5),
            "window_closes_at": timezone.now() - timedelta(minutes=1),
        },
    )
    return batch_act(actor=office, batch=batch, name="close")


@pytest.fixture
def three_recommended(batch, counties, office_reviewer, sg_digital):
    """Three counties' applications, two recommended and one not, in a batch whose window has closed."""
    apps = {code: _apply(user, office_reviewer, batch, code) for code, user in counties.items()}
    apps["nanhu"] = _recommend(apps["nanhu"], counties["nanhu"], office_reviewer, sg_digital)
    apps["xiuzhou"] = _recommend(apps["xiuzhou"], counties["xiuzhou"], office_reviewer, sg_digital)
    apps["jiashan"] = _recommend(apps["jiashan"], counties["jiashan"], office_reviewer, sg_digital, recommend=False)
    _close(batch, office_reviewer)
    return apps


# --- 7a: the window limits the first submission only ---------------------------------------------
def test_a_returned_application_is_resubmitted_after_the_window_closed(
    batch, counties, office_reviewer, county_nanhu, county_xiuzhou
):
    returned = _apply(county_nanhu, office_reviewer, batch, "nanhu")
    returned = services.submit_application(actor=county_nanhu, application=returned)
    returned = services.review_application(
        actor=office_reviewer, application=returned, name="return_to_county", comment="请补充风险评估。"
    )
    never_sent = _apply(county_xiuzhou, office_reviewer, batch, "xiuzhou")
    _close(batch, office_reviewer)

    resubmitted = services.submit_application(actor=county_nanhu, application=returned)
    assert resubmitted.status == Application.Status.SUBMITTED
    with pytest.raises(WorkflowError, match="不在申报时间内"):
        services.submit_application(actor=county_xiuzhou, application=never_sent)
    never_sent.refresh_from_db()
    assert never_sent.status == Application.Status.DRAFT


def test_the_returned_county_sees_the_submit_button_after_the_window(batch, office_reviewer, county_nanhu, login):
    app = services.submit_application(
        actor=county_nanhu, application=_apply(county_nanhu, office_reviewer, batch, "nanhu")
    )
    app = services.review_application(actor=office_reviewer, application=app, name="return_to_county", comment="补充。")
    _close(batch, office_reviewer)
    response = login(county_nanhu).post(
        reverse("applications:edit", args=[app.pk]),
        {**_form_data(app), "action": "submit", "expected_state": "returned"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED


def _form_data(app):
    from applications.models import FORM_FIELDS

    return {name: getattr(app, name) for name in FORM_FIELDS}


# --- 7b: a batch is decided only when every application is ----------------------------------------
def test_a_batch_with_undecided_applications_cannot_be_marked_decided(
    batch, three_recommended, office_reviewer, committee_member, login
):
    services.decide_application(
        actor=committee_member,
        application=three_recommended["nanhu"],
        name="approve",
        meeting_ref="市委改革委第3次会议",
    )
    response = login(office_reviewer).post(
        reverse("pilots:batch_act", args=[batch.pk]), {"name": "decide", "expected_state": "closed"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "2份申报尚未确定" in page and "秀洲区·强村富民集成改革" in page and "嘉善县·营商环境集成改革" in page
    assert "南湖区·公共数据授权运营集成改革" not in page
    batch.refresh_from_db()
    assert batch.status == Batch.Status.CLOSED
    assert not TransitionLog.objects.filter(action="batch.decide").exists()

    for code, name in (("xiuzhou", "approve"), ("jiashan", "reject")):
        services.decide_application(
            actor=committee_member,
            application=three_recommended[code],
            name=name,
            meeting_ref="市委改革委第3次会议",
            comment="不予确定的理由。",
        )
    assert batch_act(actor=office_reviewer, batch=batch, name="decide").status == Batch.Status.DECIDED


# --- 7c: 代为录入 --------------------------------------------------------------------------------
def test_the_office_records_the_committees_decision_on_its_behalf(
    three_recommended, office_reviewer, committee_member, login
):
    app = three_recommended["nanhu"]
    url = reverse("applications:act", args=[app.pk])
    page = login(office_reviewer).get(app.get_absolute_url()).content.decode()
    assert "action-approve_on_behalf" in page and 'name="meeting_ref"' in page
    assert 'action-approve"' not in page  # the committee's own button is the committee's

    missing = login(office_reviewer).post(url, {"name": "approve_on_behalf", "expected_state": "recommended"})
    assert missing.status_code == 400 and "会议届次" in missing.content.decode()
    response = login(office_reviewer).post(
        url, {"name": "approve_on_behalf", "expected_state": "recommended", "meeting_ref": "市委改革委第3次会议"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.meeting_ref) == (Application.Status.APPROVED, "市委改革委第3次会议")
    assert app.pilot.status == Pilot.Status.PLANNING
    log = TransitionLog.objects.get(action="application.approve_on_behalf")
    assert (log.actor, log.role) == (office_reviewer, "reform_office")
    assert log.details["on_behalf_of"] == "committee" and log.details["meeting_ref"] == "市委改革委第3次会议"
    assert "代为录入" in log.sentence and "王改革" in log.sentence
    assert "市委改革委第3次会议" in log.comment
    assert TransitionLog.objects.get(action="pilot.created").details["on_behalf_of"] == "committee"

    # A rejection on the committee's behalf needs its reason like the committee's own.
    other = three_recommended["jiashan"]
    with pytest.raises(WorkflowError, match="请填写理由"):
        services.decide_application(
            actor=office_reviewer, application=other, name="reject_on_behalf", meeting_ref="第3次会议"
        )
    # The committee's own path is unchanged; nobody else records on its behalf.
    own = services.decide_application(
        actor=committee_member, application=other, name="reject", meeting_ref="第3次会议", comment="基础薄弱。"
    )
    own_log = TransitionLog.objects.get(action="application.reject")
    assert (own.status, own_log.role, own_log.actor) == ("rejected", "committee", committee_member)
    assert "on_behalf_of" not in own_log.details


def test_only_the_office_records_on_behalf(three_recommended, committee_member, county_nanhu, sg_digital, login):
    app = three_recommended["nanhu"]
    for user in (committee_member, county_nanhu, sg_digital):
        response = login(user).post(
            reverse("applications:act", args=[app.pk]),
            {"name": "approve_on_behalf", "expected_state": "recommended", "meeting_ref": "第3次会议"},
        )
        assert response.status_code in (403, 404)
    app.refresh_from_db()
    assert app.status == Application.Status.RECOMMENDED


# --- 7e: the recommendation list --------------------------------------------------------------------
def _decide_post(apps_choices, meeting="市委改革委第3次会议"):
    data = {"meeting_ref": meeting, "item": []}
    for app, choice, reason in apps_choices:
        data["item"].append(str(app.pk))
        data[f"choice-{app.pk}"] = choice
        data[f"reason-{app.pk}"] = reason
        data[f"state-{app.pk}"] = app.status
    return data


def test_the_list_is_sent_only_when_every_application_has_its_recommendation(
    batch, counties, office_reviewer, sg_digital, login
):
    first = _recommend(
        _apply(counties["nanhu"], office_reviewer, batch, "nanhu"), counties["nanhu"], office_reviewer, sg_digital
    )
    waiting = services.submit_application(
        actor=counties["xiuzhou"], application=_apply(counties["xiuzhou"], office_reviewer, batch, "xiuzhou")
    )
    send = reverse("applications:recommendation_send", args=[batch.pk])
    response = login(office_reviewer).post(send)
    assert response.status_code == 409 and "请先截止申报" in response.content.decode()
    _close(batch, office_reviewer)
    response = login(office_reviewer).post(send)
    assert response.status_code == 409
    assert (
        "1份申报尚未提出是否建议列为试点" in response.content.decode()
        and "秀洲区·强村富民集成改革" in response.content.decode()
    )
    assert not RecommendationList.objects.exists()

    services.review_application(actor=office_reviewer, application=waiting, name="return_to_county", comment="补充。")
    waiting.refresh_from_db()
    services.submit_application(actor=counties["xiuzhou"], application=waiting)  # after the window: allowed
    assert login(office_reviewer).post(send).status_code == 409
    waiting.refresh_from_db()
    _recommend_submitted(waiting, office_reviewer, sg_digital)
    assert login(office_reviewer).post(send).status_code == 302
    rlist = RecommendationList.objects.get(batch=batch)
    assert rlist.status == RecommendationList.Status.SENT and set(rlist.items.all()) == {first, waiting}
    log = TransitionLog.objects.get(action="recommendation_list.send")
    assert (log.actor, log.role) == (office_reviewer, "reform_office")
    again = login(office_reviewer).post(send)
    assert again.status_code == 409 and "已报送" in again.content.decode()


def _recommend_submitted(app, office, group):
    app = services.review_application(actor=office, application=app, name="request_opinion")
    opinion_give(actor=group, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
    return services.review_application(actor=office, application=app, name="recommend")


def test_the_committee_decides_the_list_item_by_item_on_one_page(
    batch, three_recommended, office_reviewer, committee_member, counties, login
):
    recommendations.send_list(actor=office_reviewer, batch=batch)
    page = login(committee_member).get(reverse("applications:recommendations", args=[batch.pk]))
    assert page.status_code == 200
    nanhu, xiuzhou, jiashan = three_recommended["nanhu"], three_recommended["xiuzhou"], three_recommended["jiashan"]
    for app in (nanhu, xiuzhou, jiashan):
        assert f'data-testid="approve-{app.pk}"' in page.content.decode()

    decide = reverse("applications:recommendation_decide", args=[batch.pk])
    no_meeting = login(committee_member).post(decide, _decide_post([(nanhu, "approve", "")], meeting=""))
    assert no_meeting.status_code == 400 and 'data-field-error="meeting_ref"' in no_meeting.content.decode()
    assert "checked" in no_meeting.content.decode()  # the choice made comes back

    # Xiuzhou withdraws meanwhile: its item is refused with the reason, the others are done.
    services.withdraw_application(actor=counties["xiuzhou"], application=xiuzhou)
    response = login(committee_member).post(
        decide,
        _decide_post([(nanhu, "approve", ""), (xiuzhou, "approve", ""), (jiashan, "reject", "改革基础尚不充分。")]),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="result-{nanhu.pk}" data-done="1"' in body
    assert f'data-testid="result-{jiashan.pk}" data-done="1"' in body
    assert f'data-testid="result-{xiuzhou.pk}" data-done="0"' in body and "已被其他用户处理" in body
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert (statuses[nanhu.pk], statuses[jiashan.pk], statuses[xiuzhou.pk]) == ("approved", "rejected", "withdrawn")
    assert TransitionLog.objects.filter(action__in=["application.approve", "application.reject"]).count() == 2
    rlist = RecommendationList.objects.get(batch=batch)
    assert rlist.status == RecommendationList.Status.DECIDED  # nothing left to decide
    assert TransitionLog.objects.get(action="recommendation_list.finish").role == "system"


def test_a_rejection_without_reason_is_refused_alone(
    batch, three_recommended, office_reviewer, committee_member, login
):
    recommendations.send_list(actor=office_reviewer, batch=batch)
    nanhu, jiashan = three_recommended["nanhu"], three_recommended["jiashan"]
    response = login(committee_member).post(
        reverse("applications:recommendation_decide", args=[batch.pk]),
        _decide_post([(nanhu, "approve", ""), (jiashan, "reject", "")]),
    )
    body = response.content.decode()
    assert f'data-testid="result-{jiashan.pk}" data-done="0"' in body and "请填写理由" in body
    nanhu.refresh_from_db()
    jiashan.refresh_from_db()
    assert (nanhu.status, jiashan.status) == ("approved", "not_recommended")
    assert RecommendationList.objects.get(batch=batch).status == RecommendationList.Status.SENT


def test_the_office_decides_the_list_on_the_committees_behalf(batch, three_recommended, office_reviewer, login):
    recommendations.send_list(actor=office_reviewer, batch=batch)
    nanhu = three_recommended["nanhu"]
    response = login(office_reviewer).post(
        reverse("applications:recommendation_decide", args=[batch.pk]), _decide_post([(nanhu, "approve", "")])
    )
    assert f'data-testid="result-{nanhu.pk}" data-done="1"' in response.content.decode()
    log = TransitionLog.objects.get(action="application.approve_on_behalf")
    assert log.actor == office_reviewer and log.details["meeting_ref"] == "市委改革委第3次会议"


def test_the_list_is_the_office_and_committees_only(
    batch, three_recommended, office_reviewer, committee_member, county_nanhu, sg_digital, guidance_data, login
):
    page = reverse("applications:recommendations", args=[batch.pk])
    send = reverse("applications:recommendation_send", args=[batch.pk])
    decide = reverse("applications:recommendation_decide", args=[batch.pk])
    nanhu = three_recommended["nanhu"]
    assert login(committee_member).post(send).status_code == 403
    for user in (county_nanhu, sg_digital, guidance_data):
        assert login(user).get(page).status_code == 403
        assert login(user).post(send).status_code == 403
    recommendations.send_list(actor=office_reviewer, batch=batch)
    for user in (county_nanhu, sg_digital, guidance_data):
        assert login(user).post(decide, _decide_post([(nanhu, "approve", "")])).status_code == 403
    assert login(committee_member).get(reverse("applications:recommendations", args=[999999])).status_code == 404
    nanhu.refresh_from_db()
    assert nanhu.status == Application.Status.RECOMMENDED


def test_the_list_page_costs_the_same_queries_however_many_items(
    counties, office_reviewer, sg_digital, committee_member, login
):
    """One batch's list with one item, another's with two: the decision page costs the same queries."""
    urls = []
    for name, codes in (("2026年第一批", ["nanhu"]), ("2026年第二批", ["xiuzhou", "jiashan"])):
        b = open_batch(office_reviewer, name=name)
        for code in codes:
            _recommend(_apply(counties[code], office_reviewer, b, code), counties[code], office_reviewer, sg_digital)
        _close(b, office_reviewer)
        recommendations.send_list(actor=office_reviewer, batch=b)
        urls.append(reverse("applications:recommendations", args=[b.pk]))
    client = login(committee_member)
    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).content.decode()
        counts.append((len(ctx), body.count('data-testid="approve-')))
    assert [n for _q, n in counts] == [1, 2]
    assert counts[0][0] == counts[1][0]


# --- 7d: the decided list -----------------------------------------------------------------------
def test_the_decided_list_is_published_to_every_logged_in_user_and_printable(
    batch, three_recommended, office_reviewer, committee_member, county_nanhu, sg_economy, client, login
):
    url = reverse("pilots:decided_list")
    assert client.get(url).status_code == 302  # login first
    for code, name in (("nanhu", "approve"), ("xiuzhou", "approve"), ("jiashan", "reject")):
        services.decide_application(
            actor=committee_member,
            application=three_recommended[code],
            name=name,
            meeting_ref="市委改革委第3次会议",
            comment="理由。",
        )
    assert "尚未发布确定名单" in login(county_nanhu).get(url).content.decode()  # not decided yet: nothing published
    batch_act(actor=office_reviewer, batch=batch, name="decide")
    batch_page = login(office_reviewer).get(batch.get_absolute_url()).content.decode()
    assert f"{url}?batch={batch.pk}" in batch_page
    for user in (county_nanhu, sg_economy):
        body = login(user).get(f"{url}?batch={batch.pk}").content.decode()
        assert f"{batch.name}县域集成改革试点确定名单" in body and "data-print" in body
        assert "南湖区" in body and "强村富民集成改革" in body and "营商环境集成改革" not in body
        assert body.count('data-testid="decided-row"') == 2 and "市委改革委第3次会议" in body


def test_the_decided_list_costs_the_same_queries_however_many_pilots(
    batch, three_recommended, office_reviewer, committee_member, county_nanhu, login, django_assert_num_queries
):
    services.decide_application(
        actor=committee_member, application=three_recommended["nanhu"], name="approve", meeting_ref="第3次会议"
    )
    for code in ("xiuzhou", "jiashan"):
        services.decide_application(
            actor=committee_member,
            application=three_recommended[code],
            name="reject",
            meeting_ref="第3次会议",
            comment="理由。",
        )
    batch_act(actor=office_reviewer, batch=batch, name="decide")
    client = login(county_nanhu)
    url = f"{reverse('pilots:decided_list')}?batch={batch.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _add_pilot_rows(batch, 5)
    with django_assert_num_queries(len(one)):
        body = client.get(url).content.decode()
    assert body.count('data-testid="decided-row"') == 6


def _add_pilot_rows(batch, n):
    """More decided pilots in the batch (rows only; the path to them is tested above)."""
    from accounts.models import Unit

    first = Pilot.objects.filter(batch=batch).select_related("application").first()
    app = first.application
    for i in range(n):
        county = Unit.objects.create(code=f"extra-{i}", name=f"测试县{i}", kind="county")
        extra = Application.objects.create(
            batch=batch,
            candidate=app.candidate,
            county=county,
            created_by=app.created_by,
            project_name=f"项目{i}",
            area=app.area,
        )
        Pilot.objects.create(
            title=f"项目{i}",
            county=county,
            batch=batch,
            candidate=app.candidate,
            application=extra,
            area=app.area,
            special_group=first.special_group,
            guidance_unit=first.guidance_unit,
        )


def test_the_sent_list_waits_on_the_committee_in_its_todo_until_decided(
    batch, three_recommended, office_reviewer, committee_member, county_nanhu
):
    from workflow.models import WorkItem

    rlist = recommendations.send_list(actor=office_reviewer, batch=batch)
    waiting = WorkItem.objects.open_for(committee_member).filter(object_id=rlist.pk, workflow="recommendation_list")
    assert [(i.role, i.url) for i in waiting] == [("committee", rlist.get_absolute_url())]
    assert not WorkItem.objects.open_for(county_nanhu).filter(workflow="recommendation_list").exists()
    for code in ("nanhu", "xiuzhou"):
        services.decide_application(
            actor=committee_member, application=three_recommended[code], name="approve", meeting_ref="第3次会议"
        )
    recommendations.decide_items(
        actor=committee_member,
        rlist=rlist,
        decisions=[(three_recommended["jiashan"].pk, "reject", "基础薄弱。", "not_recommended")],
        meeting_ref="第3次会议",
    )
    assert not WorkItem.objects.open_for(committee_member).filter(workflow="recommendation_list").exists()


def test_a_decision_page_post_with_nothing_usable_is_a_clear_400(
    batch, three_recommended, office_reviewer, committee_member, login
):
    recommendations.send_list(actor=office_reviewer, batch=batch)
    decide = reverse("applications:recommendation_decide", args=[batch.pk])
    nanhu = three_recommended["nanhu"]
    for data in (
        {"meeting_ref": "第3次会议"},
        {"meeting_ref": "第3次会议", "item": ["x", "-1"], "choice-x": "approve"},
        {"meeting_ref": "第3次会议", "item": [str(nanhu.pk)], f"choice-{nanhu.pk}": "delete"},
    ):
        response = login(committee_member).post(decide, data)
        assert response.status_code == 400 and "请至少对一个项目作出" in response.content.decode()
    # An id that is not on this list is ignored, not decided.
    other_batch = open_batch(office_reviewer, name="2026年第九批")
    assert (
        login(committee_member)
        .post(
            reverse("applications:recommendation_decide", args=[other_batch.pk]), _decide_post([(nanhu, "approve", "")])
        )
        .status_code
        == 404
    )  # that batch has no list
    nanhu.refresh_from_db()
    assert nanhu.status == Application.Status.RECOMMENDED


def test_a_long_list_of_names_in_a_message_is_cut_with_deng(batch, three_recommended):
    from applications.selectors import names_of

    count, names = names_of(Application.objects.filter(batch=batch).order_by("county__name", "id"), limit=2)
    assert count == 3 and names.count("·") == 2 and names.endswith("等")
