"""PostgreSQL holds the line even when code bypasses the services: the cross-table rules and the audit tables.

Triggers exist only on PostgreSQL (django-pgtrigger); on SQLite the services' checks are the guard, which the
rest of the suite proves. Runs in CI's service pass.
"""

from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from applications import services
from applications.models import Application
from applications.tests.factories import filled_application, listed_candidate, open_batch
from pilots.models import Batch
from pilots.services import update_batch
from workflow.conventions.opinions import opinion_give
from workflow.engine.errors import WorkflowError
from workflow.models import AuditEvent, TransitionLog

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def _sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _recommended_to_approved(app, county, office, group, committee):
    app = services.submit_application(actor=county, application=app)
    app = services.review_application(actor=office, application=app, name="request_opinion")
    opinion_give(actor=group, opinion=app.opinions()[0], verdict="agree", text="同意")
    app = services.review_application(actor=office, application=app, name="recommend")
    return services.decide_application(actor=committee, application=app, name="approve", meeting_ref="第1次会议")


def test_the_audit_tables_refuse_updates_and_deletes_at_the_database(real_services, county_nanhu, office_reviewer):
    filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    AuditEvent.objects.create(kind="login", username="x")
    log = TransitionLog.objects.first()
    with pytest.raises(DatabaseError):
        _sql("UPDATE workflow_transitionlog SET comment = 'forged' WHERE id = %s", [log.pk])
    with pytest.raises(DatabaseError):
        _sql("DELETE FROM workflow_transitionlog WHERE id = %s", [log.pk])
    with pytest.raises(DatabaseError):
        _sql("DELETE FROM workflow_auditevent")
    log.refresh_from_db()
    assert log.comment == "" and AuditEvent.objects.count() == 1


def test_a_submission_outside_the_window_is_refused_by_the_database(real_services, county_nanhu, office_reviewer):
    batch = open_batch(office_reviewer)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    update_batch(
        actor=office_reviewer,
        batch=batch,
        data={
            "window_closes_at": timezone.now() - timedelta(hours=1),
            "window_opens_at": timezone.now() - timedelta(days=3),
        },
    )
    with pytest.raises(IntegrityError, match="batch_window_closed"):
        _sql("UPDATE applications_application SET status = 'submitted' WHERE id = %s", [app.pk])
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT


def test_the_service_turns_the_databases_refusal_into_the_chinese_rule(
    real_services, county_nanhu, office_reviewer, monkeypatch
):
    batch = open_batch(office_reviewer)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    update_batch(
        actor=office_reviewer,
        batch=batch,
        data={
            "window_closes_at": timezone.now() - timedelta(hours=1),
            "window_opens_at": timezone.now() - timedelta(days=3),
        },
    )
    monkeypatch.setattr(Batch, "window_is_open", lambda self, at=None: True)  # the application's checks miss it
    with pytest.raises(WorkflowError, match="不在申报时间内"):
        services.submit_application(actor=county_nanhu, application=app)
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT


def test_no_application_row_for_a_county_running_a_pilot_even_behind_the_services(
    real_services, county_nanhu, office_reviewer, sg_digital, committee_member
):
    batch = open_batch(office_reviewer)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    _recommended_to_approved(app, county_nanhu, office_reviewer, sg_digital, committee_member)
    second = open_batch(office_reviewer, name="第二批")
    candidate = listed_candidate(office_reviewer, second, title="第二批项目")
    with pytest.raises(IntegrityError, match="county_runs_pilot"), transaction.atomic():
        Application.objects.create(
            batch=second,
            candidate=candidate,
            county=app.county,
            created_by=county_nanhu,
            project_name="绕过服务的申报",
            area="digital",
        )
    assert not Application.objects.filter(batch=second).exists()


def _close_window(batch, office):
    batch = update_batch(
        actor=office,
        batch=batch,
        data={
            "window_closes_at": timezone.now() - timedelta(hours=1),
            "window_opens_at": timezone.now() - timedelta(days=3),
        },
    )
    from pilots.services import batch_act

    return batch_act(actor=office, batch=batch, name="close")


def test_the_database_lets_a_returned_application_come_back_after_the_window(
    real_services, county_nanhu, county_xiuzhou, office_reviewer
):
    batch = open_batch(office_reviewer)
    returned = filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    returned = services.submit_application(actor=county_nanhu, application=returned)
    returned = services.review_application(
        actor=office_reviewer, application=returned, name="return_to_county", comment="请补充风险评估"
    )
    never_sent = filled_application(county_xiuzhou, listed_candidate(office_reviewer, batch, title="第二个项目"))
    _close_window(batch, office_reviewer)

    # Behind the services: the trigger still refuses a first submission, but not a resubmission.
    with pytest.raises(IntegrityError, match="batch_window_closed"):
        _sql("UPDATE applications_application SET status = 'submitted' WHERE id = %s", [never_sent.pk])
    _sql("UPDATE applications_application SET status = 'submitted' WHERE id = %s", [returned.pk])
    returned.refresh_from_db()
    never_sent.refresh_from_db()
    assert (returned.status, never_sent.status) == (Application.Status.SUBMITTED, Application.Status.DRAFT)


def test_a_returned_application_is_resubmitted_through_the_service_after_the_window(
    real_services, county_nanhu, office_reviewer
):
    batch = open_batch(office_reviewer)
    app = services.submit_application(
        actor=county_nanhu, application=filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    )
    app = services.review_application(actor=office_reviewer, application=app, name="return_to_county", comment="补充")
    _close_window(batch, office_reviewer)
    app = services.submit_application(actor=county_nanhu, application=app)
    assert app.status == Application.Status.SUBMITTED
