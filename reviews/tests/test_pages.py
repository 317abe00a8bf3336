"""Plan pages: the htmx task list, saving and the submit refusal, scoping by URL (404/403), stale 409, lists with
flat query counts, print, the summary sheet, versions compare and notifications."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit
from accounts.reference import COUNTIES
from reviews.plans import services
from reviews.plans.models import Plan
from reviews.tests.factories import filled_plan, make_pilot, pdf
from workflow.models import Notification, Opinion

pytestmark = pytest.mark.django_db


def _post_rows(rows, **extra):
    data = {"row": [str(i) for i in range(len(rows))], **extra}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"t{i}-{k}"] = v
    return data


def _form_data(plan, rows, **extra):
    base = {
        "expected_state": plan.status,
        "title": plan.title,
        "goals": plan.goals,
        "schedule": plan.schedule,
        "safeguards": plan.safeguards,
        "risk_conclusion": "风险可控。",
        "risk_body": "南湖区社会稳定风险评估中心",
        "risk_date": "2026-03-01",
        "legality_conclusion": "",
        "legality_body": "",
        "legality_date": "",
    }
    return {**base, **_post_rows(rows), **extra}


def _submitted(plan, county):
    return services.submit_plan(actor=county, plan=plan)


def test_htmx_adds_moves_and_removes_tasks_without_saving_or_losing_input(plan, county_nanhu, login):
    client = login(county_nanhu)
    rows = [{"key": "a", "content": "任务甲"}, {"key": "b", "content": "任务乙（未保存的修改）"}]
    url = reverse("reviews:tasks", args=[plan.pk])
    added = client.post(url, _post_rows(rows, op="add"), HTTP_HX_REQUEST="true").content.decode()
    assert added.count('data-testid="task-row"') == 3 and "任务乙（未保存的修改）" in added
    moved = client.post(url, _post_rows(rows, op="up:1"), HTTP_HX_REQUEST="true").content.decode()
    assert moved.index("任务乙") < moved.index("任务甲")
    removed = client.post(url, _post_rows(rows, op="remove:0"), HTTP_HX_REQUEST="true").content.decode()
    assert "任务甲" not in removed and "任务乙" in removed
    assert plan.tasks.first().content.startswith("建立公共数据")  # nothing saved


def test_without_javascript_a_task_button_rerenders_the_whole_form_with_what_was_typed(plan, county_nanhu, login):
    client = login(county_nanhu)
    data = _form_data(plan, [{"content": "任务甲"}], op="add", goals="刚输入的目标")
    page = client.post(reverse("reviews:edit", args=[plan.pk]), data).content.decode()
    assert "刚输入的目标" in page and page.count('data-testid="task-row"') == 2
    assert Plan.objects.get(pk=plan.pk).goals != "刚输入的目标"


def test_save_then_submit_refused_names_the_missing_legality_review_and_keeps_the_input(pilot, county_nanhu, login):
    plan = services.start_plan(actor=county_nanhu, pilot=pilot)
    client = login(county_nanhu)
    rows = [{"content": "建立数据授权运营机制", "result_form": "policy", "deadline": "2026-12-31"}]
    data = _form_data(plan, rows, action="submit", goals="新的改革目标", risk_files=pdf())
    response = client.post(reverse("reviews:edit", args=[plan.pk]), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "合法性审查" in text and "合法性审查结论" in text
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.goals == "新的改革目标"
    assert plan.tasks.get().deadline == datetime.date(2026, 12, 31)


def test_a_bad_task_row_is_a_400_next_to_the_field(plan, county_nanhu, login):
    client = login(county_nanhu)
    data = _form_data(plan, [{"content": "", "deadline": "不是日期"}], action="save")
    response = client.post(reverse("reviews:edit", args=[plan.pk]), data)
    assert response.status_code == 400
    assert "请填写任务内容" in response.content.decode()


def test_county_b_gets_404_on_every_page_of_county_as_plan(plan, county_xiuzhou, login):
    client = login(county_xiuzhou)
    for name in ("detail", "edit", "print", "summary"):
        assert client.get(reverse(f"reviews:{name}", args=[plan.pk])).status_code == 404
    assert client.post(reverse("reviews:act", args=[plan.pk]), {"name": "submit"}).status_code == 404
    assert client.post(reverse("reviews:tasks", args=[plan.pk]), {"op": "add"}).status_code == 404
    assert plan.title not in client.get(reverse("reviews:list")).content.decode()


def test_reviewers_see_a_plan_only_once_submitted(plan, county_nanhu, guidance_data, sg_economy, login):
    url = reverse("reviews:detail", args=[plan.pk])
    assert login(guidance_data).get(url).status_code == 404
    _submitted(plan, county_nanhu)
    assert login(guidance_data).get(url).status_code == 200
    assert login(sg_economy).get(url).status_code == 404  # another field's special group


def test_no_role_takes_another_roles_step_by_url(plan, county_nanhu, office_reviewer, committee_member, login):
    plan = _submitted(plan, county_nanhu)
    act = reverse("reviews:act", args=[plan.pk])
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    assert login(office_reviewer).post(reverse("reviews:consult", args=[plan.pk]), {"due": due}).status_code == 403
    assert login(county_nanhu).post(act, {"name": "pass_to_committee"}).status_code == 403
    assert login(committee_member).post(act, {"name": "close_consultation"}).status_code == 403
    assert login(office_reviewer).post(act, {"name": "approve", "meeting_ref": "第1次"}).status_code == 403
    assert login(committee_member).get(reverse("reviews:edit", args=[plan.pk])).status_code == 403
    assert Plan.objects.get(pk=plan.pk).status == "submitted"


def _to_office_review(plan, county, guidance, dept_user):
    plan = _submitted(plan, county)
    plan = services.open_consultation(
        actor=guidance,
        plan=plan,
        invitees=[Unit.objects.get(code="md-finance")],
        due=timezone.localdate() + datetime.timedelta(days=5),
    )
    services.give_opinion(
        actor=dept_user, opinion=Opinion.objects.for_object(plan).get(), verdict="agree", text="同意。"
    )
    return services.close_consultation(actor=guidance, plan=plan)


def test_a_stale_page_gets_409_and_the_current_state(
    plan, county_nanhu, guidance_data, finance_dept, office_reviewer, login
):
    plan = _to_office_review(plan, county_nanhu, guidance_data, finance_dept)
    services.review_plan(actor=office_reviewer, plan=plan, name="return_to_county", comment="请补充。")
    response = login(office_reviewer).post(
        reverse("reviews:act", args=[plan.pk]), {"name": "pass_to_committee", "expected_state": "office_review"}
    )
    assert response.status_code == 409 and "已被其他用户处理" in response.content.decode()


def test_the_plan_page_shows_only_the_allowed_actions_diagram_and_timeline(
    plan, county_nanhu, guidance_data, finance_dept, office_reviewer, committee_member, login
):
    plan = _to_office_review(plan, county_nanhu, guidance_data, finance_dept)
    page = login(office_reviewer).get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="action-pass_to_committee"' in page and 'data-testid="action-return_to_county"' in page
    assert 'data-testid="action-approve"' not in page and 'data-testid="diagram"' in page
    assert 'data-testid="timeline"' in page and "组织征求意见" in page
    page = login(committee_member).get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="actions"' not in page
    page = login(county_nanhu).get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="actions"' not in page


def test_the_next_actors_are_notified(plan, county_nanhu, guidance_data, sg_digital):
    _submitted(plan, county_nanhu)
    assert Notification.objects.filter(recipient=guidance_data).exists()
    assert Notification.objects.filter(recipient=sg_digital, url=plan.get_absolute_url()).exists()


def test_print_summary_sheet_and_excel(plan, county_nanhu, guidance_data, finance_dept, office_reviewer, login):
    plan = _to_office_review(plan, county_nanhu, guidance_data, finance_dept)
    client = login(office_reviewer)
    printed = client.get(reverse("reviews:print", args=[plan.pk])).content.decode()
    assert "建立公共数据授权运营机制" in printed and 'data-testid="print-tasks"' in printed
    summary = client.get(reverse("reviews:summary", args=[plan.pk])).content.decode()
    assert "意见汇总表" in summary and "市财政局" in summary
    xlsx = client.get(reverse("reviews:summary_xlsx", args=[plan.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def _count(client, url):
    client.get(url)  # once first: one-time work of the first request (caches being filled) is not per row
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_plan_list_costs_the_same_queries_as_plans_grow(
    office_reviewer, committee_member, sg_digital, make_user, login, django_assert_num_queries
):
    from applications.tests.factories import open_batch

    batch = open_batch(office_reviewer)
    client = login(office_reviewer)
    url = reverse("reviews:list")

    def add(i):
        county = make_user(f"c{i}", COUNTIES[i][0])
        pilot = make_pilot(
            county, office_reviewer, committee_member, sg_digital, candidate_title=f"项目{i}", batch=batch
        )
        plan = filled_plan(county, pilot)
        if i % 2:
            _submitted(plan, county)

    add(0)
    few = _count(client, url)
    for i in (1, 2, 3):
        add(i)
    with django_assert_num_queries(few):
        page = client.get(url)
    assert page.content.decode().count('data-state="') >= 4


def test_a_bad_plan_filter_is_named_and_ignored_by_the_list_and_refused_by_its_export(
    plan, county_nanhu, county_xiuzhou, office_reviewer, committee_member, sg_digital, login, units
):
    other = filled_plan(
        county_xiuzhou,
        make_pilot(county_xiuzhou, office_reviewer, committee_member, sg_digital, candidate_title="强村富民集成改革"),
    )
    _submitted(other, county_xiuzhou)
    client = login(office_reviewer)
    url = reverse("reviews:list")
    assert f'href="{plan.get_absolute_url()}"' in client.get(url).content.decode()
    for query, problem in (
        ({"county": units["xiuzhou"].pk, "status": "nonsense"}, "状态："),
        ({"status": "submitted", "county": "999999"}, "县（市、区）：没有这个县（市、区），请重新选择。"),
    ):
        response = client.get(url, query)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-testid="filter-problems">筛选条件有误，已忽略：{problem}' in html
        # the valid filter still narrows the list: 秀洲's plan (submitted), not 南湖's (a draft)
        assert f'href="{other.get_absolute_url()}"' in html and f'href="{plan.get_absolute_url()}"' not in html
        refused = client.get(reverse("reviews:export"), query)
        assert refused.status_code == 400 and f"筛选条件有误，未导出：{problem}" in refused.content.decode()


def test_versions_compare_shows_changed_added_removed_and_moved_tasks(
    plan, county_nanhu, guidance_data, finance_dept, office_reviewer, login
):
    keys = list(plan.tasks.values_list("key", flat=True))
    plan = _to_office_review(plan, county_nanhu, guidance_data, finance_dept)
    plan = services.review_plan(actor=office_reviewer, plan=plan, name="return_to_county", comment="请调整任务。")
    opinion = Opinion.objects.for_object(plan).get()
    services.answer_opinion(
        actor=county_nanhu, plan=plan, opinion_id=opinion.pk, decision="partly", reason="部分采纳。"
    )
    rows = [
        {"key": keys[1], "content": "建设公共数据授权运营平台，实现数据产品上架交易"},
        {"key": keys[0], "content": "建立公共数据授权运营机制，制定数据授权运营管理办法（试行）"},
        {"key": "", "content": "设立数据授权运营专项资金"},
    ]
    plan = services.save_plan(actor=county_nanhu, plan=plan, data={"goals": "新目标"}, tasks=rows)
    _submitted(plan, county_nanhu)
    client = login(office_reviewer)
    page = client.get(reverse("reviews:compare", args=[plan.pk, 2])).content.decode()
    assert 'data-field="goals"' in page
    assert 'data-kind="added"' in page and "设立数据授权运营专项资金" in page
    assert 'data-kind="changed_moved"' in page and "（试行）" in page
    assert 'data-testid="answered"' in page and "部分采纳" in page
    assert client.get(reverse("reviews:compare", args=[plan.pk, 9])).status_code == 404


def test_a_pure_move_is_shown_as_moved(plan, county_nanhu, guidance_data, finance_dept, office_reviewer, login):
    keys = list(plan.tasks.values_list("key", flat=True))
    plan = _to_office_review(plan, county_nanhu, guidance_data, finance_dept)
    plan = services.review_plan(actor=office_reviewer, plan=plan, name="return_to_county", comment="请调整顺序。")
    opinion = Opinion.objects.for_object(plan).get()
    services.answer_opinion(actor=county_nanhu, plan=plan, opinion_id=opinion.pk, decision="adopted", reason="已调整。")
    tasks = {t.key: t for t in plan.tasks.all()}
    rows = [
        {
            "key": k,
            "content": tasks[k].content,
            "responsible_unit": tasks[k].responsible_unit,
            "milestones": tasks[k].milestones,
            "deadline": tasks[k].deadline,
            "result_form": tasks[k].result_form,
        }
        for k in reversed(keys)
    ]
    plan = services.save_plan(actor=county_nanhu, plan=plan, data={}, tasks=rows)
    _submitted(plan, county_nanhu)
    page = login(office_reviewer).get(reverse("reviews:compare", args=[plan.pk, 2])).content.decode()
    assert page.count('data-kind="moved"') == 2 and 'data-kind="changed' not in page


def test_an_invitee_gives_a_structured_opinion_with_task_remarks_others_may_not(
    plan, county_nanhu, guidance_data, finance_dept, expert_user, login
):
    plan = _submitted(plan, county_nanhu)
    plan = services.open_consultation(
        actor=guidance_data,
        plan=plan,
        invitees=[Unit.objects.get(code="md-finance")],
        due=timezone.localdate() + datetime.timedelta(days=5),
    )
    opinion = Opinion.objects.for_object(plan).get()
    url = reverse("reviews:opinion", args=[plan.pk, opinion.pk])
    assert login(expert_user).get(url).status_code == 404  # not invited, cannot read the plan
    client = login(finance_dept)
    assert "修改后同意" in client.get(url).content.decode()
    refused = client.post(url, {"text": "意见"})
    assert refused.status_code == 400 and "请选择意见" in refused.content.decode()
    task = plan.tasks.first()
    done = client.post(
        url, {"verdict": "agree_after_changes", "text": "建议补充资金。", f"remark-{task.key}": "请明确时间。"}
    )
    assert done.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == "given" and opinion.task_remarks.get().remark == "请明确时间。"
    page = login(guidance_data).get(plan.get_absolute_url()).content.decode()
    assert "请明确时间。" in page and 'data-testid="action-close_consultation"' in page


def test_the_plan_page_costs_the_same_queries_as_tasks_and_opinions_grow(
    plan, county_nanhu, guidance_data, finance_dept, office_reviewer, login, django_assert_num_queries
):
    plan = _to_office_review(plan, county_nanhu, guidance_data, finance_dept)
    client = login(office_reviewer)
    few = _count(client, plan.get_absolute_url())
    from reviews.plans.models import PlanTask

    PlanTask.objects.bulk_create([PlanTask(plan=plan, order=10 + i, content=f"新增任务{i}") for i in range(8)])
    with django_assert_num_queries(few):
        page = client.get(plan.get_absolute_url())
    assert page.content.decode().count("新增任务") == 8


def test_the_organiser_may_cancel_a_pending_request_from_the_plan_page(
    plan, county_nanhu, guidance_data, office_reviewer, login
):
    plan = _submitted(plan, county_nanhu)
    plan = services.open_consultation(
        actor=guidance_data,
        plan=plan,
        invitees=[Unit.objects.get(code="md-finance")],
        due=timezone.localdate() + datetime.timedelta(days=5),
    )
    assert 'data-testid="cancel-opinion"' in login(guidance_data).get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="cancel-opinion"' not in login(office_reviewer).get(plan.get_absolute_url()).content.decode()
