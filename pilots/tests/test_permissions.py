"""Who may manage batches and the candidate list, and who sees which proposal, as each role notices it."""

import pytest
from django.urls import reverse

from accounts.models import Unit
from applications.tests.factories import BatchFactory, listed_candidate, open_batch
from pilots.models import Batch, Candidate
from pilots.services import batch_act, decide_candidate, propose_candidate

pytestmark = pytest.mark.django_db

REASON = "与已有试点内容重复。"

PEOPLE = {
    "proposing_county": "county_nanhu",
    "other_county": "county_xiuzhou",
    "reform_office": "office_reviewer",
    "committee": "committee_member",
    "lead_special_group": "sg_digital",
    "unrelated_special_group": "sg_economy",
    "guidance_unit": "guidance_data",
    "expert": "expert_user",
}
NOT_OFFICE = [who for who in PEOPLE if who != "reform_office"]

# A proposal of 南湖区 (lead group 数字化专项小组) is seen by these before it is listed; everybody else gets 404.
SEES_COUNTY_PROPOSAL = {"proposing_county", "reform_office", "committee", "lead_special_group"}

# batch transition → (state the batch is in, state it moves to)
BATCH_TRANSITIONS = {
    "open": (Batch.Status.DRAFT, Batch.Status.OPEN),
    "close": (Batch.Status.OPEN, Batch.Status.CLOSED),
    "decide": (Batch.Status.CLOSED, Batch.Status.DECIDED),
}
CANDIDATE_TRANSITIONS = {"accept": Candidate.Status.LISTED, "decline": Candidate.Status.DECLINED}


@pytest.fixture
def people(request):
    return {key: request.getfixturevalue(fixture) for key, fixture in PEOPLE.items()}


@pytest.fixture
def batch_in(office_reviewer):
    def make(state):
        batch = BatchFactory()
        for name in ("open", "close", "decide"):
            if batch.status == state:
                break
            batch = batch_act(actor=office_reviewer, batch=batch, name=name)
        assert batch.status == state
        return batch

    return make


def candidate_data(batch, title, *, group="sg-digital", guide="gu-data", area="digital"):
    return {
        "batch": batch,
        "title": title,
        "area": area,
        "lead_group": Unit.objects.get(code=group),
        "guidance_unit": Unit.objects.get(code=guide) if guide else None,
        "description": "改革内容简介",
    }


def form_data(data, **extra):
    return {
        **{key: value.pk if hasattr(value, "pk") else value for key, value in data.items() if value is not None},
        **extra,
    }


@pytest.fixture
def county_proposal(people, office_reviewer):
    batch = open_batch(office_reviewer)
    return propose_candidate(actor=people["proposing_county"], data=candidate_data(batch, "南湖提出的改革项目"))


def page(response):
    return response.content.decode()


def status_of(obj):
    return type(obj).objects.get(pk=obj.pk).status


# --- batch transitions -------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(BATCH_TRANSITIONS))
@pytest.mark.parametrize("who", list(PEOPLE))
def test_batch_buttons_are_shown_only_to_the_office(name, who, people, batch_in, login):
    batch = batch_in(BATCH_TRANSITIONS[name][0])
    response = login(people[who]).get(batch.get_absolute_url())
    hidden_draft = batch.status == Batch.Status.DRAFT and who != "reform_office"
    assert response.status_code == (404 if hidden_draft else 200)
    assert (f'data-testid="action-{name}"' in page(response)) is (who == "reform_office")


@pytest.mark.parametrize("name", list(BATCH_TRANSITIONS))
@pytest.mark.parametrize("who", list(PEOPLE))
def test_only_the_office_moves_a_batch_by_url(name, who, people, batch_in, login):
    before, after = BATCH_TRANSITIONS[name]
    batch = batch_in(before)
    response = login(people[who]).post(
        reverse("pilots:batch_act", args=[batch.pk]), {"name": name, "expected_state": before}
    )
    if who == "reform_office":
        assert response.status_code == 302
        assert status_of(batch) == after
    else:
        # A draft batch does not exist for anybody but the office; an opened one refuses them.
        assert response.status_code == (404 if before == Batch.Status.DRAFT else 403)
        assert status_of(batch) == before


# --- candidate decisions -----------------------------------------------------------------------
@pytest.mark.parametrize("who", list(PEOPLE))
def test_accept_and_decline_buttons_are_shown_only_to_the_office(who, people, county_proposal, login):
    response = login(people[who]).get(county_proposal.get_absolute_url())
    assert response.status_code == (200 if who in SEES_COUNTY_PROPOSAL else 404)
    for name in CANDIDATE_TRANSITIONS:
        assert (f'data-testid="action-{name}"' in page(response)) is (who == "reform_office"), name


