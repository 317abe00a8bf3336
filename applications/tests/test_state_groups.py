"""State names live on the models: groups agree with the django-fsm definitions, the database rules are
generated from them, and no template compares a status string."""

import re
from pathlib import Path

from django.conf import settings

from applications.models import Application
from pilots.models import Batch, Pilot
from workflow.inbox.workitems import waiting_transitions

# Templates being converted in this same change by other engineers, and opinions (``o.status``), whose model
# gets its state properties with the generic opinions; empty both when that work lands.


def _states_waiting_on(model, role):
    return {s for s in model.Status.values if role in waiting_transitions(model(status=s))}


def test_the_groups_agree_with_who_each_state_waits_on():
    assert set(Application.WAITING_FOR_OFFICE) == _states_waiting_on(Application, "reform_office")
    assert set(Application.EDITABLE) == _states_waiting_on(Application, "county")
    assert set(Application.DECIDED) | {"withdrawn"} == {
        s for s in Application.Status.values if not waiting_transitions(Application(status=s))
    }


def test_the_properties_read_the_groups():
    assert Application(status="returned").is_editable and Application(status="returned").is_returned
    assert Application(status="rejected").is_decided and not Application(status="recommended").is_decided
    assert Application(status="consulting").is_waiting_for_office
    assert Batch(status="open").is_editable and not Batch(status="closed").is_editable
    assert Batch(status="decided").is_decided
    assert Pilot(status="extended").is_running and not Pilot(status="completed").is_running


def test_the_database_rules_are_written_from_the_groups():
    triggers = {t.name: t for t in Application._meta.triggers}
    running = triggers["application_no_running_pilot"].func.func
    assert re.search(r"IN \(([^)]*)\)", running).group(1).replace("'", "").split(", ") == list(Pilot.RUNNING)
    window = triggers["application_submit_in_window"].func.func
    assert f"b.status = '{Batch.Status.OPEN.value}'" in window and Batch._meta.db_table in window
    (one_running,) = [c for c in Pilot._meta.constraints if c.name == "pilot_one_running_per_county"]
    assert list(dict(one_running.condition.children)["status__in"]) == Pilot.RUNNING


def test_no_template_compares_a_status_string():
    root = Path(settings.BASE_DIR) / "templates"
    found = []
    for path in root.rglob("*.html"):
        name = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\{%[^%]*\.status\s*(==|!=|in\b)[^%]*%\}", text):
            found.append(f"{name}: {match.group(0)}")
    assert not found, "ask a property (app.is_editable) instead:\n" + "\n".join(found)
