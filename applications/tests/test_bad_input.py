"""Whatever a user (or a hand-edited URL) sends, the answer is a 4xx with a message, never a 500."""

import pytest
from django.urls import reverse

from .factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(county_nanhu, office_reviewer):
    return filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))


@pytest.mark.parametrize(
    ("who", "method", "url", "data", "status"),
    [
        ("county_nanhu", "get", "/applications/?county=abc&batch=999&status=bogus&page=xyz", {}, 200),
        ("county_nanhu", "get", "/pilots/candidates/published/?batch=abc", {}, 200),
        ("county_nanhu", "get", "/calendar/?month=2026-99", {}, 200),
        ("county_nanhu", "post", "/applications/new/", {"candidate": "abc"}, 404),
        ("county_nanhu", "post", "/applications/new/", {}, 404),
        ("county_nanhu", "post", "act", {"name": "bogus"}, 400),
        ("county_nanhu", "post", "edit", {"action": "submit", "contact_email": "not-an-email"}, 400),
        ("office_reviewer", "post", "act", {"name": "recommend", "expected_state": "x" * 500}, 409),
        ("office_reviewer", "post", "/pilots/batches/new/", {"window_opens_at": "notadate"}, 400),
        ("office_reviewer", "post", "/pilots/candidates/import/", {"batch": "abc"}, 400),
        ("office_reviewer", "post", "/accounts/preferences/", {"email_mode": "x", "email": "bad"}, 400),
    ],
)
def test_bad_input_gets_a_clear_4xx(who, method, url, data, status, app, request, login):
    client = login(request.getfixturevalue(who))
    url = {"act": reverse("applications:act", args=[app.pk]), "edit": reverse("applications:edit", args=[app.pk])}.get(
        url, url
    )
    response = getattr(client, method)(url, data)
    assert response.status_code == status
    if status in (400, 409):
        assert "alert" in response.content.decode() or "invalid-feedback" in response.content.decode()


def test_an_invalid_email_on_submit_is_named_next_to_the_field_and_the_rest_is_kept(app, county_nanhu, login):
    data = {f: getattr(app, f) for f in ("project_name", "area", "goals")}
    data.update({"action": "submit", "contact_email": "not-an-email", "goals": "刚改的目标"})
    page = login(county_nanhu).post(reverse("applications:edit", args=[app.pk]), data).content.decode()
    assert 'data-field-error="contact_email"' in page and "刚改的目标" in page
    app.refresh_from_db()
    assert app.status == "draft"
