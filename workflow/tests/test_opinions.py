"""Opinions on any record (the core, shown on the test workflow's Ticket): purposes with their own verdicts,
units and named people asked, the asking unit told and able to cancel, the one answer page."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from workflow.conventions.opinions import all_answered, opinion_cancel, opinion_give, opinion_request
from workflow.conventions.purposes import register_purpose, unregister_purpose
from workflow.engine.errors import WorkflowError
from workflow.models import Notification, Opinion, TransitionLog, WorkItem
from workflow.services import save_attachments
from workflow.tests.testapp.models import make_ticket

pytestmark = pytest.mark.django_db

PLAN = "plan_test"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def plan_purpose():
    """A purpose like the plan's consultation (next issue): 同意 / 修改后同意 / 不同意, asked by the office."""
    register_purpose(
        PLAN,
        "方案征求意见",
        [("agree", "同意"), ("agree_after_changes", "修改后同意"), ("disagree", "不同意")],
        requester_roles=["reform_office"],
        given_message="意见已提交。",
    )
    yield
    unregister_purpose(PLAN)


@pytest.fixture
def ticket(county_nanhu):
    return make_ticket(county_nanhu, title="南湖测试事项")


@pytest.fixture
def experts(make_user):
    return [make_user(f"expert_{i}", "think-tank", full_name=f"专家{i}") for i in range(3)]


@pytest.fixture
def propaganda(make_user):
    return make_user("md_propaganda", "md-propaganda", full_name="宣传部联络员")


def ask(office, target, invitees, **kw):
    kw.setdefault("due", timedelta(days=7))
    return opinion_request(target=target, invitees=invitees, purpose=PLAN, actor=office, **kw)


def fresh(ticket):
    """The record as a new request reads it (the opinions are cached on the object once read)."""
    return type(ticket).objects.get(pk=ticket.pk)


