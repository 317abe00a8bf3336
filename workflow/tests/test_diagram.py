"""The live workflow diagram: drawn from the django-fsm definitions, never by hand (tried on the test-only
Ticket workflow; each app's tests check its own machine's picture)."""

import re

import django_fsm
import pytest

from workflow.engine.transitions import all_transitions
from workflow.models import Opinion
from workflow.services import available_actions, record
from workflow.tests.svg_helpers import (
    SVG,
    arrows,
    label_text,
    next_step_items,
    parse,
    render_tag,
    state_classes,
    texts,
    transition_classes,
    x_positions,
)
from workflow.tests.testapp.models import Ticket
from workflow.ui.diagram import model_diagram_svg, next_steps, state_diagram_svg

S = Ticket.Status


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def make(units, county_nanhu):
    def make(status=S.DRAFT, county="nanhu", **fields):
        return Ticket.objects.create(county=units[county], created_by=county_nanhu, status=status, **fields)

    return make


@pytest.fixture
def add_transition():
    """Add a transition method to Ticket at test time, registered as django-fsm registers one.

    django-fsm collects a model's transitions once, when the class is prepared: FSMField.contribute_to_class
    connects ``_collect_transitions`` to ``class_prepared``, which scans the class for methods carrying
    ``_django_fsm`` meta and stores them in ``field.transitions[model]`` — the dict ``get_all_transitions``
    reads. A method set on the class later is invisible until that scan runs again, so we run it again;
    teardown removes the method and restores the collected transitions exactly.
    """
    field = Ticket._meta.get_field("status")
    saved = {sender: dict(methods) for sender, methods in field.transitions.items()}
    added = []

    def add(name, *, source, target, custom):
        def method(self):
            pass

        method.__name__, method.__qualname__ = name, f"Ticket.{name}"
        method = django_fsm.transition(field=field, source=source, target=target, custom=custom)(method)
        setattr(Ticket, name, method)
        added.append(name)
        for sender in list(field.transitions):
            if issubclass(sender, Ticket):
                field._collect_transitions(sender=sender)
        return method

    yield add
    for name in added:
        delattr(Ticket, name)
    field.transitions.clear()
    field.transitions.update(saved)


# --- the whole machine -------------------------------------------------------------------------
def test_model_diagram_shows_every_state_and_every_transition_with_its_role():
    svg = model_diagram_svg(Ticket)
    classes = state_classes(svg)
    assert list(classes) == list(S.values)  # every state, in choices order
    assert set(classes.values()) == {"state"}  # nothing highlighted
    words = texts(svg)
    for label in S.labels:
        assert str(label) in words
    assert set(transition_classes(svg)) == set(all_transitions(Ticket))
    assert "退回事项" in words and "(市委改革办)" in words
    assert "提交事项" in words and "(县（市、区）)" in words
    # A transition with several sources draws an arrow from each of them.
    assert arrows(svg, "submit") == {("draft", "submitted"), ("returned", "submitted")}
    assert arrows(svg, "accept") == {("submitted", "accepted")}


def test_states_read_left_to_right_as_a_flow():
    x = x_positions(model_diagram_svg(Ticket))
    assert x["draft"] < x["submitted"] < x["accepted"]
    assert x["submitted"] < x["returned"]  # a return comes after the submission it answers


def test_the_svg_is_csp_safe_accessible_and_scales():
    svg = model_diagram_svg(Ticket)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and "测试事项" in root.get("aria-label")
    assert root.get("width") == "100%" and len(root.get("viewBox").split()) == 4
    assert "style=" not in svg and "<style" not in svg
    assert "<script" not in svg and "javascript:" not in svg and " on" not in re.sub(r'"[^"]*"', "", svg)
    assert all(el.get("style") is None for el in root.iter())
    # Arrowheads are referenced through presentation attributes only.
    assert 'marker-end="url(#' in svg


# --- one record --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_current_state_is_marked_and_logged_states_are_visited(make, county_nanhu, office_reviewer):
    ticket = make(S.RETURNED)
    record(ticket, "ticket.submit", actor=county_nanhu, role="county", from_state="draft", to_state="submitted")
    record(
        ticket,
        "ticket.return_to_county",
        actor=office_reviewer,
        role="reform_office",
        from_state="submitted",
        to_state="returned",
    )
    classes = state_classes(state_diagram_svg(ticket))
    assert classes["returned"] == "state current"
    assert classes["draft"] == classes["submitted"] == "state visited"
    assert classes["accepted"] == "state"


@pytest.mark.django_db
def test_only_the_logs_of_this_record_count(make, county_nanhu, office_reviewer):
    other = make(S.RETURNED, county="xiuzhou")
    record(other, "ticket.return_to_county", actor=office_reviewer, role="reform_office",
           from_state="submitted", to_state="returned")  # fmt: skip
    ticket = make(S.SUBMITTED)
    record(ticket, "ticket.updated", actor=county_nanhu, role="county")  # an audited non-transition
    classes = state_classes(state_diagram_svg(ticket))
    assert classes == {**dict.fromkeys(S.values, "state"), "draft": "state visited", "submitted": "state current"}
    # Visited states can also be given by the caller (e.g. from rows it already loaded).
    given = state_classes(state_diagram_svg(ticket, visited=["returned"]))
    assert given["returned"] == given["draft"] == "state visited"


@pytest.mark.django_db
def test_arrows_leaving_the_current_state_are_the_next_steps(make):
    svg = state_diagram_svg(make(S.SUBMITTED))
    nxt = {name for name, cls in transition_classes(svg).items() if "next" in cls}
    assert nxt == {"return_to_county", "accept", "forward", "recall"}  # recall: the Ticket declares the 撤回 convention
    assert all(cls == {"transition"} for name, cls in transition_classes(svg).items() if name not in nxt)


