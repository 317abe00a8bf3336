"""The application's workflow diagram: every state and step with the role that takes it, reading left to right
(the diagram's mechanics are tested in workflow/tests/test_diagram.py on the test-only Ticket workflow)."""

from applications.models import Application
from workflow.engine.transitions import all_transitions
from workflow.tests.svg_helpers import arrows, state_classes, texts, transition_classes, x_positions
from workflow.ui.diagram import model_diagram_svg

S = Application.Status


def test_the_application_diagram_shows_every_state_and_step_with_its_role():
    svg = model_diagram_svg(Application)
    assert list(state_classes(svg)) == list(S.values)
    words = texts(svg)
    for label in S.labels:
        assert str(label) in words
    assert set(transition_classes(svg)) == set(all_transitions(Application))
    assert "退回修改" in words and "(市委改革办)" in words
    assert "确定为试点" in words and "(市委改革委)" in words
    assert arrows(svg, "return_to_county") == {("submitted", "returned"), ("consulting", "returned")}
    assert arrows(svg, "withdraw") == {(s, "withdrawn") for s in Application.BEFORE_DECISION}


def test_the_application_reads_left_to_right_to_its_outcomes():
    x = x_positions(model_diagram_svg(Application))
    assert x["draft"] < x["submitted"] < x["consulting"] < x["recommended"] < x["approved"]
    assert x["approved"] == x["rejected"] == x["withdrawn"]  # the outcomes end the flow
