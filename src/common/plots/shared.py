"""Figures that several chapters draw: history, derivatives, gradient fields.

Each function draws on ``ax`` when given one, otherwise on a new figure, and returns
the ``Figure`` so a notebook can write ``_ = plot_…(…)``. The functions are pure
drawing code: they compute nothing a chapter would need to test on its own.
Introduced in chapter 0, Prelude.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

__all__ = [
    "NN_HISTORY",
    "NN_ERAS",
    "plot_timeline",
    "plot_ai_ml_dl",
    "plot_secant_tangent",
    "plot_partial_slice",
    "plot_gradient_field",
    "plot_chain_paths",
]

NN_HISTORY: list[tuple[int, str, str]] = [
    (1943, "McCulloch & Pitts", "formal neuron: fires when enough inputs are on, unless one vetoes"),
    (1958, "Rosenblatt", "perceptron: a neuron that learns its own weights"),
    (1959, "Hubel & Wiesel", "receptive fields in the cat's visual cortex"),
    (1969, "Minsky & Papert", '"Perceptrons": what one layer cannot compute (XOR)'),
    (1980, "Fukushima", "neocognitron: layered, shift-tolerant feature detectors"),
    (1986, "Rumelhart, Hinton & Williams", "backpropagation trains hidden layers"),
    (1989, "LeCun et al.", "convolutional net trained by backprop reads ZIP codes"),
    (1998, "LeCun et al.", "LeNet-5 reads cheques; the MNIST data set"),
    (2006, "Hinton & Salakhutdinov", "deep autoencoders, pretrained layer by layer"),
    (2012, "Krizhevsky, Sutskever & Hinton", "AlexNet wins ImageNet: 15.3 % vs 26.2 % top-5 error"),
]
"""Milestones of neural-network history as ``(year, who, what)``, sorted by year.

Years are those of the publication usually cited (McCulloch & Pitts, Bull. Math.
Biophys. 1943; Rosenblatt, Psychol. Rev. 1958; Hubel & Wiesel, J. Physiol. 1959;
Minsky & Papert, MIT Press 1969; Fukushima, Biol. Cybern. 1980; Rumelhart, Hinton &
Williams, Nature 1986; LeCun et al., Neural Comput. 1989 and Proc. IEEE 1998; Hinton &
Salakhutdinov, Science 2006; Krizhevsky et al., NeurIPS 2012). Introduced in chapter 0.
"""

NN_ERAS: list[tuple[int, int, str]] = [
    (1943, 1969, "first wave"),
    (1969, 1986, "first winter"),
    (1986, 1995, "second wave"),
    (1995, 2006, "second winter"),
    (2006, 2016, "third wave: deep learning"),
]
"""Approximate booms and "winters" of neural-network research, ``(start, end, label)``.

