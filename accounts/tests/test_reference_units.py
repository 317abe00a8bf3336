"""Reference units as the migrations leave them: municipal departments, full official names for print."""

import pytest

from accounts.models import Membership, Role, Unit
from accounts.reference import reference_units

pytestmark = pytest.mark.django_db


def test_municipal_departments_are_real_units_of_their_own_kind():
    depts = dict(Unit.objects.filter(kind=Role.MUNICIPAL_DEPT).values_list("name", "full_name"))
    assert depts["市委宣传部"] == "中共嘉兴市委宣传部"
    assert depts["市委组织部"] == "中共嘉兴市委组织部"


def test_the_committee_and_its_office_carry_their_full_official_names():
    assert Unit.objects.get(code="committee").print_name == "中共嘉兴市委全面深化改革委员会"
    assert Unit.objects.get(code="reform-office").print_name == "中共嘉兴市委全面深化改革委员会办公室"
    assert Unit.objects.get(code="nanhu").print_name == "嘉兴市南湖区"


def test_every_reference_unit_has_a_full_name_and_the_migration_matches_reference_py():
    """The migration froze its own copy of the rows: the live module used by seed_demo must say the same."""
    in_db = {u.code: (u.name, u.kind, u.area, u.lead_unit_name, u.full_name) for u in Unit.objects.all()}
    for code, name, kind, area, lead, _order, full_name in reference_units():
        assert in_db[code] == (name, kind, area, lead, full_name)
    assert not Unit.objects.filter(full_name="").exists()


def test_a_municipal_department_member_holds_the_municipal_role(make_user):
    user = make_user("propaganda", "md-propaganda")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.MUNICIPAL_DEPT
    membership.full_clean()


def test_unit_without_a_full_name_prints_its_short_name():
    assert Unit(name="某单位").print_name == "某单位"
