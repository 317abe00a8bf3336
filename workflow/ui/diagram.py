"""A live diagram (SVG) of a workflow model's state machine, drawn from its django-fsm transitions.

Nothing here is drawn by hand: the states come from the ``status`` field's choices and the arrows from the
``@transition`` methods (label and role from their ``custom`` dict), so a new transition shows up by itself.

Pure Python, no Graphviz. States are laid out left to right in layers by their distance from the initial
state (a final state sits just right of its furthest source, so the flow reads left to right); within a
layer they keep the choices order. Arrows between neighbouring layers are curves, arrows inside a layer
bulge to the side, arrows that skip layers run along a lane under the states, self-loops sit on top.

The SVG uses presentation attributes only — no ``style`` attribute, no ``<style>``, no script — so it
renders under the site's Content-Security-Policy (``default-src 'self'``). Every text is XML-escaped.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field
from itertools import pairwise
from xml.sax.saxutils import escape

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_fsm import ANY_OTHER_STATE, ANY_STATE

from accounts.models import Role

from ..engine.models import SYSTEM_ROLE, TransitionLog
from ..engine.transitions import all_transitions, transition_role
from ..services import available_actions

# --- geometry ----------------------------------------------------------------------------------
STATE_FONT = 13
LABEL_FONT = 11
LINE_H = 13
NODE_H = 44
NODE_MIN_W = 112
COL_GAP = 150  # room between layers for the arrows' labels
ROW_GAP = 58  # room between states of a layer (self-loops live here)
MARGIN = 16
START_SPACE = 30  # the start dot left of the initial state
LANE_GAP = 26
MIN_WIDTH = 960

# --- colours (Bootstrap palette) ---------------------------------------------------------------
INK = "#212529"
SOFT_INK = "#495057"
PLAIN_FILL, PLAIN_STROKE = "#ffffff", "#adb5bd"
VISITED_FILL, VISITED_STROKE = "#dbe7fb", "#5b84c4"
CURRENT_FILL, CURRENT_STROKE = "#0d6efd", "#052c65"
EDGE = "#98a2ad"
TAKEN = "#5b84c4"
NEXT = "#c4520f"
MINE = "#198754"

STATE_STYLES = {  # kind -> (fill, stroke, stroke width, text colour, font weight)
    "current": (CURRENT_FILL, CURRENT_STROKE, 3.5, "#ffffff", "bold"),
    "visited": (VISITED_FILL, VISITED_STROKE, 1.5, INK, "normal"),
    "plain": (PLAIN_FILL, PLAIN_STROKE, 1.2, SOFT_INK, "normal"),
}
EDGE_STYLES = {  # kind -> (stroke, stroke width)
    "plain": (EDGE, 1.3),
    "taken": (TAKEN, 1.8),
    "next": (NEXT, 2.6),
    "mine": (MINE, 3.0),
}


def _t(value):
    """Escape text content."""
    return escape(str(value))


def _a(value):
    """Escape an attribute value (always written in double quotes)."""
    return escape(str(value), {'"': "&quot;"})


def _n(value):
    """A number for an attribute: short and stable."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def text_width(text, size):
    """Rough rendered width: CJK and full-width characters are square, Latin ones about half."""
    width = 0.0
    for ch in str(text):
        if ord(ch) >= 0x2E80:
            width += 1.0
        elif ch in "il.,:;'|!()[] ":
            width += 0.32
        elif ch.isupper() or ch in "mw@%":
            width += 0.72
        else:
            width += 0.56
    return width * size


# --- reading the state machine -----------------------------------------------------------------
def _states(model):
    status = model._meta.get_field("status")
    states = [(str(value), str(label)) for value, label in status.flatchoices]
    default = status.get_default()
    default = str(default) if default not in (None, "") else None
    keys = [k for k, _label in states]
    if default not in keys:
        default = keys[0] if keys else None
    return states, default


def _grouped_transitions(model):
    """{name: [Transition per source]} in the order the methods are written in the model (django-fsm
    collects them alphabetically)."""

    def written_at(item):
        code = getattr(item[1][0].method, "__code__", None)
        return code.co_firstlineno if code is not None else 0

    return dict(sorted(all_transitions(model).items(), key=written_at))