The boundaries are conventional, not exact: interest faded and returned gradually.
Introduced in chapter 0, Prelude.
"""


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def plot_timeline(
    events: Sequence[tuple[int, str, str]],
    ax: Axes | None = None,
    eras: Sequence[tuple[int, int, str]] | None = NN_ERAS,
    title: str = "A short history of neural networks",
) -> Figure:
    """Draw dated events on a horizontal time axis, labels alternating above and below.

    ``events`` holds ``(year, who, what)`` tuples such as :data:`NN_HISTORY`; ``eras``
    shades ``(start, end, label)`` spans behind them (pass ``None`` for none).
    Introduced in chapter 0, Prelude.
    """
    events = list(events)
    if not events:
        raise ValueError("plot_timeline expected at least one (year, who, what) event, got none")
    for event in events:
        if len(event) != 3:
            raise ValueError(f"plot_timeline expected (year, who, what) tuples, got {event!r}")
    events.sort(key=lambda e: e[0])
    fig, ax = _axes(ax, (9.0, 8.0))
    years = [e[0] for e in events]
    lo, hi = min(years) - 5, max(years) + 5
    if eras:
        lo, hi = min(lo, min(e[0] for e in eras)), max(hi, max(e[1] for e in eras))
        for start, end, label in eras:
            winter = "winter" in label
            ax.axvspan(start, end, color="#dfe7f2" if winter else "#fbf3dc", zorder=0)
            ax.text((start + end) / 2, -5.35, label.replace(": ", ":\n"), ha="center", va="center",
                    fontsize=11, style="italic", color="#44546a" if winter else "#7a5b00")
    ax.axhline(0, color="black", lw=1.5, zorder=1)
    levels = [0.45, -0.45, 1.95, -1.95, 3.45, -3.45]  # alternate sides and heights: no collisions
    for k, (year, who, what) in enumerate(events):
        y = levels[k % len(levels)]
        ax.plot([year, year], [0, y], color="grey", lw=1, zorder=2)
        ax.plot(year, 0, "o", color="#1f4e79", ms=7, zorder=3)
        note = textwrap.fill(what, 22)
        names = textwrap.fill(who, 22)
        label = f"$\\bf{{{year}}}$  {names}\n{note}"
        # keep the first and last boxes inside the axes by anchoring them at one side
        ha = "left" if k == 0 else "right" if k == len(events) - 1 else "center"
        x = year - 3 if ha == "left" else year + 3 if ha == "right" else year
        ax.text(x, y + (0.08 if y > 0 else -0.08), label, ha=ha,
                va="bottom" if y > 0 else "top", multialignment="center", fontsize=11, zorder=4,
                bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#9aa9bd", lw=0.8))
    ax.set_xlim(lo, hi)
    ax.set_ylim(-5.8, 5.0)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("year")
    ax.set_title(title)
    return fig


def plot_ai_ml_dl(ax: Axes | None = None) -> Figure:
    """Draw artificial intelligence ⊃ machine learning ⊃ deep learning as nested boxes.

    Introduced in chapter 0, Prelude.
    """
    fig, ax = _axes(ax, (8.5, 5.2))
    boxes = [
        ((0.02, 0.03), 0.96, 0.86, "#fbf3dc", "Artificial intelligence",
         "programs that behave intelligently:\nhand-written rules, search, planning, …"),
        ((0.09, 0.08), 0.82, 0.60, "#e3eddc", "Machine learning",
         "programs that find patterns in data:\nlinear models, decision trees, SVMs, …"),
        ((0.19, 0.13), 0.62, 0.30, "#dfe7f2", "Deep learning",
         "many-layer neural networks,\nall layers learned from data"),
    ]
    for (x, y), w, h, colour, name, what in boxes:
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.04",
                                    fc=colour, ec="#44546a", lw=1.2))
        ax.text(x + w / 2, y + h - 0.03, name, ha="center", va="top", fontsize=13, weight="bold")
        ax.text(x + w / 2, y + h - 0.085, what, ha="center", va="top", fontsize=11.5)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 0.92)
    ax.axis("off")
    ax.set_title("Where deep learning sits: AI ⊃ ML ⊃ DL")
    return fig


def plot_secant_tangent(
    f: Callable[[np.ndarray], np.ndarray],
    x0: float,
    slope: float,
    dxs: Sequence[float] = (1.0, 0.5),
    xlim: tuple[float, float] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Show secants over steps Δx (slope Δf/Δx) closing in on the tangent (slope df/dx).

    ``f`` must accept a NumPy array; ``slope`` is the true derivative at ``x0``, drawn
    as the tangent. The largest step gets its Δx and Δf legs drawn.
    Introduced in chapter 0, Prelude.
    """
    dxs = [float(d) for d in dxs]
    if not dxs or min(dxs) <= 0:
        raise ValueError(f"plot_secant_tangent expected positive steps dxs, got {dxs}")
    fig, ax = _axes(ax, (7.5, 5))
    big = max(dxs)
    if xlim is None:
        xlim = (x0 - 0.9 * big - 0.3, x0 + 1.3 * big + 0.2)
    xs = np.linspace(*xlim, 300)
    ax.plot(xs, f(xs), color="black", lw=2, label="$f(x)$")
    y0 = float(f(np.asarray(x0)))
    colours = plt.cm.Oranges(np.linspace(0.9, 0.45, len(dxs)))
    for colour, dx in zip(colours, sorted(dxs, reverse=True)):
        y1 = float(f(np.asarray(x0 + dx)))
        s = (y1 - y0) / dx
        ax.plot(xs, y0 + s * (xs - x0), color=colour, lw=1.3,
                label=f"secant, Δx = {dx:g}: Δf/Δx = {s:.3g}")
        ax.plot(x0 + dx, y1, "o", color=colour, ms=6)
        if dx == big:
            ax.plot([x0, x0 + dx], [y0, y0], ":", color="grey")
            ax.plot([x0 + dx, x0 + dx], [y0, y1], ":", color="grey")
            ax.annotate("Δx", (x0 + dx / 2, y0), xytext=(0, -14), textcoords="offset points",
                        ha="center", fontsize=11)
            ax.annotate("Δf", (x0 + dx, (y0 + y1) / 2), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=11)
    ax.plot(xs, y0 + slope * (xs - x0), "--", color="#1f4e79", lw=2,
            label=f"tangent: df/dx = {slope:.3g}")
    ax.plot(x0, y0, "o", color="#1f4e79", ms=7)
    ys = f(xs)
    pad = 0.15 * (ys.max() - ys.min())
    ax.set_ylim(ys.min() - pad, ys.max() + pad)
    ax.set_xlim(*xlim)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.set_title(f"Secant slopes Δf/Δx approach the tangent slope df/dx at x = {x0:g}")
    ax.legend(loc="upper left", fontsize=11)
    ax.grid(alpha=0.3)
    return fig


