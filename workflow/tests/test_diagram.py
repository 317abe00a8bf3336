"""The live workflow diagram: drawn from the django-fsm definitions, never by hand."""

import re
import xml.etree.ElementTree as ET

import django_fsm
import pytest
from django.template import Context, Template
from django.test import RequestFactory

from applications.models import Application
from pilots.models import Batch, Candidate, Pilot
from workflow.diagram import model_diagram_svg, next_steps, state_diagram_svg
from workflow.models import Opinion
from workflow.services import all_transitions, available_actions, record

SVG = "{http://www.w3.org/2000/svg}"
S = Application.Status


# --- helpers -----------------------------------------------------------------------------------
def parse(svg):
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed


def state_classes(svg):
    return {g.get("data-state"): g.get("class") for g in parse(svg).iter(f"{SVG}g") if g.get("data-state")}


def transition_classes(svg):
    return {
        g.get("data-transition"): set(g.get("class").split())
        for g in parse(svg).iter(f"{SVG}g")
        if g.get("data-transition")
    }


def arrows(svg, name):
    """(from, to) of every arrow drawn for transition ``name``."""
    for g in parse(svg).iter(f"{SVG}g"):
        if g.get("data-transition") == name:
            return {(p.get("data-from"), p.get("data-to")) for p in g.iter(f"{SVG}path")}
    return set()


def texts(svg):
    return [t.text for t in parse(svg).iter(f"{SVG}text")]


def label_text(svg, name):
    """All text of the labels drawn for transition ``name``."""
    root = parse(svg)
    return " ".join(
        t.text for g in root.iter(f"{SVG}g") if g.get("data-transition-label") == name for t in g.iter(f"{SVG}text")
    )


def next_step_items(html):
    """data-transition → visible text of each item of the "下一步" list."""
    return {
        name: re.sub(r"<[^>]+>", "", body)
        for name, body in re.findall(r'<li class="next-step[^"]*" data-transition="([^"]+)">(.*?)</li>', html)
    }


def render_tag(obj, user=None):
    request = RequestFactory().get("/")
    if user is not None:
        request.user = user
    return Template("{% load workflow_diagram %}{% workflow_diagram obj %}").render(
        Context({"obj": obj, "request": request})
    )


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def make_application(units, county_nanhu, office_reviewer):
    batch = Batch.objects.create(name="2026年第一批", year=2026)
    candidate = Candidate.objects.create(
        batch=batch,
        title="数字化集成改革",
        area="digital",
        lead_group=units["sg-digital"],
        description="改革内容简介",
        channel="office",
        proposer_unit=units["reform-office"],
        proposed_by=office_reviewer,
    )

    def make(status=S.DRAFT, county="nanhu"):
        return Application.objects.create(
            batch=batch,
            candidate=candidate,
            county=units[county],
            created_by=county_nanhu,
            project_name="南湖区数字化集成改革试点",
            area="digital",
            status=status,
        )

    return make


@pytest.fixture
def add_transition():
    """Add a transition method to Application at test time, registered as django-fsm registers one.

    django-fsm collects a model's transitions once, when the class is prepared: FSMField.contribute_to_class
    connects ``_collect_transitions`` to ``class_prepared``, which scans the class for methods carrying
    ``_django_fsm`` meta and stores them in ``field.transitions[model]`` — the dict ``get_all_transitions``
    reads. A method set on the class later is invisible until that scan runs again, so we run it again;
    teardown removes the method and restores the collected transitions exactly.
    """
    field = Application._meta.get_field("status")
    saved = {sender: dict(methods) for sender, methods in field.transitions.items()}
    added = []

    def add(name, *, source, target, custom):
        def method(self):
            pass

        method.__name__, method.__qualname__ = name, f"Application.{name}"
        method = django_fsm.transition(field=field, source=source, target=target, custom=custom)(method)
        setattr(Application, name, method)
        added.append(name)
        for sender in list(field.transitions):
            if issubclass(sender, Application):
                field._collect_transitions(sender=sender)
        return method

    yield add
    for name in added:
        delattr(Application, name)
    field.transitions.clear()
    field.transitions.update(saved)


