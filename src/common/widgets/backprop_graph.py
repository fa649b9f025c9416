"""Step through the backward pass of a small computational graph (chapter 4's widget).

A graph is a list of nodes: inputs holding numbers, and operation nodes. Add and
multiply nodes are computed with :class:`~common.layers.AddLayer` and
:class:`~common.layers.MulLayer`; ``max`` routes the gradient to the larger input,
and the one-input nodes (``exp``, ``log``, ``recip``, ``scale`` by a constant,
``shift`` by a constant) are enough to take the sigmoid and Softmax-with-Loss apart
into steps. :func:`backward_steps` records the backward pass one node at a time
(upstream gradient, local gradients, what is sent back); :func:`draw_backprop_step`
draws the graph at any step; :func:`backprop_widget` puts a step slider on it.
Introduced in chapter 4, Backpropagation.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from common.layers import AddLayer, MulLayer
from common.plots.style import COURSE_RC
from common.translation import _
from common.widgets._render import GlyphCache, GlyphCachingCanvas, canvas_png

__all__ = [
    "Node",
    "Graph",
    "BackwardStep",
    "shopping_graph",
    "xyz_graph",
    "fan_out_graph",
    "patterns_graph",
    "sigmoid_graph",
    "softmax_with_loss_graph",
    "GRAPHS",
    "forward_values",
    "backward_steps",
    "draw_backprop_step",
    "BackpropRenderer",
    "backprop_widget",
]

BINARY_OPS = {"mul": "×", "max": "max"}
UNARY_OPS = {"exp": "exp", "log": "log", "recip": "1/x", "scale": "×c", "shift": "+c"}
"""Operations with one input; ``scale`` and ``shift`` use the node's ``const``."""
FORWARD_COLOUR = "#0072B2"   # Okabe-Ito blue: forward values, above the arrows
GRADIENT_COLOUR = "#D55E00"  # Okabe-Ito vermilion: gradients, below the arrows (and in bold)
CURRENT_COLOUR = "#ffe9a8"
CURRENT_EDGE = "#b35900"
TEXT_PT = 11.3               # the smallest text in the figure, in points at the figure's dpi


@dataclass(frozen=True)
class Node:
    """One node: an ``input`` with a ``value``, or an operation on earlier nodes.

    ``op`` is ``"input"``, ``"add"`` (two or more inputs), ``"mul"`` or ``"max"``
    (two inputs), or one of ``exp``, ``log``, ``recip`` (1/x), ``scale`` (× const),
    ``shift`` (+ const) with one input. ``pos`` is where it is drawn (graph units,
    x to the right). Introduced in chapter 4, Backpropagation.
    """

    name: str
    op: str = "input"
    inputs: tuple[str, ...] = ()
    value: float | None = None
    pos: tuple[float, float] = (0.0, 0.0)
    const: float | None = None


@dataclass(frozen=True)
class Graph:
    """Nodes in topological order (each node's inputs come before it); the last is the output.

    Drawing settings: ``unit`` inches per graph unit, ``digits`` significant
    digits of the numbers shown, ``input_lines`` 3 (name, value, grad) or 2
    (``name = value``, grad) for the input boxes. Introduced in chapter 4,
    Backpropagation.
    """

    title: str
    nodes: tuple[Node, ...]
    output_name: str = "out"
    unit: float = 1.0
    digits: int = 4
    input_lines: int = 3

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for node in self.nodes:
            if node.op == "input":
                if node.inputs or node.value is None:
                    raise ValueError(f"input node {node.name!r} needs a value and no inputs")
            elif node.op in ("add", *BINARY_OPS, *UNARY_OPS):
                need = "two or more" if node.op == "add" else "exactly one" if node.op in UNARY_OPS else "exactly two"
                n = len(node.inputs)
                if (node.op == "add" and n < 2) or (node.op in BINARY_OPS and n != 2) or \
                        (node.op in UNARY_OPS and n != 1):
                    raise ValueError(f"{node.op} node {node.name!r} needs {need} inputs, got {node.inputs}")
                if node.op in ("scale", "shift") and node.const is None:
                    raise ValueError(f"{node.op} node {node.name!r} needs a const")
                missing = [i for i in node.inputs if i not in seen]
                if missing:
                    raise ValueError(f"node {node.name!r} uses {missing} before they are defined: "
                                     "list the nodes in topological order")
            else:
                raise ValueError(f"node {node.name!r} has unknown op {node.op!r}; use 'input', 'add', "
                                 f"{', '.join(repr(o) for o in (*BINARY_OPS, *UNARY_OPS))}")
            if node.name in seen:
                raise ValueError(f"two nodes are called {node.name!r}")
            seen.add(node.name)
        if not self.nodes or self.nodes[-1].op == "input":
            raise ValueError("the last node of a graph must be an operation (the output)")

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    @property
    def ops(self) -> list[Node]:
        return [n for n in self.nodes if n.op != "input"]


