"""The office's real review of an extension request (issue 28, point 2): the special group and the guidance unit
answer first; the office refuses with a reason the county reads (and the county applies again) or passes it on;
the committee decides citing its meeting; an extension is at most EXTENSION_MAX_MONTHS long; the county may
withdraw a pending request. Through the services, then by URL with the right and the wrong roles."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pilots.models import Pilot
from reports.monitoring import extension_services as ext_services
from reports.monitoring.clock import close_ended_terms
from reports.monitoring.extensions import ExtensionRequest
from workflow.conventions.opinions import opinion_cancel, opinion_give
from workflow.engine.errors import WorkflowError
from workflow.models import Notification, Opinion, TransitionLog, WorkItem
from workflow.services import available_actions

pytestmark = pytest.mark.django_db
TERM_END = datetime.date(2028, 2, 10)  # the factory pilot's term: 2026-02-10 + 2 years
NEW_END = datetime.date(2028, 8, 10)


@pytest.fixture
def guide(pilot, make_user):
    """A member of the pilot's guidance unit (the candidate's suggested one)."""
    return make_user("guide", pilot.guidance_unit.code, full_name="市数据局联络员")


@pytest.fixture
def extension(pilot, county_nanhu):
    return ext_services.apply_extension(
        actor=county_nanhu, pilot=pilot, reason="complex", reason_text="数据确权涉及多部门，需延长半年", new_end=NEW_END
    )


def asked(extension, office):
    return ext_services.act(actor=office, extension=extension, name="consult")


def opinion_of(extension, unit, status=Opinion.Status.PENDING):
    return Opinion.objects.for_object(extension).get(unit=unit, status=status)


def answer(extension, pilot, group_user, guide, verdict="agree"):
    opinion_give(actor=group_user, opinion=opinion_of(extension, pilot.special_group), verdict=verdict, text="意见一")
    opinion_give(actor=guide, opinion=opinion_of(extension, pilot.guidance_unit), verdict="agree", text="意见二")


def log_of(extension, action):
    return TransitionLog.objects.filter(object_id=extension.pk, action=f"extension.{action}").get()


def test_the_pilot_has_a_guidance_unit(pilot):
    assert pilot.guidance_unit_id is not None and pilot.term_end == TERM_END


def test_the_office_refuses_only_after_both_opinions_with_a_reason_and_the_county_applies_again(
    pilot, extension, county_nanhu, office_reviewer, sg_digital, guide
):
    extension = asked(extension, office_reviewer)
    assert {o.unit_id for o in Opinion.objects.for_object(extension)} == {
        pilot.special_group_id,
        pilot.guidance_unit_id,
    }
    for name in ("refuse", "forward"):
        with pytest.raises(WorkflowError, match="尚未全部答复") as err:
            ext_services.act(actor=office_reviewer, extension=extension, name=name, comment="不同意。")
        assert err.value.status == 400
    opinion_give(actor=sg_digital, opinion=opinion_of(extension, pilot.special_group), verdict="disagree", text="过长")
    with pytest.raises(WorkflowError, match="尚未全部答复"):  # the guidance unit has not answered yet
        ext_services.act(actor=office_reviewer, extension=extension, name="refuse", comment="不同意。")
    opinion_give(actor=guide, opinion=opinion_of(extension, pilot.guidance_unit), verdict="agree", text="同意")

    with pytest.raises(WorkflowError, match="请填写理由") as err:
        ext_services.act(actor=office_reviewer, extension=extension, name="refuse", comment="  ")
    assert err.value.status == 400
    with pytest.raises(PermissionDenied):
        ext_services.act(actor=county_nanhu, extension=extension, name="refuse", comment="自己不同意")
    extension = ext_services.act(
        actor=office_reviewer, extension=extension, name="refuse", comment="延期时间过长，请压缩后重新申请。"
    )
    assert extension.status == ExtensionRequest.Status.REFUSED and not extension.is_pending
    log = log_of(extension, "refuse")
    assert (log.role, log.actor, log.from_state, log.to_state) == (
        "reform_office",
        office_reviewer,
        "consulting",
        "refused",
    )
    assert log.comment == "延期时间过长，请压缩后重新申请。"
    assert Notification.objects.filter(recipient=county_nanhu, log=log).exists()  # the reason goes to the county
    pilot.refresh_from_db()
    assert pilot.term_end == TERM_END and pilot.status == Pilot.Status.IMPLEMENTING

    again = ext_services.apply_extension(
        actor=county_nanhu,
        pilot=pilot,
        reason="complex",
        reason_text="压缩至三个月",
        new_end=datetime.date(2028, 5, 10),
    )
    assert again.is_pending and again.old_end == TERM_END


def test_a_cancelled_opinion_is_asked_again_before_the_office_decides(
    pilot, extension, office_reviewer, sg_digital, guide
):
    extension = asked(extension, office_reviewer)
    with pytest.raises(WorkflowError, match="均已征求意见") as err:  # both asked: nobody to ask again
        ext_services.act(actor=office_reviewer, extension=extension, name="consult_again")
    assert err.value.status == 400
    opinion_give(actor=sg_digital, opinion=opinion_of(extension, pilot.special_group), verdict="agree", text="同意")
    opinion_cancel(actor=office_reviewer, opinion=opinion_of(extension, pilot.guidance_unit), comment="发错了")
    # Cancelling the guidance unit's request does not let the office decide without it.
    with pytest.raises(WorkflowError, match="尚未全部答复"):
        ext_services.act(actor=office_reviewer, extension=extension, name="forward")
    extension = ExtensionRequest.objects.get(pk=extension.pk)
    assert [t.name for t in available_actions(extension, office_reviewer)] == ["consult_again"]
    extension = ext_services.act(actor=office_reviewer, extension=extension, name="consult_again")
    pending = Opinion.objects.for_object(extension).filter(status=Opinion.Status.PENDING)
    assert [o.unit_id for o in pending] == [pilot.guidance_unit_id]  # only the unit still to ask
    opinion_give(actor=guide, opinion=pending.get(), verdict="agree", text="同意")
    extension = ext_services.act(actor=office_reviewer, extension=extension, name="forward")
    assert extension.status == ExtensionRequest.Status.COMMITTEE_REVIEW


def test_the_committees_decision_cites_its_meeting(
    pilot, extension, office_reviewer, committee_member, sg_digital, guide
):
    extension = asked(extension, office_reviewer)
    answer(extension, pilot, sg_digital, guide)
    extension = ext_services.act(actor=office_reviewer, extension=extension, name="forward")
    for name, comment in (("approve", ""), ("reject", "不同意"), ("approve_on_behalf", "")):
        actor = office_reviewer if name.endswith("_on_behalf") else committee_member
        with pytest.raises(WorkflowError, match="请填写会议届次") as err:
            ext_services.act(actor=actor, extension=extension, name=name, comment=comment, meeting_ref=" ")
        assert err.value.field == "meeting_ref" and err.value.status == 400
    with pytest.raises(PermissionDenied):
        ext_services.act(actor=office_reviewer, extension=extension, name="approve", meeting_ref="第9次会议")
    with pytest.raises(WorkflowError, match="请填写理由"):
        ext_services.act(actor=committee_member, extension=extension, name="reject", meeting_ref="第9次会议")
    extension = ext_services.act(
        actor=committee_member, extension=extension, name="approve", meeting_ref="市委改革委第9次会议"
    )
    assert extension.status == ExtensionRequest.Status.APPROVED and extension.meeting_ref == "市委改革委第9次会议"
    assert log_of(extension, "approve").details["meeting_ref"] == "市委改革委第9次会议"
    pilot.refresh_from_db()
    assert pilot.term_end == NEW_END


def test_an_office_record_of_the_committees_rejection_keeps_the_meeting_and_the_reason(
    pilot, extension, office_reviewer, county_nanhu, sg_digital, guide, login
):
    extension = asked(extension, office_reviewer)
    answer(extension, pilot, sg_digital, guide)
    extension = ext_services.act(actor=office_reviewer, extension=extension, name="forward")
    extension = ext_services.act(
        actor=office_reviewer,
        extension=extension,
        name="reject_on_behalf",
        meeting_ref="市委改革委第9次会议",
        comment="任务可在原期限内完成。",
    )
    assert extension.status == ExtensionRequest.Status.REJECTED and extension.is_refused
    log = log_of(extension, "reject_on_behalf")
    assert log.details["on_behalf_of"] == "committee" and log.details["meeting_ref"] == "市委改革委第9次会议"
    page = login(county_nanhu).get(extension.get_absolute_url()).content.decode()
    assert "市委改革委不予延期，理由" in page and "任务可在原期限内完成。" in page and "市委改革委第9次会议" in page


def test_an_extension_is_at_most_extension_max_months(pilot, county_nanhu, settings):
    assert settings.EXTENSION_MAX_MONTHS == 12  # the default
    with pytest.raises(WorkflowError) as err:
        ext_services.apply_extension(
            actor=county_nanhu, pilot=pilot, reason="complex", reason_text="说明", new_end=datetime.date(2029, 2, 11)
        )
    assert err.value.field == "new_end" and err.value.status == 400
    assert err.value.message == "一次延期最长12个月：申请延至的日期不能晚于2029-02-10。"
    settings.EXTENSION_MAX_MONTHS = 6
    with pytest.raises(WorkflowError, match="一次延期最长6个月：申请延至的日期不能晚于2028-08-10。"):
        ext_services.apply_extension(
            actor=county_nanhu, pilot=pilot, reason="complex", reason_text="说明", new_end=datetime.date(2028, 8, 11)
        )
    ext = ext_services.apply_extension(
        actor=county_nanhu, pilot=pilot, reason="complex", reason_text="说明", new_end=datetime.date(2028, 8, 10)
    )
    assert ext.new_end == datetime.date(2028, 8, 10)


def test_months_are_calendar_months():
    assert ext_services.add_months(datetime.date(2028, 8, 31), 6) == datetime.date(2029, 2, 28)
    assert ext_services.add_months(datetime.date(2027, 8, 31), 6) == datetime.date(2028, 2, 29)
    assert ext_services.add_months(datetime.date(2028, 2, 10), 12) == datetime.date(2029, 2, 10)
    assert ext_services.add_months(datetime.date(2028, 11, 30), 3) == datetime.date(2029, 2, 28)


def test_the_county_withdraws_a_pending_request_and_the_asked_units_to_dos_end(
    pilot, extension, county_nanhu, county_xiuzhou, office_reviewer, sg_digital, guide, clock
):
    extension = asked(extension, office_reviewer)
    assert WorkItem.objects.open_for(sg_digital).filter(content_type__model="opinion").count() == 1
    assert WorkItem.objects.open_for(guide).filter(content_type__model="opinion").count() == 1
    for other in (county_xiuzhou, office_reviewer):
        with pytest.raises(PermissionDenied):
            ext_services.act(actor=other, extension=extension, name="withdraw")
    extension = ext_services.act(actor=county_nanhu, extension=extension, name="withdraw", comment="任务已调整。")
    assert extension.status == ExtensionRequest.Status.WITHDRAWN
    assert log_of(extension, "withdraw").role == "county"
    cancelled = Opinion.objects.for_object(extension)
    assert {o.status for o in cancelled} == {Opinion.Status.CANCELLED}
    logs = TransitionLog.objects.filter(action="opinion.cancel", object_id__in=[o.pk for o in cancelled])
    assert {(log.role, log.actor_id) for log in logs} == {("system", None)} and logs.count() == 2
    assert not WorkItem.objects.open_for(sg_digital).exists() and not WorkItem.objects.open_for(guide).exists()
    assert Notification.objects.filter(recipient=office_reviewer, log__action="extension.withdraw").exists()
    with pytest.raises(WorkflowError):
        ext_services.act(actor=county_nanhu, extension=extension, name="withdraw")
    # Nothing pending any more: the clock no longer waits, and the county may apply again.
    clock.set(datetime.date(2028, 2, 11))
    assert close_ended_terms() == 1


def test_a_decided_request_can_no_longer_be_withdrawn(
    pilot, extension, county_nanhu, office_reviewer, committee_member, sg_digital, guide
):
    extension = asked(extension, office_reviewer)
    answer(extension, pilot, sg_digital, guide)
    extension = ext_services.act(actor=office_reviewer, extension=extension, name="forward")
    extension = ext_services.act(actor=county_nanhu, extension=extension, name="withdraw")  # still pending
    assert extension.status == ExtensionRequest.Status.WITHDRAWN
    again = ext_services.apply_extension(
        actor=county_nanhu, pilot=pilot, reason="changed", reason_text="形势变化", new_end=NEW_END
    )
    again = asked(again, office_reviewer)
    answer(again, pilot, sg_digital, guide)
    again = ext_services.act(actor=office_reviewer, extension=again, name="forward")
    again = ext_services.act(actor=committee_member, extension=again, name="approve", meeting_ref="第9次会议")
    with pytest.raises(WorkflowError, match="不能执行"):
        ext_services.act(actor=county_nanhu, extension=again, name="withdraw")


def test_who_waits_in_my_to_dos_at_each_step(
    pilot, extension, county_nanhu, office_reviewer, committee_member, sg_digital, guide
):
    def waiting(user):
        return list(
            WorkItem.objects.open_for(user)
            .filter(content_type__model="extensionrequest")
            .values_list("action", flat=True)
        )

    assert waiting(office_reviewer) == ["consult"] and waiting(county_nanhu) == []
    extension = asked(extension, office_reviewer)
    assert waiting(office_reviewer) == ["forward,refuse"]
    assert WorkItem.objects.open_for(sg_digital).filter(content_type__model="opinion").exists()
    answer(extension, pilot, sg_digital, guide)
    extension = ext_services.act(actor=office_reviewer, extension=extension, name="forward")
    assert waiting(office_reviewer) == [] and waiting(committee_member) == ["approve,reject"]
    assert waiting(county_nanhu) == []  # withdrawing is optional: never a to-do


# --- by URL, the right and the wrong roles -----------------------------------------------------------------------
def post(client, extension, name, **data):
    return client.post(reverse("reports:extension_act", args=[extension.pk]), {"name": name, **data})


def test_by_url_each_step_is_the_right_roles_and_a_refusal_is_400(
    pilot,
    extension,
    county_nanhu,
    county_xiuzhou,
    office_reviewer,
    committee_member,
    sg_digital,
    guide,
    expert_user,
    login,
):
    url = extension.get_absolute_url()
    answers = {
        county_nanhu: 200,
        county_xiuzhou: 404,
        office_reviewer: 200,
        committee_member: 200,
        sg_digital: 200,
        guide: 200,
        expert_user: 404,
    }
    assert {user: login(user).get(url).status_code for user in answers} == answers

    assert post(login(county_nanhu), extension, "consult").status_code == 403
    assert post(login(office_reviewer), extension, "consult", expected_state="submitted").status_code == 302
    for user in (county_nanhu, committee_member, sg_digital, guide):
        assert post(login(user), extension, "refuse", comment="不同意").status_code == 403
    refused = post(login(office_reviewer), extension, "refuse", comment="不同意", expected_state="consulting")
    assert refused.status_code == 400 and "尚未全部答复" in refused.content.decode()
    assert post(login(county_xiuzhou), extension, "withdraw").status_code == 404

    # The group answers on the request's page, where its form is.
    page = login(sg_digital).get(url).content.decode()
    assert 'data-testid="opinion-form"' in page and "同意延期" in page
    opinion = opinion_of(extension, pilot.special_group)
    response = login(sg_digital).post(
        reverse("workflow:opinion", args=[opinion.pk]), {"verdict": "disagree", "text": "过长", "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    opinion_give(actor=guide, opinion=opinion_of(extension, pilot.guidance_unit), verdict="agree", text="同意")

    no_reason = post(login(office_reviewer), extension, "refuse", comment="", expected_state="consulting")
    assert no_reason.status_code == 400 and "请填写理由" in no_reason.content.decode()
    done = post(
        login(office_reviewer),
        extension,
        "refuse",
        comment="延期时间过长，请压缩后重新申请。",
        expected_state="consulting",
    )
    assert done.status_code == 302
    stale = post(login(office_reviewer), extension, "forward", expected_state="consulting")
    assert stale.status_code == 409  # someone else already decided: the page was stale

    page = login(county_nanhu).get(url).content.decode()
    assert 'data-testid="refusal-reason"' in page and "延期时间过长，请压缩后重新申请。" in page
    assert "市委改革办审核未通过，理由" in page
    assert 'data-testid="apply-again"' in page
    form = login(county_nanhu).get(reverse("reports:extension_new", args=[pilot.pk])).content.decode()
    assert 'data-testid="last-refusal"' in form and "延期时间过长，请压缩后重新申请。" in form


def test_by_url_the_committee_decides_with_its_meeting_and_the_county_withdraws(
    pilot, extension, county_nanhu, office_reviewer, committee_member, sg_digital, guide, login
):
    extension = asked(extension, office_reviewer)
    answer(extension, pilot, sg_digital, guide)
    assert post(login(office_reviewer), extension, "forward", expected_state="consulting").status_code == 302
    url = extension.get_absolute_url()
    assert 'id="id_meeting_ref"' in login(committee_member).get(url).content.decode()
    assert 'id="id_meeting_ref"' not in login(county_nanhu).get(url).content.decode()

    for user in (county_nanhu, sg_digital, guide, office_reviewer):
        assert post(login(user), extension, "approve", meeting_ref="第9次会议").status_code == 403
    missing = post(login(committee_member), extension, "approve", meeting_ref="", expected_state="committee_review")
    assert missing.status_code == 400 and "请填写会议届次" in missing.content.decode()

    # The county withdraws while the committee has not decided (the browser asks to confirm first).
    page = login(county_nanhu).get(url).content.decode()
    assert 'data-testid="action-withdraw"' in page and "data-confirm" in page
    for user in (office_reviewer, committee_member, sg_digital):
        assert post(login(user), extension, "withdraw").status_code == 403
    assert post(login(county_nanhu), extension, "withdraw", expected_state="committee_review").status_code == 302
    page = login(county_nanhu).get(url).content.decode()
    assert 'data-state="withdrawn"' in page and 'data-testid="withdrawn-note"' in page
    late = post(
        login(committee_member), extension, "approve", meeting_ref="第9次会议", expected_state="committee_review"
    )
    assert late.status_code == 409


def test_by_url_a_date_past_the_maximum_is_refused_next_to_the_field(pilot, county_nanhu, login):
    url = reverse("reports:extension_new", args=[pilot.pk])
    page = login(county_nanhu).get(url).content.decode()
    assert 'max="2029-02-10"' in page and "一次延期最长12个月，最晚可延至2029-02-10。" in page
    response = login(county_nanhu).post(url, {"reason": "complex", "reason_text": "说明", "new_end": "2029-06-30"})
    assert response.status_code == 400
    assert "一次延期最长12个月：申请延至的日期不能晚于2029-02-10。" in response.content.decode()
    assert not ExtensionRequest.objects.exists()
