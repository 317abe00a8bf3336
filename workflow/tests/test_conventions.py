"""The approval conventions of the core (撤回, 批量审批, 催办, 传阅, 常用意见, 审批单) on the Ticket test workflow."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from workflow.conventions import approval as conventions
from workflow.conventions.models import Copy, Opening, SavedPhrase, Urging
from workflow.models import Notification, TransitionLog, WorkItem
from workflow.services import perform
from workflow.tests.testapp.models import Ticket, make_ticket

S = Ticket.Status
pytestmark = pytest.mark.django_db


def url(name, ticket):
    return reverse(f"workflow:{name}", args=["ticket", ticket.pk])


@pytest.fixture
def submitted(county_nanhu):
    return perform(make_ticket(county_nanhu), "submit", actor=county_nanhu)


def office_items(ticket):
    return WorkItem.objects.for_object(ticket).open().filter(role="reform_office")


def test_each_convention_is_one_line_of_the_workflow_definition():
    assert set(Ticket.conventions) == {"recall", "return_to_step", "batch", "urge", "copy", "phrases", "sheet"}
    assert "recall" in {t.name for t in Ticket._meta.get_field("status").get_all_transitions(Ticket)}


# --- 撤回 --------------------------------------------------------------------------------------------------
def test_sender_recalls_before_the_office_opens_it(client, submitted, county_nanhu, office_reviewer):
    assert office_items(submitted).exists()
    client.force_login(county_nanhu)

    response = client.post(url("recall", submitted))

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.DRAFT
    assert not office_items(submitted).exists()  # the office's 待办 item is gone
    log = TransitionLog.objects.filter(action="ticket.recall").get()
    assert (log.actor, log.from_state, log.to_state) == (county_nanhu, S.SUBMITTED, S.DRAFT)
    assert Notification.objects.filter(recipient=office_reviewer, log=log).exists()  # and the office is told


def test_recall_is_refused_once_the_next_actor_opened_the_record(client, submitted, county_nanhu, office_reviewer):
    conventions.note_opening(submitted, office_reviewer)
    client.force_login(county_nanhu)

    response = client.post(url("recall", submitted))

    assert response.status_code == 409
    assert "下一步办理人已查看或办理，不能撤回" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED and office_items(submitted).exists()


def test_opening_the_record_page_as_the_next_actor_ends_the_recall(client, submitted, county_nanhu, office_reviewer):
    sender = render_panel(submitted, county_nanhu)
    assert 'data-testid="recall"' in sender and 'data-testid="opening"' not in sender  # the sender's look: nothing
    page = render_panel(submitted, office_reviewer)
    assert 'data-testid="opening"' in page  # the office's page announces its opening, but rendering wrote nothing
    assert not Opening.objects.exists()
    assert 'data-testid="recall"' in render_panel(submitted, county_nanhu)
    client.force_login(office_reviewer)
    assert client.post(url("opened", submitted)).status_code == 204  # the page's POST on load
    assert client.post(url("opened", submitted)).status_code == 204  # again: still one row
    assert Opening.objects.filter(user=office_reviewer).count() == 1
    assert 'data-testid="recall"' not in render_panel(submitted, county_nanhu)
    assert 'data-testid="opening"' not in render_panel(submitted, office_reviewer)  # said once


def test_an_opening_by_url_needs_a_post_and_a_record_the_user_may_see(client, submitted, county_xiuzhou):
    client.force_login(county_xiuzhou)
    assert client.post(url("opened", submitted)).status_code == 404
    assert client.get(url("opened", submitted)).status_code == 405
    assert not Opening.objects.exists()


def test_recall_is_refused_after_the_next_actor_acted(client, submitted, county_nanhu, office_reviewer):
    perform(submitted, "return_to_county", actor=office_reviewer, comment="请补充")
    client.force_login(county_nanhu)
    assert client.post(url("recall", submitted)).status_code == 409


def test_recall_by_url_other_county_404_other_role_403(client, submitted, county_xiuzhou, office_reviewer):
    client.force_login(county_xiuzhou)
    assert client.post(url("recall", submitted)).status_code == 404
    client.force_login(office_reviewer)
    assert client.post(url("recall", submitted)).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


# --- 批量审批 ----------------------------------------------------------------------------------------------
def test_batch_runs_each_record_on_its_own_and_lists_refusals(client, county_nanhu, county_xiuzhou, office_reviewer):
    a = perform(make_ticket(county_nanhu, title="甲"), "submit", actor=county_nanhu)
    b = perform(make_ticket(county_xiuzhou, "xiuzhou", title="乙"), "submit", actor=county_xiuzhou)
    changed = perform(make_ticket(county_nanhu, title="丙"), "submit", actor=county_nanhu)
    perform(changed, "accept", actor=office_reviewer)  # changed meanwhile by a colleague
    client.force_login(office_reviewer)

    response = client.post(
        reverse("workflow:batch", args=["ticket"]),
        {"ids": [a.pk, b.pk, changed.pk, 999999], "name": "accept", "comment": "同意。"},
    )

    assert response.status_code == 200
    rows = {pk: (ok, message) for pk, _t, ok, message in response.context["results"]}
    assert rows[a.pk][0] and rows[b.pk][0]
    assert rows[changed.pk] == (False, "当前状态“已受理”下不能执行“受理事项”。")
    assert rows[999999] == (False, "记录不存在或无权查看。")
    assert "已办理2条，未办理2条。" in response.content.decode()
    assert TransitionLog.objects.filter(action="ticket.accept", comment="同意。").count() == 2


def test_batch_return_without_reason_refuses_each_and_changes_nothing(client, submitted, office_reviewer):
    client.force_login(office_reviewer)
    response = client.post(
        reverse("workflow:batch", args=["ticket"]), {"ids": [submitted.pk], "name": "return_to_county"}
    )
    assert response.context["results"][0][2] is False
    assert "请填写理由" in response.context["results"][0][3]
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_batch_by_url_wrong_role_403_unknown_workflow_404(client, submitted, county_nanhu, office_reviewer):
    client.force_login(county_nanhu)
    response = client.post(reverse("workflow:batch", args=["ticket"]), {"ids": [submitted.pk], "name": "accept"})
    assert response.status_code == 403
    client.force_login(office_reviewer)
    response = client.post(reverse("workflow:batch", args=["nothing"]), {"ids": [submitted.pk], "name": "accept"})
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


# --- 催办 --------------------------------------------------------------------------------------------------
@pytest.fixture
def returned(submitted, office_reviewer):
    return perform(submitted, "return_to_county", actor=office_reviewer, comment="请补充材料")


def test_office_urges_the_unit_a_record_waits_on_once_a_day(client, returned, county_nanhu, office_reviewer):
    client.force_login(office_reviewer)

    assert client.post(url("urge", returned)).status_code == 302

    urging = Urging.objects.get()
    assert urging.unit.code == "nanhu" and urging.urged_by == office_reviewer
    notice = Notification.objects.get(recipient=county_nanhu, log=urging.log)
    assert notice.email_status == Notification.EmailStatus.PENDING  # the e-mail goes out with it
    client.force_login(county_nanhu)
    assert "urge-mark" in client.get(reverse("workflow:notifications")).content.decode()
    client.force_login(office_reviewer)
    second = client.post(url("urge", returned))
    assert second.status_code == 409 and "每天最多催办一次" in second.content.decode()
    assert Urging.objects.count() == 1


def test_urge_by_url_county_403_other_county_404(client, returned, county_nanhu, county_xiuzhou):
    client.force_login(county_nanhu)
    assert client.post(url("urge", returned)).status_code == 403
    client.force_login(county_xiuzhou)
    assert client.post(url("urge", returned)).status_code == 404
    assert not Urging.objects.exists()


def test_record_panel_shows_the_urgings(returned, office_reviewer, county_nanhu):
    conventions.urge(returned, actor=office_reviewer)
    html = render_panel(returned, county_nanhu)
    assert 'data-testid="urgings"' in html and "王改革" in html and "南湖区" in html


def render_panel(obj, user):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load conventions %}{% record_conventions obj %}").render(
        Context({"obj": obj, "request": request, "user": user})
    )


# --- 抄送/传阅 ---------------------------------------------------------------------------------------------
def test_copy_to_a_unit_gives_read_access_and_a_copies_entry(client, submitted, county_nanhu, county_xiuzhou, units):
    assert not Ticket.objects.visible_to(county_xiuzhou).filter(pk=submitted.pk).exists()
    client.force_login(county_nanhu)

    response = client.post(url("copy", submitted), {"units": [units["xiuzhou"].pk], "comment": "请参阅"})

    assert response.status_code == 302
    assert Ticket.objects.visible_to(county_xiuzhou).filter(pk=submitted.pk).exists()
    client.force_login(county_xiuzhou)
    page = client.get(reverse("workflow:copies"))
    assert 'data-read="0"' in page.content.decode() and str(submitted) in page.content.decode()
    copy = Copy.objects.get()
    assert client.post(reverse("workflow:copy_open", args=[copy.pk])).status_code == 302
    assert 'data-read="1"' in client.get(reverse("workflow:copies")).content.decode()


def test_copy_without_recipients_is_a_400_next_to_the_field(client, submitted, county_nanhu):
    client.force_login(county_nanhu)
    response = client.post(url("copy", submitted), {"comment": "x"})
    assert response.status_code == 400 and "请选择抄送的单位或人员" in response.content.decode()
    assert not Copy.objects.exists()


def test_copy_by_url_other_county_404_role_without_a_step_403(
    client, submitted, county_xiuzhou, committee_member, units
):
    client.force_login(county_xiuzhou)
    assert client.post(url("copy", submitted), {"units": [units["xiuzhou"].pk]}).status_code == 404
    client.force_login(committee_member)  # sees every ticket, takes no step in it
    assert client.post(url("copy", submitted), {"units": [units["xiuzhou"].pk]}).status_code == 403
    other = Copy.objects.none()
    assert not other.exists()


def test_copies_of_others_cannot_be_opened(client, submitted, county_nanhu, county_xiuzhou, units):
    conventions.copy_to(submitted, actor=county_nanhu, units=[units["nanhu"]])
    client.force_login(county_xiuzhou)
    assert client.post(reverse("workflow:copy_open", args=[Copy.objects.get().pk])).status_code == 404


# --- 常用意见 ----------------------------------------------------------------------------------------------
def test_comment_box_offers_own_phrases_then_the_action_defaults(submitted, office_reviewer):
    SavedPhrase.objects.create(user=office_reviewer, text="已阅，按程序办理。")
    from workflow.services import available_actions

    actions = available_actions(submitted, office_reviewer)
    html = Template("{% load conventions %}{% comment_phrases actions %}").render(
        Context({"actions": actions, "user": office_reviewer})
    )
    assert html.index("已阅，按程序办理。") < html.index("同意。") < html.index("请按审核意见修改后重新提交。")


def test_phrases_are_managed_on_the_preferences_page(client, office_reviewer, county_nanhu):
    client.force_login(office_reviewer)
    assert client.post(reverse("workflow:phrase_add"), {"text": "材料齐全，同意受理。"}).status_code == 302
    assert "材料齐全，同意受理。" in client.get(reverse("preferences")).content.decode()
    assert client.post(reverse("workflow:phrase_add"), {"text": " "}).status_code == 400
    phrase = SavedPhrase.objects.get()
    client.force_login(county_nanhu)
    assert client.post(reverse("workflow:phrase_delete", args=[phrase.pk])).status_code == 404
    client.force_login(office_reviewer)
    assert client.post(reverse("workflow:phrase_delete", args=[phrase.pk])).status_code == 302
    assert not SavedPhrase.objects.exists()


# --- 审批单 ------------------------------------------------------------------------------------------------
def test_approval_sheet_lists_each_step_with_opinion_signer_unit_and_date(client, returned, county_nanhu):
    client.force_login(county_nanhu)
    response = client.get(url("sheet", returned))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [log.action for log in rows] == ["ticket.submit", "ticket.return_to_county"]
    html = response.content.decode()
    assert html.count('data-testid="sheet-row"') == 2
    assert (
        "请补充材料" in html
        and "王改革" in html
        and "中共嘉兴市委全面深化改革委员会办公室" in html
        and "退回事项" in html
    )


def test_approval_sheet_by_url_other_county_404(client, returned, county_xiuzhou):
    client.force_login(county_xiuzhou)
    assert client.get(url("sheet", returned)).status_code == 404
    assert client.get(reverse("workflow:sheet", args=["nothing", returned.pk])).status_code == 404
