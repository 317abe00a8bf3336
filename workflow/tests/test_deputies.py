"""代理 (acting while away) on the Ticket test workflow: an office reviewer (李四) names a colleague (张三) of the same
unit and role for a date range; in it 张三 sees 李四's 待办 (a ticket assigned to 李四 by name) and acts, logged as
"张三（代李四）"; with 李四's rights only, and outside the range not at all."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workflow.engine.errors import WorkflowError
from workflow.inbox import deputies
from workflow.inbox.models import Deputyship
from workflow.inbox.todo import header_counts
from workflow.inbox.workitems import assign
from workflow.models import Notification, TransitionLog, WorkItem
from workflow.services import available_actions, perform
from workflow.tests.testapp.models import Ticket, make_ticket

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def absent(make_user):
    return make_user("office_absent", "reform-office", full_name="李四")


@pytest.fixture
def deputy(make_user):
    return make_user("office_deputy", "reform-office", full_name="张三")


@pytest.fixture
def office(units):
    return units["reform-office"]


def appoint(absent, deputy, start=0, end=3):
    return deputies.appoint(
        user=absent,
        deputy=deputy,
        unit_id=absent.memberships.get().unit_id,
        role="reform_office",
        starts_on=TODAY() + timedelta(days=start),
        ends_on=TODAY() + timedelta(days=end),
    )


def ticket_for(reviewer, county_user, title="测试事项"):
    """A submitted ticket the office has to take, assigned by name to ``reviewer`` (承办人)."""
    ticket = make_ticket(county_user, title=title)
    assign(ticket, role="reform_office", user=reviewer, purpose="承办人")
    return perform(ticket, "submit", actor=county_user)


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # no cached memberships, deputyships or badges


# --- naming a deputy ---------------------------------------------------------------------------------------
def test_a_deputy_must_be_a_colleague_of_the_same_unit_and_role_for_a_sane_range(
    absent, deputy, county_nanhu, make_user
):
    later, earlier = TODAY() + timedelta(days=3), TODAY() - timedelta(days=1)
    cases = [
        ({"deputy": county_nanhu}, "代理人必须是同一单位、同一角色的同事。"),
        ({"deputy": absent}, "不能指定本人为代理人。"),
        ({"starts_on": later, "ends_on": TODAY()}, "结束日期不能早于开始日期。"),
        ({"starts_on": earlier - timedelta(days=3), "ends_on": earlier}, "结束日期不能早于今天。"),
        ({"role": "county"}, "请选择您本人所在的单位和角色。"),
    ]
    unit_id = absent.memberships.get().unit_id
    for change, message in cases:
        args = {"user": absent, "deputy": deputy, "unit_id": unit_id, "role": "reform_office"}
        args.update({"starts_on": TODAY(), "ends_on": TODAY() + timedelta(days=2), **change})
        with pytest.raises(WorkflowError) as err:
            deputies.appoint(**args)
        assert err.value.message == message and err.value.status == 400
    assert not Deputyship.objects.exists()
    assert appoint(absent, deputy).deputy == deputy


def test_the_preferences_page_names_shows_and_cancels_a_deputy(client, absent, deputy, county_nanhu):
    client.force_login(absent)
    membership = absent.memberships.get()
    data = {
        "membership": f"{membership.unit_id}:reform_office",
        "deputy": deputy.pk,
        "starts_on": TODAY().isoformat(),
        "ends_on": (TODAY() - timedelta(days=1)).isoformat(),
    }
    refused = client.post(reverse("workflow:deputy_add"), data)
    assert refused.status_code == 400 and "结束日期不能早于开始日期" in refused.content.decode()
    stranger = client.post(reverse("workflow:deputy_add"), {**data, "deputy": county_nanhu.pk})
    assert stranger.status_code == 400 and "代理人必须是同一单位、同一角色的同事" in stranger.content.decode()
    assert not Deputyship.objects.exists()

    ok = client.post(reverse("workflow:deputy_add"), {**data, "ends_on": (TODAY() + timedelta(days=7)).isoformat()})

    assert ok.status_code == 302
    page = client.get(reverse("preferences")).content.decode()
    assert 'data-testid="deputy"' in page and "张三" in page
    client.force_login(deputy)
    assert 'data-testid="deputising"' in client.get(reverse("preferences")).content.decode()
    row = Deputyship.objects.get()
    assert client.post(reverse("workflow:deputy_cancel", args=[row.pk])).status_code == 404  # not the deputy's
    client.force_login(absent)
    assert client.post(reverse("workflow:deputy_cancel", args=[row.pk])).status_code == 302
    assert not Deputyship.objects.active().exists()


# --- seeing and acting -------------------------------------------------------------------------------------
def test_in_the_range_the_deputy_sees_the_absent_users_items_and_acts_for_them(
    client, absent, deputy, county_nanhu, office
):
    ticket = ticket_for(absent, county_nanhu)
    assert not Notification.objects.filter(recipient=deputy).exists()
    assert not WorkItem.objects.open_for(fresh(deputy)).exists()
    with pytest.raises(PermissionDenied):  # a ticket named to 李四 is not 张三's own to take
        perform(ticket, "accept", actor=fresh(deputy))
    appoint(absent, deputy)

    assert list(WorkItem.objects.open_for(fresh(deputy)).values_list("object_id", flat=True)) == [ticket.pk]
    assert header_counts(fresh(deputy))[0] == 1
    told = ticket_for(absent, county_nanhu, "外出期间到达")
    assert Notification.objects.filter(recipient=deputy, log__object_id=told.pk).exists()  # told like 李四
    assert header_counts(fresh(deputy))[0] == 2
    assert {"accept", "return_to_county"} <= {t.name for t in available_actions(ticket, fresh(deputy))}
    client.force_login(deputy)
    assert 'data-testid="deputy-mark">代李四<' in client.get(reverse("inbox")).content.decode()

    ticket = perform(ticket, "accept", actor=fresh(deputy), comment="同意。")

    assert ticket.status == Ticket.Status.ACCEPTED
    log = TransitionLog.objects.get(action="ticket.accept")
    assert (log.actor, log.on_behalf_of, log.unit) == (deputy, absent, office)
    assert log.sentence.startswith("张三（代李四）")
    client.force_login(county_nanhu)
    sheet = client.get(reverse("workflow:sheet", args=["ticket", ticket.pk])).content.decode()
    assert "张三（代李四）" in sheet


def test_the_deputy_acts_in_their_own_right_where_the_item_is_theirs(absent, deputy, county_nanhu):
    appoint(absent, deputy)
    ticket = perform(make_ticket(county_nanhu), "submit", actor=county_nanhu)  # the office's, as a unit
    perform(ticket, "accept", actor=fresh(deputy))
    assert TransitionLog.objects.get(action="ticket.accept").on_behalf_of is None


def test_the_deputy_cannot_act_where_the_absent_user_could_not(absent, deputy, county_nanhu, make_user):
    colleague = make_user("office_other", "reform-office", full_name="王五")
    theirs = ticket_for(colleague, county_nanhu, "王五承办")
    appoint(absent, deputy)
    assert not WorkItem.objects.open_for(fresh(deputy)).filter(object_id=theirs.pk).exists()
    with pytest.raises(PermissionDenied):
        perform(theirs, "accept", actor=fresh(deputy))
    # 李四's rights are the ones checked: once 李四 may no longer review, neither may 张三 for 李四.
    mine = ticket_for(absent, county_nanhu, "李四承办")
    absent.memberships.update(role="county", unit=county_nanhu.memberships.get().unit)
    with pytest.raises(PermissionDenied):
        perform(mine, "accept", actor=fresh(deputy))
    assert Ticket.objects.filter(status=Ticket.Status.ACCEPTED).count() == 0


@pytest.mark.parametrize(("start", "end"), [(1, 5), (-5, -1)])
def test_outside_the_range_nothing(start, end, absent, deputy, county_nanhu):
    ticket = ticket_for(absent, county_nanhu)
    Deputyship.objects.create(
        user=absent,
        deputy=deputy,
        unit=absent.memberships.get().unit,
        role="reform_office",
        starts_on=TODAY() + timedelta(days=start),
        ends_on=TODAY() + timedelta(days=end),
    )
    assert not WorkItem.objects.open_for(fresh(deputy)).exists()
    assert header_counts(fresh(deputy))[0] == 0
    ticket_for(absent, county_nanhu, "范围外到达")
    assert not Notification.objects.filter(recipient=deputy).exists()
    assert "accept" not in {t.name for t in available_actions(ticket, fresh(deputy))}
    with pytest.raises(PermissionDenied):
        perform(ticket, "accept", actor=fresh(deputy))


def test_a_cancelled_deputyship_ends_at_once(absent, deputy, county_nanhu):
    ticket_for(absent, county_nanhu)
    row = appoint(absent, deputy)
    assert WorkItem.objects.open_for(fresh(deputy)).exists()
    deputies.cancel(user=absent, pk=row.pk)
    assert not WorkItem.objects.open_for(fresh(deputy)).exists()


# --- queries -----------------------------------------------------------------------------------------------
def _page_queries(client, path):
    client.get(path)  # warm the session and caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("path", ["/", "/inbox/"])
def test_the_header_and_the_inbox_cost_the_same_queries_however_many_colleagues_are_deputised(
    path, client, deputy, county_nanhu, make_user
):
    def away(i):
        user = make_user(f"office_away{i}", "reform-office", full_name=f"外出{i}")
        appoint(user, deputy)
        ticket_for(user, county_nanhu, f"事项{i}")

    client.force_login(deputy)
    away(0)
    before = _page_queries(client, path)
    for i in range(1, 4):
        away(i)

    after = _page_queries(client, path)

    assert len(after) == len(before)
    badges = [q for q in after if "workflow_notification" in q and "workflow_workitem" in q]
    assert len(badges) == 1 and "workflow_deputyship" in badges[0]  # the header: one query for both badges
    response = client.get(path)
    assert response.content.decode().count('data-testid="deputy-mark"') == 4
