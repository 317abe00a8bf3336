"""我的日程 as the first workflows feed it: batch windows, application deadlines, opinion deadlines and pilot
term ends, scoped per user, in the page and the ICS feed, at a flat query cost (the calendar's own mechanics
are tested in workflow/tests/test_calendar.py)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit
from applications import services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from pilots.models import Pilot
from workflow.conventions.opinions import opinion_give
from workflow.models import Opinion
from workflow.tests.ics_helpers import ics_unescape, new_feed, unfold
from workflow.ui.calendar import events_for

pytestmark = pytest.mark.django_db

NANHU_TITLE = "南湖公共数据授权运营集成改革"
XIUZHOU_TITLE = "秀洲乡村治理集成改革"


@pytest.fixture
def batch(office_reviewer, units):
    return open_batch(office_reviewer)


@pytest.fixture
def nanhu_app(county_nanhu, office_reviewer, batch):
    return filled_application(county_nanhu, listed_candidate(office_reviewer, batch, title=NANHU_TITLE))


@pytest.fixture
def xiuzhou_app(county_xiuzhou, office_reviewer, batch):
    candidate = listed_candidate(
        office_reviewer, batch, title=XIUZHOU_TITLE, group="sg-rural", guide=None, area="rural"
    )
    return filled_application(county_xiuzhou, candidate)


def consult(app, county_user, office):
    """Submit the county's application and ask its special group's opinion (due in OPINION_DUE_DAYS)."""
    app = services.submit_application(actor=county_user, application=app)
    return services.review_application(actor=office, application=app, name="request_opinion")


def make_pilot(app, term_end):
    return Pilot.objects.create(
        title=app.project_name,
        county=app.county,
        batch=app.batch,
        candidate=app.candidate,
        application=app,
        area=app.area,
        special_group=app.candidate.lead_group,
        guidance_unit=app.candidate.guidance_unit,
        term_end=term_end,
    )


def kinds(events):
    return {(e.kind, e.key) for e in events}


# --- who sees what ---------------------------------------------------------------------------------------
def test_a_county_sees_the_batch_window_and_its_own_deadline_not_another_countys(
    batch, nanhu_app, xiuzhou_app, county_nanhu, login
):
    events = events_for(county_nanhu)
    assert {("batch_opens", batch.pk), ("batch_closes", batch.pk), ("application", nanhu_app.pk)} <= kinds(events)
    assert ("application", xiuzhou_app.pk) not in kinds(events)
    assert events == sorted(events, key=lambda e: e.moment)

    page = login(county_nanhu).get(reverse("workflow:calendar"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{batch.name}申报截止" in html
    assert NANHU_TITLE in html and nanhu_app.get_absolute_url() in html
    assert XIUZHOU_TITLE not in html and xiuzhou_app.get_absolute_url() not in html
    assert 'data-kind="application"' in html and "试点申报" in html  # kind badge


def test_a_draft_batch_is_the_offices_plan_only(office_reviewer, county_nanhu, units):
    from applications.tests.factories import BatchFactory

    draft = BatchFactory()
    assert ("batch_closes", draft.pk) in kinds(events_for(office_reviewer))
    assert ("batch_closes", draft.pk) not in kinds(events_for(county_nanhu))


def test_the_special_group_sees_its_pending_opinion_deadline(
    nanhu_app, county_nanhu, office_reviewer, sg_digital, sg_economy, login
):
    consult(nanhu_app, county_nanhu, office_reviewer)
    opinion = Opinion.objects.get(status="pending")
    mine = [e for e in events_for(sg_digital) if e.kind == "opinion"]
    assert [(e.key, e.start, e.url) for e in mine] == [(opinion.pk, opinion.due_at, nanhu_app.get_absolute_url())]
    assert mine[0].due and not mine[0].overdue
    assert not [e for e in events_for(sg_economy) if e.kind == "opinion"]
    # The county's own deadline is gone once it submitted.
    assert not [e for e in events_for(county_nanhu) if e.kind == "application"]

    html = login(sg_digital).get(reverse("workflow:calendar")).content.decode()
    assert "意见答复期限" in html and NANHU_TITLE in html
    assert 'data-testid="calendar-overdue"' not in html

    Opinion.objects.filter(pk=opinion.pk).update(due_at=timezone.now() - timedelta(days=3))
    html = login(sg_digital).get(reverse("workflow:calendar")).content.decode()
    assert 'data-testid="calendar-overdue"' in html and "已逾期" in html


def test_a_given_opinion_leaves_the_calendar(nanhu_app, county_nanhu, office_reviewer, sg_digital):
    consult(nanhu_app, county_nanhu, office_reviewer)
    opinion_give(actor=sg_digital, opinion=Opinion.objects.get(), verdict="agree", text="同意。")
    assert not [e for e in events_for(sg_digital) if e.kind == "opinion"]


def test_pilot_term_ends_reach_those_who_see_the_pilot(nanhu_app, county_nanhu, county_xiuzhou, guidance_data):
    pilot = make_pilot(nanhu_app, date(2028, 6, 30))
    for user in (county_nanhu, guidance_data):
        [event] = [e for e in events_for(user) if e.kind == "pilot_term"]
        assert (event.key, event.start, event.all_day) == (pilot.pk, date(2028, 6, 30), True)
    assert not [e for e in events_for(county_xiuzhou) if e.kind == "pilot_term"]


def test_days_are_grouped_in_shanghai_time_with_chinese_dates(office_reviewer, county_nanhu, login, units):
    # 16:30 UTC on 31 December is 00:30 on 1 January in Shanghai: the deadline belongs to the new year's page.
    closes = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    batch = open_batch(office_reviewer, window_opens_at=closes - timedelta(days=40), window_closes_at=closes)
    html = login(county_nanhu).get(reverse("workflow:calendar"), {"month": "2027-01"}).content.decode()
    day = re.search(r'data-day="2027-01-01".*?</div>', html, re.S).group(0)
    assert "2027年1月1日" in day and "星期五" in day and "00:30" in day and batch.name in day
    december = login(county_nanhu).get(reverse("workflow:calendar"), {"month": "2026-12"}).content.decode()
    assert f"{batch.name} 申报截止" not in december


def test_the_feed_is_valid_icalendar_and_chinese_survives_unfolding(office_reviewer, county_nanhu, login, units, batch):
    title = "嘉兴市南湖区公共数据授权运营,一网通办;深度融合\\集成改革试点项目（含长标题折行测试）"
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, batch, title=title))
    make_pilot(app, date(2028, 6, 30))
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
    for p in physical:
        p.decode("utf-8")

    lines = unfold(raw).split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert {"VERSION:2.0", "CALSCALE:GREGORIAN", "X-WR-CALNAME:县域集成改革试点"} <= set(lines)
    assert any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") >= 4
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    for event in events:
        assert {"UID", "DTSTAMP", "SUMMARY"} <= set(event)
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
        assert re.fullmatch(r"\d{8}T\d{6}Z", event.get("DTSTART", "")) or re.fullmatch(
            r"\d{8}", event.get("DTSTART;VALUE=DATE", "")
        )
        assert event["URL"].startswith(settings.SITE_URL + "/")
    by_uid = {e["UID"]: e for e in events}
    closing = by_uid[f"batch_closes-{batch.pk}@jiaxing-pilot"]
    assert closing["DTSTART"] == batch.window_closes_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert closing["URL"] == settings.SITE_URL + batch.get_absolute_url()
    mine = by_uid[f"application-{app.pk}@jiaxing-pilot"]
    assert "\\,一网通办\\;深度融合\\\\集成" in mine["SUMMARY"]
    assert title in ics_unescape(mine["SUMMARY"])
    term = next(e for uid, e in by_uid.items() if uid.startswith("pilot_term-"))
    assert term["DTSTART;VALUE=DATE"] == "20280630"


def test_the_feed_shows_only_what_its_owner_may_see(nanhu_app, xiuzhou_app, county_nanhu, login):
    path, _token = new_feed(login(county_nanhu))
    text = unfold(Client().get(path).content)
    assert NANHU_TITLE in text and f"application-{nanhu_app.pk}@" in text
    assert XIUZHOU_TITLE not in text and f"application-{xiuzhou_app.pk}@" not in text


# --- queries stay flat -----------------------------------------------------------------------------------
def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), ctx


def _county_user(unit, i):
    from accounts.models import Membership, User

    user = User.objects.create_user(f"county{i}", password="x")
    Membership.objects.create(user=user, unit=unit, role="county")
    return user


def _grow(office, nanhu, start, count):
    """``count`` more batches, each with a draft application of 南湖区 and an application of another county
    under consultation (a pending opinion for the digital group) that also got a pilot with a term end."""
    for i in range(start, start + count):
        batch = open_batch(office)
        filled_application(nanhu, listed_candidate(office, batch, title=f"南湖项目{i}"))
        unit = Unit.objects.create(code=f"extra-{i}", name=f"测试县{i}", kind="county")
        county_user = _county_user(unit, i)
        app = filled_application(county_user, listed_candidate(office, batch, title=f"测试项目{i}"))
        make_pilot(consult(app, county_user, office), date(2028, 1, 1) + timedelta(days=i))


@pytest.mark.parametrize("who", ["county", "special_group", "office"])
def test_page_and_feed_queries_stay_flat_as_events_grow(who, office_reviewer, sg_digital, county_nanhu, login):
    _grow(office_reviewer, county_nanhu, 0, 1)
    user = {"county": county_nanhu, "special_group": sg_digital, "office": office_reviewer}[who]
    client = login(user)
    feed, _ = new_feed(client)
    page = reverse("workflow:calendar")
    _count(client, page)  # warm the content-type cache
    few_page, _ = _count(client, page)
    few_feed, _ = _count(Client(), feed)
    before = len(events_for(user))
    _grow(office_reviewer, county_nanhu, 1, 4)
    assert len(events_for(user)) > before
    many_page, ctx = _count(client, page)
    assert many_page == few_page, "\n".join(q["sql"] for q in ctx.captured_queries)
    many_feed, ctx = _count(Client(), feed)
    assert many_feed == few_feed, "\n".join(q["sql"] for q in ctx.captured_queries)
