"""代理 on applications: the office asks a member of the special group (李四) by name for the recommendation
opinion; while 李四 is away, the colleague 张三 named as deputy sees the request in 我的待办 and answers it, logged
as "张三（代李四）" on the application's timeline and approval sheet; a request named to somebody else stays theirs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import RECOMMENDATION
from workflow.conventions.opinions import opinion_request
from workflow.inbox import deputies
from workflow.models import Opinion, TransitionLog, WorkItem

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "absent": make_user("sg_absent", "sg-digital", full_name="李四"),
        "deputy": make_user("sg_deputy", "sg-digital", full_name="张三"),
        "other": make_user("sg_other", "sg-digital", full_name="王五"),
    }


@pytest.fixture
def consulting(county_nanhu, office_reviewer, people):
    batch = open_batch(office_reviewer)
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, batch))
    app = services.submit_application(actor=county_nanhu, application=app)
    app = services.review_application(actor=office_reviewer, application=app, name="request_opinion")
    opinion_request(
        target=app,
        invitees=[people["absent"], people["other"]],
        purpose=RECOMMENDATION,
        actor=office_reviewer,
        role="reform_office",
    )
    return app


def named(app, user):
    return Opinion.objects.for_object(app).get(user=user)


def away(people, start=0, end=5):
    absent = people["absent"]
    return deputies.appoint(
        user=absent,
        deputy=people["deputy"],
        unit_id=absent.memberships.get().unit_id,
        role="special_group",
        starts_on=timezone.localdate() + timedelta(days=start),
        ends_on=timezone.localdate() + timedelta(days=end),
    )


def answer(client, opinion):
    return client.post(reverse("workflow:opinion", args=[opinion.pk]), {"verdict": "agree", "text": "同意推荐。"})


def test_the_deputy_answers_the_absent_members_request_logged_as_acting_for_them(client, consulting, people):
    deputy, absent = people["deputy"], people["absent"]
    mine = named(consulting, absent)
    client.force_login(deputy)
    assert answer(client, mine).status_code == 403  # not 张三's own request
    away(people)
    assert WorkItem.objects.open_for(type(deputy).objects.get(pk=deputy.pk)).filter(object_id=mine.pk).exists()
    assert 'data-testid="deputy-mark"' in client.get(reverse("inbox")).content.decode()

    assert answer(client, mine).status_code == 302

    mine.refresh_from_db()
    assert mine.status == Opinion.Status.GIVEN and mine.given_by == deputy
    log = TransitionLog.objects.get(action="opinion.give", object_id=mine.pk)
    assert (log.actor, log.on_behalf_of) == (deputy, absent)
    page = client.get(consulting.get_absolute_url()).content.decode()
    assert "张三（代李四）" in page
    sheet = client.get(reverse("workflow:sheet", args=["application", consulting.pk])).content.decode()
    assert "张三（代李四）" in sheet


def test_a_request_named_to_someone_else_stays_theirs(client, consulting, people):
    away(people)
    client.force_login(people["deputy"])
    theirs = named(consulting, people["other"])
    assert answer(client, theirs).status_code == 403
    assert named(consulting, people["other"]).status == Opinion.Status.PENDING


def test_before_the_range_the_deputy_neither_sees_nor_answers(client, consulting, people):
    away(people, start=2, end=4)
    client.force_login(people["deputy"])
    assert 'data-testid="deputy-mark"' not in client.get(reverse("inbox")).content.decode()
    assert answer(client, named(consulting, people["absent"])).status_code == 403
