"""The navigation bar is built from what each app registers (``workflow.navigation``), at a fixed query cost."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts import navigation
from accounts.models import User
from accounts.rules import is_committee

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)  # nothing cached from an earlier render


def render_nav(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return render_to_string("nav_sections.html", {"user": user}, request=request)


@pytest.fixture
def extra_entries():
    """Register entries for the length of a test."""
    names = []

    def add(*entries):
        for entry in entries:
            navigation.register(entry)
            names.append(entry.name)

    yield add
    for name in names:
        navigation.unregister(name)


def test_an_apps_entry_appears_for_its_roles_only(extra_entries, committee_member, county_nanhu):
    extra_entries(navigation.NavEntry("meetings", "会议安排", "home", 70, visible=is_committee))
    assert 'data-testid="nav-meetings"' in render_nav(committee_member)
    assert 'data-testid="nav-meetings"' not in render_nav(county_nanhu)
    navigation.unregister("meetings")
    assert 'data-testid="nav-meetings"' not in render_nav(committee_member)


def test_entries_follow_their_order_and_a_label_may_depend_on_the_role(extra_entries, county_nanhu, office_reviewer):
    extra_entries(
        navigation.NavEntry("zz_first", "最前", "home", 1),
        navigation.NavEntry("zz_role", lambda user: "县级" if user.username == "county_nanhu" else "市级", "home", 99),
    )
    page = render_nav(county_nanhu)
    assert page.index('data-testid="nav-zz_first"') < page.index('data-testid="nav-published"')
    assert page.index('data-testid="nav-calendar"') < page.index('data-testid="nav-zz_role"')
    assert ">县级<" in page and ">市级<" in render_nav(office_reviewer)


def test_the_section_of_the_current_page_is_marked_for_screen_readers(office_reviewer):
    page = render_nav(office_reviewer, "/pilots/batches/")
    marked = [chunk for chunk in page.split("<li") if 'aria-current="page"' in chunk]
    assert len(marked) == 1 and 'data-testid="nav-batches"' in marked[0]


def test_a_badge_shows_its_number_and_hides_at_zero(extra_entries, office_reviewer):
    counts = {"value": 3}
    extra_entries(navigation.NavEntry("zz_badge", "待阅", "home", 99, badge=lambda user: counts["value"]))
    assert 'data-testid="nav-zz_badge-badge">3<' in render_nav(office_reviewer)
    counts["value"] = 0  # badges are counted at every page, never kept
    assert 'data-testid="nav-zz_badge-badge"' not in render_nav(office_reviewer)


def test_the_bar_costs_the_same_queries_however_many_entries(extra_entries, office_reviewer, django_assert_num_queries):
    user = fresh(office_reviewer)
    with django_assert_num_queries(1):  # the user's memberships, loaded once
        few = render_nav(user)
    extra_entries(
        *[
            navigation.NavEntry(f"zz_{i}", f"栏目{i}", "home", 200 + i, visible=is_committee if i % 2 else None)
            for i in range(20)
        ]
    )
    user = fresh(office_reviewer)
    with django_assert_num_queries(1):
        many = render_nav(user)
    assert many.count("<li") == few.count("<li") + 10
