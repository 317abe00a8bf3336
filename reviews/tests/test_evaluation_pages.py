"""The evaluation pages: who sees what (404 / 403 by URL), scores hidden until everyone has scored, the forms'
messages, the print sheet, the list's query count flat as pilots grow."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.reference import COUNTIES
from applications.tests.factories import open_batch
from pilots.models import Pilot
from reviews.evaluation import services
from reviews.evaluation.models import Evaluation, SelfEvaluation
from reviews.tests.evaluation_factories import accepted, evaluating_pilot, filled_self_evaluation, score_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(county_nanhu, office_reviewer, committee_member, sg_digital):
    return evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)


@pytest.fixture
def evaluation(county_nanhu, office_reviewer, pilot):
    return accepted(county_nanhu, office_reviewer, pilot)


@pytest.fixture
def named(evaluation, office_reviewer, sg_digital, guidance_data, expert_user):
    """The expert the office names; the pilot's special group and guidance unit evaluate it from the start."""
    services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    return [sg_digital, guidance_data, expert_user]


def test_county_starts_fills_and_submits_from_the_pages(county_nanhu, pilot, login):
    services.ensure_default_criteria_set()
    client = login(county_nanhu)
    page = client.get(reverse("reviews:evaluation_list")).content.decode()
    assert 'data-testid="start-self-evaluation"' in page
    response = client.post(reverse("reviews:self_evaluation_start"), {"pilot": pilot.pk})
    se = SelfEvaluation.objects.get(pilot=pilot)
    assert response.url == reverse("reviews:self_evaluation_edit", args=[se.pk])
    page = client.get(response.url).content.decode()
    assert "管理办法已出台" in page  # the last report's progress, pre-filled
    tasks, scores = list(se.task_results.all()), list(se.self_scores.all())
    data = {"overview": "全部完成。", "expected_state": "draft", "action": "submit"}
    data |= {f"pct-{t.pk}": "100" for t in tasks} | {f"result-{t.pk}": "已完成" for t in tasks}
    data |= {f"score-{s.pk}": "88" for s in scores[:-1]}
    response = client.post(response.url, data)
    assert response.status_code == 400
    assert "可复制推广" in response.content.decode()  # names the score still missing
    assert SelfEvaluation.objects.get(pk=se.pk).overview == "全部完成。"  # the save stands
    data[f"score-{scores[-1].pk}"] = "abc"
    response = client.post(reverse("reviews:self_evaluation_edit", args=[se.pk]), data)
    assert response.status_code == 400
    assert "0至100之间的数字" in response.content.decode()
    data[f"score-{scores[-1].pk}"] = "90"
    response = client.post(reverse("reviews:self_evaluation_edit", args=[se.pk]), data)
    assert response.status_code == 302
    assert SelfEvaluation.objects.get(pk=se.pk).status == "submitted"


def test_other_county_and_unnamed_expert_get_404_office_review_buttons_only_for_office(
    county_nanhu, county_xiuzhou, office_reviewer, expert_user, pilot, login
):
    se = services.submit_self_evaluation(
        actor=county_nanhu, self_evaluation=filled_self_evaluation(county_nanhu, pilot)
    )
    url = reverse("reviews:self_evaluation", args=[se.pk])
    assert login(county_xiuzhou).get(url).status_code == 404
    assert login(expert_user).get(url).status_code == 404
    page = login(county_nanhu).get(url).content.decode()
    assert 'data-testid="action-accept"' not in page
    assert (
        login(county_nanhu).post(reverse("reviews:self_evaluation_act", args=[se.pk]), {"name": "accept"}).status_code
        == 403
    )
    page = login(office_reviewer).get(url).content.decode()
    assert 'data-testid="action-accept"' in page and 'data-testid="action-return_to_county"' in page
    response = login(office_reviewer).post(
        reverse("reviews:self_evaluation_act", args=[se.pk]),
        {"name": "return_to_county", "expected_state": "submitted"},
    )
    assert response.status_code == 400
    assert "请填写理由" in response.content.decode()
    login(office_reviewer).post(
        reverse("reviews:self_evaluation_act", args=[se.pk]),
        {"name": "return_to_county", "expected_state": "submitted", "comment": "请补充制度成果佐证材料。"},
    )
    page = login(county_nanhu).get(url).content.decode()
    assert 'data-testid="return-reason"' in page and "请补充制度成果佐证材料。" in page


