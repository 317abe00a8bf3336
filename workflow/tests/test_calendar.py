"""我的日程's own mechanics: providers registered by apps, the page, RFC 5545 text and the feed's token (tried on
the test-only Ticket workflow; what the applications and pilots workflows put there is tested in their apps)."""

import secrets
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workflow.models import CalendarFeed
from workflow.tests.ics_helpers import ics_unescape, new_feed, unfold
from workflow.tests.testapp.models import Ticket, make_ticket
from workflow.ui import calendar
from workflow.ui.calendar import CalendarEvent, events_for, fold, ics_escape

pytestmark = pytest.mark.django_db


def ticket_deadlines(user):
    """A provider as an app registers it: the tickets the user sees, one query whatever their number."""
    for ticket in Ticket.objects.visible_to(user).filter(status="draft").select_related("county"):
        yield CalendarEvent(
            title=f"事项截止 · {ticket}",
            start=ticket.submitted_at or timezone.now() + timedelta(days=ticket.pk),
            url=f"/tickets/{ticket.pk}/",
            kind="ticket",
            key=ticket.pk,
            due=True,
        )


@pytest.fixture
def tickets():
    calendar.register(ticket_deadlines)
    calendar.register_kind("ticket", "测试事项", "text-bg-info")
    yield
    calendar.unregister(ticket_deadlines)
    calendar.KIND_LABELS.pop("ticket")
    calendar.KIND_BADGES.pop("ticket")


# --- providers and the page ------------------------------------------------------------------------------
def test_a_registered_provider_shows_each_user_only_what_they_see(tickets, county_nanhu, county_xiuzhou, login):
    nanhu = make_ticket(county_nanhu, "nanhu", title="南湖的事项")
    make_ticket(county_xiuzhou, "xiuzhou", title="秀洲的事项")
    assert [(e.kind, e.key) for e in events_for(county_nanhu) if e.kind == "ticket"] == [("ticket", nanhu.pk)]
    html = login(county_nanhu).get(reverse("workflow:calendar")).content.decode()
    assert "南湖的事项" in html and "秀洲的事项" not in html
    assert 'data-kind="ticket"' in html and "测试事项" in html  # the kind's badge, as its app registered it


def test_a_provider_registered_twice_counts_once(tickets, county_nanhu):
    make_ticket(county_nanhu)
    calendar.register(ticket_deadlines)
    assert len([e for e in events_for(county_nanhu) if e.kind == "ticket"]) == 1


def test_a_malformed_month_falls_back_to_the_upcoming_agenda(county_nanhu, login):
    response = login(county_nanhu).get(reverse("workflow:calendar"), {"month": "2026-13"})
    assert response.status_code == 200 and response.context["month"] is None


def test_the_page_needs_a_login_and_the_feed_forms_need_post(client, county_nanhu, login):
    assert client.get(reverse("workflow:calendar")).status_code == 302
    assert client.post(reverse("workflow:calendar_feed_create")).status_code == 302
    assert not CalendarFeed.objects.exists()
    client = login(county_nanhu)
    assert client.get(reverse("workflow:calendar_feed_create")).status_code == 405
    assert client.get(reverse("workflow:calendar_feed_revoke")).status_code == 405


def test_a_later_workflow_registers_its_own_provider(county_nanhu, units):
    def reports(user):
        yield CalendarEvent(title="季度报告", start=date(2027, 1, 15), url="/r/1/", kind="quarterly_report", key=1)

    calendar.register(reports)
    try:
        events = events_for(county_nanhu, start=date(2027, 1, 1), end=date(2027, 2, 1))
        assert [(e.uid, e.all_day) for e in events] == [("quarterly_report-1@jiaxing-pilot", True)]
        assert events_for(county_nanhu, start=date(2027, 1, 16), end=date(2027, 2, 1)) == []
    finally:
        calendar.unregister(reports)