def shopping_graph(apple_price: float = 0.5, apples: float = 3, orange_price: float = 0.8,
                   oranges: float = 2, tax: float = 1.2) -> Graph:
    """Total price = (apple price × apples + orange price × oranges) × tax.

    Introduced in chapter 4, Backpropagation.
    """
    return Graph("Shopping: (apple price × apples + orange price × oranges) × tax", (
        Node("apple price", value=apple_price, pos=(0.0, 3.1)),
        Node("apples", value=apples, pos=(0.0, 1.95)),
        Node("orange price", value=orange_price, pos=(0.0, 1.05)),
        Node("oranges", value=oranges, pos=(0.0, -0.1)),
        Node("apple cost", "mul", ("apple price", "apples"), pos=(2.15, 2.5)),
        Node("orange cost", "mul", ("orange price", "oranges"), pos=(2.15, 0.5)),
        Node("subtotal", "add", ("apple cost", "orange cost"), pos=(3.7, 1.5)),
        Node("tax", value=tax, pos=(3.7, -0.2)),
        Node("total", "mul", ("subtotal", "tax"), pos=(5.2, 0.7)),
    ), output_name="total price", unit=0.9)


def xyz_graph(x: float = 3.0, y: float = -1.0, z: float = 4.0) -> Graph:
    """f = (x + y) · z, the smallest graph with both an add and a multiply node.

    Introduced in chapter 4, Backpropagation.
    """
    return Graph("f = (x + y) · z", (
        Node("x", value=x, pos=(0.0, 2.2)),
        Node("y", value=y, pos=(0.0, 1.0)),
        Node("z", value=z, pos=(1.9, -0.2)),
        Node("q", "add", ("x", "y"), pos=(1.9, 1.6)),
        Node("f", "mul", ("q", "z"), pos=(3.6, 0.7)),
    ), output_name="f")


def fan_out_graph(x: float = 2.0, y: float = 5.0) -> Graph:
    """f = x · y + x: x feeds two nodes, so the gradients reaching x add up.

    Introduced in chapter 4, Backpropagation.
    """
    return Graph("f = x · y + x (x is used twice)", (
        Node("x", value=x, pos=(0.0, 1.5)),
        Node("y", value=y, pos=(0.0, 0.0)),
        Node("p", "mul", ("x", "y"), pos=(1.9, 0.4)),
        Node("f", "add", ("p", "x"), pos=(3.6, 1.0)),
    ), output_name="f")


def patterns_graph(x: float = 2.0, y: float = -1.0, z: float = 3.0, w: float = 5.0) -> Graph:
    """f = (x + y) · max(z, w): add distributes, max routes, multiply swaps.

    Introduced in chapter 4, Backpropagation.
    """
    return Graph("f = (x + y) · max(z, w): add distributes, max routes, multiply swaps", (
        Node("x", value=x, pos=(0.0, 3.3)),
        Node("y", value=y, pos=(0.0, 2.2)),
        Node("z", value=z, pos=(0.0, 1.1)),
        Node("w", value=w, pos=(0.0, 0.0)),
        Node("s", "add", ("x", "y"), pos=(1.9, 2.75)),
        Node("m", "max", ("z", "w"), pos=(1.9, 0.55)),
        Node("f", "mul", ("s", "m"), pos=(3.6, 1.65)),
    ), output_name="f")


