"""An evaluator revises the scores while the office completes the evaluation, at the same moment: the stored total
and grade always match the stored scores (the evaluation's row lock orders the two; PostgreSQL only)."""

import threading
import time

import pytest
from django.db import connection

from reviews.evaluation import services
from reviews.evaluation.models import Evaluation
from reviews.tests.evaluation_factories import accepted, evaluating_pilot, score_all
from workflow.engine.errors import WorkflowError

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_revision_racing_the_completion_never_leaves_a_stale_total(
    real_services, county_nanhu, office_reviewer, committee_member, sg_digital, guidance_data, expert_user, monkeypatch
):
    services.ensure_default_criteria_set()
    pilot = evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    evaluation = accepted(county_nanhu, office_reviewer, pilot)
    services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    for user in (sg_digital, guidance_data, expert_user):
        score_all(evaluation, user, 80)

    # Hold each transaction a moment after it has read what it works on, so both are in flight together.
    real_parse, real_compute = services.parse_score, services.compute

    def slow_parse(text, *, what):
        time.sleep(0.05)
        return real_parse(text, what=what)

    def slow_compute(*args, **kwargs):
        result = real_compute(*args, **kwargs)
        time.sleep(0.4)
        return result

    monkeypatch.setattr(services, "parse_score", slow_parse)
    monkeypatch.setattr(services, "compute", slow_compute)
    start = threading.Barrier(2)
    results = {}

    def run(name, do):
        start.wait()
        try:
            do()
            results[name] = "ok"
        except WorkflowError as err:
            results[name] = err.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("revise", lambda: score_all(evaluation, expert_user, 100))),
        threading.Thread(
            target=run,
            args=("complete", lambda: services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert results["complete"] == "ok", results
    done = Evaluation.objects.get(pk=evaluation.pk)
    monkeypatch.undo()
    assert done.total == services.compute(done).total  # the total matches the scores as stored
    if results["revise"] == "ok":
        assert str(done.total) == "86.67"  # (80 + 80 + 100) / 3
    else:
        assert "不能再评分" in results["revise"] and str(done.total) == "80.00"