def plot_partial_slice(
    f: Callable[..., np.ndarray],
    point: Sequence[float],
    index: int,
    slope: float,
    names: Sequence[str] = ("a", "b", "c"),
    span: float = 2.0,
    ax: Axes | None = None,
) -> Figure:
    """Plot f along one variable with the others frozen, and the tangent of slope ∂f/∂x_i.

    ``f`` takes one positional argument per variable and must accept arrays;
    ``slope`` is the partial derivative at ``point``. Introduced in chapter 0, Prelude.
    """
    point = [float(p) for p in point]
    if not 0 <= index < len(point):
        raise ValueError(f"index must be between 0 and {len(point) - 1} for a point with "
                         f"{len(point)} coordinates, got {index}")
    if len(names) != len(point):
        raise ValueError(f"expected {len(point)} variable names for the point {tuple(point)}, "
                         f"got {len(names)}: {tuple(names)}")
    fig, ax = _axes(ax, (7.5, 4.6))
    x0 = point[index]
    xs = np.linspace(x0 - span, x0 + span, 200)
    args = [np.full_like(xs, p) for p in point]
    args[index] = xs
    ys = f(*args)
    y0 = float(f(*point))
    var = names[index]
    frozen = ", ".join(f"{n} = {p:g}" for i, (n, p) in enumerate(zip(names, point)) if i != index)
    ax.plot(xs, ys, color="black", lw=2, label=f"$f$ as a function of ${var}$ alone ({frozen})")
    ax.plot(xs, y0 + slope * (xs - x0), "--", color="#1f4e79", lw=2,
            label=f"tangent, slope ∂f/∂{var} = {slope:g}")
    ax.plot(x0, y0, "o", color="#c0504d", ms=7, zorder=3)
    ax.set_ylim(ys.min() - 0.1 * np.ptp(ys), ys.max() + 0.1 * np.ptp(ys))
    ax.set_xlabel(f"${var}$")
    ax.set_ylabel("$f$")
    where = ", ".join(f"{p:g}" for p in point)
    ax.set_title(f"A slice of f through ({where}) along {var}")
    ax.legend(loc="upper center", fontsize=11)
    ax.grid(alpha=0.3)
    return fig


def plot_gradient_field(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    grad: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-2.0, 2.0),
    n: int = 13,
    names: tuple[str, str] = ("x", "y"),
    title: str = "The gradient ∇f points uphill, across the contour lines",
    ax: Axes | None = None,
) -> Figure:
    """Draw contours of f(x, y) with arrows of ∇f = (∂f/∂x, ∂f/∂y) on an n × n grid.

    ``f`` and ``grad`` take two arrays of the same shape (vectorised); ``grad`` returns
    the two partial derivatives. Chapter 3 draws −∇f the same way for gradient descent.
    Introduced in chapter 0, Prelude.
    """
    if n < 2:
        raise ValueError(f"plot_gradient_field needs at least a 2 × 2 grid of arrows, got n = {n}")
    fig, ax = _axes(ax, (6.4, 5.6))
    fx, fy = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    filled = ax.contourf(fx, fy, f(fx, fy), levels=14, cmap="Blues", alpha=0.8)
    ax.contour(fx, fy, f(fx, fy), levels=14, colors="white", linewidths=0.5)
    fig.colorbar(filled, ax=ax, label="$f$")
    qx, qy = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    gx, gy = grad(qx, qy)
    ax.quiver(qx, qy, gx, gy, color="#c0504d", angles="xy", pivot="tail", width=0.004)
    ax.set_xlabel(f"${names[0]}$")
    ax.set_ylabel(f"${names[1]}$")
    ax.set_aspect("equal")
    ax.set_title(title)
    return fig


def plot_chain_paths(n: int = 3, ax: Axes | None = None) -> Figure:
    """Draw c → b₁…bₙ → a: one path per intermediate variable, one product per path.

    The picture behind ∂a/∂c = Σₖ ∂a/∂bₖ · ∂bₖ/∂c, and behind backpropagation in
    chapter 4. Introduced in chapter 0, Prelude.
    """
    if n < 1:
        raise ValueError(f"plot_chain_paths needs at least one intermediate variable, got n = {n}")
    fig, ax = _axes(ax, (7.5, 1.3 + 1.1 * n))
    ys = np.linspace(1, -1, n) if n > 1 else np.array([0.0])
    node = dict(ha="center", va="center", fontsize=15,
                bbox=dict(boxstyle="circle,pad=0.35", fc="#dfe7f2", ec="#1f4e79", lw=1.5))
    ax.text(0, 0, "$c$", **node)
    ax.text(2, 0, "$a$", **node)
    arrow = dict(arrowstyle="-|>", color="#44546a", lw=1.3, shrinkA=16, shrinkB=16)
    for k, y in enumerate(ys, start=1):
        ax.text(1, y, f"$b_{{{k}}}$", **node)
        ax.annotate("", (1, y), (0, 0), arrowprops=arrow)
        ax.annotate("", (2, 0), (1, y), arrowprops=arrow)
        label = dict(ha="center", va="center", fontsize=11, color="#7a5b00",
                     bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
        ax.text(0.5, y / 2, f"$\\partial b_{{{k}}}/\\partial c$", **label)
        ax.text(1.5, y / 2, f"$\\partial a/\\partial b_{{{k}}}$", **label)
    ax.set_xlim(-0.3, 2.3)
    ax.set_ylim(-1.4, 1.4)
    ax.axis("off")
    ax.set_title("One product per path from c to a; the chain rule adds them up")
    return fig
