"""Figures and the live widget of chapter 1, Perceptron.

:func:`draw_perceptron` is the pure drawing function behind the widget: given
``w1, w2, b`` it shades where the perceptron fires, draws the boundary line and
the weight vector, and (with ``table=True``) lists the truth table and names the
gate. :func:`perceptron_widget` wires three sliders to it. The other ``draw_…``
functions make the chapter's static figures. Every function returns the
``Figure`` so a notebook can write ``_ = draw_…(…)``. Introduced in chapter 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from common.lessons.perceptron import (
    GATE_WEIGHTS,
    INPUTS,
    NAND,
    ON_LINE_TOL,
    OR,
    XOR,
    PerceptronFit,
    boundary_segment,
    identify_gate,
    output_grid,
    weighted_sum,
)
from common.translation import _

__all__ = [
    "perceptron_title",
    "PerceptronView",
    "draw_perceptron",
    "perceptron_widget",
    "draw_gates",
    "draw_perceptron_diagram",
    "draw_xor_network",
    "draw_xor_planes",
    "draw_half_adder",
    "draw_training",
    "draw_output_surface",
]

SILENT, FIRES = "#dce9f6", "#fde0c2"          # region colours: y = 0, y = 1
DARK, ORANGE, BLUE = "#1f2a36", "#d9541e", "#2f6aa3"
LIM = (-0.5, 1.5)
_REGIONS = ListedColormap([SILENT, FIRES])


def _fmt(v: float) -> str:
    """A parameter as on the slider: ``0.5``, ``−0.7``, ``0`` (never ``-0``), true minus sign."""
    v = round(float(v), 3)
    if v == 0:
        return "0"
    return f"{v:g}".replace("-", "−")


def perceptron_title(w1: float, w2: float, b: float) -> str:
    """Two-line title: the parameters, then which gate they implement and any special case.

    ``w1 = w2 = 0`` has no boundary line, which the title says; so does a line that
    misses the view. Introduced in chapter 1, Perceptron.
    """
    params = f"w₁ = {_fmt(w1)},  w₂ = {_fmt(w2)},  b = {_fmt(b)}"
    name = identify_gate(w1, w2, b)
    if name is None:
        return f"{params}\nparameters must be finite numbers"
    if abs(w1) < 1e-12 and abs(w2) < 1e-12:
        return f"{params}\nno boundary line (w₁ = w₂ = 0): output is {name}"
    if boundary_segment(w1, w2, b, LIM, LIM) is None:
        return f"{params}\nboundary outside the view: output is {name}"
    return f"{params}\nimplements: {name}"


def _truth_text(w1: float, w2: float, b: float) -> tuple[str, str]:
    sums = weighted_sum(INPUTS, [w1, w2], b)
    ys = (sums > ON_LINE_TOL).astype(int)
    rows = ["x₁  x₂   w·x+b   y", "─" * 19]
    for (x1, x2), s, y in zip(INPUTS, sums, ys):
        text = "  0.00" if abs(s) <= ON_LINE_TOL else f"{s:+6.2f}"
        rows.append(f" {x1}   {x2}  {text}   {y}".replace("-", "−"))
    return "\n".join(rows), f"gate: {identify_gate(w1, w2, b)}"


def _legend_handles() -> list:
    dot = dict(marker="o", ls="none", ms=9, mec=DARK, mew=1.5)
    return [Patch(fc=FIRES, ec=DARK, lw=0.5, label="region: fires (y = 1)"),
            Line2D([], [], mfc=ORANGE, label="input that fires", **dot),
            Patch(fc=SILENT, ec=DARK, lw=0.5, label="region: silent (y = 0)"),
            Line2D([], [], mfc="white", label="input that stays silent", **dot)]


def _style_plane(ax: Axes, lim: tuple[float, float]) -> None:
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_aspect("equal")
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.set_xlabel("input x₁ (0 = off, 1 = on)")
    ax.set_ylabel("input x₂ (0 = off, 1 = on)")


class PerceptronView:
    """The artists of one perceptron picture, created once and updated in place by :meth:`update`.

    Redrawing only changes data (image, line, marker colours, texts), which keeps the
    widget's slider → figure latency low. Introduced in chapter 1, Perceptron.
    """

    def __init__(self, ax: Axes, table_ax: Axes | None = None, n: int = 81,
                 lim: tuple[float, float] = LIM, title: Text | None | bool = True) -> None:
        # title: True puts it on ``ax``, a Text artist (e.g. a suptitle) receives it, False: none
        self.ax, self.table_ax, self.n, self.lim = ax, table_ax, n, lim
        self.title_artist = title
        self.image = ax.imshow(np.zeros((n, n)), extent=(*lim, *lim), origin="lower",
                               cmap=_REGIONS, vmin=0, vmax=1, interpolation="nearest", zorder=0)
        (self.line,) = ax.plot([], [], color=DARK, lw=2, zorder=2)
        self.arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0), zorder=3,
                                 arrowprops=dict(arrowstyle="-|>", color=DARK, lw=1.5))
        self.arrow_label = ax.text(0, 0, "w", fontsize=13, style="italic", color=DARK,
                                   ha="center", va="center", zorder=3)
        self.points = ax.scatter(INPUTS[:, 0], INPUTS[:, 1], s=110, zorder=4,
                                 edgecolors=DARK, linewidths=1.5)
        _style_plane(ax, lim)
        self.table = self.gate = None
        if table_ax is not None:
            table_ax.axis("off")
            self.table = table_ax.text(0.02, 0.98, "", family="DejaVu Sans Mono", fontsize=11,
                                       va="top", ha="left", transform=table_ax.transAxes)
            self.gate = table_ax.text(0.02, 0.47, "", fontsize=13, weight="bold", va="top",
                                      ha="left", transform=table_ax.transAxes)
            table_ax.legend(handles=_legend_handles(), loc="lower left", fontsize=11, frameon=False,
                            borderaxespad=0)
        self.title = ""

    def update(self, w1: float, w2: float, b: float) -> str:
        """Redraw for new parameters and return the title (which names the gate)."""
        _, _, z = output_grid(w1, w2, b, self.lim, self.lim, n=self.n)
        self.image.set_data(z)
        seg = boundary_segment(w1, w2, b, self.lim, self.lim)
        if seg is None:
            self.line.set_data([], [])
        else:
            self.line.set_data(seg[:, 0], seg[:, 1])
        self._update_arrow(w1, w2, b)
        ys = (weighted_sum(INPUTS, [w1, w2], b) > ON_LINE_TOL)
        self.points.set_facecolors([ORANGE if y else "white" for y in ys])
        self.title = perceptron_title(w1, w2, b)
        if self.title_artist is True:
            self.ax.set_title(self.title, fontsize=11)
        elif isinstance(self.title_artist, Text):
            self.title_artist.set_text(self.title)
        if self.table is not None:
            table, gate = _truth_text(w1, w2, b)
            self.table.set_text(table)
            self.gate.set_text(gate)
        return self.title

    def _update_arrow(self, w1: float, w2: float, b: float) -> None:
        w = np.array([w1, w2], dtype=float)
        norm = float(np.linalg.norm(w))
        centre = np.full(2, sum(self.lim) / 2)
        visible = norm > 1e-12
        if visible:
            foot = centre - (w @ centre + b) / norm**2 * w    # point of the line nearest the centre
            along = np.array([-w[1], w[0]]) / norm
            shifted = foot + 0.3 * along                       # slide off the inputs' diagonal
            if np.all((shifted > self.lim[0] + 0.1) & (shifted < self.lim[1] - 0.1)):
                foot = shifted
            tip = foot + 0.3 * w / norm
            label = tip + 0.09 * w / norm
            # Foot, tip and label all inside the view, the foot clear of the edges: a line that
            # only grazes a corner (e.g. w1 = w2 = b = 2) gets no arrow, and no stray "w" outside.
            inner = (self.lim[0] + 0.05, self.lim[1] - 0.05)
            visible = bool(np.all((foot > inner[0]) & (foot < inner[1]))
                           and np.all((tip > self.lim[0]) & (tip < self.lim[1]))
                           and np.all((label > self.lim[0]) & (label < self.lim[1])))
        self.arrow.set_visible(visible)
        self.arrow_label.set_visible(visible)
        if visible:
            self.arrow.xy = tuple(tip)
            self.arrow.set_position(tuple(foot))
            self.arrow_label.set_position(tuple(label))


def draw_perceptron(w1: float = 0.5, w2: float = 0.5, b: float = -0.7, ax: Axes | None = None,
                    table: bool = True) -> Figure:
    """Draw what a two-input perceptron computes: regions, boundary, weight vector, truth table.

    On a new figure (``ax=None``) a truth-table panel naming the gate sits beside the
    plane when ``table`` is true; on a given ``ax`` only the plane is drawn. Extreme
    values never raise: ``w1 = w2 = 0`` draws no line and says so in the title.
    The widget's callback draws with the same code. Introduced in chapter 1.
    """
    if ax is not None:
        PerceptronView(ax).update(w1, w2, b)
        return ax.figure
    fig = plt.figure(figsize=(7.6, 3.8) if table else (4.2, 4.2), layout="none")
    view = _layout(fig, table)
    view.update(w1, w2, b)
    return fig


def _layout(fig: Figure, table: bool) -> PerceptronView:
    if table:
        ax = fig.add_axes((0.10, 0.13, 0.40, 0.66))
        table_ax = fig.add_axes((0.58, 0.08, 0.40, 0.74))
        return PerceptronView(ax, table_ax, title=fig.suptitle("", fontsize=11, y=0.97))
    return PerceptronView(fig.add_axes((0.16, 0.13, 0.78, 0.70)))


def perceptron_widget(w1: float = 0.5, w2: float = 0.5, b: float = -0.7, dpi: int = 80):
    """Sliders for ``w1``, ``w2`` and ``b`` (−2 … 2, step 0.1) and a preset menu, redrawing live.

    The figure is drawn once and updated in place by :class:`PerceptronView`, then sent
    as a PNG to an ``Image`` widget; axes, ticks, labels and legend are kept as a
    picture and only the moving artists are repainted (:class:`~common.widgets._render.BlitRenderer`),
    which keeps a slider step near 100 ms in the browser. Returns the ``VBox``; its
    ``sliders``, ``image``, ``view`` and ``renderer`` attributes let tests drive it.
    Introduced in chapter 1, Perceptron.
    """
    import ipywidgets as widgets

    from common.widgets._render import BlitRenderer

    def slider(name: str, value: float) -> widgets.FloatSlider:
        return widgets.FloatSlider(value=value, min=-2.0, max=2.0, step=0.1, description=name,
                                   readout_format=".1f", continuous_update=True,
                                   layout=widgets.Layout(width="250px"))

    sliders = {"w1": slider("w₁", w1), "w2": slider("w₂", w2), "b": slider("b", b)}
    preset = widgets.Dropdown(options=["choose…", *GATE_WEIGHTS], value="choose…",
                              description=_("preset"), layout=widgets.Layout(width="200px"))
    fig = Figure(figsize=(7.6, 3.8), dpi=dpi, layout="none")
    view = _layout(fig, table=True)
    renderer = BlitRenderer(fig, lambda: [view.image, *view.ax.spines.values(), view.line, view.arrow,
                                          view.arrow_label, view.points, view.title_artist,
                                          view.table, view.gate])
    image = widgets.Image(format="png")
    busy = {"on": False}

    def redraw(*_: object) -> None:
        if busy["on"]:
            return
        view.update(sliders["w1"].value, sliders["w2"].value, sliders["b"].value)
        image.value = renderer.png()

    def apply_preset(change: dict) -> None:
        if change["new"] not in GATE_WEIGHTS:
            return
        busy["on"] = True
        try:
            for key, value in zip(("w1", "w2", "b"), GATE_WEIGHTS[change["new"]]):
                sliders[key].value = value
        finally:
            busy["on"] = False
        redraw()

    for s in sliders.values():
        s.observe(redraw, names="value")
    preset.observe(apply_preset, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([*sliders.values(), preset]), image])
    box.sliders, box.image, box.view, box.preset, box.renderer = sliders, image, view, preset, renderer
    return box


# --------------------------------------------------------------------- static figures
def draw_gates(names: Sequence[str] = ("AND", "NAND", "OR")) -> Figure:
    """One panel per gate at its hand-set weights (:data:`GATE_WEIGHTS`). Chapter 1."""
    fig, axes = plt.subplots(1, len(names), figsize=(min(9.0, 3.0 * len(names)), 4.6), layout="constrained")
    for ax, name in zip(np.atleast_1d(axes), names):
        w1, w2, b = GATE_WEIGHTS[name]
        view = PerceptronView(ax, title=False)
        view.update(w1, w2, b)
        ax.set_title(f"{name}\nw = ({_fmt(w1)}, {_fmt(w2)}), b = {_fmt(b)}", fontsize=12)
        ax.set_xlabel("input x₁")
        ax.set_ylabel("input x₂")
    fig.legend(handles=_legend_handles(), loc="outside lower center", ncol=2, frameon=False, fontsize=11,
               columnspacing=3.0)
    fig.suptitle("One perceptron, three gates:\nonly the weights and the bias change")
    return fig


def _node(ax: Axes, xy: tuple[float, float], text: str, fc: str = "#eef3f9", size: int = 12,
          shape: str = "circle") -> None:
    ax.text(*xy, text, ha="center", va="center", fontsize=size, zorder=3,
            bbox=dict(boxstyle=f"{shape},pad=0.45", fc=fc, ec=DARK, lw=1.3))


def _edge(ax: Axes, a: tuple[float, float], b: tuple[float, float], label: str = "",
          frac: float = 0.45, shrink: float = 20, offset: tuple[float, float] = (0, 8)) -> None:
    ax.annotate("", b, a, zorder=2, arrowprops=dict(arrowstyle="-|>", color="#44546a", lw=1.3,
                                                    shrinkA=shrink, shrinkB=shrink))
    if label:
        mx, my = a[0] + frac * (b[0] - a[0]), a[1] + frac * (b[1] - a[1])
        ax.annotate(label, (mx, my), xytext=offset, textcoords="offset points", ha="center",
                    va="center", fontsize=11, color="#7a3d00",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))


def draw_perceptron_diagram() -> Figure:
    """Inputs, weights, bias, weighted sum and threshold of a two-input perceptron. Chapter 1."""
    fig, ax = plt.subplots(figsize=(8.5, 3.8), layout="constrained")
    x1, x2, one = (0, 1.0), (0, -1.0), (0, 0.0)
    s, step, y = (2.6, 0), (4.4, 0), (6.0, 0)
    _node(ax, x1, "x₁")
    _node(ax, x2, "x₂")
    _node(ax, one, "1", fc="#f4f4f4")
    ax.text(-0.3, 0, "constant\ninput", ha="right", va="center", fontsize=11, color="#44546a")
    _edge(ax, x1, s, "w₁", frac=0.4)
    _edge(ax, x2, s, "w₂", frac=0.4, offset=(0, -8))
    _edge(ax, one, s, "b", frac=0.4)
    _node(ax, s, "Σ", size=16)
    _edge(ax, s, step, "a", frac=0.5, shrink=24)
    ax.add_patch(FancyBboxPatch((step[0] - 0.42, step[1] - 0.32), 0.84, 0.64, zorder=3, fc="#eef3f9",
                                ec=DARK, lw=1.3, boxstyle="round,pad=0,rounding_size=0.1"))
    ax.plot([step[0] - 0.3, step[0], step[0], step[0] + 0.3],
            [step[1] - 0.17, step[1] - 0.17, step[1] + 0.17, step[1] + 0.17], color=DARK, lw=2, zorder=4)
    _edge(ax, step, y, "", shrink=24)
    _node(ax, y, "y", fc=FIRES)
    ax.text(s[0], -0.75, "weighted sum\na = w₁x₁ + w₂x₂ + b", ha="center", va="top", fontsize=12)
    ax.text(step[0] + 0.25, -0.75, "threshold\ny = 1 if a > 0,\nelse 0", ha="center", va="top", fontsize=12)
    ax.text(0, -1.55, "inputs", ha="center", va="top", fontsize=12)
    ax.text(y[0] + 0.15, -0.75, "output\n(1 = fires)", ha="center", va="top", fontsize=12)
    ax.set_xlim(-1.4, 6.7)
    ax.set_ylim(-2.1, 1.5)
    ax.axis("off")
    ax.set_title("A perceptron with two inputs: weighted sum, bias, threshold")
    return fig


def draw_xor_network() -> Figure:
    """XOR as two layers of perceptrons: NAND and OR, then AND. Chapter 1, Perceptron."""
    fig, ax = plt.subplots(figsize=(8.5, 4.2), layout="constrained")
    x1, x2, s1, s2, y = (0, 1), (0, -1), (3, 1), (3, -1), (6, 0)
    _node(ax, x1, "x₁")
    _node(ax, x2, "x₂")
    _node(ax, s1, "s₁\nNAND\nb = 0.7", size=11, shape="round")
    _node(ax, s2, "s₂\nOR\nb = −0.2", size=11, shape="round")
    _node(ax, y, "y\nAND\nb = −0.7", size=11, shape="round", fc=FIRES)
    _edge(ax, x1, s1, "−0.5", frac=0.3, shrink=30)
    _edge(ax, x1, s2, "0.5", frac=0.25, shrink=30)
    _edge(ax, x2, s1, "−0.5", frac=0.25, shrink=30)
    _edge(ax, x2, s2, "0.5", frac=0.3, shrink=30, offset=(0, -8))
    _edge(ax, s1, y, "0.5", frac=0.5, shrink=32)
    _edge(ax, s2, y, "0.5", frac=0.5, shrink=32, offset=(0, -8))
    for x, label in ((0, "layer 0: inputs"), (3, "layer 1: NAND, OR"), (6, "layer 2: AND")):
        ax.text(x, -1.85, label, ha="center", va="top", fontsize=12, color="#44546a")
    ax.set_xlim(-0.8, 6.8)
    ax.set_ylim(-2.2, 1.7)
    ax.axis("off")
    ax.set_title("XOR in two layers: y = AND(NAND(x₁, x₂), OR(x₁, x₂))\n(edge labels are weights)")
    return fig


def draw_xor_planes() -> Figure:
    """XOR's inputs with the NAND and OR lines (left) and the same points in the hidden layer (right).

    In the hidden layer ``(s1, s2) = (NAND, OR)`` the four inputs land on three points
    that one AND line separates. Introduced in chapter 1, Perceptron.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 5.4), layout="constrained")
    X1, X2 = np.meshgrid(np.linspace(*LIM, 201), np.linspace(*LIM, 201))
    left.imshow(_xor_band(X1, X2), extent=(*LIM, *LIM), origin="lower", cmap=_REGIONS, vmin=0, vmax=1,
                interpolation="nearest")
    for name, colour, style in (("NAND", BLUE, "-"), ("OR", ORANGE, "--")):
        seg = boundary_segment(*GATE_WEIGHTS[name], LIM, LIM)
        left.plot(seg[:, 0], seg[:, 1], style, color=colour, lw=2.2, label=f"{name} boundary")
    ys = np.array([XOR(a, c) for a, c in INPUTS])
    left.scatter(INPUTS[:, 0], INPUTS[:, 1], s=120, c=[ORANGE if v else "white" for v in ys],
                 edgecolors=DARK, linewidths=1.5, zorder=4)
    _style_plane(left, LIM)
    left.legend(loc="upper right", fontsize=11, framealpha=0.95)
    left.set_title("Input plane: XOR fires in the band\nabove OR's line and below NAND's", fontsize=12)

    s = np.array([[NAND(a, c), OR(a, c)] for a, c in INPUTS])
    _, _, z = output_grid(*GATE_WEIGHTS["AND"], LIM, LIM, n=201)
    right.imshow(z, extent=(*LIM, *LIM), origin="lower", cmap=_REGIONS, vmin=0, vmax=1,
                 interpolation="nearest")
    seg = boundary_segment(*GATE_WEIGHTS["AND"], LIM, LIM)
    right.plot(seg[:, 0], seg[:, 1], color=DARK, lw=2.2, label="AND boundary")
    right.scatter(s[:, 0], s[:, 1], s=120, c=[ORANGE if v else "white" for v in ys],
                  edgecolors=DARK, linewidths=1.5, zorder=4)
    for point in np.unique(s, axis=0):
        who = [f"({a},{c})" for (a, c), h in zip(INPUTS, s) if tuple(h) == tuple(point)]
        right.annotate("from " + " and ".join(who), point, xytext=(0, -22), textcoords="offset points",
                       ha="center", fontsize=11, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"))
    right.set_xlim(*LIM)
    right.set_ylim(*LIM)
    right.set_aspect("equal")
    right.set_xticks([0, 1])
    right.set_yticks([0, 1])
    right.set_xlabel("hidden s₁ = NAND(x₁, x₂)")
    right.set_ylabel("hidden s₂ = OR(x₁, x₂)")
    right.legend(loc="upper left", fontsize=11, framealpha=0.95)
    right.set_title("Hidden layer: four inputs land on three\npoints; one AND line separates them",
                    fontsize=12)
    fig.suptitle("XOR: the first layer bends the problem\nso that the second needs only a line")
    return fig


def _xor_band(X1: np.ndarray, X2: np.ndarray) -> np.ndarray:
    """Where NAND and OR both fire on the plane (the XOR region of the two-layer network)."""
    pts = np.stack([X1, X2], axis=-1)
    nand = weighted_sum(pts, GATE_WEIGHTS["NAND"][:2], GATE_WEIGHTS["NAND"][2]) > 0
    orr = weighted_sum(pts, GATE_WEIGHTS["OR"][:2], GATE_WEIGHTS["OR"][2]) > 0
    return (nand & orr).astype(int)


def draw_half_adder() -> Figure:
    """The half adder built from five NAND gates: sum = XOR(a, b), carry = AND(a, b). Chapter 1."""
    fig, ax = plt.subplots(figsize=(8.5, 4.0), layout="constrained")
    a, b = (0, 1), (0, -1)
    n1, n2, n3, n4, n5 = (2, 0), (4, 1), (4, -1), (6, 0), (4, -2.2)
    s_out, c_out = (8, 0), (8, -2.2)
    _node(ax, a, "a")
    _node(ax, b, "b")
    for xy, label in ((n1, "NAND\n①"), (n2, "NAND\n②"), (n3, "NAND\n③"), (n4, "NAND\n④"), (n5, "NAND\n⑤")):
        _node(ax, xy, label, size=11, shape="round")
    _node(ax, s_out, "sum", size=12, fc=FIRES, shape="round")
    _node(ax, c_out, "carry", size=12, fc=FIRES, shape="round")
    kw = dict(shrink=26)
    for p, q in ((a, n1), (b, n1), (a, n2), (n1, n2), (b, n3), (n1, n3), (n2, n4), (n3, n4),
                 (n4, s_out), (n1, n5), (n5, c_out)):
        _edge(ax, p, q, **kw)
    ax.text(2.3, -1.45, "n into both\ninputs of ⑤", fontsize=11, color="#44546a", ha="right")
    ax.set_xlim(-0.6, 8.8)
    ax.set_ylim(-2.7, 1.6)
    ax.axis("off")
    ax.set_title("A half adder from NAND gates only:\n① n = NAND(a, b); ②–④ give XOR; ⑤ = NOT n = AND")
    return fig


def draw_training(X: np.ndarray, t: np.ndarray, fit: PerceptronFit,
                  true_line: tuple[np.ndarray, float] | None = None,
                  lim: tuple[float, float] = (-1.0, 1.0), title: str = "",
                  left_panel: str = "boundary") -> Figure:
    """A training run: the boundary after each epoch (``left_panel="boundary"``) or the
    parameters epoch by epoch (``"parameters"``), beside the mistakes per epoch.

    Introduced in chapter 1, Perceptron.
    """
    if left_panel not in ("boundary", "parameters"):
        raise ValueError(f"left_panel must be 'boundary' or 'parameters', got {left_panel!r}")
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 5.6), layout="constrained",
                                      gridspec_kw=dict(width_ratios=(1, 1)))
    if left_panel == "boundary":
        _draw_boundaries(left, np.asarray(X), np.asarray(t), fit, true_line, lim)
    else:
        hist = np.array([[*w, b] for w, b in fit.history])
        epochs = np.arange(len(hist))
        for k, (name, colour, style) in enumerate((("w₁", ORANGE, "-o"), ("w₂", BLUE, "-s"),
                                                   ("b", DARK, "--^"))):
            left.plot(epochs, hist[:, k], style, color=colour, ms=4, lw=1.3, label=name)
        left.set_xlabel("epoch (0 = start)")
        left.set_ylabel("parameter value")

        left.grid(alpha=0.3)
        left.set_title("Parameters after each epoch:\nthey keep moving", fontsize=12)
    epochs = np.arange(1, fit.epochs + 1)
    right.bar(epochs, fit.errors, color=BLUE)
    if fit.converged:
        right.annotate("0 mistakes:\nstop", (fit.epochs, 0), xytext=(0, 30), textcoords="offset points",
                       ha="center", fontsize=11, arrowprops=dict(arrowstyle="->", color=DARK))
    right.set_xlabel("epoch (one pass over the data)")
    right.set_ylabel("mistakes in the epoch (= updates)")
    right.set_ylim(0, max(max(fit.errors), 1) * 1.15)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    verdict = (f"converged: no mistake in epoch {fit.epochs}" if fit.converged
               else f"not converged after {fit.epochs} epochs")
    right.set_title(f"Mistakes per epoch\n({verdict})", fontsize=12)
    right.grid(axis="y", alpha=0.3)
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncol=3, frameon=False, fontsize=11)
    fig.suptitle(title or "Rosenblatt's perceptron rule")
    return fig


