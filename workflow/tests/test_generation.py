"""The generational cache (``workflow.generation``): any write to the workflow's tables starts a new generation,
so nothing cached before it is read again; tried on the test-only Ticket workflow."""

import pytest
from django.db import connection, transaction

from workflow import generation
from workflow.audit import audit
from workflow.models import AuditEvent
from workflow.services import perform
from workflow.tests.testapp.models import Ticket, make_ticket

pytestmark = pytest.mark.django_db


def cached_titles():
    """What a page would cache: the tickets' titles, built only when the generation changed."""
    return generation.cached("test-titles", ("all",), lambda: sorted(Ticket.objects.values_list("title", flat=True)))


def test_a_value_is_built_once_then_read_until_something_is_written(county_nanhu):
    make_ticket(county_nanhu, "nanhu", title="甲")
    builds = []

    def build():
        builds.append(1)
        return "built"

    assert generation.cached("test-count", (1,), build) == "built"
    assert generation.cached("test-count", (1,), build) == "built"
    assert len(builds) == 1
    assert generation.cached("test-count", (2,), build) == "built" and len(builds) == 2  # other parts, other entry


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda t, user: perform(t, "submit", actor=user), id="a transition"),
        pytest.param(lambda t, user: Ticket.objects.filter(pk=t.pk).update(title="乙"), id="QuerySet.update"),
        pytest.param(lambda t, user: make_ticket(user, "nanhu", title="丙"), id="an insert"),
        pytest.param(lambda t, user: Ticket.objects.filter(pk=t.pk).delete(), id="a delete"),
    ],
)
def test_every_kind_of_write_starts_a_new_generation(write, county_nanhu):
    ticket = make_ticket(county_nanhu, "nanhu", title="甲")
    before = generation.current()
    assert cached_titles() == ["甲"]
    write(ticket, county_nanhu)
    assert generation.current() != before
    assert cached_titles() == sorted(Ticket.objects.values_list("title", flat=True))


def test_reads_and_the_security_audit_leave_the_generation_alone(county_nanhu, office_reviewer):
    make_ticket(county_nanhu, "nanhu")
    before = generation.current()
    list(Ticket.objects.all())
    audit(AuditEvent.Kind.EXPORT, user=office_reviewer, rows=1)  # an export is audited, nothing changed
    assert generation.current() == before


def test_a_write_in_a_transaction_renews_it_at_once_and_again_at_commit(
    county_nanhu, django_capture_on_commit_callbacks
):
    ticket = make_ticket(county_nanhu, "nanhu", title="甲")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(title="乙")
        during = generation.current()
        # A reader in another transaction could cache the old title under ``during`` before the commit ...
        generation.cached("test-titles", ("all",), lambda: ["甲"])
    # ... so the commit starts another generation, and nobody reads that entry again.
    assert callbacks and generation.current() != during
    assert cached_titles() == ["乙"]


def test_every_connection_watches_its_writes():
    assert any(getattr(w, "jx_generation", False) for w in connection.execute_wrappers)


def test_keys_name_the_database_and_the_code():
    key = generation._gen_key()
    assert connection.settings_dict["NAME"] in key and generation.code_token() in key


def test_a_deployment_without_a_shared_cache_fails_its_check(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [e.id for e in generation.check_shared_cache()] == ["workflow.E001"]
    settings.CACHES = {"default": {"BACKEND": "jiaxing_pilot.cache.ReusingRedisCache", "LOCATION": "redis://x/1"}}
    assert generation.check_shared_cache() == []


def test_renew_cache_after_rows_were_changed_behind_the_sites_back(county_nanhu):
    from io import StringIO

    from django.core.management import call_command

    ticket = make_ticket(county_nanhu, "nanhu", title="甲")
    assert cached_titles() == ["甲"]
    raw = connection.cursor().connection.cursor()  # the driver's own cursor, as psql would: the site sees nothing
    placeholder = "%s" if connection.vendor == "postgresql" else "?"
    raw.execute(f"UPDATE testapp_ticket SET title = {placeholder} WHERE id = {placeholder}", ["乙", ticket.pk])  # noqa: S608
    assert cached_titles() == ["甲"]  # the site could not know
    call_command("renew_cache", stdout=StringIO())
    assert cached_titles() == ["乙"]


def test_an_unreachable_cache_costs_speed_not_correctness(county_nanhu, monkeypatch):
    from django.core.cache import cache

    ticket = make_ticket(county_nanhu, "nanhu", title="甲")
    assert cached_titles() == ["甲"]

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    with monkeypatch.context() as outage:
        for name in ("get", "get_many", "set", "add"):
            outage.setattr(cache, name, down)
        Ticket.objects.filter(pk=ticket.pk).update(title="乙")  # the write stands; its renewal is owed
        assert cached_titles() == ["乙"]  # read from the database
    # The cache answers again, still holding the entry of before the write: the owed renewal comes first.
    assert cached_titles() == ["乙"]