@pytest.mark.parametrize("name", list(CANDIDATE_TRANSITIONS))
@pytest.mark.parametrize("who", list(PEOPLE))
def test_only_the_office_decides_a_proposal_by_url(name, who, people, county_proposal, login):
    response = login(people[who]).post(
        reverse("pilots:candidate_act", args=[county_proposal.pk]),
        {"name": name, "comment": REASON, "expected_state": Candidate.Status.PROPOSED},
    )
    if who == "reform_office":
        assert response.status_code == 302
        assert status_of(county_proposal) == CANDIDATE_TRANSITIONS[name]
    else:
        assert response.status_code == (403 if who in SEES_COUNTY_PROPOSAL else 404)
        assert status_of(county_proposal) == Candidate.Status.PROPOSED


@pytest.mark.parametrize("comment", ["", "   "], ids=["empty", "blank"])
def test_declining_without_a_reason_is_sent_back_with_请填写理由(comment, people, county_proposal, login):
    response = login(people["reform_office"]).post(
        reverse("pilots:candidate_act", args=[county_proposal.pk]),
        {"name": "decline", "comment": comment, "expected_state": Candidate.Status.PROPOSED},
    )
    assert response.status_code == 400
    assert "请填写理由" in page(response)
    assert status_of(county_proposal) == Candidate.Status.PROPOSED