def _targets(t, source):
    target = t.target
    if target is None:  # validation-only transition: the state does not change
        return [source]
    allowed = getattr(target, "allowed_states", None)
    if allowed is not None and hasattr(target, "get_state"):  # RETURN_VALUE / GET_STATE
        return [str(s) for s in allowed]
    return [str(target)]


def _sources(t, keys):
    if t.source == ANY_STATE:
        return list(keys)
    if t.source == ANY_OTHER_STATE:
        return [k for k in keys if k not in _targets(t, k)]
    return [str(t.source)]


def transition_from(transitions, state):
    """The Transition (of one method) that applies in ``state``, as django-fsm picks it."""
    by_source = {str(t.source): t for t in transitions}
    if state in by_source:
        return by_source[state]
    if ANY_STATE in by_source:
        return by_source[ANY_STATE]
    t = by_source.get(ANY_OTHER_STATE)
    if t is not None and str(t.target) != state:
        return t
    return None


def role_label(key):
    """Chinese label of a role key (accounts.models.Role), "系统" for the system, else the key itself."""
    if not key:
        return ""
    if key == SYSTEM_ROLE:
        return _("系统")
    try:
        return str(Role(key).label)
    except ValueError:
        return str(key)


def _role_text(model, obj, t):
    """Who takes transition ``t``: the role's label; for a role read from the object without an object,
    the verbose name of that attribute (e.g. "答复角色")."""
    if obj is not None:
        return role_label(transition_role(obj, t))
    attr = t.custom.get("role_attr")
    if attr:
        try:
            return str(model._meta.get_field(attr).verbose_name)
        except FieldDoesNotExist:
            return ""
    return role_label(t.custom.get("role", ""))


def _label_of(t):
    return str(t.custom.get("label", t.name))


def _with_role(label, role):
    return f"{label}({role})" if role else label


# --- what the record did and may do next -----------------------------------------------------
def history(obj):
    """(states the record went through, (from, to) steps it took) from its TransitionLog rows."""
    if obj.pk is None:
        return set(), set()

    rows = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).values_list("from_state", "to_state")
    states, steps = set(), set()
    for src, tgt in rows:
        states.update(s for s in (src, tgt) if s)
        if src and tgt:
            steps.add((src, tgt))
    return states, steps


def actionable_names(obj, user):
    """Names of the transitions ``user`` may take on ``obj`` now (state, conditions and permission)."""
    if user is None:
        return set()

    return {t.name for t in available_actions(obj, user)}


def next_steps(obj, *, user=None, actionable=None):
    """Every transition leaving the record's current state, in definition order, as plain dicts:
    name, label, role (key), role_label, target, target_label and ``actionable`` (this user may take it now).
    """
    model = type(obj)
    states, _default = _states(model)
    labels = dict(states)
    keys = [k for k, _label in states]
    current = str(obj.status)
    if actionable is None:
        actionable = actionable_names(obj, user)
    steps = []
    for name, transitions in _grouped_transitions(model).items():
        t = transition_from(transitions, current)
        if t is None or current not in _sources(t, keys):
            continue
        role = transition_role(obj, t)
        targets = _targets(t, current)
        steps.append(
            {
                "name": name,
                "label": _label_of(t),
                "role": role,
                "role_label": role_label(role),
                "needs_reason": bool(t.custom.get("needs_reason")),
                "target": targets[0] if len(targets) == 1 else "",
                "target_label": "、".join(labels.get(s, s) for s in targets),
                "actionable": name in actionable,
            }
        )
    return steps


# --- layout ------------------------------------------------------------------------------------
@dataclass
class _Node:
    key: str
    label: str
    layer: int
    row: int = 0
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = NODE_H

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2

    @property
    def right(self):
        return self.x + self.w

    @property
    def bottom(self):
        return self.y + self.h