def test_a_named_evaluator_sees_this_evaluation_only(evaluation, named, pilot, county_nanhu, login):
    expert = named[2]
    client = login(expert)
    assert client.get(reverse("reviews:evaluation", args=[evaluation.pk])).status_code == 200
    assert client.get(reverse("reviews:self_evaluation", args=[evaluation.self_evaluation_id])).status_code == 200
    # ... but not the pilot, its plan or its reports
    assert client.get(reverse("pilots:pilot_detail", args=[pilot.pk])).status_code == 404
    assert client.get(reverse("reviews:detail", args=[pilot.plan.pk])).status_code == 404
    report = pilot.quarterly_reports.first()
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("reviews:evaluation_summary", args=[evaluation.pk])).status_code == 403
    # the county does not see the evaluation while it is being scored
    assert login(county_nanhu).get(reverse("reviews:evaluation", args=[evaluation.pk])).status_code == 404


def test_scores_are_hidden_from_other_evaluators_until_all_have_scored(evaluation, named, office_reviewer, login):
    sg, guide, expert = named
    score_all(evaluation, sg, "91.37")
    page = login(guide).get(reverse("reviews:evaluation", args=[evaluation.pk])).content.decode()
    assert 'data-testid="scores-hidden"' in page and "91.37" not in page
    page = login(sg).get(reverse("reviews:evaluation", args=[evaluation.pk])).content.decode()
    assert 'data-testid="my-scores"' in page  # one's own scores are shown
    assert login(guide).get(reverse("reviews:evaluation_print", args=[evaluation.pk])).status_code == 403
    response = login(office_reviewer).post(
        reverse("reviews:evaluation_act", args=[evaluation.pk]), {"name": "complete", "expected_state": "scoring"}
    )
    assert response.status_code == 400
    assert "须参加评估（评分或提出意见）后才能完成评估，尚缺：市数据局" in response.content.decode()
    score_all(evaluation, guide, 80)
    score_all(evaluation, expert, 70)
    page = login(guide).get(reverse("reviews:evaluation", args=[evaluation.pk])).content.decode()
    assert 'data-testid="score-table"' in page and "80.46" in page  # (91.37 + 80 + 70) / 3 = 80.456…


