"""退回到指定步骤 on applications: the committee, deciding a recommended application, returns it to the county's
submission or to the office's recommendation (the steps it actually passed: county → office → special-group
consultation → office recommendation), with a reason; the resubmission comes straight back to the committee."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application
from workflow.conventions import approval as conventions
from workflow.conventions.opinions import opinion_give
from workflow.models import Notification, TransitionLog, WorkItem

from .factories import filled_application, listed_candidate, open_batch

S = Application.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def recommended(county_nanhu, office_reviewer, sg_digital):
    batch = open_batch(office_reviewer)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    app = services.submit_application(actor=county_nanhu, application=app)
    app = services.review_application(actor=office_reviewer, application=app, name="request_opinion")
    opinion_give(actor=sg_digital, opinion=app.opinions()[0], verdict="agree", text="同意推荐。")
    return services.review_application(actor=office_reviewer, application=app, name="recommend")


def step(app, action):
    return next(s for s in conventions.steps_of(app) if s.action == action)


def post_return(client, app, action, comment="请补充"):
    return client.post(
        reverse("workflow:return_to_step", args=["application", app.pk]),
        {"step": step(app, action).key, "comment": comment},
    )


def waits_on(app):
    return {i.role for i in WorkItem.objects.for_object(app).open()}


def test_the_committee_sees_the_steps_the_application_passed(client, recommended, committee_member):
    steps = conventions.steps_of(recommended)
    assert [(s.action, s.state) for s in steps] == [("submit", S.RETURNED), ("recommend", S.CONSULTING)]
    assert "南湖区" in steps[0].label and "市委改革办" in steps[1].label
    client.force_login(committee_member)
    html = client.get(recommended.get_absolute_url()).content.decode()
    assert 'data-testid="return-form"' in html and "建议列为试点" in html


def test_returned_to_the_county_the_resubmission_goes_back_to_the_committee(
    client, recommended, county_nanhu, committee_member
):
    client.force_login(committee_member)
    assert post_return(client, recommended, "submit", "请补充风险评估").status_code == 302
    app = Application.objects.get()
    assert app.status == S.RETURNED and waits_on(app) == {"county"}
    log = TransitionLog.objects.get(action="application.return_to_step")
    assert log.comment == "请补充风险评估" and Notification.objects.filter(recipient=county_nanhu, log=log).exists()

    app = services.submit_application(actor=county_nanhu, application=app)

    assert app.status == S.RECOMMENDED and waits_on(app) == {"committee"}
    resubmitted = TransitionLog.objects.filter(action="application.submit").last()
    assert resubmitted.to_state == S.RECOMMENDED
    assert Notification.objects.filter(recipient=committee_member, log=resubmitted).exists()


def test_returned_to_the_office_it_recommends_again_to_the_committee(
    client, recommended, office_reviewer, committee_member
):
    client.force_login(committee_member)
    assert post_return(client, recommended, "recommend", "请说明推荐理由").status_code == 302
    app = Application.objects.get()
    assert app.status == S.CONSULTING and "reform_office" in waits_on(app)
    app = services.review_application(actor=office_reviewer, application=app, name="not_recommend", comment="重议")
    assert app.status == S.NOT_RECOMMENDED and waits_on(app) == {"committee"}


def test_the_reason_is_required_and_only_the_committee_may_return(
    client, recommended, committee_member, office_reviewer, county_nanhu
):
    client.force_login(committee_member)
    response = post_return(client, recommended, "submit", "")
    assert response.status_code == 400 and "请填写理由" in response.content.decode()
    for user in (office_reviewer, county_nanhu):
        client.force_login(user)
        assert post_return(client, recommended, "submit").status_code == 403
    assert Application.objects.get().status == S.RECOMMENDED
