"""Security regression suite, part 1: the role × URL matrix. Every named URL pattern of the URL conf is asked
by every role (GET, with the scenario's records as parameters) and must answer exactly what url_matrix.py
says; a new URL without an entry there fails, and so does an entry whose URL is gone."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Membership
from applications import services
from applications.tests.factories import filled_application, listed_candidate, open_batch
from tests.security.matrix import ROLES, measure, url_for, url_patterns
from tests.security.url_matrix import EXPECTED
from workflow.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
USERS = {
    "county": ("county_nanhu", "nanhu", None),
    "other_county": ("county_xiuzhou", "xiuzhou", None),
    "reform_office": ("office_reviewer", "reform-office", None),
    "committee": ("committee_member", "committee", None),
    "special_group": ("sg_digital", "sg-digital", None),
    "guidance_unit": ("guidance_data", "gu-data", None),
    "expert": ("expert_user", "think-tank", None),
    "municipal_dept": ("propaganda", "md-propaganda", None),
    "system_admin": ("sysadmin", "info-center", "system_admin"),
    "security_admin": ("secadmin", "info-center", "security_admin"),
    "audit_admin": ("auditadmin", "info-center", "audit_admin"),
}


@pytest.fixture
def people(make_user):
    return {role: make_user(username, unit, role=r) for role, (username, unit, r) in USERS.items()}


@pytest.fixture
def scenario(people, units):
    """南湖区's application with an attachment, submitted and waiting on the digital group's opinion."""
    county, office = people["county"], people["reform_office"]
    batch = open_batch(office)
    candidate = listed_candidate(office, batch)
    app = filled_application(county, candidate)
    app = services.save_draft(
        actor=county, application=app, data={}, files=[SimpleUploadedFile("申报表.pdf", PDF, "application/pdf")]
    )
    app = services.submit_application(actor=county, application=app)
    app = services.review_application(actor=office, application=app, name="request_opinion")
    return {
        "application": app,
        "batch": batch,
        "candidate": candidate,
        "attachment": Attachment.objects.get(object_id=app.pk, content_type__model="application"),
        "opinion": app.opinions()[0],
        "county_user": county,
        "county_unit": units["nanhu"],
        "county_membership": Membership.objects.get(user=county),
    }


@pytest.fixture
def clients(people):
    result = {"anonymous": Client()}
    for role, user in people.items():
        result[role] = Client()
        result[role].force_login(user)
    return result


def checked_patterns():
    return [(name, p) for name, p in url_patterns() if not name.startswith("admin:")]


def test_every_url_pattern_has_an_entry_and_every_entry_a_url():
    names = {name for name, _p in checked_patterns()}
    missing = sorted(names - set(EXPECTED))
    gone = sorted(set(EXPECTED) - names)
    assert missing == [], f"URL patterns without an entry in tests/security/url_matrix.py: {missing}"
    assert gone == [], f"entries in tests/security/url_matrix.py whose URL is gone: {gone}"
    assert all(len(v.split()) == len(ROLES) for v in EXPECTED.values())


def test_every_role_gets_the_expected_answer_from_every_url(scenario, clients):
    wrong = []
    for name, pattern in checked_patterns():
        url = url_for(name, pattern, scenario)
        observed = " ".join(str(measure(clients[role], url)) for role in ROLES)
        assert all(int(code) < 500 for code in observed.split()), f"{name} answered a server error: {observed}"
        if observed != EXPECTED.get(name):
            wrong.append(f'    "{name}": "{observed}",  # was "{EXPECTED.get(name, "no entry")}"')
    assert wrong == [], (
        "answers differ from tests/security/url_matrix.py (columns: " + " ".join(ROLES) + "):\n" + "\n".join(wrong)
    )


def test_django_admin_is_closed_to_every_role_day_to_day(scenario, clients):
    """No role is staff: the Django admin (installation and support only) sends everyone to its login."""
    assert not get_user_model().objects.filter(is_staff=True).exists()
    for name, pattern in url_patterns():
        if not name.startswith("admin:") or name in ("admin:login", "admin:logout"):
            continue
        url = url_for(name, pattern, scenario)
        for role in ("reform_office", "system_admin"):
            assert measure(clients[role], url) == 302, (name, role)