def test_the_score_form_names_the_missing_score_and_refuses_a_stranger(evaluation, named, sg_economy, login):
    sg = named[0]
    url = reverse("reviews:evaluation_score", args=[evaluation.pk])
    assert login(sg_economy).get(url).status_code == 404
    client = login(sg)
    assert client.get(url).status_code == 200
    criteria = list(evaluation.criteria_set.criteria.all())
    data = {f"score-{c.pk}": "85" for c in criteria[1:]} | {f"score-{criteria[0].pk}": "", "expected_state": "scoring"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "请为“目标完成情况”打分" in response.content.decode()
    data[f"score-{criteria[0].pk}"] = "85.5"
    assert client.post(url, data).status_code == 302
    sheet = evaluation.sheets.get(evaluator=None, role="special_group")  # the group's sheet, filled in by its staff
    assert sheet.scores.get(criterion=criteria[0]).score == Decimal("85.5") and sheet.submitted_by == sg


def test_summary_report_and_committee_comment_through_the_pages(
    evaluation, named, office_reviewer, committee_member, county_nanhu, login
):
    for user in named:
        score_all(evaluation, user, 95)
    office = login(office_reviewer)
    office.post(
        reverse("reviews:evaluation_act", args=[evaluation.pk]), {"name": "complete", "expected_state": "scoring"}
    )
    assert Evaluation.objects.get(pk=evaluation.pk).grade == "excellent"
    page = office.get(reverse("reviews:evaluation_summary", args=[evaluation.pk])).content.decode()
    assert "综合得分95.00分" in page and "“优秀”" in page
    response = office.post(
        reverse("reviews:evaluation_summary", args=[evaluation.pk]), {"summary": "", "expected_state": "scored"}
    )
    assert response.status_code == 400
    office.post(
        reverse("reviews:evaluation_summary", args=[evaluation.pk]), {"summary": "总结全文", "expected_state": "scored"}
    )
    response = office.post(
        reverse("reviews:evaluation_act", args=[evaluation.pk]), {"name": "report", "expected_state": "scored"}
    )
    assert response.status_code == 302
    assert Pilot.objects.get(pk=evaluation.pilot_id).status == "completed"
    committee = login(committee_member)
    assert (
        committee.post(reverse("reviews:evaluation_comment", args=[evaluation.pk]), {"comment": ""}).status_code == 400
    )
    assert (
        committee.post(reverse("reviews:evaluation_comment", args=[evaluation.pk]), {"comment": "同意。"}).status_code
        == 302
    )
    assert (
        login(county_nanhu)
        .post(reverse("reviews:evaluation_comment", args=[evaluation.pk]), {"comment": "x"})
        .status_code
        == 403
    )
    page = login(county_nanhu).get(reverse("reviews:evaluation_print", args=[evaluation.pk])).content.decode()
    assert "县域集成改革试点评估结果表" in page and "95.00" in page and "优秀" in page and "王改革" in page
    assert "周专家" in page and "目标完成情况" in page


def test_the_list_and_evaluation_page_stay_flat_as_pilots_grow(
    office_reviewer, committee_member, sg_digital, guidance_data, expert_user, make_user, login
):
    batch = open_batch(office_reviewer)

    def add(i):
        county = make_user(f"c{i}", COUNTIES[i][0])
        pilot = evaluating_pilot(
            county, office_reviewer, committee_member, sg_digital, candidate_title=f"项目{i}", batch=batch
        )
        evaluation = accepted(county, office_reviewer, pilot)
        services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
        return evaluation

    first = add(0)

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    office, expert = login(office_reviewer), None
    before = count(office, reverse("reviews:evaluation_list"))
    detail = count(office, reverse("reviews:evaluation", args=[first.pk]))
    add(1)
    add(2)
    assert count(office, reverse("reviews:evaluation_list")) == before
    assert count(office, reverse("reviews:evaluation", args=[first.pk])) == detail
    expert = login(expert_user)
    assert count(expert, reverse("reviews:evaluation_list")) <= before


def test_the_evaluator_finds_the_scoring_in_the_inbox_and_the_county_its_deadline_in_the_calendar(
    evaluation, named, county_nanhu, pilot, login
):
    from workflow.models import WorkItem

    expert = named[2]
    item = WorkItem.objects.open_for(expert).get()
    assert item.action_label == "评估打分"
    assert item.url == evaluation.get_absolute_url()
    from reviews.evaluation.calendar import self_evaluation_deadlines

    assert list(self_evaluation_deadlines(county_nanhu)) == []  # submitted: nothing more due
    se = SelfEvaluation.objects.get(pk=evaluation.self_evaluation_id)
    assert se.due_on is not None
    assert list(self_evaluation_deadlines(expert)) == []


def test_the_admin_refuses_weights_not_summing_to_100_and_thresholds_out_of_order(admin_client):
    from reviews.evaluation.models import CriteriaSet

    data = {
        "name": "试行指标",
        "excellent_min": "90",
        "good_min": "80",
        "pass_min": "60",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-order": "1",
        "criteria-0-name": "目标完成情况",
        "criteria-0-weight": "60",
        "criteria-1-order": "2",
        "criteria-1-name": "实际成效",
        "criteria-1-weight": "30",
    }
    url = reverse("admin:reviews_criteriaset_add")
    response = admin_client.post(url, data)
    assert response.status_code == 200

    assert "合计应为100，当前为90" in response.content.decode()
    response = admin_client.post(url, {**data, "criteria-1-weight": "40", "good_min": "95"})
    assert "优秀&gt;良好&gt;合格" in response.content.decode()
    response = admin_client.post(url, {**data, "criteria-1-weight": "40"})
    assert response.status_code == 302
    saved = CriteriaSet.objects.get(name="试行指标")
    assert sum(c.weight for c in saved.criteria.all()) == 100
    default = services.ensure_default_criteria_set()
    assert not default.in_use()


def test_the_evaluation_page_costs_the_same_with_one_or_four_evaluators_scored(
    evaluation, office_reviewer, sg_digital, guidance_data, expert_user, make_user, login
):
    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    url = reverse("reviews:evaluation", args=[evaluation.pk])
    office = login(office_reviewer)
    services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[expert_user.pk])
    score_all(evaluation, expert_user, 80)
    one = count(office, url)
    second_expert = make_user("expert_two", "think-tank", full_name="吴专家")
    services.assign_evaluators(actor=office_reviewer, evaluation=evaluation, user_ids=[second_expert.pk])
    for user in (sg_digital, guidance_data, second_expert):
        score_all(evaluation, user, 90)
    assert count(office, url) == one
    assert count(office, reverse("reviews:evaluation_print", args=[evaluation.pk])) <= one + 2


