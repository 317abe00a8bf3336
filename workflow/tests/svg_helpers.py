"""Reading the workflow diagram's SVG in tests (states, arrows, labels, next steps), for any app's tests."""

import re
import xml.etree.ElementTree as ET

from django.template import Context, Template
from django.test import RequestFactory

SVG = "{http://www.w3.org/2000/svg}"


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


def x_positions(svg):
    """data-state → x of its box."""
    root = parse(svg)
    return {
        g.get("data-state"): float(g.find(f"{SVG}rect").get("x")) for g in root.iter(f"{SVG}g") if g.get("data-state")
    }


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