def sigmoid_graph(x: float = 1.0) -> Graph:
    """y = 1 / (1 + exp(−x)) as four one-input nodes: ×(−1), exp, +1, 1/x.

    The backward pass ends with ∂y/∂x = y (1 − y). Introduced in chapter 4,
    Backpropagation.
    """
    return Graph("Sigmoid y = 1 / (1 + exp(−x)), one small step per node", (
        Node("x", value=x, pos=(0.0, 0.0)),
        Node("−x", "scale", ("x",), pos=(1.6, 0.0), const=-1.0),
        Node("exp(−x)", "exp", ("−x",), pos=(3.1, 0.0)),
        Node("1 + exp(−x)", "shift", ("exp(−x)",), pos=(4.6, 0.0), const=1.0),
        Node("y", "recip", ("1 + exp(−x)",), pos=(6.1, 0.0)),
    ), output_name="y", unit=0.95)


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def softmax_with_loss_graph(scores: tuple[float, ...] = (1.0, 2.0, 0.1), target: int = 0) -> Graph:
    """L = −log y_t with y = softmax(a), for one sample whose true class is ``target``, node by node.

    With a one-hot target only the true class's term of −Σ t_k log y_k is not
    multiplied by 0, so the graph keeps that one: exp of every score, their sum
    S, 1/S, y_t = exp(a_t) · (1/S), log, × (−1). The backward pass ends with
    ∂L/∂a_k = y_k − t_k. Introduced in chapter 4, Backpropagation.
    """
    k = len(scores)
    if k < 2 or not 0 <= target < k:
        raise ValueError(f"need at least two scores and a target index among them, got {scores} and {target}")
    sub = [str(i + 1).translate(_SUB) for i in range(k)]
    rows = [1.45 * (k - 1 - i) for i in range(k)]
    yt = f"y{sub[target]}"
    top = rows[0] + (1.45 if target != 0 else 0.0)  # the true class's path runs along the top
    low = (rows[-2] + rows[-1]) / 2  # the sum sits between the two lowest rows, its edges slanted
    nodes = [Node(f"a{sub[i]}", value=float(s), pos=(0.0, rows[i])) for i, s in enumerate(scores)]
    nodes += [Node(f"e{sub[i]}", "exp", (f"a{sub[i]}",), pos=(1.55, rows[i])) for i in range(k)]
    nodes += [Node("S", "add", tuple(f"e{s}" for s in sub), pos=(2.75, low)),
              Node("1/S", "recip", ("S",), pos=(3.8, low)),
              Node(yt, "mul", (f"e{sub[target]}", "1/S"), pos=(4.6, top)),
              Node(f"log {yt}", "log", (yt,), pos=(5.75, top)),
              Node("L", "scale", (f"log {yt}",), pos=(6.9, top), const=-1.0)]
    t = ", ".join("1" if i == target else "0" for i in range(k))
    return Graph(f"Softmax-with-Loss for one sample, t = ({t}): L = −log {yt} = −log(e{sub[target]} / S)",
                 tuple(nodes), output_name="loss", digits=3, input_lines=2)


GRAPHS: dict[str, Graph] = {
    "shopping": shopping_graph(),
    "(x + y) · z": xyz_graph(),
    "x · y + x": fan_out_graph(),
    "(x + y) · max(z, w)": patterns_graph(),
    "sigmoid": sigmoid_graph(),
    "softmax with loss": softmax_with_loss_graph(),
}
"""The graphs offered by :func:`backprop_widget`, by menu label."""


def _forward(node: Node, args: list[float]) -> float:
    if node.op == "add":
        return float(AddLayer().forward(*args)) if len(args) == 2 else float(sum(args))
    if node.op == "mul":
        return float(MulLayer().forward(*args))
    if node.op == "max":
        return float(max(args))
    (v,) = args
    if node.op == "exp":
        return math.exp(v)
    if node.op == "log":
        return math.log(v) if v > 0 else -math.inf
    if node.op == "recip":
        return 1.0 / v if v != 0 else math.inf
    if node.op == "scale":
        return node.const * v
    return v + node.const  # shift


def forward_values(graph: Graph) -> dict[str, float]:
    """Every node's value after the forward pass (add and multiply through ``AddLayer``/``MulLayer``).

    Introduced in chapter 4, Backpropagation.
    """
    values: dict[str, float] = {}
    for node in graph.nodes:
        if node.op == "input":
            values[node.name] = float(node.value)
        else:
            values[node.name] = _forward(node, [values[i] for i in node.inputs])
    return values


