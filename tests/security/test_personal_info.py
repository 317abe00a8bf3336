"""Personal information: the leader's and contact's phone numbers and e-mail address of an application are
shown in full only to its county (and the administrators); every other viewer, on every page, export and print
view, sees them masked (0573-****0001, l***@example.gov.cn)."""

from contextlib import suppress

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from accounts.privacy import mask_text
from applications import services
from applications.tests.factories import filled_application, listed_candidate, open_batch

pytestmark = pytest.mark.django_db

REASON = "请补充改革基础的量化数据。"
PHONES = {"leader_phone": "0573-82000001", "contact_phone": "13857312345", "contact_email": "lihua@example.gov.cn"}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + (p.namespace + ":" if p.namespace else ""))
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p


def page_urls(app):
    """Every page of the URL conf this scenario can fill in: those without parameters and the application's."""
    samples = {"pk": app.pk, "number": 2}
    urls = []
    for name, pattern in _walk(get_resolver().url_patterns):
        params = set(pattern.pattern.converters)
        if params and not (name.startswith("applications:") and params <= set(samples)):
            continue
        with suppress(NoReverseMatch):  # a pattern whose parameters mean something else
            urls.append(reverse(name, kwargs={k: samples[k] for k in params}))
    return urls


@pytest.fixture
def resubmitted(county_nanhu, office_reviewer):
    """南湖区's application, submitted, returned and resubmitted with new contact details (two versions)."""
    app = filled_application(county_nanhu, listed_candidate(office_reviewer, open_batch(office_reviewer)))
    app = services.submit_application(actor=county_nanhu, application=app)
    app = services.review_application(actor=office_reviewer, application=app, name="return_to_county", comment=REASON)
    return services.submit_application(actor=county_nanhu, application=app, data=PHONES)


def unmasked_in(client, urls):
    found = []
    for url in urls:
        response = client.get(url)
        if getattr(response, "streaming", False):  # a download: read to its end, the test client then closes it
            b"".join(response.streaming_content)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = response.content.decode()
        found += [(url, value) for value in PHONES.values() if value in body]
    return found


def test_another_county_finds_no_unmasked_number_on_any_page(resubmitted, county_xiuzhou, login):
    urls = page_urls(resubmitted)
    assert len(urls) > 10
    assert unmasked_in(login(county_xiuzhou), urls) == []


@pytest.mark.parametrize("viewer", ["office_reviewer", "committee_member", "sg_digital"])
def test_municipal_viewers_see_masked_numbers_on_detail_print_and_diff(resubmitted, login, request, viewer):
    client = login(request.getfixturevalue(viewer))
    urls = [reverse(n, args=[resubmitted.pk]) for n in ("applications:detail", "applications:print")]
    assert unmasked_in(client, [*urls, reverse("applications:diff", args=[resubmitted.pk, 2])]) == []
    detail = client.get(reverse("applications:detail", args=[resubmitted.pk]))
    if detail.status_code == 200:
        assert "0573-****0001" in detail.content.decode()
    printed = client.get(reverse("applications:print", args=[resubmitted.pk]))
    if printed.status_code == 200:
        assert "138****2345" in printed.content.decode() and "l***@example.gov.cn" in printed.content.decode()


def test_the_office_sees_the_print_view_masked(resubmitted, office_reviewer, login):
    body = login(office_reviewer).get(reverse("applications:print", args=[resubmitted.pk])).content.decode()
    assert "0573-****0001" in body and "0573-82000001" not in body


def test_the_county_itself_sees_its_numbers_in_full(resubmitted, county_nanhu, login):
    client = login(county_nanhu)
    for name in ("applications:detail", "applications:print"):
        body = client.get(reverse(name, args=[resubmitted.pk])).content.decode()
        assert all(value in body for value in PHONES.values()), name
    diff = client.get(reverse("applications:diff", args=[resubmitted.pk, 2])).content.decode()
    assert "13857312345" in diff


def test_masks_keep_the_ends_and_hide_the_middle():
    assert mask_text("13812345678") == "138****5678"
    assert mask_text("0573-82000001") == "0573-****0001"
    assert mask_text("lihua@example.gov.cn") == "l***@example.gov.cn"
    assert mask_text("第3批，2026年") == "第3批，2026年"
