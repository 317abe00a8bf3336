"""Extension requests (opinions of the special group and guidance unit, committee decision, the pilot's new end
date and report quarters) and the pilot's clock (term ended → evaluating, as the system), with a frozen clock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from pilots.models import Pilot
from reports.monitoring import extension_services as ext_services
from reports.monitoring.clock import close_ended_terms
from reports.monitoring.models import QuarterlyReport
from workflow.conventions.opinions import opinion_give
from workflow.engine.errors import WorkflowError
from workflow.models import Opinion, TransitionLog

pytestmark = pytest.mark.django_db
NEW_END = datetime.date(2028, 8, 10)


@pytest.fixture
def extension(pilot, county_nanhu):
    return ext_services.apply_extension(
        actor=county_nanhu, pilot=pilot, reason="complex", reason_text="数据确权涉及多部门，需延长半年", new_end=NEW_END
    )


def test_extension_approved_moves_the_end_date_and_adds_quarters(
    pilot, extension, office_reviewer, committee_member, sg_digital, make_user
):
    assert extension.old_end == datetime.date(2028, 2, 10)
    extension = ext_services.act(actor=office_reviewer, extension=extension, name="consult")
    opinions = list(Opinion.objects.for_object(extension))
    assert {o.unit_id for o in opinions} == {pilot.special_group_id} | (
        {pilot.guidance_unit_id} if pilot.guidance_unit_id else set()
    )
    with pytest.raises(WorkflowError, match="尚未全部答复"):
        ext_services.act(actor=office_reviewer, extension=extension, name="forward")
    for o in opinions:
        giver = sg_digital if o.unit_id == pilot.special_group_id else make_user("gu", o.unit.code)
        opinion_give(actor=giver, opinion=o, verdict="agree", text="同意延期。")
    extension = ext_services.act(actor=office_reviewer, extension=extension, name="forward")
    with pytest.raises(PermissionDenied):
        ext_services.act(actor=office_reviewer, extension=extension, name="approve")
    extension = ext_services.act(
        actor=committee_member, extension=extension, name="approve", meeting_ref="市委改革委第9次会议"
    )
    pilot.refresh_from_db()
    assert extension.status == "approved" and extension.old_end == datetime.date(2028, 2, 10)
    assert pilot.status == Pilot.Status.EXTENDED and pilot.term_end == NEW_END
    quarters = set(QuarterlyReport.objects.filter(pilot=pilot).values_list("year", "quarter"))
    assert {(2028, 2), (2028, 3)} <= quarters
    assert TransitionLog.objects.filter(object_id=pilot.pk, action="pilot.extend", role="system").exists()


def test_extension_rules(pilot, extension, county_nanhu, county_xiuzhou):
    with pytest.raises(WorkflowError, match="已有正在办理"):
        ext_services.apply_extension(
            actor=county_nanhu, pilot=pilot, reason="changed", reason_text="形势变化", new_end=NEW_END
        )
    with pytest.raises(PermissionDenied):
        ext_services.apply_extension(
            actor=county_xiuzhou, pilot=pilot, reason="changed", reason_text="形势变化", new_end=NEW_END
        )


def test_bad_new_end_is_refused_next_to_the_field(pilot, county_nanhu):
    with pytest.raises(WorkflowError) as err:
        ext_services.apply_extension(
            actor=county_nanhu, pilot=pilot, reason="complex", reason_text="说明", new_end=pilot.term_end
        )
    assert err.value.field == "new_end" and err.value.status == 400


def test_clock_moves_an_ended_term_to_evaluating_as_the_system(pilot, clock):
    clock.set(datetime.date(2028, 2, 10))  # the last day of the term
    assert close_ended_terms() == 0
    clock.set(datetime.date(2028, 2, 11))
    assert close_ended_terms() == 1
    pilot.refresh_from_db()
    assert pilot.status == Pilot.Status.EVALUATING
    log = TransitionLog.objects.filter(object_id=pilot.pk, action="pilot.evaluate").get()
    assert log.actor_id is None and log.role == "system"
    assert close_ended_terms() == 0  # idempotent


def test_clock_waits_while_an_extension_is_pending(pilot, extension, clock):
    clock.set(datetime.date(2028, 3, 1))
    assert close_ended_terms() == 0
    pilot.refresh_from_db()
    assert pilot.status == Pilot.Status.IMPLEMENTING


def test_extension_pages_apply_with_bad_date_then_office_sees_it_other_county_404(
    pilot, county_nanhu, county_xiuzhou, office_reviewer, login
):
    from django.urls import reverse

    client = login(county_nanhu)
    url = reverse("reports:extension_new", args=[pilot.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"reason": "complex", "reason_text": "说明", "new_end": "2027-01-01"})
    assert bad.status_code == 400 and "延期后的期满日期须晚于当前期满日期" in bad.content.decode()
    done = client.post(url, {"reason": "changed", "reason_text": "形势变化", "new_end": "2028-12-31"})
    assert done.status_code == 302
    ext_url = done["Location"]
    page = login(office_reviewer).get(ext_url).content.decode()
    assert 'data-testid="action-consult"' in page and "改革形势有新变化" in page
    assert login(county_xiuzhou).get(ext_url).status_code == 404
    assert login(county_xiuzhou).get(url).status_code == 404
    assert login(office_reviewer).get(url).status_code == 403