@dataclass(frozen=True)
class BackwardStep:
    """What happens at one step of the backward pass.

    Step 0 seeds the output with gradient 1. Every later step processes one
    operation node: ``upstream`` is ∂out/∂node, ``local`` holds ∂node/∂input
    for each input, ``passed`` their products (what is sent back along each
    edge). ``grads`` holds ∂out/∂n for every node whose gradient is complete
    (all its consumers processed); ``edge_grads`` the gradient on each edge
    ``(source, consumer)`` known so far. Introduced in chapter 4, Backpropagation.
    """

    index: int
    node: str | None
    upstream: float
    local: tuple[float, ...]
    passed: tuple[float, ...]
    grads: Mapping[str, float]
    edge_grads: Mapping[tuple[str, str], float]
    text: str = field(default="")


def _fmt(v: float, digits: int = 4) -> str:
    """A number as the figure and the step texts show it, with a true minus sign."""
    if v == 0:
        return "0"
    text = f"{v:.{digits}g}" if 1e-3 <= abs(v) < 1e5 else f"{v:.3g}"
    return text.replace("-", "−")


def _local(node: Node, args: list[float], out: float, fmt: Any = _fmt) -> tuple[tuple[float, ...], str]:
    """Local gradients ∂node/∂input and a sentence saying where they come from."""
    names = node.inputs
    if node.op == "add":
        return (1.0,) * len(args), (f"local gradients: 1 for each of the {len(args)} inputs "
                                    "(an add node distributes the gradient unchanged)")
    if node.op == "mul":
        a, b = names
        return (args[1], args[0]), (f"local gradients: ∂/∂{a} = {b} = {fmt(args[1])}, "
                                    f"∂/∂{b} = {a} = {fmt(args[0])} (a multiply node swaps its inputs)")
    if node.op == "max":
        win = 0 if args[0] >= args[1] else 1
        local = (1.0, 0.0) if win == 0 else (0.0, 1.0)
        return local, (f"local gradients: 1 for the larger input '{names[win]}' ({fmt(args[win])}) and 0 for "
                       f"'{names[1 - win]}' ({fmt(args[1 - win])}): max routes the gradient to the winner")
    (v,), (a,) = args, names
    if node.op == "exp":
        return (out,), f"local gradient: d exp(v)/dv = exp(v), the node's own output {fmt(out)}"
    if node.op == "log":
        return (1.0 / v,), f"local gradient: d log(v)/dv = 1/v = 1/{fmt(v)} = {fmt(1.0 / v)}"
    if node.op == "recip":
        return (-out * out,), (f"local gradient: d(1/v)/dv = −1/v² = −(output)² = −{fmt(out)}² "
                               f"= {fmt(-out * out)}")
    if node.op == "scale":
        return (node.const,), f"local gradient: d({fmt(node.const)}·v)/dv = {fmt(node.const)}"
    return (1.0,), f"local gradient: d(v + {fmt(node.const)})/dv = 1 (passed on unchanged)"


def _symbol(node: Node) -> str:
    if node.op == "add":
        return "+"
    if node.op in BINARY_OPS:
        return BINARY_OPS[node.op]
    if node.op == "scale":
        return f"×{_fmt(node.const)}".replace("-", "−")
    if node.op == "shift":
        return f"+{_fmt(node.const)}"
    return UNARY_OPS[node.op]