# --- the whole machine -------------------------------------------------------------------------
def test_model_diagram_shows_every_state_and_every_transition_with_its_role():
    svg = model_diagram_svg(Application)
    classes = state_classes(svg)
    assert list(classes) == list(S.values)  # every state, in choices order
    assert set(classes.values()) == {"state"}  # nothing highlighted
    words = texts(svg)
    for label in S.labels:
        assert str(label) in words
    assert set(transition_classes(svg)) == set(all_transitions(Application))
    assert "退回修改" in words and "(市委改革办)" in words
    assert "确定为试点" in words and "(市委改革委)" in words
    # A transition with several sources draws an arrow from each of them.
    assert arrows(svg, "return_to_county") == {("submitted", "returned"), ("consulting", "returned")}
    assert arrows(svg, "withdraw") == {(s, "withdrawn") for s in Application.BEFORE_DECISION}


def test_states_read_left_to_right_as_a_flow():
    root = parse(model_diagram_svg(Application))
    x = {g.get("data-state"): float(g.find(f"{SVG}rect").get("x")) for g in root.iter(f"{SVG}g") if g.get("data-state")}
    assert x["draft"] < x["submitted"] < x["consulting"] < x["recommended"] < x["approved"]
    assert x["approved"] == x["rejected"] == x["withdrawn"]  # the outcomes end the flow


def test_the_svg_is_csp_safe_accessible_and_scales():
    svg = model_diagram_svg(Application)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and "试点申报" in root.get("aria-label")
    assert root.get("width") == "100%" and len(root.get("viewBox").split()) == 4
    assert "style=" not in svg and "<style" not in svg
    assert "<script" not in svg and "javascript:" not in svg and " on" not in re.sub(r'"[^"]*"', "", svg)
    assert all(el.get("style") is None for el in root.iter())
    # Arrowheads are referenced through presentation attributes only.
    assert 'marker-end="url(#' in svg


# --- one record --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_current_state_is_marked_and_logged_states_are_visited(make_application, county_nanhu, office_reviewer):
    app = make_application(S.CONSULTING)
    record(app, "application.submit", actor=county_nanhu, role="county", from_state="draft", to_state="submitted")
    record(
        app,
        "application.request_opinion",
        actor=office_reviewer,
        role="reform_office",
        from_state="submitted",
        to_state="consulting",
    )
    classes = state_classes(state_diagram_svg(app))
    assert classes["consulting"] == "state current"
    assert classes["draft"] == classes["submitted"] == "state visited"
    assert {k for k, c in classes.items() if c == "state"} == set(S.values) - {"consulting", "draft", "submitted"}


@pytest.mark.django_db
def test_only_the_logs_of_this_record_count(make_application, county_nanhu, office_reviewer):
    other = make_application(S.RETURNED, county="xiuzhou")
    record(other, "application.return_to_county", actor=office_reviewer, role="reform_office",
           from_state="submitted", to_state="returned")  # fmt: skip
    app = make_application(S.SUBMITTED)
    record(app, "application.updated", actor=county_nanhu, role="county")  # an audited non-transition
    classes = state_classes(state_diagram_svg(app))
    assert classes == {**dict.fromkeys(S.values, "state"), "draft": "state visited", "submitted": "state current"}
    # Visited states can also be given by the caller (e.g. from rows it already loaded).
    given = state_classes(state_diagram_svg(app, visited=["returned"]))
    assert given["returned"] == given["draft"] == "state visited"


@pytest.mark.django_db
def test_arrows_leaving_the_current_state_are_the_next_steps(make_application):
    svg = state_diagram_svg(make_application(S.CONSULTING))
    nxt = {name for name, cls in transition_classes(svg).items() if "next" in cls}
    assert nxt == {"return_to_county", "recommend", "not_recommend", "withdraw"}
    assert all(cls == {"transition"} for name, cls in transition_classes(svg).items() if name not in nxt)


@pytest.mark.django_db
def test_the_steps_this_user_may_take_now_are_marked(make_application, office_reviewer, county_nanhu):
    app = make_application(S.CONSULTING)
    for user, expected in [(office_reviewer, {"return_to_county"}), (county_nanhu, {"withdraw"})]:
        marked = {
            name for name, cls in transition_classes(state_diagram_svg(app, user=user)).items() if "actionable" in cls
        }
        assert marked == {t.name for t in available_actions(app, user)} == expected
    # recommend leaves the current state but its rule (all opinions answered) does not hold yet
    assert "actionable" not in transition_classes(state_diagram_svg(app, user=office_reviewer))["recommend"]