# --- proposals ---------------------------------------------------------------------------------
def test_county_proposal_is_seen_by_the_county_and_the_office_and_by_other_counties_once_listed(
    people, office_reviewer, login
):
    batch = open_batch(office_reviewer)
    data = candidate_data(batch, "南湖直接提出的项目")
    response = login(people["proposing_county"]).post(
        reverse("pilots:candidate_propose"), form_data(data, addressed_to="")
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(title=data["title"])
    assert (candidate.status, candidate.channel) == (Candidate.Status.PROPOSED, Candidate.Channel.COUNTY_TO_OFFICE)
    assert candidate.proposer_unit.code == "nanhu"

    assert login(people["proposing_county"]).get(candidate.get_absolute_url()).status_code == 200
    assert login(people["reform_office"]).get(candidate.get_absolute_url()).status_code == 200
    other = login(people["other_county"])
    assert other.get(candidate.get_absolute_url()).status_code == 404
    assert data["title"] not in page(other.get(reverse("pilots:candidate_list")))

    decide_candidate(actor=office_reviewer, candidate=candidate, name="accept")
    other = login(people["other_county"])
    assert other.get(candidate.get_absolute_url()).status_code == 200
    assert data["title"] in page(other.get(reverse("pilots:candidate_list")))


def test_special_group_proposal_is_seen_by_the_group_and_the_office_and_by_counties_once_listed(
    people, office_reviewer, login
):
    batch = open_batch(office_reviewer)
    data = candidate_data(batch, "经济小组提出的项目", group="sg-economy", guide="gu-ndrc", area="economy")
    response = login(people["unrelated_special_group"]).post(reverse("pilots:candidate_propose"), form_data(data))
    assert response.status_code == 302
    candidate = Candidate.objects.get(title=data["title"])
    assert (candidate.status, candidate.channel) == (Candidate.Status.PROPOSED, Candidate.Channel.SPECIAL_GROUP)
    assert candidate.proposer_unit.code == "sg-economy"

    assert login(people["unrelated_special_group"]).get(candidate.get_absolute_url()).status_code == 200
    assert login(people["reform_office"]).get(candidate.get_absolute_url()).status_code == 200
    county = login(people["proposing_county"])
    assert county.get(candidate.get_absolute_url()).status_code == 404
    assert data["title"] not in page(county.get(reverse("pilots:candidate_list")))

    decide_candidate(actor=office_reviewer, candidate=candidate, name="accept")
    assert login(people["proposing_county"]).get(candidate.get_absolute_url()).status_code == 200


def test_county_proposal_addressed_to_a_special_group_is_seen_by_that_group(people, office_reviewer, login):
    batch = open_batch(office_reviewer)
    data = candidate_data(batch, "南湖向经济小组提出的项目")
    economy = Unit.objects.get(code="sg-economy")
    response = login(people["proposing_county"]).post(
        reverse("pilots:candidate_propose"), form_data(data, addressed_to=economy.pk)
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(title=data["title"])
    assert (candidate.channel, candidate.addressed_to) == (Candidate.Channel.COUNTY_TO_GROUP, economy)
    assert login(people["unrelated_special_group"]).get(candidate.get_absolute_url()).status_code == 200
    assert login(people["other_county"]).get(candidate.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["guidance_unit", "expert"])
def test_guidance_units_and_experts_cannot_propose(who, people, office_reviewer, login):
    batch = open_batch(office_reviewer)
    client = login(people[who])
    assert client.get(reverse("pilots:candidate_propose")).status_code == 403
    response = client.post(reverse("pilots:candidate_propose"), form_data(candidate_data(batch, "不应出现的项目")))
    assert response.status_code == 403
    assert not Candidate.objects.filter(title="不应出现的项目").exists()


# --- the published candidate list --------------------------------------------------------------
@pytest.fixture
def published_batch(people, office_reviewer):
    """An open batch with one listed, one proposed and one declined candidate."""
    batch = open_batch(office_reviewer)
    listed_candidate(office_reviewer, batch, title="已列入名单的项目")
    propose_candidate(actor=people["proposing_county"], data=candidate_data(batch, "尚在提出的项目"))
    declined = propose_candidate(
        actor=people["lead_special_group"], data=candidate_data(batch, "未列入名单的项目", area="digital")
    )
    decide_candidate(actor=office_reviewer, candidate=declined, name="decline", comment=REASON)
    return batch


@pytest.mark.parametrize("who", list(PEOPLE))
def test_published_list_is_readable_by_everyone_and_shows_only_listed_candidates(who, people, published_batch, login):
    response = login(people[who]).get(reverse("pilots:published_list"), {"batch": published_batch.pk})
    assert response.status_code == 200
    assert "已列入名单的项目" in page(response)
    assert "尚在提出的项目" not in page(response)
    assert "未列入名单的项目" not in page(response)


# --- batch management pages and draft batches --------------------------------------------------
@pytest.mark.parametrize("who", list(PEOPLE))
def test_batch_create_and_edit_pages_are_only_for_the_office(who, people, batch_in, login):
    batch = batch_in(Batch.Status.OPEN)
    client = login(people[who])
    expected = 200 if who == "reform_office" else 403
    assert client.get(reverse("pilots:batch_create")).status_code == expected
    assert client.get(reverse("pilots:batch_edit", args=[batch.pk])).status_code == expected


@pytest.mark.parametrize("who", NOT_OFFICE)
def test_non_office_users_cannot_create_or_edit_a_batch_by_posting(who, people, batch_in, login):
    batch = batch_in(Batch.Status.DRAFT)
    client = login(people[who])
    fields = {
        "name": "伪造批次",
        "year": 2026,
        "window_opens_at": "2026-01-01T09:00",
        "window_closes_at": "2026-12-31T17:00",
    }
    assert client.post(reverse("pilots:batch_create"), fields).status_code == 403
    assert client.post(reverse("pilots:batch_edit", args=[batch.pk]), fields).status_code == 403
    assert not Batch.objects.filter(name="伪造批次").exists()


@pytest.mark.parametrize("who", list(PEOPLE))
def test_draft_batch_exists_only_for_the_office(who, people, batch_in, login):
    draft = batch_in(Batch.Status.DRAFT)
    client = login(people[who])
    office = who == "reform_office"
    assert client.get(draft.get_absolute_url()).status_code == (200 if office else 404)
    assert (draft.name in page(client.get(reverse("pilots:batch_list")))) is office
    assert draft.name not in page(client.get(reverse("pilots:published_list")))


# --- regressions of bugs found while writing these tests -------------------------------------
@pytest.mark.parametrize("who", ["proposing_county", "lead_special_group", "expert"])
def test_candidates_listed_in_a_draft_batch_stay_hidden_until_the_batch_opens(who, people, office_reviewer, login):
    draft = BatchFactory(name="筹备中的批次")
    candidate = listed_candidate(office_reviewer, draft, title="筹备批次里的项目")
    assert candidate.status == Candidate.Status.LISTED
    client = login(people[who])
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(candidate.get_absolute_url()).status_code == 404
    assert candidate.title not in page(client.get(reverse("pilots:candidate_list")))


@pytest.mark.parametrize("who", ["proposing_county", "lead_special_group"])
def test_proposal_form_does_not_offer_a_draft_batch_to_non_office_users(who, people, office_reviewer, login):
    open_batch(office_reviewer, name="正在申报的批次")
    draft = BatchFactory(name="筹备中的批次")
    client = login(people[who])
    form = page(client.get(reverse("pilots:candidate_propose")))
    assert "正在申报的批次" in form
    assert draft.name not in form
    response = client.post(
        reverse("pilots:candidate_propose"), form_data(candidate_data(draft, "提到草稿批次的项目"), addressed_to="")
    )
    assert response.status_code == 400
    assert not Candidate.objects.filter(batch=draft).exists()


def test_a_special_group_is_told_of_a_county_proposal_addressed_to_it(county_nanhu, sg_digital, office_reviewer, units):
    from pilots.services import propose_candidate
    from workflow.models import Notification

    batch = open_batch(office_reviewer, name="通知测试批次")
    candidate = propose_candidate(
        actor=county_nanhu,
        addressed_to=units["sg-digital"],
        data={
            "batch": batch,
            "title": "南湖提给专项小组的项目",
            "area": "digital",
            "lead_group": units["sg-digital"],
            "guidance_unit": None,
            "description": "x",
        },
    )
    assert Notification.objects.filter(recipient=sg_digital, log__object_id=candidate.pk).exists()
    assert Notification.objects.filter(recipient=office_reviewer, log__object_id=candidate.pk).exists()