def backward_steps(graph: Graph) -> list[BackwardStep]:
    """Run the backward pass node by node, in reverse order; add and multiply use the layers' ``backward``.

    Returns ``len(graph.ops) + 1`` steps (step 0 is the seed). A node used by
    several others collects the sum of their gradients. Introduced in chapter 4,
    Backpropagation.
    """
    values = forward_values(graph)
    fmt = partial(_fmt, digits=graph.digits)
    consumers = {n.name: [m.name for m in graph.nodes if n.name in m.inputs] for n in graph.nodes}
    out = graph.nodes[-1].name
    acc: dict[str, float] = {out: 1.0}
    done: set[str] = set()
    edge_grads: dict[tuple[str, str], float] = {}

    def complete() -> dict[str, float]:
        return {n: g for n, g in acc.items() if n == out or all(c in done for c in consumers[n])}

    steps = [BackwardStep(0, None, 1.0, (), (), complete(), {},
                          f"Step 0: the forward pass is done ({graph.output_name} = {fmt(values[out])}). "
                          f"Backward starts at the output with ∂{graph.output_name}/∂{graph.output_name} = 1.")]
    for k, node in enumerate(reversed(graph.ops), start=1):
        upstream = acc[node.name]
        args = [values[i] for i in node.inputs]
        local, why = _local(node, args, values[node.name], fmt)
        if node.op in ("add", "mul") and len(args) == 2:  # the chapter's layers do these two
            layer = AddLayer() if node.op == "add" else MulLayer()
            layer.forward(*args)
            passed = tuple(float(g) for g in layer.backward(upstream))
        else:
            passed = tuple(float(upstream * g) for g in local)
        sums = []
        for src, g in zip(node.inputs, passed):
            if src in acc:
                sums.append(f"'{src}' {fmt(acc[src])} + {fmt(g)} = {fmt(acc[src] + g)}")
            acc[src] = acc.get(src, 0.0) + g
            edge_grads[(src, node.name)] = g
        done.add(node.name)
        sent = " and ".join(f"{fmt(upstream)} × {fmt(lg)} = {fmt(p)} to '{src}'"
                            for src, lg, p in zip(node.inputs, local, passed))
        text = (f"Step {k}: the {_symbol(node)} node '{node.name}' receives upstream gradient {fmt(upstream)}; "
                f"{why}. It sends back {sent}.")
        if sums:
            text += " These inputs are used more than once, so branches add up: " + "; ".join(sums) + "."
        steps.append(BackwardStep(k, node.name, upstream, local, passed, complete(), dict(edge_grads), text))
    return steps


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


def _graph(graph: Graph | str) -> Graph:
    if isinstance(graph, str):
        if graph not in GRAPHS:
            raise ValueError(f"unknown graph {graph!r}; choose one of {sorted(GRAPHS)}")
        return GRAPHS[graph]
    return graph


def _box_size(node: Node, graph: Graph, values: Mapping[str, float], grad: float) -> tuple[float, float]:
    """Width and height of an input box, in inches, for its lines of text at TEXT_PT."""
    fmt = partial(_fmt, digits=graph.digits)
    if graph.input_lines == 3:
        lines = [node.name, f"value {fmt(values[node.name])}", f"grad {fmt(grad)}"]
    else:
        lines = [f"{node.name} = {fmt(values[node.name])}", f"grad {fmt(grad)}"]
    width = max(len(t) for t in lines) * TEXT_PT * 0.6 / 72 + 0.2
    return width, len(lines) * TEXT_PT * 1.3 / 72 + 0.14


_RADIUS = 0.28  # inches: every operation node is a circle of this radius
MIN_WIDTH = 8.0  # inches: room for the two title lines and a readable explanation