def test_the_county_removes_a_draft_file_but_not_one_the_office_already_received(
    county_nanhu, county_xiuzhou, office_reviewer, pilot, login
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflow.models import Attachment

    def pdf(name):
        return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")

    se = filled_self_evaluation(county_nanhu, pilot)
    se = services.save_self_evaluation(actor=county_nanhu, self_evaluation=se, data={}, files=[pdf("自评报告.pdf")])
    sent = Attachment.objects.get(original_name="自评报告.pdf")
    client = login(county_nanhu)
    edit = reverse("reviews:self_evaluation_edit", args=[se.pk])
    delete = reverse("reviews:self_evaluation_attachment_delete", args=[se.pk, sent.pk])
    assert delete in client.get(edit).content.decode()
    assert login(county_xiuzhou).post(delete).status_code == 404
    client = login(county_nanhu)  # the fixture's one client, logged in again
    se = services.submit_self_evaluation(actor=county_nanhu, self_evaluation=se)
    se = services.review_self_evaluation(
        actor=office_reviewer, self_evaluation=se, name="return_to_county", comment="请补充佐证材料。"
    )
    services.save_self_evaluation(actor=county_nanhu, self_evaluation=se, data={}, files=[pdf("佐证材料.pdf")])
    extra = Attachment.objects.get(original_name="佐证材料.pdf")
    page = client.get(edit).content.decode()
    assert delete not in page  # received by the office with the submission: kept
    assert client.post(delete).status_code == 404
    assert client.post(reverse("reviews:self_evaluation_attachment_delete", args=[se.pk, extra.pk])).status_code == 302
    assert list(Attachment.objects.filter(object_id=se.pk, content_type__model="selfevaluation")) == [sent]


def test_the_units_evaluate_by_url_scoring_or_giving_an_opinion_and_an_expert_must_score(
    evaluation, named, office_reviewer, county_nanhu, login
):
    sg, guide, expert = named
    page = login(office_reviewer).get(reverse("reviews:evaluation", args=[evaluation.pk])).content.decode()
    assert page.count('data-unit="special_group"') == 1 and page.count('data-unit="guidance_unit"') == 1
    assert "评估单位" in page and "指定评估专家" in page
    url = reverse("reviews:evaluation_score", args=[evaluation.pk])
    assert login(county_nanhu).get(url).status_code == 404
    client = login(guide)
    form = client.get(url).content.decode()
    assert 'data-testid="unit-sheet"' in form and 'data-testid="opinion-only"' in form
    refused = client.post(url, {"opinion_only": "1", "comment": "", "expected_state": "scoring"})
    assert refused.status_code == 400 and "请填写评估意见" in refused.content.decode()
    opinion = "建议总结公共数据授权运营的制度成果。"
    assert client.post(url, {"opinion_only": "1", "comment": opinion, "expected_state": "scoring"}).status_code == 302
    client = login(expert)
    assert 'data-testid="opinion-only"' not in client.get(url).content.decode()
    scored = client.post(url, {"opinion_only": "1", "comment": "意见", "expected_state": "scoring"})
    assert scored.status_code == 400  # the box is not an expert's: every criterion still needs its score
    score_all(evaluation, sg, 90)
    score_all(evaluation, expert, 80)
    page = login(office_reviewer).get(reverse("reviews:evaluation", args=[evaluation.pk])).content.decode()
    assert 'data-testid="unit-opinion"' in page and opinion in page and "已提出意见" in page
    done = login(office_reviewer).post(
        reverse("reviews:evaluation_act", args=[evaluation.pk]), {"name": "complete", "expected_state": "scoring"}
    )
    assert done.status_code == 302 and Evaluation.objects.get(pk=evaluation.pk).total == Decimal("85.00")
