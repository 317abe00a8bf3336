"""The one door for state changes (``workflow.services.perform``), tried on the test-only Ticket workflow."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from workflow.engine.errors import WorkflowError
from workflow.models import SYSTEM_ROLE, Notification, TransitionLog, Version
from workflow.services import available_actions, perform
from workflow.tests.testapp.models import Ticket, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(county_nanhu):
    return make_ticket(county_nanhu, "nanhu")


@pytest.fixture
def submitted(ticket, county_nanhu, office_reviewer):
    return perform(ticket, "submit", actor=county_nanhu)


def test_a_transition_moves_the_state_and_logs_who_in_which_role_and_unit(ticket, county_nanhu, units):
    ticket = perform(ticket, "submit", actor=county_nanhu, comment=" 请审核 ")
    assert ticket.status == Ticket.Status.SUBMITTED and ticket.submitted_at is not None
    assert Ticket.objects.get().status == "submitted"
    log = TransitionLog.objects.get(action="ticket.submit")
    assert (log.actor, log.role, log.unit, log.from_state, log.to_state, log.comment) == (
        county_nanhu,
        "county",
        units["nanhu"],
        "draft",
        "submitted",
        "请审核",
    )
    assert log.target == ticket and log.sentence.endswith("提交事项")


def test_another_countys_staff_and_the_wrong_role_get_403_and_nothing_changes(
    ticket, county_xiuzhou, office_reviewer, committee_member
):
    for outsider in (county_xiuzhou, office_reviewer, committee_member):
        with pytest.raises(PermissionDenied, match="提交事项"):
            perform(ticket, "submit", actor=outsider)
    ticket.refresh_from_db()
    assert ticket.status == "draft"
    assert not TransitionLog.objects.exists() and not Notification.objects.exists()


def test_the_county_cannot_take_the_offices_step(submitted, county_nanhu):
    with pytest.raises(PermissionDenied):
        perform(submitted, "accept", actor=county_nanhu)


def test_a_stale_page_gets_a_409_naming_the_current_state(submitted, office_reviewer, make_user):
    other_reviewer = make_user("office_second", "reform-office")
    perform(submitted, "accept", actor=other_reviewer, expected_state="submitted")
    with pytest.raises(WorkflowError, match="已被其他用户处理，当前状态为“已受理”") as err:
        perform(submitted, "return_to_county", actor=office_reviewer, comment="晚了", expected_state="submitted")
    assert err.value.status == 409
    assert list(TransitionLog.objects.values_list("action", flat=True)) == ["ticket.submit", "ticket.accept"]


def test_a_step_the_state_does_not_allow_is_refused_with_the_state(ticket, office_reviewer):
    with pytest.raises(WorkflowError, match="当前状态“草稿”下不能执行“受理事项”") as err:
        perform(ticket, "accept", actor=office_reviewer)
    assert err.value.status == 409


def test_a_return_needs_a_reason_tied_to_the_comment_field(submitted, office_reviewer):
    with pytest.raises(WorkflowError, match="请填写理由") as err:
        perform(submitted, "return_to_county", actor=office_reviewer, comment="   ")
    assert (err.value.status, err.value.field) == (400, "comment")
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not TransitionLog.objects.filter(action="ticket.return_to_county").exists()
    perform(submitted, "return_to_county", actor=office_reviewer, comment="请补充依据")
    assert TransitionLog.objects.get(action="ticket.return_to_county").comment == "请补充依据"


def test_an_unmet_condition_shows_its_chinese_message(county_nanhu):
    ticket = make_ticket(county_nanhu, body=" ")
    with pytest.raises(WorkflowError, match="事项内容不能为空。"):
        perform(ticket, "submit", actor=county_nanhu)
    assert available_actions(ticket, county_nanhu) == []


def test_an_unknown_step_is_a_400(ticket, county_nanhu):
    with pytest.raises(WorkflowError) as err:
        perform(ticket, "approve_everything", actor=county_nanhu)
    assert err.value.status == 400


def test_each_frozen_submission_is_a_numbered_version_linked_from_its_log(ticket, county_nanhu, office_reviewer):
    ticket = perform(ticket, "submit", actor=county_nanhu, freeze=True)
    ticket = perform(ticket, "return_to_county", actor=office_reviewer, comment="请修改标题")
    Ticket.objects.filter(pk=ticket.pk).update(title="修改后的标题")
    perform(ticket, "submit", actor=county_nanhu, freeze=True)
    versions = list(Version.objects.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert [v.data["fields"]["title"] for v in versions] == ["测试事项", "修改后的标题"]
    logs = TransitionLog.objects.filter(action="ticket.submit").order_by("id")
    assert [log.version for log in logs] == versions
    assert TransitionLog.objects.get(action="ticket.return_to_county").version is None


def test_next_actors_and_watchers_are_told_but_not_the_actor(ticket, county_nanhu, office_reviewer, committee_member):
    perform(ticket, "submit", actor=county_nanhu)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["office_reviewer"]
    perform(Ticket.objects.get(), "return_to_county", actor=office_reviewer, comment="请补充")
    told = Notification.objects.filter(log__action="ticket.return_to_county")
    assert list(told.values_list("recipient__username", flat=True)) == ["county_nanhu"]


def test_a_failure_after_the_log_undoes_the_state_the_log_and_the_notifications(ticket, county_nanhu, office_reviewer):
    def explode(obj, log):
        raise WorkflowError("规则不满足")

    with pytest.raises(WorkflowError):
        perform(ticket, "submit", actor=county_nanhu, after=explode)
    ticket.refresh_from_db()
    assert ticket.status == "draft" and ticket.submitted_at is None
    assert not TransitionLog.objects.exists() and not Notification.objects.exists()


def test_a_system_step_is_logged_without_an_actor(ticket, county_nanhu):
    perform(ticket, "submit", actor=None, system=True, params={"at": timezone.now()})
    log = TransitionLog.objects.get()
    assert (log.actor, log.role, log.unit) == (None, SYSTEM_ROLE, None)
    assert str(log.role_label) == "系统"


def test_the_state_is_written_only_by_a_transition(ticket):
    with pytest.raises(PermissionError):
        Ticket.objects.filter(pk=ticket.pk).update(status="accepted")
    with pytest.raises(AttributeError):
        ticket.status = "accepted"
    ticket.refresh_from_db()
    assert ticket.status == "draft"