@dataclass
class _Edge:
    name: str
    src: str
    tgt: str
    transition: object
    kind: str = ""  # loop, short (neighbouring layers), vertical / same (one layer), long (along a lane)
    p1: tuple = (0.0, 0.0)
    p2: tuple = (0.0, 0.0)
    d: str = ""
    points: list = field(default_factory=list)  # label candidates
    lane: int = -1
    lane_span: tuple = ()
    curve: tuple = ()
    samples: list = field(default_factory=list)  # points on the arrow, to keep other labels off it
    style: str = "plain"


@dataclass
class _Label:
    lines: list
    box: tuple = (0.0, 0.0, 0.0, 0.0)
    style: str = "plain"


def _overlap(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _bezier(p0, p1, p2, p3, t):
    u = 1 - t
    return (
        u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
        u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
    )


class _Diagram:
    def __init__(self, model, *, obj=None, current=None, visited=(), taken=(), actionable=(), prefix="wfd"):
        self.model = model
        self.obj = obj
        self.current = current
        self.visited = set(visited)
        self.taken = set(taken)
        self.actionable = set(actionable)
        self.prefix = prefix
        self.states, self.default = _states(model)
        self.keys = [k for k, _label in self.states]
        self.groups = _grouped_transitions(model)
        self.bounds = [0.0, 0.0, 0.0, 0.0]
        self.labels = []  # placed _Label
        self._edges()
        self._layers()
        self._place_nodes()
        self._route()

    # -- graph --
    def _edges(self):
        self.edges, seen = [], set()
        known = set(self.keys)
        for name, transitions in self.groups.items():
            for t in transitions:
                for src in _sources(t, self.keys):
                    for tgt in _targets(t, src):
                        if src in known and tgt in known and (name, src, tgt) not in seen:
                            seen.add((name, src, tgt))
                            self.edges.append(_Edge(name, src, tgt, t))
        self.by_name = defaultdict(list)
        for e in self.edges:
            self.by_name[e.name].append(e)

    def _layers(self):
        succ, pred = defaultdict(list), defaultdict(set)
        for e in self.edges:
            if e.src != e.tgt:
                succ[e.src].append(e.tgt)
                pred[e.tgt].add(e.src)
        layer = {}
        if self.default is not None:
            layer[self.default] = 0
            queue = deque([self.default])
            while queue:
                s = queue.popleft()
                for t in succ[s]:
                    if t not in layer:
                        layer[t] = layer[s] + 1
                        queue.append(t)
        # A final state goes one layer right of its furthest source, so every arrow into it runs forward.
        for s in list(layer):
            if s != self.default and not succ[s]:
                sources = [layer[p] for p in pred[s] if p in layer and p != s]
                if sources:
                    layer[s] = max(layer[s], max(sources) + 1)
        last = max(layer.values(), default=-1)
        for s in self.keys:  # states no transition reaches: one extra column at the end
            layer.setdefault(s, last + 1)
        self.nodes = {}
        rows = defaultdict(int)
        for key, label in self.states:
            node = _Node(key, label, layer[key], rows[layer[key]])
            rows[layer[key]] += 1
            self.nodes[key] = node
        self.layer_count = max((n.layer for n in self.nodes.values()), default=-1) + 1
        self.rows = rows

    def _place_nodes(self):
        width = max([NODE_MIN_W] + [text_width(n.label, STATE_FONT) + 28 for n in self.nodes.values()])
        tallest = max(self.rows.values(), default=1)
        grid_h = tallest * NODE_H + (tallest - 1) * ROW_GAP
        self.has_top_loops = any(e.src == e.tgt and self.nodes[e.src].row == 0 for e in self.edges)
        top = MARGIN + (ROW_GAP if self.has_top_loops else 0)
        left = MARGIN + START_SPACE
        for n in self.nodes.values():
            count = self.rows[n.layer]
            col_h = count * NODE_H + (count - 1) * ROW_GAP
            n.w = width
            n.x = left + n.layer * (width + COL_GAP)
            n.y = top + (grid_h - col_h) / 2 + n.row * (NODE_H + ROW_GAP)
            self._grow(n.x, n.y, n.right, n.bottom)
        self.grid_bottom = top + grid_h

    def _grow(self, x0, y0, x1, y1):
        b = self.bounds
        b[0], b[1], b[2], b[3] = min(b[0], x0), min(b[1], y0), max(b[2], x1), max(b[3], y1)

    # -- arrows --
    def _route(self):
        """Give every arrow its end points (ports spread along a state's sides) and its path.

        Arrows of one transition into one target share the arrowhead (and the label): a transition with
        several sources reads as one step.
        """
        ports = defaultdict(list)  # (state, side) -> [[sort key, [edges], end]]
        merged = {}  # (name, target, side) -> port item
        lanes = {}

        def attach(state, side, key, e, end):
            if end == 2:
                item = merged.get((e.name, state, side))
                if item is not None:
                    item[1].append(e)
                    return
            item = [key, [e], end]
            if end == 2:
                merged[(e.name, state, side)] = item
            ports[(state, side)].append(item)

        for e in self.edges:
            a, b = self.nodes[e.src], self.nodes[e.tgt]
            dl = b.layer - a.layer
            if e.src == e.tgt:
                e.kind = "loop"
                attach(e.src, "top", (2, len(ports[(e.src, "top")])), e, 1)
            elif abs(dl) == 1:
                e.kind = "short"
                out_side, in_side = ("right", "left") if dl > 0 else ("left", "right")
                flag = 0 if dl > 0 else 1
                attach(e.src, out_side, (b.cy, flag), e, 1)
                attach(e.tgt, in_side, (a.cy, flag), e, 2)
            elif dl == 0 and abs(a.row - b.row) == 1:
                e.kind = "vertical"
                down = b.row > a.row
                attach(e.src, "bottom" if down else "top", (0 if down else 1, 0), e, 1)
                attach(e.tgt, "top" if down else "bottom", (0 if down else 1, 0), e, 2)
            elif dl == 0:
                e.kind = "same"
                attach(e.src, "right", (b.cy, 2), e, 1)
                attach(e.tgt, "right", (a.cy, 2), e, 2)
            else:
                e.kind = "long"
                e.lane = lanes.setdefault((e.name, e.tgt, dl > 0), len(lanes))
                lane_y = self.grid_bottom + LANE_GAP * (e.lane + 1)
                out_side, in_side = ("right", "left") if dl > 0 else ("left", "right")
                attach(e.src, out_side, (lane_y, 3), e, 1)
                attach(e.tgt, in_side, (lane_y, 3), e, 2)
        if self.default is not None:
            ports[(self.default, "left")].append([(self.nodes[self.default].cy, -1), [], 0])
        self.start_port = None
        for (state, side), items in ports.items():
            n = self.nodes[state]
            items.sort(key=lambda item: item[0])
            for i, (_key, edges, end) in enumerate(items):
                frac = (i + 1) / (len(items) + 1)
                if side in ("top", "bottom"):
                    point = (n.x + n.w * frac, n.y if side == "top" else n.bottom)
                else:
                    point = (n.right if side == "right" else n.x, n.y + n.h * frac)
                if end == 0:
                    self.start_port = point
                for e in edges:
                    if end == 1:
                        e.p1 = point
                    else:
                        e.p2 = point
        self.label_groups = list(merged.values())
        for e in self.edges:
            getattr(self, f"_route_{e.kind}")(e)

    def _route_loop(self, e):
        (x, y), r = e.p1, 12
        p0, c1, c2, p3 = (x - r, y), (x - r * 2.2, y - r * 3), (x + r * 2.2, y - r * 3), (x + r, y)
        e.p1, e.p2 = p0, p3
        e.d = f"M{_n(p0[0])},{_n(p0[1])} C{_n(c1[0])},{_n(c1[1])} {_n(c2[0])},{_n(c2[1])} {_n(p3[0])},{_n(p3[1])}"
        ax, ay = _bezier(p0, c1, c2, p3, 0.5)
        self._grow(c1[0], c1[1], c2[0], y)
        e.points = [(ax + r * 1.6, ay, "l"), (ax, ay - LINE_H - 2), (ax - r * 1.6, ay, "r")]
        e.samples = [_bezier(p0, c1, c2, p3, i / 8) for i in range(9)]

    def _curve(self, e, c1, c2, ts=(0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)):
        p0, p3 = e.p1, e.p2
        e.d = f"M{_n(p0[0])},{_n(p0[1])} C{_n(c1[0])},{_n(c1[1])} {_n(c2[0])},{_n(c2[1])} {_n(p3[0])},{_n(p3[1])}"
        xs, ys = (p0[0], c1[0], c2[0], p3[0]), (p0[1], p3[1])
        self._grow(min(xs), min(ys), max(xs), max(ys))
        e.curve = (p0, c1, c2, p3)
        e.samples = [_bezier(p0, c1, c2, p3, i / 16) for i in range(17)]
        e.points = []
        for t in ts:
            x, y = _bezier(p0, c1, c2, p3, t)
            e.points += [(x, y), (x, y - 18), (x, y + 18)]

    def _route_short(self, e):
        (x1, y1), (x2, y2) = e.p1, e.p2
        half = (x2 - x1) / 2
        self._curve(e, (x1 + half, y1), (x2 - half, y2))

    def _route_vertical(self, e):
        (x1, y1), (x2, y2) = e.p1, e.p2
        mid = (y1 + y2) / 2
        self._curve(e, (x1, mid), (x2, mid))
        x = (x1 + x2) / 2
        e.points = [(x + 6, mid, "l"), (x - 6, mid, "r"), *e.points]

    def _route_same(self, e):
        (x1, y1), (x2, y2) = e.p1, e.p2
        bulge = 42 + 14 * abs(self.nodes[e.tgt].row - self.nodes[e.src].row)
        self._curve(e, (x1 + bulge, y1), (x2 + bulge, y2))

    def _route_long(self, e):
        (x1, y1), (x2, y2) = e.p1, e.p2
        lane_y = self.grid_bottom + LANE_GAP * (e.lane + 1)
        step = 10 + 7 * (e.lane % 8)
        forward = x2 > x1
        gx1 = x1 + step if forward else x1 - step
        gx2 = x2 - step if forward else x2 + step
        e.d = f"M{_n(x1)},{_n(y1)} H{_n(gx1)} V{_n(lane_y)} H{_n(gx2)} V{_n(y2)} H{_n(x2)}"
        e.lane_span = (min(gx1, gx2), max(gx1, gx2), lane_y)
        corners = [(x1, y1), (gx1, y1), (gx1, lane_y), (gx2, lane_y), (gx2, y2), (x2, y2)]
        e.samples = []
        for (ax, ay), (bx, by) in pairwise(corners):
            steps = max(1, int((abs(bx - ax) + abs(by - ay)) / 8))
            e.samples += [(ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps) for i in range(steps + 1)]
        self._grow(min(x1, x2), min(y1, y2), max(x1, x2), lane_y + LINE_H)

    # -- styles --
    def _edge_style(self, e):
        if self.current is not None and e.src == self.current:
            return "mine" if e.name in self.actionable else "next"
        if (e.src, e.tgt) in self.taken:
            return "taken"
        return "plain"

    def _group_style(self, edges):
        order = ["plain", "taken", "next", "mine"]
        return max((e.style for e in edges), key=order.index)

    # -- labels --
    def _label_lines(self, name):
        t = self.by_name[name][0].transition
        return _label_of(t), _role_text(self.model, self.obj, t)

    def _place(self, lines, candidates, style, own=()):
        """Put a label at the first candidate that covers no state, no other label and no other arrow
        (else at the least bad one)."""
        w = max(text_width(line, LABEL_FONT) for line in lines) + 8
        h = LINE_H * len(lines) + 4
        obstacles = [(n.x - 3, n.y - 3, n.right + 3, n.bottom + 3) for n in self.nodes.values()]
        obstacles += [lbl.box for lbl in self.labels]
        names = {e.name for e in own}
        foreign = [p for e in self.edges if e.name not in names for p in e.samples]
        best, best_cost = None, None
        for x, y, *anchor in candidates:
            left = {"l": x, "r": x - w}.get(anchor[0] if anchor else "", x - w / 2)
            box = (left, y - h / 2, left + w, y + h / 2)
            cost = sum(_overlap(box, o) for o in obstacles)
            cost += 40 * sum(1 for px, py in foreign if box[0] <= px <= box[2] and box[1] <= py <= box[3])
            if best is None or cost < best_cost:
                best, best_cost = box, cost
            if cost == 0:
                break
        label = _Label(list(lines), best, style)
        self.labels.append(label)
        self._grow(*best)
        return label

    def _place_labels(self):
        """One label per transition and target: on its lane if it has one, else beside its arrow(s)."""
        self.edge_labels = defaultdict(list)  # transition name -> [_Label]
        groups = [[e] for e in self.edges if e.kind == "loop"] + [item[1] for item in self.label_groups]
        self.labels = []
        # Next steps first, so they get the best spots.
        groups.sort(key=lambda edges: self._group_style(edges) in ("plain", "taken"))
        for edges in groups:
            label, role = self._label_lines(edges[0].name)
            style = self._group_style(edges)
            long = [e for e in edges if e.kind == "long"]
            if long:
                x0 = min(e.lane_span[0] for e in long)
                x1 = max(e.lane_span[1] for e in long)
                lane_y = long[0].lane_span[2]
                candidates = [(x0 + (x1 - x0) * f, lane_y) for f in (0.5, 0.35, 0.65, 0.2, 0.8)]
                placed = [self._place([_with_role(label, role)], candidates, style, own=edges)]
                short = [e for e in edges if e.kind != "long" and e.style in ("next", "mine")]
                if short:  # the next step also gets its label beside its own arrow
                    lines = [label, f"({role})"] if role else [label]
                    placed.append(self._place(lines, short[0].points, short[0].style, own=edges))
            else:
                lines = [label, f"({role})"] if role else [label]
                if len(edges) == 1:
                    candidates = edges[0].points
                else:  # several arrows meeting at one arrowhead: label near where they meet
                    candidates = [_bezier(*e.curve, t) for t in (0.75, 0.68, 0.82, 0.6) for e in edges if e.curve] + [
                        p for e in edges for p in e.points
                    ]
                placed = [self._place(lines, candidates, style, own=edges)]
            self.edge_labels[edges[0].name] += placed

    # -- drawing --
    def _marker_id(self, style):
        return f"{self.prefix}-arrow-{style}"

    def _defs(self):
        out = ["<defs>"]
        for style, (colour, _width) in EDGE_STYLES.items():
            out.append(
                f'<marker id="{_a(self._marker_id(style))}" viewBox="0 0 10 10" refX="10" refY="5" '
                f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
                f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            )
        out.append("</defs>")
        return out

    def _path(self, e):
        style = e.style
        colour, width = EDGE_STYLES[style]
        return (
            f'<path d="{e.d}" fill="none" stroke="{colour}" stroke-width="{_n(width)}" stroke-linejoin="round" '
            f'marker-end="url(#{_a(self._marker_id(style))})" data-from="{_a(e.src)}" data-to="{_a(e.tgt)}"/>'
        )

    def _text_label(self, label):
        colour = {"next": NEXT, "mine": MINE}.get(label.style, SOFT_INK)
        weight = "bold" if label.style in ("next", "mine") else "normal"
        x0, y0, x1, y1 = label.box
        out = [
            f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" height="{_n(y1 - y0)}" rx="3" '
            f'fill="#ffffff" fill-opacity="0.92"/>'
        ]
        cx = (x0 + x1) / 2
        for i, line in enumerate(label.lines):
            y = y0 + 2 + LINE_H * (i + 0.5)
            out.append(
                f'<text x="{_n(cx)}" y="{_n(y)}" text-anchor="middle" dominant-baseline="central" '
                f'font-size="{LABEL_FONT}" font-weight="{weight if i == 0 else "normal"}" fill="{colour}">'
                f"{_t(line)}</text>"
            )
        return out

    def _state(self, n):
        if n.key == self.current:
            cls, (fill, stroke, width, ink, weight) = "state current", STATE_STYLES["current"]
            title = _("%(state)s（当前状态）") % {"state": n.label}
        elif n.key in self.visited:
            cls, (fill, stroke, width, ink, weight) = "state visited", STATE_STYLES["visited"]
            title = _("%(state)s（已经过）") % {"state": n.label}
        else:
            cls, (fill, stroke, width, ink, weight) = "state", STATE_STYLES["plain"]
            title = n.label
        return [
            f'<g class="{cls}" data-state="{_a(n.key)}">',
            f"<title>{_t(title)}</title>",
            f'<rect x="{_n(n.x)}" y="{_n(n.y)}" width="{_n(n.w)}" height="{_n(n.h)}" rx="8" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{_n(width)}"/>',
            f'<text x="{_n(n.cx)}" y="{_n(n.cy)}" text-anchor="middle" dominant-baseline="central" '
            f'font-size="{STATE_FONT}" font-weight="{weight}" fill="{ink}">{_t(n.label)}</text>',
            "</g>",
        ]

    def _legend(self, top, width):
        items = []
        if self.current is not None:
            items += [
                ("box", (CURRENT_FILL, CURRENT_STROKE, 3), _("当前状态")),
                ("box", (VISITED_FILL, VISITED_STROKE, 1.5), _("已经过的状态")),
                ("box", (PLAIN_FILL, PLAIN_STROKE, 1.2), _("未经过的状态")),
            ]
            if any(e.style == "next" for e in self.edges):
                items.append(("line", "next", _("下一步（可办理的流转）")))
            if any(e.style == "mine" for e in self.edges):
                items.append(("line", "mine", _("您现在可以办理")))
            if any(e.style == "taken" for e in self.edges):
                items.append(("line", "taken", _("已走过的流转")))
            items.append(("line", "plain", _("其他流转")))
        else:
            items += [
                ("box", (PLAIN_FILL, PLAIN_STROKE, 1.2), _("状态")),
                ("line", "plain", _("流转：操作（办理角色）")),
            ]
        items.append(("dot", None, _("起点")))
        out = ['<g class="legend">']
        x, y = MARGIN, top
        for kind, spec, text in items:
            item_w = 28 + text_width(text, LABEL_FONT) + 18
            if x > MARGIN and x + item_w > width - MARGIN:
                x, y = MARGIN, y + 22
            mid = y + 8
            if kind == "box":
                fill, stroke, sw = spec
                out.append(
                    f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="16" rx="4" fill="{fill}" '
                    f'stroke="{stroke}" stroke-width="{_n(sw)}"/>'
                )
            elif kind == "line":
                colour, sw = EDGE_STYLES[spec]
                out.append(
                    f'<path d="M{_n(x)},{_n(mid)} H{_n(x + 20)}" stroke="{colour}" stroke-width="{_n(sw)}" '
                    f'marker-end="url(#{_a(self._marker_id(spec))})"/>'
                )
            else:
                out.append(f'<circle cx="{_n(x + 11)}" cy="{_n(mid)}" r="5" fill="{INK}"/>')
            out.append(
                f'<text x="{_n(x + 28)}" y="{_n(mid)}" dominant-baseline="central" font-size="{LABEL_FONT}" '
                f'fill="{INK}">{_t(text)}</text>'
            )
            x += item_w
        out.append("</g>")
        return out, y + 16

    def svg(self, aria_label):
        for e in self.edges:
            e.style = self._edge_style(e)
        self._place_labels()
        body = []
        if self.default is not None:
            sx, sy = self.start_port
            body += [
                '<g class="start">',
                f'<circle cx="{_n(sx - START_SPACE + 8)}" cy="{_n(sy)}" r="5" fill="{INK}"/>',
                f'<path d="M{_n(sx - START_SPACE + 13)},{_n(sy)} H{_n(sx)}" stroke="{INK}" stroke-width="1.3" '
                f'marker-end="url(#{_a(self._marker_id("plain"))})"/>',
                "</g>",
            ]
            self._grow(sx - START_SPACE, sy - 6, sx, sy + 6)
        for n in self.nodes.values():
            body += self._state(n)
        # Quiet arrows first, the next steps last (on top).
        order = ["plain", "taken", "next", "mine"]
        names = sorted(self.by_name, key=lambda name: order.index(self._group_style(self.by_name[name])))
        for name in names:
            edges = self.by_name[name]
            cls = "transition"
            if any(e.style in ("next", "mine") for e in edges):
                cls += " next"
            if any(e.style == "mine" for e in edges):
                cls += " actionable"
            label, role = self._label_lines(name)
            body.append(f'<g class="{cls}" data-transition="{_a(name)}">')
            body.append(f"<title>{_t(_with_role(label, role))}</title>")
            for e in sorted(edges, key=lambda e: order.index(e.style)):
                body.append(self._path(e))
            body.append("</g>")
        body.append('<g class="labels">')
        for name in names:
            for label in self.edge_labels.get(name, []):
                body.append(f'<g class="transition-label" data-transition-label="{_a(name)}">')
                body += self._text_label(label)
                body.append("</g>")
        body.append("</g>")
        x0, y0, x1, y1 = self.bounds
        x0, y0 = min(x0, 0), min(y0, 0)
        # A small machine is drawn at the same scale as a big one (the canvas is at least MIN_WIDTH wide).
        width = max(x1 + MARGIN - x0, MIN_WIDTH)
        legend, legend_bottom = self._legend(y1 + 20, width + x0)
        height = legend_bottom + MARGIN - y0
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram-svg" role="img" '
            f'aria-label="{_a(aria_label)}" viewBox="{_n(x0)} {_n(y0)} {_n(width)} {_n(height)}" width="100%" '
            f'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" '
            f'data-model="{_a(self.model._meta.label_lower)}">'
        )
        return "\n".join([head, *self._defs(), *body, *legend, "</svg>"])