@pytest.mark.django_db
def test_tag_renders_figure_caption_and_next_steps_with_roles(make_application, county_nanhu):
    html = render_tag(make_application(S.SUBMITTED), county_nanhu)
    assert html.startswith('<figure class="workflow-diagram"')
    assert "<figcaption" in html and "流程图" in html and "下一步" in html
    assert html.index("<svg") < html.index("下一步")
    assert "style=" not in html and "<script" not in html
    items = next_step_items(html)
    assert list(items) == ["return_to_county", "request_opinion", "withdraw"]  # as written in the model
    assert "退回修改" in items["return_to_county"] and "市委改革办" in items["return_to_county"]
    assert "征求专项小组意见" in items["request_opinion"] and "市委改革办" in items["request_opinion"]
    assert "撤回申报" in items["withdraw"] and "县（市、区）" in items["withdraw"]
    assert "您可办理" in items["withdraw"] and "您可办理" not in items["return_to_county"]


@pytest.mark.django_db
def test_tag_without_a_user_and_at_the_end_of_the_flow(make_application):
    html = render_tag(make_application(S.APPROVED))
    assert "流程已结束" in html and next_step_items(html) == {}
    assert state_classes(re.search(r"<svg.*</svg>", html, re.S).group(0))["approved"] == "state current"


# --- the diagram follows the definitions -------------------------------------------------------
@pytest.mark.django_db
def test_adding_a_transition_shows_up(make_application, add_transition):
    field = Application._meta.get_field("status")
    app = make_application(S.DRAFT)
    assert "测试新增步骤" not in state_diagram_svg(app)

    add_transition(
        "zz_test_step", source="draft", target="rejected", custom={"label": "测试新增步骤", "role": "committee"}
    )

    assert "zz_test_step" in {t.name for t in field.get_all_transitions(Application)}
    svg = state_diagram_svg(app)
    assert "测试新增步骤" in label_text(svg, "zz_test_step") and "市委改革委" in label_text(svg, "zz_test_step")
    assert arrows(svg, "zz_test_step") == {("draft", "rejected")}
    assert transition_classes(svg)["zz_test_step"] == {"transition", "next"}
    assert "测试新增步骤" in label_text(model_diagram_svg(Application), "zz_test_step")
    item = next_step_items(render_tag(app))["zz_test_step"]
    assert "测试新增步骤" in item and "市委改革委" in item


def test_the_added_transition_is_gone_after_the_test():
    # Runs after test_adding_a_transition_shows_up (file order): its teardown restored the machine.
    assert not hasattr(Application, "zz_test_step")
    assert "zz_test_step" not in {
        t.name for t in Application._meta.get_field("status").get_all_transitions(Application)
    }
    assert "测试新增步骤" not in model_diagram_svg(Application)


def test_any_state_and_any_other_state_sources_draw_from_every_state(add_transition):
    add_transition(
        "zz_any", source=django_fsm.ANY_STATE, target="withdrawn", custom={"label": "任意", "role": "county"}
    )
    add_transition(
        "zz_other", source=django_fsm.ANY_OTHER_STATE, target="draft", custom={"label": "其他", "role": "county"}
    )
    svg = model_diagram_svg(Application)
    assert arrows(svg, "zz_any") == {(s, "withdrawn") for s in S.values}  # including a loop on withdrawn
    assert arrows(svg, "zz_other") == {(s, "draft") for s in S.values if s != "draft"}
    steps = {s["name"] for s in next_steps(Application(status=S.DRAFT))}
    assert {"zz_any", "submit", "withdraw"} <= steps and "zz_other" not in steps


def test_every_text_is_escaped(add_transition):
    label = '<script>alert("x")</script> & 步骤'
    add_transition("zz_escape", source="draft", target="submitted", custom={"label": label, "role": "county"})
    svg = model_diagram_svg(Application)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert label in texts(svg)  # parses back to the very text


# --- other workflow models ---------------------------------------------------------------------
def test_an_unrelated_model_renders_its_own_states():
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
    assert "市委改革办" not in label_text(svg, "start") + label_text(svg, "extend") + label_text(svg, "complete")


def test_a_role_read_from_the_record_is_named():
    # An opinion is answered in the role it was requested from (custom role_attr="role").
    opinion = Opinion(role="special_group")
    steps = {(s["name"], s["role_label"]) for s in next_steps(opinion)}
    assert steps == {("give", "市级专项小组"), ("cancel", "市委改革办")}
    assert "(市级专项小组)" in texts(state_diagram_svg(opinion))
    assert "(答复角色)" in texts(model_diagram_svg(Opinion))