@pytest.mark.django_db
def test_the_steps_this_user_may_take_now_are_marked(make, office_reviewer, county_nanhu):
    submitted, returned = make(S.SUBMITTED), make(S.RETURNED)
    for ticket, user, expected in [
        (submitted, office_reviewer, {"return_to_county", "accept", "forward"}),
        (submitted, county_nanhu, set()),
        (returned, county_nanhu, {"submit"}),
        (returned, office_reviewer, set()),
    ]:
        marked = {
            name
            for name, cls in transition_classes(state_diagram_svg(ticket, user=user)).items()
            if "actionable" in cls
        }
        assert marked == {t.name for t in available_actions(ticket, user)} == expected
    # submit leaves the current state but its rule (the ticket has content) does not hold
    empty = make(S.RETURNED, body=" ")
    assert "actionable" not in transition_classes(state_diagram_svg(empty, user=county_nanhu))["submit"]


@pytest.mark.django_db
def test_tag_renders_figure_caption_and_next_steps_with_roles(make, county_nanhu, office_reviewer):
    ticket = make(S.SUBMITTED)
    html = render_tag(ticket, county_nanhu)
    assert html.startswith('<figure class="workflow-diagram"')
    assert "<figcaption" in html and "流程图" in html and "下一步" in html
    assert html.index("<svg") < html.index("下一步")
    assert "style=" not in html and "<script" not in html
    items = next_step_items(html)
    # As written (recall: installed by the core).
    assert list(items) == ["return_to_county", "accept", "forward", "recall"]
    assert "退回事项" in items["return_to_county"] and "市委改革办" in items["return_to_county"]
    assert "受理事项" in items["accept"] and "市委改革办" in items["accept"]
    assert not any("您可办理" in text for text in items.values())
    office_items = next_step_items(render_tag(ticket, office_reviewer))
    assert all("您可办理" in text for name, text in office_items.items() if name != "recall")  # recall: county


@pytest.mark.django_db
def test_tag_without_a_user_and_at_the_end_of_the_flow(make):
    html = render_tag(make(S.ACCEPTED))
    assert "流程已结束" in html and next_step_items(html) == {}
    assert state_classes(re.search(r"<svg.*</svg>", html, re.S).group(0))["accepted"] == "state current"


# --- the diagram follows the definitions -------------------------------------------------------
@pytest.mark.django_db
def test_adding_a_transition_shows_up(make, add_transition):
    field = Ticket._meta.get_field("status")
    ticket = make(S.DRAFT)
    assert "测试新增步骤" not in state_diagram_svg(ticket)

    add_transition(
        "zz_test_step", source="draft", target="accepted", custom={"label": "测试新增步骤", "role": "committee"}
    )

    assert "zz_test_step" in {t.name for t in field.get_all_transitions(Ticket)}
    svg = state_diagram_svg(ticket)
    assert "测试新增步骤" in label_text(svg, "zz_test_step") and "市委改革委" in label_text(svg, "zz_test_step")
    assert arrows(svg, "zz_test_step") == {("draft", "accepted")}
    assert transition_classes(svg)["zz_test_step"] == {"transition", "next"}
    assert "测试新增步骤" in label_text(model_diagram_svg(Ticket), "zz_test_step")
    item = next_step_items(render_tag(ticket))["zz_test_step"]
    assert "测试新增步骤" in item and "市委改革委" in item


def test_the_added_transition_is_gone_after_the_test():
    # Runs after test_adding_a_transition_shows_up (file order): its teardown restored the machine.
    assert not hasattr(Ticket, "zz_test_step")
    assert "zz_test_step" not in {t.name for t in Ticket._meta.get_field("status").get_all_transitions(Ticket)}
    assert "测试新增步骤" not in model_diagram_svg(Ticket)


def test_any_state_and_any_other_state_sources_draw_from_every_state(add_transition):
    add_transition("zz_any", source=django_fsm.ANY_STATE, target="accepted", custom={"label": "任意", "role": "county"})
    add_transition(
        "zz_other", source=django_fsm.ANY_OTHER_STATE, target="draft", custom={"label": "其他", "role": "county"}
    )
    svg = model_diagram_svg(Ticket)
    assert arrows(svg, "zz_any") == {(s, "accepted") for s in S.values}  # including a loop on accepted
    assert arrows(svg, "zz_other") == {(s, "draft") for s in S.values if s != "draft"}
    steps = {s["name"] for s in next_steps(Ticket(status=S.DRAFT))}
    assert {"zz_any", "submit"} <= steps and "zz_other" not in steps


def test_every_text_is_escaped(add_transition):
    label = '<script>alert("x")</script> & 步骤'
    add_transition("zz_escape", source="draft", target="submitted", custom={"label": label, "role": "county"})
    svg = model_diagram_svg(Ticket)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert label in texts(svg)  # parses back to the very text


# --- other workflow models ---------------------------------------------------------------------
def test_a_role_read_from_the_record_is_named():
    # An opinion is answered in the role it was requested from (custom role_attr="role").
    opinion = Opinion(role="special_group", requested_role="reform_office")
    steps = {(s["name"], s["role_label"]) for s in next_steps(opinion)}
    assert steps == {("give", "市级专项小组"), ("cancel", "市委改革办")}
    assert "(市级专项小组)" in texts(state_diagram_svg(opinion))
    assert "(答复角色)" in texts(model_diagram_svg(Opinion))