def fetch(client, url):
    """GET ``url`` and return its status (a file download is read through, which closes it)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # reading it through closes the file
    return response.status_code


def page(response):
    return response.content.decode()


# --- units and people ----------------------------------------------------------------------------
def test_three_experts_of_one_think_tank_each_answer_their_own_opinion(ticket, office_reviewer, experts, units):
    opinions = ask(office_reviewer, ticket, experts)
    assert [o.user for o in opinions] == experts and all(o.unit is None for o in opinions)
    assert [o.status for o in opinions] == ["pending"] * 3
    # Each expert has one item in 我的待办, for their own opinion only.
    for expert, opinion in zip(experts, opinions, strict=True):
        assert list(WorkItem.objects.open_for(expert).values_list("object_id", flat=True)) == [opinion.pk]
    # Answering one's own opinion does not answer the colleagues'; another's is refused.
    opinion_give(actor=experts[0], opinion=opinions[0], verdict="agree", text="同意。")
    with pytest.raises(PermissionDenied):
        opinion_give(actor=experts[0], opinion=opinions[1], verdict="agree", text="替同事答复。")
    assert not all_answered(fresh(ticket), PLAN)
    opinion_give(actor=experts[1], opinion=opinions[1], verdict="agree_after_changes", text="修改后同意。")
    opinion_give(actor=experts[2], opinion=opinions[2], verdict="disagree", text="不同意。")
    assert all_answered(fresh(ticket), PLAN)
    assert not WorkItem.objects.open_for(experts[0]).exists()


def test_a_unit_is_asked_in_its_role_and_any_member_answers(ticket, office_reviewer, propaganda, make_user, units):
    colleague = make_user("md_propaganda_2", "md-propaganda")
    (opinion,) = ask(office_reviewer, ticket, [units["md-propaganda"]])
    assert opinion.unit == units["md-propaganda"] and opinion.role == "municipal_dept" and opinion.user is None
    # The timeline says whom the office asked and by when (a Chinese date).
    request_log = TransitionLog.objects.get(action="opinion.request")
    assert request_log.comment.startswith("被征求意见：市委宣传部\n答复期限：") and "年" in request_log.comment
    assert (request_log.actor, request_log.role, request_log.unit.code) == (
        office_reviewer,
        "reform_office",
        "reform-office",
    )
    assert WorkItem.objects.open_for(propaganda).filter(object_id=opinion.pk).exists()
    assert WorkItem.objects.open_for(colleague).filter(object_id=opinion.pk).exists()
    opinion_give(actor=colleague, opinion=opinion, verdict="agree", text="同意。")
    assert not WorkItem.objects.open_for(propaganda).exists()
    log = TransitionLog.objects.get(action="opinion.give")
    assert (log.actor, log.role, log.unit) == (colleague, "municipal_dept", units["md-propaganda"])


def test_the_same_unit_is_not_asked_twice_while_its_answer_is_open(ticket, office_reviewer, units):
    ask(office_reviewer, ticket, [units["md-propaganda"]])
    with pytest.raises(WorkflowError, match="不能重复征求") as err:
        ask(office_reviewer, ticket, [units["md-propaganda"]])
    assert err.value.status == 409
    assert Opinion.objects.count() == 1


def test_only_the_purposes_roles_may_ask(ticket, county_nanhu, units):
    with pytest.raises(PermissionDenied):
        ask(county_nanhu, ticket, [units["md-propaganda"]])
    assert not Opinion.objects.exists()


def test_a_request_needs_invitees_and_a_future_due_date(ticket, office_reviewer, units):
    with pytest.raises(WorkflowError, match="请选择被征求意见"):
        ask(office_reviewer, ticket, [])
    with pytest.raises(WorkflowError, match="答复期限必须晚于现在"):
        ask(office_reviewer, ticket, [units["md-propaganda"]], due=timezone.now() - timedelta(days=1))
    assert not Opinion.objects.exists()


# --- verdicts come from the purpose ----------------------------------------------------------------
def test_verdicts_are_the_purposes_own(ticket, office_reviewer, propaganda, units, login):
    (opinion,) = ask(office_reviewer, ticket, [units["md-propaganda"]])
    response = login(propaganda).get(reverse("workflow:opinion", args=[opinion.pk]))
    assert response.status_code == 200
    assert all(label in page(response) for label in ("修改后同意", "不同意"))
    assert "同意推荐" not in page(response) and "补充意见" not in page(response)
    # A verdict of another purpose (the application's 补充意见) is not one of this purpose's.
    with pytest.raises(WorkflowError, match="请选择意见") as err:
        opinion_give(actor=propaganda, opinion=opinion, verdict="supplement", text="补充。")
    assert err.value.errors == {"verdict": ["请选择意见。"]} and err.value.status == 400
    opinion = opinion_give(
        actor=propaganda, opinion=opinion, verdict="agree_after_changes", text="请补充风险评估后同意。"
    )
    assert (opinion.verdict, opinion.verdict_label) == ("agree_after_changes", "修改后同意")
    assert TransitionLog.objects.get(action="opinion.give").comment == "修改后同意。请补充风险评估后同意。"


# --- the asking unit: told of each answer, may cancel ---------------------------------------------
def test_the_asking_unit_is_told_of_each_answer(ticket, office_reviewer, make_user, experts):
    colleague = make_user("office_colleague", "reform-office")
    opinions = ask(office_reviewer, ticket, experts[:2])
    opinion_give(actor=experts[0], opinion=opinions[0], verdict="agree", text="同意。")
    told = Notification.objects.filter(log__action="opinion.give")
    assert set(told.values_list("recipient__username", flat=True)) == {"office_reviewer", "office_colleague"}
    opinion_give(actor=experts[1], opinion=opinions[1], verdict="disagree", text="不同意。")
    assert Notification.objects.filter(log__action="opinion.give", recipient=colleague).count() == 2
    # The invitees are told they were asked; the county owning the record was not asked and is not told.
    asked = Notification.objects.filter(log__action="opinion.request")
    assert {"expert_0", "expert_1"} <= set(asked.values_list("recipient__username", flat=True))
    assert not Notification.objects.filter(recipient__username="county_nanhu", log__action__startswith="opinion.")


def test_the_asking_unit_may_cancel_an_open_request_with_a_reason(ticket, office_reviewer, make_user, experts):
    colleague = make_user("office_colleague", "reform-office")
    (opinion,) = ask(office_reviewer, ticket, experts[:1])
    with pytest.raises(WorkflowError, match="请填写理由"):
        opinion_cancel(actor=colleague, opinion=opinion, comment=" ")
    opinion = opinion_cancel(actor=colleague, opinion=opinion, comment="已改为书面征求。")
    assert opinion.status == Opinion.Status.CANCELLED
    assert not WorkItem.objects.open_for(experts[0]).exists()
    assert Notification.objects.filter(recipient=office_reviewer, log__action="opinion.cancel").exists()
    assert not all_answered(fresh(ticket), PLAN)  # nothing left to wait on does not count as answered


@pytest.mark.parametrize("who", ["county_nanhu", "expert", "committee_member"])
def test_nobody_but_the_asking_unit_may_cancel(who, ticket, office_reviewer, experts, committee_member, login):
    (opinion,) = ask(office_reviewer, ticket, experts[:1])
    user = {"county_nanhu": ticket.created_by, "expert": experts[0], "committee_member": committee_member}[who]
    response = login(user).post(
        reverse("workflow:opinion_cancel", args=[opinion.pk]), {"comment": "撤销。", "expected_state": "pending"}
    )
    assert response.status_code == 403
    assert Opinion.objects.get(pk=opinion.pk).status == Opinion.Status.PENDING


def test_cancel_by_url_returns_to_the_record(ticket, office_reviewer, experts, login):
    (opinion,) = ask(office_reviewer, ticket, experts[:1])
    client = login(office_reviewer)
    response = client.post(reverse("workflow:opinion_cancel", args=[opinion.pk]), {"expected_state": "pending"})
    assert response.status_code == 400 and "请填写撤销理由" in page(response)
    response = client.post(
        reverse("workflow:opinion_cancel", args=[opinion.pk]), {"comment": "不再需要。", "expected_state": "pending"}
    )
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert Opinion.objects.get(pk=opinion.pk).status == Opinion.Status.CANCELLED


# --- the one answer page -----------------------------------------------------------------------------
def test_the_invitee_answers_on_the_page_with_an_attachment(ticket, office_reviewer, experts, login):
    (opinion,) = ask(office_reviewer, ticket, experts[:1])
    client = login(experts[0])
    response = client.get(reverse("workflow:opinion", args=[opinion.pk]))
    assert response.status_code == 200 and 'data-testid="opinion-form"' in page(response)
    response = client.post(
        reverse("workflow:opinion", args=[opinion.pk]),
        {
            "verdict": "agree",
            "text": "同意。",
            "expected_state": "pending",
            "attachments": SimpleUploadedFile("书面意见.pdf", PDF),
        },
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert (opinion.status, opinion.given_by) == ("given", experts[0])
    log = TransitionLog.objects.get(action="opinion.give")
    assert [a.original_name for a in log.attachments.all()] == ["书面意见.pdf"]
    # The asking office downloads it; the expert who wrote it too.
    att = log.attachments.get()
    assert fetch(login(office_reviewer), reverse("workflow:attachment", args=[att.pk])) == 200
    assert fetch(login(experts[0]), reverse("workflow:attachment", args=[att.pk])) == 200


def test_missing_answers_are_shown_next_to_the_fields_with_400(ticket, office_reviewer, experts, login):
    (opinion,) = ask(office_reviewer, ticket, experts[:1])
    response = login(experts[0]).post(
        reverse("workflow:opinion", args=[opinion.pk]), {"verdict": "", "text": "", "expected_state": "pending"}
    )
    assert response.status_code == 400
    assert 'data-field-error="verdict"' in page(response) and "请选择意见。" in page(response)
    assert 'data-field-error="text"' in page(response) and "请填写意见说明。" in page(response)
    response = login(experts[0]).post(
        reverse("workflow:opinion", args=[opinion.pk]),
        {"verdict": "supplement", "text": "x", "expected_state": "pending"},
    )
    assert response.status_code == 400 and 'data-field-error="verdict"' in page(response)
    assert Opinion.objects.get(pk=opinion.pk).status == Opinion.Status.PENDING


def test_a_user_who_sees_the_record_but_was_not_asked_gets_403(ticket, office_reviewer, experts, login):
    (opinion,) = ask(office_reviewer, ticket, experts[:1])
    data = {"verdict": "agree", "text": "同意。", "expected_state": "pending"}
    # The owning county reads the record and the request, but may not answer it; nor may the asking office.
    for user in (ticket.created_by, office_reviewer, experts[1]):
        response = login(user).post(reverse("workflow:opinion", args=[opinion.pk]), data)
        assert response.status_code == (404 if user == experts[1] else 403)
    assert Opinion.objects.get(pk=opinion.pk).status == Opinion.Status.PENDING


def test_another_county_cannot_even_see_the_request(ticket, office_reviewer, experts, county_xiuzhou, login):
    (opinion,) = ask(office_reviewer, ticket, experts[:1])
    client = login(county_xiuzhou)
    assert client.get(reverse("workflow:opinion", args=[opinion.pk])).status_code == 404
    response = client.post(
        reverse("workflow:opinion", args=[opinion.pk]), {"verdict": "agree", "text": "x", "expected_state": "pending"}
    )
    assert response.status_code == 404


def test_two_members_answering_at_once_one_wins_the_other_gets_409(ticket, office_reviewer, make_user, units, login):
    first, second = make_user("md_a", "md-propaganda"), make_user("md_b", "md-propaganda")
    (opinion,) = ask(office_reviewer, ticket, [units["md-propaganda"]])
    # Both opened the page while the request was open; the first posts, then the second.
    assert (
        login(first)
        .post(
            reverse("workflow:opinion", args=[opinion.pk]),
            {"verdict": "agree", "text": "同意。", "expected_state": "pending"},
        )
        .status_code
        == 302
    )
    logs = TransitionLog.objects.count()
    response = login(second).post(
        reverse("workflow:opinion", args=[opinion.pk]),
        {"verdict": "disagree", "text": "不同意。", "expected_state": "pending"},
    )
    assert response.status_code == 409 and "已被其他用户处理" in page(response)
    opinion.refresh_from_db()
    assert (opinion.verdict, opinion.given_by) == ("agree", first)
    assert TransitionLog.objects.count() == logs


# --- reading the record while invited -------------------------------------------------------------------
def test_an_invitee_reads_the_record_and_its_attachments_only_while_invited(
    ticket, county_nanhu, office_reviewer, experts, propaganda, units, county_xiuzhou, login
):
    from workflow.tests.testapp.models import Ticket

    att = save_attachments(ticket, [SimpleUploadedFile("材料.pdf", PDF)], actor=county_nanhu)[0]
    download = reverse("workflow:attachment", args=[att.pk])

    def reads(user):
        return Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists()

    assert not reads(propaganda) and fetch(login(propaganda), download) == 404
    (asked_unit,) = ask(office_reviewer, ticket, [units["md-propaganda"]])
    (asked_expert,) = ask(office_reviewer, ticket, experts[:1])
    assert reads(propaganda) and fetch(login(propaganda), download) == 200
    assert reads(experts[0]) and fetch(login(experts[0]), download) == 200
    # Another county and the expert's colleagues (not asked by name) still get 404.
    assert not reads(county_xiuzhou) and fetch(login(county_xiuzhou), download) == 404
    assert not reads(experts[1]) and fetch(login(experts[1]), download) == 404
    # An answer keeps the access (the record its answer belongs to); a cancellation ends it.
    opinion_give(actor=propaganda, opinion=asked_unit, verdict="agree", text="同意。")
    opinion_cancel(actor=office_reviewer, opinion=asked_expert, comment="不再征求。")
    assert reads(propaganda) and fetch(login(propaganda), download) == 200
    assert not reads(experts[0]) and fetch(login(experts[0]), download) == 404


def test_a_named_expert_sees_the_answer_deadline_in_the_calendar(ticket, office_reviewer, experts):
    from workflow.ui.calendar import events_for

    (opinion,) = ask(office_reviewer, ticket, experts[:1])
    mine = [e for e in events_for(experts[0]) if e.kind == "opinion"]
    assert [(e.key, e.start) for e in mine] == [(opinion.pk, opinion.due_at)]
    assert not [e for e in events_for(experts[1]) if e.kind == "opinion"]  # a colleague was not asked
    opinion_give(actor=experts[0], opinion=opinion, verdict="agree", text="同意。")
    assert not [e for e in events_for(experts[0]) if e.kind == "opinion"]


def test_a_purpose_adds_its_own_fields_to_the_one_answer_form(ticket, office_reviewer, experts, login):
    """A plan's consultation asks a remark per task: the purpose adds the fields and stores them with the answer."""
    from django import forms

    stored = []

    def extend_form(form, opinion):
        form.fields["remark-t1"] = forms.CharField(label="任务1：数据授权运营", required=False)

    def on_given(opinion, extra, log):
        stored.append((opinion.pk, opinion.status, extra, log.action))

    register_purpose(
        "remarks_test",
        "逐项意见测试",
        [("agree", "同意")],
        requester_roles=["reform_office"],
        extend_form=extend_form,
        on_given=on_given,
    )
    try:
        (opinion,) = opinion_request(target=ticket, invitees=experts[:1], purpose="remarks_test", actor=office_reviewer)
        client = login(experts[0])
        html = page(client.get(reverse("workflow:opinion", args=[opinion.pk])))
        assert "任务1：数据授权运营" in html and 'name="remark-t1"' in html and 'class="form-control"' in html
        response = client.post(
            reverse("workflow:opinion", args=[opinion.pk]),
            {"verdict": "agree", "text": "同意。", "remark-t1": "建议明确授权边界。", "expected_state": "pending"},
        )
        assert response.status_code == 302
        assert stored == [(opinion.pk, "given", {"remark-t1": "建议明确授权边界。"}, "opinion.give")]
    finally:
        unregister_purpose("remarks_test")


