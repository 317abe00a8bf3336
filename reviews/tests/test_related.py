"""相关记录 on the pilot's page: the plan app's links (plan, self-evaluation, evaluation, summary) for the user
who may open each, as each record's own page scopes it."""

import pytest
from django.urls import reverse

from reviews.evaluation import services
from reviews.tests.evaluation_factories import accepted, evaluating_pilot, score_all
from workflow.engine.registry import related_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def evaluation(county_nanhu, office_reviewer, pilot, expert_user):
    evaluation = accepted(county_nanhu, office_reviewer, pilot)
    services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    return evaluation


def labels(user, pilot):
    return [label for label, _url, _state in related_for(user, pilot)]


def opens_every_link(client, login, user, pilot):
    login(user)
    for _label, url, _state in related_for(user, pilot):
        assert client.get(url).status_code == 200, url


def test_while_scoring_the_county_and_its_group_see_the_self_evaluation_but_not_the_evaluation(
    pilot, evaluation, county_nanhu, sg_digital, login, client
):
    assert labels(county_nanhu, pilot) == ["试点方案", "试点自评", "季度报告"]
    se = evaluation.self_evaluation
    assert ("试点自评", se.get_absolute_url(), se.get_status_display()) in related_for(county_nanhu, pilot)
    opens_every_link(client, login, county_nanhu, pilot)
    page = client.get(reverse("pilots:pilot_detail", args=[pilot.pk])).content.decode()
    assert f'href="{se.get_absolute_url()}"' in page
    assert f'href="{evaluation.get_absolute_url()}"' not in page
    # the pilot's special group evaluates it with the office (seed 二（四）): it reads the evaluation while scoring
    assert "试点自评" in labels(sg_digital, pilot) and "评估" in labels(sg_digital, pilot)
    opens_every_link(client, login, sg_digital, pilot)


def test_a_named_expert_sees_only_the_self_evaluation_and_the_evaluation(
    pilot, evaluation, expert_user, sg_economy, login, client
):
    assert labels(expert_user, pilot) == ["试点自评", "评估"]
    opens_every_link(client, login, expert_user, pilot)
    assert related_for(sg_economy, pilot) == []


def test_once_the_summary_is_written_the_county_and_the_committee_see_the_evaluation_and_the_summary(
    pilot,
    evaluation,
    expert_user,
    sg_digital,
    guidance_data,
    office_reviewer,
    committee_member,
    county_nanhu,
    login,
    client,
):
    for user in (sg_digital, guidance_data, expert_user):
        score_all(evaluation, user, 85)
    evaluation = services.complete_evaluation(actor=office_reviewer, evaluation=evaluation)
    services.save_summary(actor=office_reviewer, evaluation=evaluation, summary=services.initial_summary(evaluation))
    for user in (county_nanhu, committee_member):
        links = related_for(user, pilot)
        assert [label for label, _u, _s in links][:4] == ["试点方案", "试点自评", "评估", "试点总结"]
        assert links[3] == ("试点总结", evaluation.get_absolute_url() + "#summary", "已撰写")
        opens_every_link(client, login, user, pilot)
    page = client.get(evaluation.get_absolute_url()).content.decode()
    assert 'id="summary"' in page
