"""Two reviewers press different buttons on one application at the same moment: exactly one wins."""

import threading
import time

import pytest
from django.db import connection

from applications import services
from applications.models import Application
from workflow import services as workflow_services
from workflow.conventions.opinions import opinion_give
from workflow.engine.errors import WorkflowError
from workflow.models import TransitionLog

from .factories import filled_application, listed_candidate, open_batch

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_concurrent_decisions_on_one_application(
    real_services, county_nanhu, office_reviewer, make_user, sg_digital, monkeypatch
):
    second_reviewer = make_user("office_two", "reform-office")
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    app = services.submit_application(actor=county_nanhu, application=app)
    app = services.review_application(actor=office_reviewer, application=app, name="request_opinion")
    opinion_give(actor=sg_digital, opinion=app.opinions()[0], verdict="agree", text="同意")

    # Hold each transaction open a moment after its checks, so both are in flight together.
    real_unmet = workflow_services.unmet_condition

    def slow_unmet(obj, transition):
        result = real_unmet(obj, transition)
        time.sleep(0.4)
        return result

    monkeypatch.setattr(workflow_services, "unmet_condition", slow_unmet)
    start = threading.Barrier(2)
    results = {}

    def press(user, name, comment):
        start.wait()
        try:
            services.review_application(
                actor=user, application=app, name=name, comment=comment, expected_state="consulting"
            )
            results[name] = "ok"
        except WorkflowError as err:
            results[name] = err.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=press, args=(office_reviewer, "recommend", "")),
        threading.Thread(target=press, args=(second_reviewer, "not_recommend", "理由")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(v == "ok" for v in results.values()) == [False, True], results
    loser = next(v for v in results.values() if v != "ok")
    assert "已被其他用户处理" in loser
    app.refresh_from_db()
    winner = next(k for k, v in results.items() if v == "ok")
    assert (
        app.status
        == {"recommend": Application.Status.RECOMMENDED, "not_recommend": Application.Status.NOT_RECOMMENDED}[winner]
    )
    assert TransitionLog.objects.filter(action__in=["application.recommend", "application.not_recommend"]).count() == 1