class _Layout:
    """Where everything of one graph goes, and the drawing in two layers.

    The static layer (boxes, circles, arrows, forward values) is the same at every
    step; the dynamic layer (gradients, the highlighted node, title, explanation)
    changes with the step. :class:`BackpropRenderer` draws the static layer once
    and pastes it under each step's dynamic layer.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.steps = backward_steps(graph)
        self.values = forward_values(graph)
        self.fmt = partial(_fmt, digits=graph.digits)
        unit = self.unit = graph.unit
        self.r = _RADIUS / unit
        final = self.steps[-1].grads
        self.boxes = {n.name: tuple(v / unit for v in _box_size(n, graph, self.values, final[n.name]))
                      for n in graph.nodes if n.op == "input"}
        self.out_node = graph.nodes[-1]
        self.out_x = self.out_node.pos[0] + 0.85 / unit
        lefts = [n.pos[0] - (self.boxes[n.name][0] / 2 if n.name in self.boxes else self.r) for n in graph.nodes]
        rights = [n.pos[0] + (self.boxes[n.name][0] / 2 if n.name in self.boxes else self.r) for n in graph.nodes]
        self.x0 = min(lefts) - 0.08 / unit
        self.x1 = max(max(rights), self.out_x + (len(graph.output_name) * TEXT_PT * 0.6 / 72 + 0.15) / unit)
        ys = [n.pos[1] for n in graph.nodes]
        half = max([h / 2 for _, h in self.boxes.values()] + [self.r])
        self.y0, self.y1 = min(ys) - half - 0.1 / unit, max(ys) + half + 0.35 / unit
        self.width, self.height = (self.x1 - self.x0) * unit, (self.y1 - self.y0) * unit
        self.fig_width = max(self.width + 0.2, MIN_WIDTH)
        self.chars = int((self.fig_width - 0.3) * 72 / (TEXT_PT * 0.52))  # characters per explanation line
        lines = max(len(_wrap(st.text, self.chars).splitlines()) for st in self.steps)
        self.top, self.bottom = 0.7, lines * TEXT_PT * 1.25 / 72 + 0.35  # inches: title; longest explanation
        self.line = TEXT_PT * 1.3 / 72 / unit  # one line of text, in graph units

    @property
    def size(self) -> tuple[float, float]:
        return self.fig_width, self.height + self.top + self.bottom

    def axes(self, fig: Figure) -> Axes:
        """Axes with equal scales, placed by hand (no layout engine: a redraw stays fast)."""
        fig_w, fig_h = fig.get_size_inches()
        ax = fig.add_axes(((fig_w - self.width) / 2 / fig_w, self.bottom / fig_h, self.width / fig_w,
                           self.height / fig_h))
        ax.set_xlim(self.x0, self.x1)
        ax.set_ylim(self.y0, self.y1)
        ax.axis("off")
        return ax

    # ------------------------------------------------------------------- geometry
    def _rim(self, node: Node, dx: float, dy: float) -> float:
        """Distance from the node's centre to its outline along (dx, dy), in graph units."""
        if node.name not in self.boxes:
            return self.r
        w, h = self.boxes[node.name]
        return min(w / 2 / abs(dx) if dx else np.inf, h / 2 / abs(dy) if dy else np.inf) * np.hypot(dx, dy)

    def _edges(self) -> list[tuple[Node, Node | None]]:
        edges = [(self.graph.node(src), node) for node in self.graph.ops for src in node.inputs]
        return edges + [(self.out_node, None)]

    def _segment(self, src: Node, dst: Node | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start and end of the visible arrow, and where its labels go."""
        a = np.array(src.pos)
        b = np.array(dst.pos) if dst is not None else np.array([self.out_x, src.pos[1]])
        d = b - a
        u = d / float(np.hypot(*d))
        start = a + u * self._rim(src, *d)
        end = b - u * (self.r if dst is not None else 0.0)
        # labels halfway along the visible arrow; nearer the start where several arrows meet at one node
        mid = start + (0.35 if dst is not None and len(dst.inputs) > 2 else 0.5) * (end - start)
        return start, end, mid

    # -------------------------------------------------------------------- drawing
    def _arrow(self, ax: Axes, src: Node, dst: Node | None, bold: bool) -> list[Any]:
        start, end, _ = self._segment(src, dst)
        patch = FancyArrowPatch(tuple(start), tuple(end), arrowstyle="-|>", mutation_scale=14, shrinkA=0,
                                shrinkB=1, color=CURRENT_EDGE if bold else "#7f8c9a", lw=2.6 if bold else 1.2,
                                zorder=1)
        ax.add_patch(patch)
        return [patch]

    def _label(self, ax: Axes, src: Node, dst: Node | None, value: float, gradient: bool) -> list[Any]:
        _, _, mid = self._segment(src, dst)
        offset = (-0.03 if gradient else 0.03) / self.unit
        return [ax.text(mid[0], mid[1] + offset, self.fmt(value), va="top" if gradient else "bottom",
                        color=GRADIENT_COLOUR if gradient else FORWARD_COLOUR, ha="center", fontsize=TEXT_PT,
                        weight="bold", zorder=4,
                        bbox=dict(boxstyle="round,pad=0.06", fc="white", ec="none", alpha=0.9))]

    def _circle(self, ax: Axes, node: Node, current: bool) -> list[Any]:
        x, y = node.pos
        circle = plt.Circle((x, y), self.r, fc=CURRENT_COLOUR if current else "white",
                            ec=CURRENT_EDGE if current else "#44546a", lw=3 if current else 1.2, zorder=2)
        ax.add_patch(circle)
        symbol = _symbol(node)
        text = ax.text(x, y, symbol, ha="center", va="center", zorder=3,
                       fontsize=18 if len(symbol) == 1 else 13 if len(symbol) <= 3 else TEXT_PT)
        return [circle, text]

    def draw_static(self, ax: Axes) -> None:
        """Everything that is the same at every step."""
        for src, dst in self._edges():
            self._arrow(ax, src, dst, bold=False)
            self._label(ax, src, dst, self.values[src.name], gradient=False)
        ax.text(self.out_x + 0.06 / self.unit, self.out_node.pos[1], self.graph.output_name, ha="left",
                va="center", fontsize=TEXT_PT + 0.5)
        for node in self.graph.nodes:
            x, y = node.pos
            if node.op != "input":
                self._circle(ax, node, current=False)
                ax.text(x, y + self.r + 0.04 / self.unit, node.name, ha="center", va="bottom", fontsize=TEXT_PT,
                        color="#2b3440", style="italic", zorder=3)
                continue
            w, h = self.boxes[node.name]
            ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02",
                                        fc="#f4f6f9", ec="#44546a", lw=1.2, zorder=2))
            if self.graph.input_lines == 3:
                ax.text(x, y + self.line, node.name, ha="center", va="center", fontsize=TEXT_PT + 0.5, zorder=3)
                ax.text(x, y, f"value {self.fmt(self.values[node.name])}", ha="center", va="center",
                        fontsize=TEXT_PT, color=FORWARD_COLOUR, weight="bold", zorder=3)
            else:
                ax.text(x, y + self.line / 2, f"{node.name} = {self.fmt(self.values[node.name])}", ha="center",
                        va="center", fontsize=TEXT_PT + 0.5, zorder=3)

    def draw_dynamic(self, ax: Axes, step: int) -> list[Any]:
        """What changes with the step; returns the artists, in drawing order."""
        k = int(np.clip(int(step), 0, len(self.steps) - 1))
        st = self.steps[k]
        out: list[Any] = []
        for src, dst in self._edges():
            current = (dst.name == st.node) if dst is not None else st.node is None
            if current:  # the arrows being processed, drawn bold over the thin ones, with their value again
                out += self._arrow(ax, src, dst, bold=True)
                out += self._label(ax, src, dst, self.values[src.name], gradient=False)
            grad = st.edge_grads.get((src.name, dst.name)) if dst is not None else 1.0
            if grad is not None:
                out += self._label(ax, src, dst, grad, gradient=True)
        if st.node is not None:
            out += self._circle(ax, self.graph.node(st.node), current=True)
        for node in self.graph.nodes:
            if node.op != "input":
                continue
            x, y = node.pos
            known = node.name in st.grads
            below = self.line if self.graph.input_lines == 3 else self.line / 2
            out.append(ax.text(x, y - below, f"grad {self.fmt(st.grads[node.name])}" if known else "grad ?",
                               ha="center", va="center", fontsize=TEXT_PT, zorder=3, weight="bold",
                               color=GRADIENT_COLOUR if known else "#8a96a3"))
        out.append(ax.set_title(f"{self.graph.title}\nbackward step {k} of {len(self.steps) - 1} · above the "
                                "arrows: forward values (blue) · below: gradients (vermilion)",
                                fontsize=TEXT_PT + 0.5, pad=6))
        fig = ax.figure
        fig_w, fig_h = fig.get_size_inches()
        out.append(fig.text(0.1 / fig_w, 0.08 / fig_h, _wrap(st.text, self.chars), ha="left", va="bottom",
                            fontsize=TEXT_PT, linespacing=1.25,
                            bbox=dict(boxstyle="round", fc="#fff8e1", ec="#e0c080")))
        return out


def draw_backprop_step(graph: Graph | str = "shopping", step: int = 0, ax: Axes | None = None,
                       dpi: int = 100, figure: Figure | None = None) -> Figure:
    """Draw ``graph`` with forward values (blue, above the edges) and the gradients known at ``step`` (vermilion, below).

    The node processed at this step is highlighted and the step is explained
    underneath. ``step`` is clipped to the valid range, so a slider can never
    break the figure. ``dpi`` sets the pixel size (the widget uses 80 for
    speed; text is sized to read at either); ``figure`` draws into a given (e.g.
    off-screen) figure instead of a new pyplot one. Introduced in chapter 4,
    Backpropagation.
    """
    layout = _Layout(_graph(graph))
    with mpl.rc_context(COURSE_RC):
        if ax is None:
            if figure is None:
                fig = plt.figure(figsize=layout.size, dpi=dpi, layout="none")
            else:
                fig = figure
                fig.set_size_inches(layout.size)
                fig.set_dpi(dpi)
            ax = layout.axes(fig)
        layout.draw_static(ax)
        layout.draw_dynamic(ax, step)
    return ax.figure


class BackpropRenderer:
    """PNG bytes of :func:`draw_backprop_step` for each (graph, step), drawn fast and kept.

    One off-screen figure per graph holds the static layer, drawn once; a step
    pastes it back and draws only what changes (blitting), and its PNG is kept
    for the next time. Introduced in chapter 4, Backpropagation.
    """

    def __init__(self, dpi: int = 80) -> None:
        self.dpi = dpi
        self._cache: dict[tuple[str, int], bytes] = {}
        self._figures: dict[str, tuple[_Layout, Figure, Axes, Any]] = {}
        self._glyphs = GlyphCache()  # shared by the graphs' canvases: their labels use the same glyphs

    def _prepare(self, graph: str) -> tuple[_Layout, Figure, Axes, Any]:
        if graph not in self._figures:
            layout = _Layout(GRAPHS[graph])
            with mpl.rc_context(COURSE_RC):
                fig = Figure(figsize=layout.size, dpi=self.dpi, layout="none")
                GlyphCachingCanvas(fig, self._glyphs)
                ax = layout.axes(fig)
                layout.draw_static(ax)
                fig.canvas.draw()
            self._figures[graph] = (layout, fig, ax, fig.canvas.copy_from_bbox(fig.bbox))
        return self._figures[graph]

    def png(self, graph: str, step: int) -> bytes:
        """The picture of ``graph`` (a key of :data:`GRAPHS`) at ``step`` (clipped to its range)."""
        if graph not in GRAPHS:
            raise ValueError(f"unknown graph {graph!r}; choose one of {sorted(GRAPHS)}")
        k = int(np.clip(int(step), 0, len(GRAPHS[graph].ops)))
        if (graph, k) not in self._cache:
            layout, fig, ax, background = self._prepare(graph)
            fig.canvas.restore_region(background)
            with mpl.rc_context(COURSE_RC):
                artists = layout.draw_dynamic(ax, k)
                for artist in artists:
                    fig.draw_artist(artist)
            self._cache[(graph, k)] = canvas_png(fig.canvas)
            for artist in artists:
                if artist is not ax.title:
                    artist.remove()
        return self._cache[(graph, k)]

    def warm(self, graphs: list[str] | None = None) -> None:
        """Draw every step of ``graphs`` (default: all) now, so that no slider move has to wait."""
        for name in GRAPHS if graphs is None else graphs:
            for k in range(len(GRAPHS[name].ops) + 1):
                self.png(name, k)


def backprop_widget(graph: str = "shopping", step: int = 0):
    """A menu of graphs and a step slider showing :func:`draw_backprop_step` in an ``ipywidgets.Image``.

    Introduced in chapter 4, Backpropagation.
    """
    import ipywidgets as widgets

    if graph not in GRAPHS:
        raise ValueError(f"unknown graph {graph!r}; choose one of {sorted(GRAPHS)}")
    renderer = BackpropRenderer()
    renderer.warm([graph])
    for name in GRAPHS:  # the first picture of every graph, where the menu lands: no first visit waits
        renderer.png(name, 0)
    menu = widgets.Dropdown(options=list(GRAPHS), value=graph, description=_("graph"))
    n = len(GRAPHS[graph].ops)
    slider = widgets.IntSlider(value=min(max(step, 0), n), min=0, max=n, description=_("step"))
    image = widgets.Image(value=renderer.png(graph, slider.value), format="png")

    def redraw(_change: Any = None) -> None:
        image.value = renderer.png(menu.value, slider.value)

    def on_graph(change: dict) -> None:
        slider.max = len(GRAPHS[change["new"]].ops)
        slider.value = 0
        redraw()

    menu.observe(on_graph, names="value")
    slider.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([menu, slider]), image])
