"""The pilot's workflow diagram: its stage follows its records, and the picture names who really decides."""

from pilots.models import Pilot
from workflow.tests.svg_helpers import arrows, label_text, state_classes, texts, transition_classes
from workflow.ui.diagram import model_diagram_svg, next_steps, state_diagram_svg


def test_the_pilot_diagram_has_its_own_states_and_names_who_decides():
    svg = model_diagram_svg(Pilot)
    assert list(state_classes(svg)) == list(Pilot.Status.values)
    assert "consulting" not in state_classes(svg) and "征求意见中" not in texts(svg)
    assert set(transition_classes(svg)) == {"start", "extend", "evaluate", "complete", "terminate"}
    assert arrows(svg, "extend") == {("implementing", "extended"), ("extended", "extended")}  # a self-loop

    pilot = Pilot(status=Pilot.Status.EXTENDED)  # unsaved: no history, only the initial state was visited
    classes = state_classes(state_diagram_svg(pilot))
    assert classes["extended"] == "state current" and classes["planning"] == "state visited"
    assert classes["implementing"] == "state"
    steps = {s["name"]: s["role_label"] for s in next_steps(pilot)}
    # The pilot's stage follows its records: the diagram names who really decides, not an office button.
    assert steps == {"extend": "市委改革委", "evaluate": "系统", "terminate": "市委改革委"}
    assert "(市委改革委)" in label_text(svg, "start") and "试点方案获批" in label_text(svg, "start")
    assert "市委改革办" not in label_text(svg, "start") + label_text(svg, "extend")
    # Completion is the office reporting the summary to the committee: no committee approval is drawn.
    assert "(市委改革办)" in label_text(svg, "complete") and "报送试点总结" in label_text(svg, "complete")
    assert "市委改革委" not in label_text(svg, "complete") and "通过" not in label_text(svg, "complete")