def test_what_a_request_accepts_and_refuses(ticket, office_reviewer, experts, units):
    from workflow.conventions.opinions import cancel_open, get_purpose

    with pytest.raises(WorkflowError, match="没有这种征求意见事项") as err:
        opinion_request(target=ticket, invitees=experts, purpose="nope", actor=office_reviewer)
    assert err.value.status == 400
    with pytest.raises(PermissionDenied):  # a role the purpose does not ask in
        ask(office_reviewer, ticket, experts, role="committee")
    experts[2].is_active = False
    experts[2].save()
    with pytest.raises(WorkflowError, match="已停用"):
        ask(office_reviewer, ticket, [experts[2]])
    # A unit asked in a role given explicitly; a date as the due day (end of that day); a note for the log.
    later = timezone.localdate() + timedelta(days=10)
    (opinion,) = ask(
        office_reviewer, ticket, [(units["gu-data"], "guidance_unit")], due=later, comment="请重点看风险。"
    )
    assert (opinion.role, timezone.localtime(opinion.due_at).date()) == ("guidance_unit", later)
    assert TransitionLog.objects.get(action="opinion.request").comment.endswith("请重点看风险。")
    assert get_purpose(PLAN).verdict_label("agree_after_changes") == "修改后同意"
    # Withdrawing every open request of one purpose leaves the others.
    ask(office_reviewer, ticket, experts[:1])
    cancelled = cancel_open(target=ticket, actor=office_reviewer, comment="事项已撤回。", purpose=PLAN)
    assert len(cancelled) == 2 and not Opinion.objects.filter(status="pending").exists()
