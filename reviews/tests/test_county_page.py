"""The county page's 总结评估 section (reports/county.py reads it through reviews.plans.selectors): the county's
self-evaluations with the evaluation's grade once scored, nothing of another county."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reviews.evaluation import grading
from reviews.evaluation.models import Evaluation
from reviews.tests.evaluation_factories import accepted, evaluating_pilot

pytestmark = pytest.mark.django_db


def section(html):
    return html.split('data-testid="section-evaluations"')[1].split("</section>")[0]


def test_the_county_page_shows_its_evaluations_and_the_grade_once_scored(
    county_nanhu, office_reviewer, committee_member, sg_digital, login, units
):
    pilot = evaluating_pilot(county_nanhu, office_reviewer, committee_member, sg_digital)
    evaluation = accepted(county_nanhu, office_reviewer, pilot)
    client = login(office_reviewer)
    html = section(client.get(reverse("reports:county", args=[units["nanhu"].pk])).content.decode())
    assert pilot.title in html and "共1项" in html and "良好" not in html
    assert f'href="{reverse("reviews:evaluation_list")}"' in html
    Evaluation.objects.filter(pk=evaluation.pk).update(total=Decimal("88.33"), grade=grading.GOOD)
    html = section(client.get(reverse("reports:county", args=[units["nanhu"].pk])).content.decode())
    assert "良好（88.33）" in html and evaluation.get_absolute_url() in html
    other = section(client.get(reverse("reports:county", args=[units["xiuzhou"].pk])).content.decode())
    assert "共0项" in other and pilot.title not in other
