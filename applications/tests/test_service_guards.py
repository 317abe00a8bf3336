"""The services refuse what the pages never offer: whoever calls them (a task, the admin, a script)
gets the same Chinese answer as a user clicking a button."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from applications import services
from pilots import services as pilot_services
from workflow.conventions.opinions import opinion_give
from workflow.engine.errors import WorkflowError

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(office_reviewer):
    return open_batch(office_reviewer)


@pytest.fixture
def app(county_nanhu, office_reviewer, batch):
    return filled_application(county_nanhu, listed_candidate(office_reviewer, batch))


def test_only_a_county_starts_an_application(office_reviewer, batch):
    candidate = listed_candidate(office_reviewer, batch, title="另一个项目")
    with pytest.raises(PermissionDenied, match="只有县"):
        services.start_application(actor=office_reviewer, candidate=candidate)


def test_only_the_owning_county_saves_the_draft(app, county_xiuzhou, office_reviewer):
    for outsider in (county_xiuzhou, office_reviewer):
        with pytest.raises(PermissionDenied, match="只有申报县"):
            services.save_draft(actor=outsider, application=app, data={"goals": "篡改"})
    app.refresh_from_db()
    assert app.goals != "篡改"


def test_a_submitted_application_is_no_longer_editable(app, county_nanhu):
    services.submit_application(actor=county_nanhu, application=app)
    with pytest.raises(WorkflowError, match="不能修改"):
        services.save_draft(actor=county_nanhu, application=app, data={"goals": "提交后再改"})


def test_an_opinion_needs_a_verdict_and_a_text(app, county_nanhu, office_reviewer, sg_digital):
    app = services.submit_application(actor=county_nanhu, application=app)
    app = services.review_application(actor=office_reviewer, application=app, name="request_opinion")
    opinion = app.opinions()[0]
    with pytest.raises(WorkflowError, match="请选择意见"):
        opinion_give(actor=sg_digital, opinion=opinion, verdict="maybe", text="x")
    with pytest.raises(WorkflowError, match="请填写意见说明"):
        opinion_give(actor=sg_digital, opinion=opinion, verdict="agree", text="  ")


@pytest.mark.parametrize(("call", "name"), [("review_application", "approve"), ("decide_application", "recommend")])
def test_an_unknown_step_is_refused(app, office_reviewer, call, name):
    kwargs = {"meeting_ref": "第1次会议"} if call == "decide_application" else {}
    with pytest.raises(WorkflowError, match="没有这个操作"):
        getattr(services, call)(actor=office_reviewer, application=app, name=name, **kwargs)


def test_batch_and_candidate_services_guard_their_doors(office_reviewer, county_nanhu, batch, units):
    with pytest.raises(PermissionDenied):
        pilot_services.create_batch(actor=county_nanhu, data={"name": "越权批次", "year": 2026})
    with pytest.raises(WorkflowError, match="没有这个操作"):
        pilot_services.batch_act(actor=office_reviewer, batch=batch, name="delete")
    candidate = listed_candidate(office_reviewer, batch, title="已列入")
    with pytest.raises(WorkflowError, match="没有这个操作"):
        pilot_services.decide_candidate(actor=office_reviewer, candidate=candidate, name="publish")
    with pytest.raises(WorkflowError, match="同名候选项目"):
        listed_candidate(office_reviewer, batch, title="已列入")
    pilot_services.batch_act(actor=office_reviewer, batch=batch, name="close")
    with pytest.raises(WorkflowError, match="批次已截止"):
        pilot_services.update_batch(
            actor=office_reviewer, batch=batch, data={"window_closes_at": timezone.now() + timedelta(days=1)}
        )
    pilot_services.batch_act(actor=office_reviewer, batch=batch, name="decide")
    with pytest.raises(WorkflowError, match="已确定"):
        listed_candidate(office_reviewer, batch, title="确定后再提")