# --- RFC 5545 text ---------------------------------------------------------------------------------------
def test_escaping_and_folding_follow_rfc5545():
    assert ics_escape("a,b;c\\d\r\ne\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    for prefix in ("", "a", "ab"):  # the 75-octet boundary falls inside a three-octet character in two of them
        line = "SUMMARY:" + prefix + "县域集成改革试点" * 10
        folded = fold(line).encode()
        physical = folded.split(b"\r\n")
        assert len(physical) > 1
        assert all(len(p) <= 75 for p in physical)
        assert all(p.startswith(b" ") for p in physical[1:])
        for p in physical:
            p.decode("utf-8")  # no character is split between two lines
        assert unfold(folded) == line
    assert fold("X" * 75) == "X" * 75


def test_the_feed_is_valid_icalendar_and_chinese_survives_unfolding(tickets, county_nanhu, login):
    title = "嘉兴市南湖区公共数据授权运营,一网通办;深度融合\\集成改革试点项目（含长标题折行测试）"
    ticket = make_ticket(county_nanhu, title=title)
    path, token = new_feed(login(county_nanhu))
    assert len(token) >= 43
    response = Client().get(path)  # a calendar app: no session
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(p) <= 75 for p in physical), [p for p in physical if len(p) > 75]
    assert any(p.startswith(b" ") for p in physical)  # the long Chinese summary was folded
    lines = unfold(raw).split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert {"VERSION:2.0", "CALSCALE:GREGORIAN", "X-WR-CALNAME:县域集成改革试点"} <= set(lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    summary = next(line for line in lines if line.startswith("SUMMARY:")).removeprefix("SUMMARY:")
    assert "\\,一网通办\\;深度融合\\\\集成" in summary and title in ics_unescape(summary)
    assert f"UID:ticket-{ticket.pk}@jiaxing-pilot" in lines and "CATEGORIES:测试事项" in lines


# --- the token -------------------------------------------------------------------------------------------
def test_only_a_hash_of_the_token_is_stored(county_nanhu, login, units):
    _path, token = new_feed(login(county_nanhu))
    feed = CalendarFeed.objects.get()
    assert feed.token_hash == CalendarFeed.hash_token(token) != token and len(feed.token_hash) == 64
    page = login(county_nanhu).get(reverse("workflow:calendar")).content.decode()
    assert token not in page and "已启用订阅" in page  # shown once only


def test_revoking_makes_the_feed_404(county_nanhu, login, units):
    client = login(county_nanhu)
    path, _token = new_feed(client)
    assert Client().get(path).status_code == 200
    response = client.post(reverse("workflow:calendar_feed_revoke"))
    assert response.status_code == 302 and response["Location"] == reverse("workflow:calendar")
    assert Client().get(path).status_code == 404
    assert CalendarFeed.objects.get().revoked_at is not None
    assert "尚未启用日程订阅" in client.get(reverse("workflow:calendar")).content.decode()


def test_an_unknown_token_404s(units):
    assert Client().get(reverse("workflow:calendar_ics", args=[secrets.token_urlsafe(32)])).status_code == 404
    assert Client().get("/calendar/.ics").status_code == 404


def test_a_new_feed_kills_the_old_one(county_nanhu, login, units):
    client = login(county_nanhu)
    old, _ = new_feed(client)
    new, _ = new_feed(client)
    assert old != new
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.filter(user=county_nanhu, revoked_at__isnull=True).count() == 1


def test_a_deactivated_users_feed_404s(county_nanhu, login, units):
    path, _ = new_feed(login(county_nanhu))
    county_nanhu.is_active = False
    county_nanhu.save(update_fields=["is_active"])
    assert Client().get(path).status_code == 404


# --- queries stay flat -----------------------------------------------------------------------------------
def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), ctx


def test_page_and_feed_queries_stay_flat_as_events_grow(tickets, county_nanhu, login):
    make_ticket(county_nanhu)
    client = login(county_nanhu)
    feed, _ = new_feed(client)
    page = reverse("workflow:calendar")
    _count(client, page)  # warm the content-type cache
    few_page, _ = _count(client, page)
    few_feed, _ = _count(Client(), feed)
    for i in range(5):
        make_ticket(county_nanhu, title=f"事项{i}")
    assert len([e for e in events_for(county_nanhu) if e.kind == "ticket"]) == 6
    many_page, ctx = _count(client, page)
    assert many_page == few_page, "\n".join(q["sql"] for q in ctx.captured_queries)
    many_feed, ctx = _count(Client(), feed)
    assert many_feed == few_feed, "\n".join(q["sql"] for q in ctx.captured_queries)