def _prefix(model, obj=None):
    pk = getattr(obj, "pk", None)
    return f"wfd-{model._meta.label_lower.replace('.', '-')}-{pk if pk is not None else 'model'}"


def state_diagram_svg(obj, *, visited=None, user=None, actionable=None):
    """The diagram of ``obj``'s state machine with its current state, the states it went through and the
    next steps highlighted; with ``user``, the steps this user may take now are marked too.

    ``visited``: the states the record went through; by default read from its TransitionLog rows (then
    the steps it took are drawn too). The initial state always counts as visited.
    ``actionable``: names of the transitions the user may take, if the caller has them already.
    """
    model = type(obj)
    current = str(obj.status)
    if visited is None:
        visited, taken = history(obj)
    else:
        visited, taken = {str(s) for s in visited}, set()
    actionable = actionable_names(obj, user) if actionable is None else actionable
    # Placing the labels costs 20-40 ms; the drawing depends only on what the key holds (the roles read from the
    # record included), so records in the same situation share it and only the element ids are their own.
    transitions = [t for group in _grouped_transitions(model).values() for t in group]
    machine = tuple((t.name, repr(t.source), repr(t.target), repr(sorted(t.custom.items()))) for t in transitions)
    roles = tuple(str(getattr(obj, t.custom["role_attr"], "")) for t in transitions if t.custom.get("role_attr"))
    key = (model._meta.label, machine, current, frozenset(visited), frozenset(taken), frozenset(actionable), roles)
    key += (get_language(),)
    drawn = _drawn.get(key)
    if drawn is None:
        diagram = _Diagram(
            model,
            obj=obj,
            current=current,
            visited=visited,
            taken=taken,
            actionable=actionable,
            prefix=_prefix(model),
        )
        if diagram.default is not None:
            diagram.visited.add(diagram.default)
        labels = dict(diagram.states)
        aria = _("%(model)s流程图，当前状态：%(state)s") % {
            "model": model._meta.verbose_name,
            "state": labels.get(current, current),
        }
        drawn = diagram.svg(aria)
        if len(_drawn) >= DRAWN_LIMIT:
            _drawn.pop(next(iter(_drawn)))
        _drawn[key] = drawn
    return drawn.replace(_prefix(model), _prefix(model, obj))


DRAWN_LIMIT = 256
_drawn = {}  # the record diagrams drawn in this process, the oldest dropped first


def model_diagram_svg(model):
    """The diagram of a workflow model's whole state machine, nothing highlighted."""
    diagram = _Diagram(model, prefix=_prefix(model))
    return diagram.svg(_("%(model)s流程图") % {"model": model._meta.verbose_name})
