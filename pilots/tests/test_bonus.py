"""The 年度考评加分 ledger: a city or province promotion proposes points, the office confirms (nothing automatic),
the ledger only grows (corrections are new lines), sums per year and county, export, print and scoping."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Unit
from pilots.experiences import services as experiences
from pilots.experiences.models import BonusEntry
from pilots.experiences.selectors import county_total, ledger_totals
from pilots.tests.experience_factories import approved_pilot, graded, promote, published
from workflow.engine.errors import WorkflowError
from workflow.models import AuditEvent, TransitionLog, WorkItem

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _pilots_that_worked(monkeypatch):
    """The pilots here passed their evaluation: a promotion proposes its points (the rule: test_bonus_rule.py)."""
    graded(monkeypatch, "good")


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return approved_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def experience(pilot, office_reviewer):
    return published(office_reviewer, pilot)


@pytest.fixture
def nanhu(units):
    return Unit.objects.get(code="nanhu")


def entry_of(promotion):
    return promotion.bonus_entries.get(corrects=None)


def confirmed(office, promotion):
    return experiences.bonus_act(actor=office, entry=entry_of(promotion), name="confirm")


# --- proposal and confirmation -----------------------------------------------------------------
def test_a_province_promotion_proposes_the_configured_points_which_count_only_once_confirmed(
    experience, office_reviewer, nanhu, settings
):
    settings.BONUS_POINTS = {"city": 1, "province": 2.5, "national": None}
    entry = entry_of(promote(office_reviewer, experience, level="province", day=datetime.date(2026, 3, 1)))
    assert (entry.status, entry.points, entry.year, entry.county) == ("proposed", D("2.50"), 2026, nanhu)
    assert "省级推广" in entry.reason and "浙改办〔2026〕8号" in entry.reason
    assert county_total(nanhu, 2026) == D("0")  # 酌情: nothing counts before the office confirms
    item = WorkItem.objects.open().get(object_id=entry.pk, content_type__model="bonusentry")
    assert item.role == "reform_office"  # it waits in the office's 我的待办
    experiences.bonus_act(actor=office_reviewer, entry=entry, name="confirm")
    assert county_total(nanhu, 2026) == D("2.50")
    assert not WorkItem.objects.open().filter(object_id=entry.pk, content_type__model="bonusentry").exists()


def test_national_level_proposes_points_only_when_configured(pilot, office_reviewer, settings):
    settings.BONUS_POINTS = {"city": 1, "province": 2, "national": None}
    first = published(office_reviewer, pilot, "甲")
    assert not promote(office_reviewer, first, level="national").bonus_entries.exists()
    settings.BONUS_POINTS = {"city": 1, "province": 2, "national": 3}
    second = published(office_reviewer, pilot, "乙")
    assert entry_of(promote(office_reviewer, second, level="national")).points == D("3.00")


def test_declining_needs_a_reason_and_a_declined_entry_never_counts(experience, office_reviewer, nanhu):
    entry = entry_of(promote(office_reviewer, experience))
    with pytest.raises(WorkflowError, match="请填写理由"):
        experiences.bonus_act(actor=office_reviewer, entry=entry, name="decline")
    experiences.bonus_act(actor=office_reviewer, entry=entry, name="decline", comment="已在其他项目中加分。")
    assert county_total(nanhu, 2026) == D("0")
    with pytest.raises(WorkflowError, match="只有已确认的台账条目可以更正"):
        experiences.correct_bonus(actor=office_reviewer, entry=entry, points=1, reason="改判")


def test_no_role_but_the_office_confirms_or_corrects(
    experience, office_reviewer, county_nanhu, committee_member, sg_digital, guidance_data
):
    entry = entry_of(promote(office_reviewer, experience))
    for other in (county_nanhu, committee_member, sg_digital, guidance_data):
        with pytest.raises(PermissionDenied):
            experiences.bonus_act(actor=other, entry=entry, name="confirm")
    entry = experiences.bonus_act(actor=office_reviewer, entry=entry, name="confirm")
    for other in (county_nanhu, committee_member):
        with pytest.raises(PermissionDenied):
            experiences.correct_bonus(actor=other, entry=entry, points=-1, reason="改判")


# --- sums, corrections and year boundaries -----------------------------------------------------
def test_corrections_are_new_lines_added_to_the_corrected_entry_negative_zero_and_never_below_zero(
    experience, office_reviewer, nanhu, settings
):
    settings.BONUS_POINTS = {"city": 1, "province": 2, "national": None}
    entry = confirmed(office_reviewer, promote(office_reviewer, experience))
    less = experiences.correct_bonus(actor=office_reviewer, entry=entry, points="-0.5", reason="按考评细则折半计分。")
    assert (less.status, less.year, less.corrects, less.points) == ("confirmed", 2026, entry, D("-0.50"))
    assert county_total(nanhu, 2026) == D("1.50")
    note = experiences.correct_bonus(actor=office_reviewer, entry=entry, points=0, reason="补记文号更正。")
    assert note.points == D("0.00") and county_total(nanhu, 2026) == D("1.50")  # a zero line changes no sum
    with pytest.raises(WorkflowError, match="不能小于零"):
        experiences.correct_bonus(actor=office_reviewer, entry=entry, points="-1.6", reason="多扣")
    with pytest.raises(WorkflowError, match="请填写更正理由"):
        experiences.correct_bonus(actor=office_reviewer, entry=entry, points=-1, reason="  ")
    with pytest.raises(WorkflowError, match="不能更正一条更正记录"):
        experiences.correct_bonus(actor=office_reviewer, entry=less, points=-1, reason="再改")
    cancel = experiences.correct_bonus(actor=office_reviewer, entry=entry, points="-1.5", reason="撤销加分。")
    assert county_total(nanhu, 2026) == D("0.00")
    entry.refresh_from_db()
    assert (entry.points, entry.status) == (D("2.00"), "confirmed")  # the original line is untouched
    assert BonusEntry.objects.filter(corrects=entry).count() == 3
    log = TransitionLog.objects.get(action="bonus.confirm", object_id=cancel.pk)
    assert log.details["corrects"] == entry.pk and log.comment == "撤销加分。"


def test_the_promotion_date_decides_the_year_and_a_later_correction_stays_in_the_corrected_year(
    pilot, office_reviewer, nanhu, settings
):
    settings.BONUS_POINTS = {"city": 1, "province": 2, "national": None}
    dec31 = confirmed(
        office_reviewer,
        promote(office_reviewer, published(office_reviewer, pilot, "甲"), "city", datetime.date(2025, 12, 31)),
    )
    confirmed(
        office_reviewer,
        promote(office_reviewer, published(office_reviewer, pilot, "乙"), "province", datetime.date(2026, 1, 1)),
    )
    assert (county_total(nanhu, 2025), county_total(nanhu, 2026)) == (D("1.00"), D("2.00"))
    experiences.correct_bonus(actor=office_reviewer, entry=dec31, points=-1, reason="2025年度复核后撤销。")
    assert (county_total(nanhu, 2025), county_total(nanhu, 2026)) == (D("0.00"), D("2.00"))
    rows = {(t["year"], t["county__name"]): (t["total"], t["lines"]) for t in ledger_totals(office_reviewer)}
    assert rows == {(2025, "南湖区"): (D("0.00"), 2), (2026, "南湖区"): (D("2.00"), 1)}


def test_the_ledger_only_grows(experience, office_reviewer):
    entry = confirmed(office_reviewer, promote(office_reviewer, experience))
    with pytest.raises(PermissionError):
        BonusEntry.objects.filter(pk=entry.pk).update(points=9)
    with pytest.raises(PermissionError):
        BonusEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError):
        entry.delete()
    entry.points = D("9")
    with pytest.raises(PermissionError):
        entry.save(update_fields=["points"])
    assert BonusEntry.objects.get(pk=entry.pk).points == D("2.00")


@pytest.mark.services
def test_postgresql_refuses_a_changed_or_deleted_ledger_line(experience, office_reviewer, real_services):
    from django.db import DatabaseError, transaction

    entry = confirmed(office_reviewer, promote(office_reviewer, experience))
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE pilots_bonusentry SET points = 9 WHERE id = %s",
            "DELETE FROM pilots_bonusentry WHERE id = %s",
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(sql, [entry.pk])
    assert BonusEntry.objects.get(pk=entry.pk).points == D("2.00")


# --- pages: scoping, export, print, query counts -----------------------------------------------
def test_the_ledger_is_read_by_the_office_the_committee_and_each_county_for_itself_by_url(
    experience, office_reviewer, committee_member, county_nanhu, county_xiuzhou, sg_digital, expert_user, login
):
    entry = confirmed(office_reviewer, promote(office_reviewer, experience))
    detail = reverse("pilots:bonus_detail", args=[entry.pk])
    for reader in (office_reviewer, committee_member, county_nanhu):
        client = login(reader)
        assert client.get(reverse("pilots:bonus_ledger")).status_code == 200
        assert client.get(detail).status_code == 200
    client = login(county_xiuzhou)
    assert 'data-testid="ledger-row"' not in client.get(reverse("pilots:bonus_ledger")).content.decode()
    assert client.get(detail).status_code == 404
    for outsider in (sg_digital, expert_user):
        client = login(outsider)
        for name in ("pilots:bonus_ledger", "pilots:bonus_export", "pilots:bonus_print"):
            assert client.get(reverse(name)).status_code == 403
        assert client.get(detail).status_code == 403


def test_a_county_cannot_confirm_or_correct_its_own_points_by_url(experience, office_reviewer, county_nanhu, login):
    entry = entry_of(promote(office_reviewer, experience))
    client = login(county_nanhu)
    assert client.post(reverse("pilots:bonus_act", args=[entry.pk]), {"name": "confirm"}).status_code == 403
    entry = experiences.bonus_act(actor=office_reviewer, entry=entry, name="confirm")
    response = client.post(reverse("pilots:bonus_correct", args=[entry.pk]), {"points": "5", "reason": "自己加分"})
    assert response.status_code == 403
    assert BonusEntry.objects.count() == 1


def test_office_confirms_and_corrects_from_the_pages_with_field_messages(experience, office_reviewer, login):
    entry = entry_of(promote(office_reviewer, experience))
    client = login(office_reviewer)
    response = client.post(
        reverse("pilots:bonus_act", args=[entry.pk]), {"name": "confirm", "expected_state": "proposed"}
    )
    assert response.status_code == 302
    bad = client.post(reverse("pilots:bonus_correct", args=[entry.pk]), {"points": "abc", "reason": ""})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "请填写数字（可为负数），最多两位小数。" in text
    too_much = client.post(reverse("pilots:bonus_correct", args=[entry.pk]), {"points": "-3", "reason": "撤销"})
    assert too_much.status_code == 400 and "不能小于零" in too_much.content.decode()
    ok = client.post(reverse("pilots:bonus_correct", args=[entry.pk]), {"points": "-1", "reason": "折半计分"})
    assert ok.status_code == 302
    page = client.get(reverse("pilots:bonus_detail", args=[entry.pk])).content.decode()
    assert "折半计分" in page and 'data-testid="bonus-total">1.00<' in page


def test_export_has_the_filter_in_its_title_real_number_and_date_cells_and_is_audited(
    pilot, office_reviewer, login, settings
):
    settings.BONUS_POINTS = {"city": 1, "province": 2, "national": None}
    old = confirmed(
        office_reviewer,
        promote(office_reviewer, published(office_reviewer, pilot, "甲"), "city", datetime.date(2025, 6, 1)),
    )
    confirmed(
        office_reviewer,
        promote(office_reviewer, published(office_reviewer, pilot, "乙"), "province", datetime.date(2026, 2, 3)),
    )
    experiences.correct_bonus(actor=office_reviewer, entry=old, points="-0.5", reason="折半")
    nanhu = Unit.objects.get(code="nanhu")
    client = login(office_reviewer)
    response = client.get(reverse("pilots:bonus_export"), {"year": 2026, "county": nanhu.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "年度考评加分台账（2026年，南湖区）"
    assert rows[1][:3] == ("考评年度", "县（市、区）", "加分（分）")
    assert len(rows) == 3  # the 2025 lines are filtered out
    year, county, points, state = rows[2][:4]
    assert (year, county, points, state) == (2026, "南湖区", 2, "已确认")
    assert isinstance(points, int | float) and isinstance(rows[2][8], datetime.datetime)
    assert rows[2][8].date() == datetime.date(2026, 2, 3)
    event = AuditEvent.objects.get(kind="export", details__what="bonus_ledger")
    assert event.actor == office_reviewer and event.details["rows"] == 1
    assert event.details["filters"] == {"year": 2026, "county": nanhu.pk}


def test_bad_filter_input_is_a_message_next_to_the_field_not_an_error(office_reviewer, login):
    client = login(office_reviewer)
    for name in ("pilots:bonus_ledger", "pilots:bonus_export", "pilots:bonus_print"):
        response = client.get(reverse(name), {"year": "1800"})
        assert response.status_code == 400
        assert "请填写2000—2100之间的年度。" in response.content.decode()


def test_print_sheet_shows_the_filter_and_the_totals(experience, office_reviewer, login):
    confirmed(office_reviewer, promote(office_reviewer, experience))
    page = login(office_reviewer).get(reverse("pilots:bonus_print"), {"year": 2026}).content.decode()
    assert "年度考评加分台账（2026年，全部县（市、区））" in page
    assert 'class="bg-white p-3 print-sheet"' in page and "南湖区" in page


def test_ledger_page_costs_the_same_queries_as_lines_grow(pilot, office_reviewer, login, django_assert_num_queries):
    client = login(office_reviewer)
    url = reverse("pilots:bonus_ledger")
    confirmed(office_reviewer, promote(office_reviewer, published(office_reviewer, pilot, "第1条"), "city"))
    client.get(url)  # warm caches before counting
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(2, 7):
        exp = published(office_reviewer, pilot, f"第{n}条")
        entry = confirmed(office_reviewer, promote(office_reviewer, exp, "city", doc=f"嘉改办〔2026〕{n}号"))
        experiences.correct_bonus(actor=office_reviewer, entry=entry, points=-1, reason="复核")
        promote(office_reviewer, exp, "province", doc=f"浙改办〔2026〕{n}号")  # proposed, listed too
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="ledger-row"') == 16


def test_the_county_is_told_when_its_points_are_confirmed_and_the_office_sees_the_proposal_in_its_inbox(
    experience, office_reviewer, county_nanhu, county_xiuzhou, login
):
    from workflow.models import Notification

    entry = entry_of(promote(office_reviewer, experience))
    inbox = login(office_reviewer).get(reverse("inbox")).content.decode()
    assert "南湖区2026年度考评加分（2.00分）" in inbox
    experiences.bonus_act(actor=office_reviewer, entry=entry, name="confirm")
    told = Notification.objects.filter(log__action="bonus.confirm").values_list("recipient__username", flat=True)
    assert list(told) == ["county_nanhu"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_corrections_at_the_same_moment_cannot_take_an_entry_below_zero(
    real_services, pilot, office_reviewer, make_user, monkeypatch
):
    import threading
    import time

    second = make_user("office_two", "reform-office")
    entry = confirmed(office_reviewer, promote(office_reviewer, published(office_reviewer, pilot)))
    real_total = experiences.corrected_total

    def slow_total(original):  # hold each transaction open after reading the total, so both are in flight
        result = real_total(original)
        time.sleep(0.4)
        return result

    monkeypatch.setattr(experiences, "corrected_total", slow_total)
    start = threading.Barrier(2)
    results = []

    def correct(user):
        start.wait()
        try:
            experiences.correct_bonus(actor=user, entry=entry, points="-1.5", reason="复核扣减")
            results.append("ok")
        except WorkflowError as err:
            results.append(err.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=correct, args=(u,)) for u in (office_reviewer, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r == "ok" for r in results) == [False, True], results
    assert "不能小于零" in next(r for r in results if r != "ok")
    assert county_total(entry.county, 2026) == D("0.50")
