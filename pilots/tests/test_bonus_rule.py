"""Seed 三（三）: 试点工作富有成效、相关改革经验在省市推广的 county earns points. A promotion proposes points only for a
pilot whose evaluation reached BONUS_MIN_GRADE; a pilot not yet evaluated waits for it; for any other the ledger
says why nothing was proposed. (The pilot's grade comes from the evaluation app's reader: here set per test; the
same rule over a real evaluation is in tests/test_pilot_outcomes.py.)"""

import datetime

import pytest
from django.urls import reverse

from pilots import outcomes
from pilots.experiences import services as experiences
from pilots.experiences.models import BonusEntry
from pilots.tests.experience_factories import approved_pilot, graded, promote, published
from workflow.models import Notification, TransitionLog, WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return approved_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def experience(pilot, office_reviewer):
    return published(office_reviewer, pilot)


def line(promotion):
    return BonusEntry.objects.get(promotion=promotion, corrects=None)


def office_items(entry):
    return WorkItem.objects.open().filter(object_id=entry.pk, content_type__model="bonusentry")


@pytest.mark.parametrize("grade", ["pass", "good", "excellent"])
def test_a_pilot_that_reached_the_minimum_grade_gets_its_points_proposed(
    monkeypatch, experience, office_reviewer, grade
):
    graded(monkeypatch, grade)
    entry = line(promote(office_reviewer, experience, level="city"))
    assert entry.status == "proposed" and entry.note == ""
    assert office_items(entry).exists()  # the office confirms it, as before


def test_a_failed_pilot_gets_a_line_that_says_why_nothing_was_proposed(
    monkeypatch, experience, office_reviewer, county_nanhu
):
    graded(monkeypatch, "fail", worked=False, failed=True)
    entry = line(promote(office_reviewer, experience, level="province"))
    assert entry.status == "withheld"
    assert "试点评估等次为“不合格”，未达到“合格”，不提出加分" in entry.note
    assert not office_items(entry).exists()  # nothing for the office to confirm
    log = TransitionLog.objects.get(action="bonus.withhold", object_id=entry.pk)
    assert log.role == "system" and entry.note in log.comment
    assert Notification.objects.filter(recipient=county_nanhu, log=log).exists()  # the county hears why


def test_a_higher_minimum_withholds_a_pass(monkeypatch, experience, office_reviewer):
    outcome = graded(monkeypatch, "pass", worked=False)
    assert outcome.failed is False
    entry = line(promote(office_reviewer, experience, level="city"))
    assert entry.status == "withheld" and "试点评估等次为“合格”" in entry.note


def test_a_pilot_not_yet_evaluated_waits_and_its_evaluation_then_proposes_or_withholds(
    monkeypatch, pilot, office_reviewer
):
    monkeypatch.setitem(outcomes._readers, "evaluation", lambda pilot: None)
    monkeypatch.setitem(outcomes._readers, "minimum", lambda: "合格")
    first = line(promote(office_reviewer, published(office_reviewer, pilot, "甲"), level="city"))
    second = line(promote(office_reviewer, published(office_reviewer, pilot, "乙"), level="province"))
    assert {first.status, second.status} == {"awaiting"}
    assert "试点尚未完成评估：评估达到“合格”及以上等次后提出加分" in first.note
    assert not office_items(first).exists()
    cause = TransitionLog.objects.filter(object_id=pilot.pk, content_type__model="pilot").latest("id")
    assert experiences.settle_bonus(pilot, cause_log=cause) == []  # still not evaluated: nothing moves

    graded(monkeypatch, "good")
    settled = experiences.settle_bonus(pilot, cause_log=cause)
    assert [e.status for e in settled] == ["proposed", "proposed"]
    assert "达到加分条件" in settled[0].note and office_items(settled[0]).exists()
    assert TransitionLog.objects.get(action="bonus.release", object_id=first.pk).details["cause"]["log"] == cause.pk


def test_a_waiting_line_is_withheld_when_the_evaluation_fails(monkeypatch, pilot, office_reviewer):
    monkeypatch.setitem(outcomes._readers, "evaluation", lambda pilot: None)
    monkeypatch.setitem(outcomes._readers, "minimum", lambda: "合格")
    entry = line(promote(office_reviewer, published(office_reviewer, pilot), level="city"))
    graded(monkeypatch, "fail", worked=False, failed=True)
    cause = TransitionLog.objects.filter(object_id=pilot.pk, content_type__model="pilot").latest("id")
    (settled,) = experiences.settle_bonus(pilot, cause_log=cause)
    assert settled.pk == entry.pk and settled.status == "withheld" and "不合格" in settled.note


def test_the_ledger_shows_each_lines_reason_by_url_to_the_office_and_the_county(
    monkeypatch, experience, office_reviewer, county_nanhu, county_xiuzhou, sg_digital, login
):
    graded(monkeypatch, "fail", worked=False, failed=True)
    entry = line(promote(office_reviewer, experience, level="city", day=datetime.date(2026, 3, 1)))
    for user in (office_reviewer, county_nanhu):
        client = login(user)
        ledger = client.get(reverse("pilots:bonus_ledger"), {"year": 2026}).content.decode()
        assert 'data-state="withheld"' in ledger and "未提出加分" in ledger and "未达到“合格”" in ledger
        detail = client.get(reverse("pilots:bonus_detail", args=[entry.pk]))
        assert detail.status_code == 200 and 'data-testid="bonus-note"' in detail.content.decode()
        assert 'data-testid="action-confirm"' not in detail.content.decode()  # nothing to confirm
    assert login(county_xiuzhou).get(reverse("pilots:bonus_detail", args=[entry.pk])).status_code == 404
    assert login(sg_digital).get(reverse("pilots:bonus_ledger")).status_code == 403
    # nobody confirms a withheld line, not even the office by URL
    response = login(office_reviewer).post(
        reverse("pilots:bonus_act", args=[entry.pk]), {"name": "confirm", "expected_state": "withheld"}
    )
    assert 400 <= response.status_code < 500 and BonusEntry.objects.get(pk=entry.pk).status == "withheld"