def _draw_boundaries(ax: Axes, X: np.ndarray, t: np.ndarray, fit: PerceptronFit,
                     true_line: tuple[np.ndarray, float] | None, lim: tuple[float, float]) -> None:
    for k, (w, b) in enumerate(fit.history[1:-1], start=1):
        seg = boundary_segment(w[0], w[1], b, lim, lim)
        if seg is not None:
            ax.plot(seg[:, 0], seg[:, 1], color="grey", lw=1, alpha=0.25 + 0.5 * k / len(fit.history),
                    label="after earlier epochs" if k == 1 else None)
    seg = boundary_segment(fit.w[0], fit.w[1], fit.b, lim, lim)
    if seg is not None:
        ax.plot(seg[:, 0], seg[:, 1], color=DARK, lw=2.5, label=f"after epoch {fit.epochs} (final)")
    if true_line is not None:
        seg = boundary_segment(*true_line[0], true_line[1], lim, lim)
        if seg is not None:
            ax.plot(seg[:, 0], seg[:, 1], "--", color="#3a8a3a", lw=1.5, label="line that made the labels")
    ax.scatter(*X[t == 1].T, marker="o", s=45, c=ORANGE, edgecolors=DARK, lw=0.7, label="t = 1", zorder=3)
    ax.scatter(*X[t == 0].T, marker="s", s=40, c=BLUE, edgecolors=DARK, lw=0.7, label="t = 0", zorder=3)
    pad = 0.05 * (lim[1] - lim[0])
    ax.set_xlim(lim[0] - pad, lim[1] + pad)
    ax.set_ylim(lim[0] - pad, lim[1] + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Decision boundary during training", fontsize=12)


def draw_output_surface(w1: float = 0.5, w2: float = 0.5, b: float = -0.7,
                        lim: tuple[float, float] = LIM, n: int = 41) -> Figure:
    """The function a perceptron computes over the plane: the tilted plane ``a = w·x + b``
    (left) and the step ``y`` it becomes (right). The seminar homework. Chapter 1.
    """
    fig = plt.figure(figsize=(9.0, 6.0), layout="none")
    X1, X2, A = output_grid(w1, w2, b, lim, lim, n=n, kind="sum")
    _, _, Y = output_grid(w1, w2, b, lim, lim, n=n, kind="output")
    colours = np.where((A > ON_LINE_TOL)[..., None], _rgba(ORANGE), _rgba(BLUE))
    ys = (weighted_sum(INPUTS, [w1, w2], b) > ON_LINE_TOL).astype(int)
    left = fig.add_axes((0.05, 0.0, 0.45, 0.8), projection="3d", computed_zorder=False)
    left.plot_surface(X1, X2, A, facecolors=colours, rstride=1, cstride=1, linewidth=0,
                      antialiased=False, shade=True, zorder=1)
    a_dots = weighted_sum(INPUTS, [w1, w2], b)
    left.scatter(INPUTS[:, 0], INPUTS[:, 1], a_dots, s=60, c="black", edgecolors="white", depthshade=False, zorder=5)
    left.set_zlabel("a (weighted sum)", labelpad=6)
    fig.text(0.255, 0.80, f"a = w·x + b is a tilted plane\n(w = ({_fmt(w1)}, {_fmt(w2)}), b = {_fmt(b)});\n"
             "orange where a > 0, blue where a ≤ 0", ha="center", va="bottom", fontsize=12)
    right = fig.add_axes((0.52, 0.0, 0.47, 0.8), projection="3d", computed_zorder=False)
    faces = np.where((Y > 0)[..., None], _rgba(ORANGE), _rgba(BLUE))
    wall = np.zeros_like(Y, dtype=bool)         # quads whose corners straddle the step
    wall[:-1, :-1] = (Y[:-1, :-1] != Y[1:, :-1]) | (Y[:-1, :-1] != Y[:-1, 1:]) | (Y[:-1, :-1] != Y[1:, 1:])
    faces[wall] = _rgba("#b9b9b9")
    right.plot_surface(X1, X2, Y, facecolors=faces, rstride=1, cstride=1, linewidth=0,
                       antialiased=False, shade=True, zorder=1)
    right.scatter(INPUTS[:, 0], INPUTS[:, 1], ys, s=60, c="black", edgecolors="white", depthshade=False, zorder=5)
    right.set_zticks([0, 1])
    right.set_zlabel("y (output)", labelpad=4)
    fig.text(0.755, 0.80, f"y keeps only the sign of a: a step,\nwith a cliff along the line a = 0\n"
             f"(the dots, the four inputs, give {identify_gate(w1, w2, b)})", ha="center", va="bottom",
             fontsize=12)
    for ax in (left, right):
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.view_init(elev=32, azim=-120)
        ax.set_box_aspect(None, zoom=0.95)
    fig.suptitle("The function a perceptron computes, over the whole input plane", y=0.975)
    return fig


def _rgba(colour: str) -> np.ndarray:
    from matplotlib.colors import to_rgba

    return np.array(to_rgba(colour))
