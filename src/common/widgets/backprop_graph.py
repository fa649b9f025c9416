"""Step through the backward pass of a small computational graph (chapter 4's widget).

A graph is a list of nodes: inputs holding numbers, and add or multiply nodes
computed with :class:`~common.layers.AddLayer` and :class:`~common.layers.MulLayer`.
:func:`backward_steps` records the backward pass one node at a time (upstream
gradient, local gradients, what is sent back); :func:`draw_backprop_step` draws
the graph at any step; :func:`backprop_widget` puts a step slider on it.
Introduced in chapter 4, Backpropagation.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from common.layers import AddLayer, MulLayer

__all__ = [
    "Node",
    "Graph",
    "BackwardStep",
    "shopping_graph",
    "xyz_graph",
    "fan_out_graph",
    "GRAPHS",
    "forward_values",
    "backward_steps",
    "draw_backprop_step",
    "BackpropRenderer",
    "backprop_widget",
]

_OPS = {"add": ("+", AddLayer), "mul": ("×", MulLayer)}
FORWARD_COLOUR = "#1f5fa8"
GRADIENT_COLOUR = "#c0392b"
CURRENT_COLOUR = "#ffe082"


@dataclass(frozen=True)
class Node:
    """One node: an ``input`` with a ``value``, or an ``add``/``mul`` of two earlier nodes.

    ``pos`` is where it is drawn (graph units, x to the right). Introduced in
    chapter 4, Backpropagation.
    """

    name: str
    op: str = "input"
    inputs: tuple[str, ...] = ()
    value: float | None = None
    pos: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Graph:
    """Nodes in topological order (each node's inputs come before it); the last is the output.

    Introduced in chapter 4, Backpropagation.
    """

    title: str
    nodes: tuple[Node, ...]
    output_name: str = "out"

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for node in self.nodes:
            if node.op == "input":
                if node.inputs or node.value is None:
                    raise ValueError(f"input node {node.name!r} needs a value and no inputs")
            elif node.op in _OPS:
                if len(node.inputs) != 2:
                    raise ValueError(f"{node.op} node {node.name!r} needs exactly two inputs, got {node.inputs}")
                missing = [i for i in node.inputs if i not in seen]
                if missing:
                    raise ValueError(f"node {node.name!r} uses {missing} before they are defined: "
                                     "list the nodes in topological order")
            else:
                raise ValueError(f"node {node.name!r} has unknown op {node.op!r}; use 'input', 'add' or 'mul'")
            if node.name in seen:
                raise ValueError(f"two nodes are called {node.name!r}")
            seen.add(node.name)
        if not self.nodes or self.nodes[-1].op == "input":
            raise ValueError("the last node of a graph must be an add or mul node (the output)")

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
        Node("apple price", value=apple_price, pos=(0.0, 3.0)),
        Node("apples", value=apples, pos=(0.0, 2.0)),
        Node("orange price", value=orange_price, pos=(0.0, 1.0)),
        Node("oranges", value=oranges, pos=(0.0, 0.0)),
        Node("apple cost", "mul", ("apple price", "apples"), pos=(1.7, 2.5)),
        Node("orange cost", "mul", ("orange price", "oranges"), pos=(1.7, 0.5)),
        Node("subtotal", "add", ("apple cost", "orange cost"), pos=(3.3, 1.5)),
        Node("tax", value=tax, pos=(3.3, -0.1)),
        Node("total", "mul", ("subtotal", "tax"), pos=(4.9, 0.7)),
    ), output_name="total price")


def xyz_graph(x: float = 3.0, y: float = -1.0, z: float = 4.0) -> Graph:
    """f = (x + y) · z, the smallest graph with both an add and a multiply node.

    Introduced in chapter 4, Backpropagation.
    """
    return Graph("f = (x + y) · z", (
        Node("x", value=x, pos=(0.0, 2.0)),
        Node("y", value=y, pos=(0.0, 1.0)),
        Node("z", value=z, pos=(1.7, 0.0)),
        Node("q", "add", ("x", "y"), pos=(1.7, 1.5)),
        Node("f", "mul", ("q", "z"), pos=(3.4, 0.75)),
    ), output_name="f")


def fan_out_graph(x: float = 2.0, y: float = 5.0) -> Graph:
    """f = x · y + x: x feeds two nodes, so the gradients reaching x add up.

    Introduced in chapter 4, Backpropagation.
    """
    return Graph("f = x · y + x (x is used twice)", (
        Node("x", value=x, pos=(0.0, 1.5)),
        Node("y", value=y, pos=(0.0, 0.0)),
        Node("p", "mul", ("x", "y"), pos=(1.7, 0.4)),
        Node("f", "add", ("p", "x"), pos=(3.4, 1.0)),
    ), output_name="f")


GRAPHS: dict[str, Graph] = {
    "shopping": shopping_graph(),
    "(x + y) · z": xyz_graph(),
    "x · y + x": fan_out_graph(),
}
"""The graphs offered by :func:`backprop_widget`, by menu label."""


def forward_values(graph: Graph) -> dict[str, float]:
    """Every node's value after the forward pass, computed with ``AddLayer``/``MulLayer``.

    Introduced in chapter 4, Backpropagation.
    """
    values: dict[str, float] = {}
    for node in graph.nodes:
        if node.op == "input":
            values[node.name] = float(node.value)
        else:
            layer = _OPS[node.op][1]()
            a, b = (values[i] for i in node.inputs)
            values[node.name] = float(layer.forward(a, b))
    return values


@dataclass(frozen=True)
class BackwardStep:
    """What happens at one step of the backward pass.

    Step 0 seeds the output with gradient 1. Every later step processes one add
    or multiply node: ``upstream`` is ∂out/∂node, ``local`` holds ∂node/∂input
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


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def backward_steps(graph: Graph) -> list[BackwardStep]:
    """Run the backward pass node by node, in reverse order, with the layers' ``backward``.

    Returns ``len(graph.ops) + 1`` steps (step 0 is the seed). A node used by
    several others collects the sum of their gradients. Introduced in chapter 4,
    Backpropagation.
    """
    values: dict[str, float] = {}
    layers = {}
    for node in graph.nodes:  # forward, keeping each layer for its backward
        if node.op == "input":
            values[node.name] = float(node.value)
        else:
            layers[node.name] = _OPS[node.op][1]()
            values[node.name] = float(layers[node.name].forward(*(values[i] for i in node.inputs)))
    consumers = {n.name: [m.name for m in graph.nodes if n.name in m.inputs] for n in graph.nodes}
    out = graph.nodes[-1].name
    acc: dict[str, float] = {out: 1.0}
    done: set[str] = set()
    edge_grads: dict[tuple[str, str], float] = {}

    def complete() -> dict[str, float]:
        return {n: g for n, g in acc.items() if n == out or all(c in done for c in consumers[n])}

    steps = [BackwardStep(0, None, 1.0, (), (), complete(), {},
                          f"Step 0: the forward pass is done ({graph.output_name} = {_fmt(values[out])}). "
                          f"Backward starts at the output with ∂{graph.output_name}/∂{graph.output_name} = 1.")]
    for k, node in enumerate(reversed(graph.ops), start=1):
        upstream = acc[node.name]
        a, b = node.inputs
        if node.op == "mul":
            local = (values[b], values[a])
            why = f"local gradients: ∂/∂{a} = {b} = {_fmt(values[b])}, ∂/∂{b} = {a} = {_fmt(values[a])}"
        else:
            local = (1.0, 1.0)
            why = "local gradients: 1 and 1 (an add node passes the gradient on unchanged)"
        passed = tuple(float(g) for g in layers[node.name].backward(upstream))
        sums = []
        for src, g in zip(node.inputs, passed):
            if src in acc:
                sums.append(f" '{src}' already had {_fmt(acc[src])} from another use, so its gradient "
                            f"is now {_fmt(acc[src])} + {_fmt(g)} = {_fmt(acc[src] + g)}: branches add up.")
            acc[src] = acc.get(src, 0.0) + g
            edge_grads[(src, node.name)] = g
        done.add(node.name)
        symbol = _OPS[node.op][0]
        text = (f"Step {k}: the {symbol} node '{node.name}' receives upstream gradient {_fmt(upstream)}; "
                f"{why}. It sends back {_fmt(upstream)} × {_fmt(local[0])} = {_fmt(passed[0])} to '{a}' "
                f"and {_fmt(upstream)} × {_fmt(local[1])} = {_fmt(passed[1])} to '{b}'." + "".join(sums))
        steps.append(BackwardStep(k, node.name, upstream, local, passed, complete(), dict(edge_grads), text))
    return steps


def _wrap(text: str, width: int = 95) -> str:
    return "\n".join(textwrap.wrap(text, width))


def draw_backprop_step(graph: Graph | str = "shopping", step: int = 0, ax: Axes | None = None,
                       dpi: int = 80, figure: Figure | None = None) -> Figure:
    """Draw ``graph`` with forward values (blue, above the edges) and the gradients known at ``step`` (red, below).

    The node processed at this step is highlighted and the step is explained
    underneath. ``step`` is clipped to the valid range, so a slider can never
    break the figure. ``dpi`` 80 keeps widget redraws fast; a static figure may
    use more; ``figure`` draws into a given (e.g. off-screen) figure instead of a
    new pyplot one. Introduced in chapter 4, Backpropagation.
    """
    if isinstance(graph, str):
        if graph not in GRAPHS:
            raise ValueError(f"unknown graph {graph!r}; choose one of {sorted(GRAPHS)}")
        graph = GRAPHS[graph]
    steps = backward_steps(graph)
    k = int(np.clip(int(step), 0, len(steps) - 1))
    st = steps[k]
    values = forward_values(graph)
    xs = [n.pos[0] for n in graph.nodes]
    ys = [n.pos[1] for n in graph.nodes]
    out_node = graph.nodes[-1]
    out_x = out_node.pos[0] + 1.3
    x0, x1 = min(xs) - 0.7, out_x + 1.2
    y0, y1 = min(ys) - 0.45, max(ys) + 0.5
    unit, top, bottom = 0.95, 0.55, 0.75  # inches per graph unit; title; explanation
    width, height = (x1 - x0) * unit, (y1 - y0) * unit
    if ax is None:  # equal scales on both axes, placed by hand so a redraw stays fast
        size = (width + 0.2, height + top + bottom)
        if figure is None:
            fig = plt.figure(figsize=size, dpi=dpi)
        else:
            fig = figure
            fig.set_size_inches(size)
            fig.set_dpi(dpi)
        fig_w, fig_h = fig.get_size_inches()
        ax = fig.add_axes((0.1 / fig_w, bottom / fig_h, width / fig_w, height / fig_h))
    else:
        fig = ax.figure
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")

    def box(node: Node) -> None:
        x, y = node.pos
        current = node.name == st.node
        if node.op == "input":
            ax.add_patch(FancyBboxPatch((x - 0.6, y - 0.3), 1.2, 0.6, boxstyle="round,pad=0.02",
                                        fc="#f4f6f9", ec="#44546a", lw=1.2, zorder=2))
            ax.text(x, y + 0.15, node.name, ha="center", va="center", fontsize=9, zorder=3)
            ax.text(x, y - 0.02, f"value {_fmt(values[node.name])}", ha="center", va="center",
                    fontsize=8.5, color=FORWARD_COLOUR, weight="bold", zorder=3)
            grad = f"grad {_fmt(st.grads[node.name])}" if node.name in st.grads else "grad ?"
            ax.text(x, y - 0.18, grad, ha="center", va="center", fontsize=8.5, zorder=3,
                    color=GRADIENT_COLOUR if node.name in st.grads else "#aab4c0", weight="bold")
        else:
            ax.add_patch(plt.Circle((x, y), 0.27, fc=CURRENT_COLOUR if current else "white",
                                    ec="#e07b00" if current else "#44546a", lw=2.5 if current else 1.2,
                                    zorder=2))
            ax.text(x, y, _OPS[node.op][0], ha="center", va="center", fontsize=16, zorder=3)
            ax.text(x, y + 0.36, node.name, ha="center", va="bottom", fontsize=8, color="#44546a", zorder=3)

    def edge(src: tuple[float, float], dst: tuple[float, float], fwd: float, grad: float | None,
             bold: bool, shrink_src: float, shrink_dst: float) -> None:
        ax.add_patch(FancyArrowPatch(src, dst, arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=shrink_src, shrinkB=shrink_dst,
                                     color="#e07b00" if bold else "#7f8c9a", lw=2.2 if bold else 1.1,
                                     zorder=1))
        mx, my = (src[0] + dst[0]) / 2, (src[1] + dst[1]) / 2
        label = dict(ha="center", fontsize=9, weight="bold", zorder=4,
                     bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
        ax.text(mx, my + 0.06, _fmt(fwd), va="bottom", color=FORWARD_COLOUR, **label)
        if grad is not None:
            ax.text(mx, my - 0.06, _fmt(grad), va="top", color=GRADIENT_COLOUR, **label)

    for node in graph.ops:
        for src in node.inputs:
            s = graph.node(src)
            shrink_src = 38 if s.op == "input" else 18
            edge(s.pos, node.pos, values[src], st.edge_grads.get((src, node.name)),
                 node.name == st.node, shrink_src, 18)
    edge(out_node.pos, (out_x, out_node.pos[1]), values[out_node.name], 1.0, st.node is None, 18, 2)
    ax.text(out_x + 0.05, out_node.pos[1], graph.output_name, ha="left", va="center", fontsize=9)
    for node in graph.nodes:
        box(node)
    ax.set_title(f"{graph.title}\nbackward step {k} of {len(steps) - 1}: "
                 "forward values in blue (above the arrows), gradients in red (below)", fontsize=10)
    chars = int(fig.get_size_inches()[0] * 13)
    fig.text(0.01, 0.02, _wrap(st.text, chars), ha="left", va="bottom", fontsize=9,
             bbox=dict(boxstyle="round", fc="#fff8e1", ec="#e0c080"))
    return fig


class BackpropRenderer:
    """PNG bytes of :func:`draw_backprop_step` for each (graph, step), each drawn once and kept.

    A graph has only a handful of steps, so the widget pre-draws them all and a
    slider move just swaps images. Introduced in chapter 4, Backpropagation.
    """

    def __init__(self, dpi: int = 80) -> None:
        self.dpi = dpi
        self._cache: dict[tuple[str, int], bytes] = {}

    def png(self, graph: str, step: int) -> bytes:
        """The picture of ``graph`` (a key of :data:`GRAPHS`) at ``step`` (clipped to its range)."""
        if graph not in GRAPHS:
            raise ValueError(f"unknown graph {graph!r}; choose one of {sorted(GRAPHS)}")
        k = int(np.clip(int(step), 0, len(GRAPHS[graph].ops)))
        if (graph, k) not in self._cache:
            fig = Figure()
            FigureCanvasAgg(fig)
            draw_backprop_step(graph, k, ax=None, dpi=self.dpi, figure=fig)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
            self._cache[(graph, k)] = buffer.getvalue()
        return self._cache[(graph, k)]

    def warm(self) -> None:
        """Draw every step of every graph now, so that no slider move has to wait."""
        for name, g in GRAPHS.items():
            for k in range(len(g.ops) + 1):
                self.png(name, k)


def backprop_widget(graph: str = "shopping", step: int = 0):
    """A menu of graphs and a step slider showing :func:`draw_backprop_step` in an ``ipywidgets.Image``.

    Introduced in chapter 4, Backpropagation.
    """
    import ipywidgets as widgets

    if graph not in GRAPHS:
        raise ValueError(f"unknown graph {graph!r}; choose one of {sorted(GRAPHS)}")
    renderer = BackpropRenderer()
    renderer.warm()
    menu = widgets.Dropdown(options=list(GRAPHS), value=graph, description="graph")
    n = len(GRAPHS[graph].ops)
    slider = widgets.IntSlider(value=min(max(step, 0), n), min=0, max=n, description="step")
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
