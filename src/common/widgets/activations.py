"""Activation explorer: an activation function and its derivative, with gain and shift.

Introduced in chapter 2, Neural networks. The unit computes ``h(g * (x - s))``:
the gain ``g`` sets how steep the response is (the seminar's sigmoid
``1 / (1 + exp(-g x))``), the shift ``s`` moves the threshold along the input axis
(it plays the role of ``-b / w`` for a bias ``b``).

The module has three layers, so that the logic is tested without a slider:

- :func:`activation_curves` -- pure computation, returns arrays;
- :func:`draw_activation` / :func:`plot_activation_gallery` / :func:`plot_sigmoid_gains`
  -- drawing, with artists updated in place on redraw (the widget repaints only
  those artists, see :mod:`common.widgets._render`);
- :func:`activation_explorer` -- the ipywidgets glue used in the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from common.functions import relu, relu_grad, sigmoid, sigmoid_grad, step_function, tanh, tanh_grad
from common.translation import _

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "ACTIVATION_NAMES",
    "ActivationCurves",
    "activation_curves",
    "new_activation_figure",
    "draw_activation",
    "plot_activation",
    "plot_activation_gallery",
    "plot_sigmoid_gains",
    "dynamic_artists",
    "activation_explorer",
]

ACTIVATION_NAMES: tuple[str, ...] = ("step", "sigmoid", "tanh", "relu")
"""The activations the explorer knows, in the order chapter 2 introduces them."""

X_RANGE: tuple[float, float] = (-6.0, 6.0)
"""Input range the explorer draws; the shift slider stays inside it."""

_COLOURS = {"step": "#000000", "sigmoid": "#0072B2", "tanh": "#E69F00", "relu": "#009E73"}  # Okabe-Ito
_STYLES = {"step": ":", "sigmoid": "-", "tanh": "--", "relu": "-."}  # a second cue beside colour
_PRETTY = {"step": "step", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}


@dataclass(frozen=True)
class ActivationCurves:
    """What the explorer draws: inputs, outputs, slopes and a one-line reading.

    Introduced in chapter 2, Neural networks. ``kink`` is the input where the
    derivative does not exist (the step's jump, the ReLU's corner), or ``None``.
    """

    name: str
    gain: float
    shift: float
    x: np.ndarray
    y: np.ndarray
    dy: np.ndarray
    kink: float | None
    note: str


def _check_name(name: str) -> str:
    key = str(name).strip().lower()
    if key not in ACTIVATION_NAMES:
        raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATION_NAMES)}")
    return key


def activation_curves(
    name: str,
    gain: float = 1.0,
    shift: float = 0.0,
    x: np.ndarray | None = None,
    n: int = 601,
) -> ActivationCurves:
    """Evaluate ``h(gain * (x - shift))`` and its derivative with respect to ``x``.

    Introduced in chapter 2, Neural networks. ``x`` defaults to ``n`` points over
    :data:`X_RANGE`. The derivative follows the chain rule: ``gain * h'(gain * (x - shift))``.
    Any finite gain works, including 0 (the unit ignores its input) and negative
    values (the curve is mirrored). Non-finite gain or shift raise ``ValueError``.
    """
    key = _check_name(name)
    gain, shift = float(gain), float(shift)
    if not (np.isfinite(gain) and np.isfinite(shift)):
        raise ValueError(f"gain and shift must be finite numbers, got gain={gain}, shift={shift}")
    if x is None:
        x = np.linspace(*X_RANGE, int(n))
    x = np.asarray(x, dtype=np.float64)
    u = x - shift
    z = gain * u
    kink: float | None = None
    if key == "step":
        y = step_function(z)
        dy = np.zeros_like(x)  # flat on both sides of the jump
        kink = shift if gain != 0 else None
        note = ("slope 0 everywhere, undefined at the jump: a gradient gives no hint which way to go"
                if gain != 0 else "gain 0: the output is 0 whatever the input")
    elif key == "sigmoid":
        y = sigmoid(u, gain)
        dy = sigmoid_grad(u, gain)
        note = (f"smooth; steepest at x = {shift:g}, slope g/4 = {gain / 4:.3g}; "
                "flat (slope near 0) far from it" if gain != 0
                else "gain 0: output 0.5 whatever the input, slope 0")
    elif key == "tanh":
        y = tanh(z)
        dy = gain * tanh_grad(z)
        note = (f"like sigmoid but centred on 0, outputs in (-1, 1); slope g = {gain:.3g} at x = {shift:g}"
                if gain != 0 else "gain 0: output 0 whatever the input, slope 0")
    else:  # relu
        y = relu(z)
        dy = gain * relu_grad(z)
        kink = shift if gain != 0 else None
        note = (f"slope {abs(gain):.3g} on the active side, 0 on the other; corner at x = {shift:g}"
                if gain != 0 else "gain 0: output 0 whatever the input, slope 0")
    return ActivationCurves(key, gain, shift, x, y, dy, kink, note)


# -------------------------------------------------------------------------- drawing
def new_activation_figure(figsize: tuple[float, float] = (8.4, 3.6), dpi: int = 80) -> Figure:
    """A figure with two panels (function, derivative), not attached to pyplot.

    Introduced in chapter 2, Neural networks. Built with ``Figure`` directly so
    that the widget can redraw it without pyplot showing a second copy.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="none")
    fig.subplots(1, 2)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.89, bottom=0.27, wspace=0.3)
    return fig


def _nice_ceiling(value: float) -> float:
    """Smallest of 1, 1.5, 2, 3, 5, 7.5 (times a power of ten) that is >= ``value``."""
    exponent = np.floor(np.log10(value))
    for step in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if step * 10**exponent >= value * (1 - 1e-12):
            return float(step * 10**exponent)
    return float(10 ** (exponent + 1))  # pragma: no cover


def _axis_limits(values: np.ndarray, floor: float) -> tuple[float, float]:
    """Y limits that change in steps, not with every slider tick: the axes stay still
    while the curve moves, and a redraw only has to repaint the curve."""
    hi = _nice_ceiling(max(float(np.max(values)), floor))
    low = float(np.min(values))
    lo = -_nice_ceiling(-low) if low < -1e-9 else 0.0
    pad = 0.06 * (hi - lo)
    return lo - pad, hi + pad


def draw_activation(fig: Figure, curves: ActivationCurves) -> Figure:
    """Draw (or redraw in place) ``curves`` on a figure from :func:`new_activation_figure`.

    Introduced in chapter 2, Neural networks. The first call creates the lines;
    later calls only change their data, limits and titles, which keeps a slider
    responsive.
    """
    ax_f, ax_d = fig.axes[:2]
    colour = _COLOURS[curves.name]
    state: dict[str, Any] | None = getattr(fig, "_activation_artists", None)
    if state is None:
        (f_line,) = ax_f.plot(curves.x, curves.y, lw=2.2)
        (d_line,) = ax_d.plot(curves.x, curves.dy, lw=2.2)
        f_kink = ax_f.axvline(0.0, ls=":", color="black", lw=1)
        d_kink = ax_d.axvline(0.0, ls=":", color="black", lw=1)
        for ax in (ax_f, ax_d):
            ax.axhline(0.0, color="0.6", lw=0.8)
            ax.set_xlim(*X_RANGE)
            ax.set_xlabel("input x (pre-activation)")
            ax.grid(alpha=0.3)
        ax_f.set_ylabel("output h(g·(x − s))")
        ax_d.set_ylabel("slope dh/dx")
        note = fig.text(0.5, 0.015, "", ha="center", va="bottom", fontsize=11, color="0.2")
        kink_label = ax_d.text(0.0, 0.0, " no derivative here", fontsize=11, color="black",
                               ha="left", va="bottom", transform=ax_d.get_xaxis_transform())
        state = {"f": f_line, "d": d_line, "fk": f_kink, "dk": d_kink, "note": note,
                 "kl": kink_label}
        fig._activation_artists = state  # type: ignore[attr-defined]
    state["f"].set_data(curves.x, curves.y)
    state["d"].set_data(curves.x, curves.dy)
    for key in ("f", "d"):
        state[key].set_color(colour)
    show_kink = curves.kink is not None and X_RANGE[0] <= curves.kink <= X_RANGE[1]
    for key in ("fk", "dk"):
        state[key].set_visible(show_kink)
        if show_kink:
            state[key].set_xdata([curves.kink, curves.kink])
    state["kl"].set_visible(show_kink)
    if show_kink:
        right_half = curves.kink < 0.5 * (X_RANGE[0] + X_RANGE[1])
        state["kl"].set_position((curves.kink, 0.82))
        state["kl"].set_horizontalalignment("left" if right_half else "right")
        state["kl"].set_text(" no derivative here" if right_half else "no derivative here ")
    ax_f.set_ylim(*_axis_limits(curves.y, 1.0))
    ax_d.set_ylim(*_axis_limits(curves.dy, 0.3))
    label = _PRETTY[curves.name]
    ax_f.set_title(f"{label}, gain g = {curves.gain:g}, shift s = {curves.shift:g}", fontsize=12)
    ax_d.set_title("its derivative (chain rule: g · h′)", fontsize=12)
    state["note"].set_text(curves.note)
    return fig


def plot_activation(name: str = "sigmoid", gain: float = 1.0, shift: float = 0.0, dpi: int = 100) -> Figure:
    """Static figure of one setting of the explorer: the same drawing, without the sliders.

    Introduced in chapter 2, Neural networks (the explorer's default state, for the book).
    """
    return draw_activation(new_activation_figure(dpi=dpi), activation_curves(name, gain, shift))


def dynamic_artists(fig: Figure) -> list:
    """The artists :func:`draw_activation` changes between frames (for fast redraws).

    Introduced in chapter 2, Neural networks.
    """
    state = fig._activation_artists  # type: ignore[attr-defined]
    return [state[k] for k in ("f", "d", "fk", "dk", "kl", "note")] + [fig.axes[0].title]


def plot_activation_gallery(names: tuple[str, ...] = ACTIVATION_NAMES, dpi: int = 100) -> Figure:
    """Two panels: every activation in ``names`` (left) and its derivative (right).

    Introduced in chapter 2, Neural networks. Uses :func:`activation_curves`
    with gain 1 and shift 0, the same numbers the explorer shows by default.
    """
    fig = Figure(figsize=(9.0, 4.2), dpi=dpi, layout="constrained")
    ax_f, ax_d = fig.subplots(1, 2)
    for name in names:
        c = activation_curves(name, x=np.linspace(-4, 4, 801))
        width = 4.0 if name == "step" else 2.0  # drawn first and wide, so it shows under ReLU
        for ax, values in ((ax_f, c.y), (ax_d, c.dy)):
            jumps = np.abs(np.diff(values, prepend=values[0])) > 0.5
            ax.plot(c.x, np.where(jumps, np.nan, values), lw=width, color=_COLOURS[name], ls=_STYLES[name],
                    label=_PRETTY[name])  # NaN at a jump: no fake vertical segment
    ax_d.plot([0, 0], [0, 1], "o", mfc="white", mec=_COLOURS["relu"], ms=6, zorder=3)
    ax_d.annotate("step and ReLU have no\nderivative at x = 0", (0, 0), (-3.9, -0.95), fontsize=11,
                  arrowprops=dict(arrowstyle="->", color="0.4"))
    ax_f.set_title("Activation functions h(x)")
    ax_d.set_title("Their derivatives h′(x)")
    ax_f.set_ylabel("output h(x)")
    ax_d.set_ylabel("slope h′(x)")
    for ax in (ax_f, ax_d):
        ax.set_xlabel("input x")
        ax.axhline(0, color="0.6", lw=0.8)
        ax.grid(alpha=0.3)
        ax.set_ylim(-1.15, 1.6)
    ax_f.legend(loc="upper left", fontsize=11)
    ax_d.legend(loc="lower right", fontsize=11)
    return fig


def plot_sigmoid_gains(gains: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 20.0), dpi: int = 100) -> Figure:
    """Sigmoids ``1 / (1 + exp(-g x))`` for several gains, with the step drawn behind them.

    Introduced in chapter 2, Neural networks: as ``g`` grows the sigmoid turns
    into the step function, which is why the step is the sigmoid's limit.
    """
    fig = Figure(figsize=(7.2, 4.2), dpi=dpi, layout="constrained")
    ax = fig.subplots()
    x = np.linspace(-5, 5, 801)
    ax.plot([-5, 0, 0, 5], [0, 0, 1, 1], color="0.75", lw=5, label="step", zorder=1)
    colours = mpl.colormaps["viridis"](np.linspace(0.1, 0.85, len(gains)))
    for g, colour in zip(gains, colours):
        ax.plot(x, activation_curves("sigmoid", g, x=x).y, lw=2, color=colour, label=f"g = {g:g}")
    ax.set_title("Sigmoid 1 / (1 + exp(−g·x)) for growing gain g")
    ax.set_xlabel("input x")
    ax.set_ylabel("output")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=11)
    return fig


# ---------------------------------------------------------------------------- widget
def activation_explorer(name: str = "sigmoid", gain: float = 1.0, shift: float = 0.0):
    """Dropdown for the activation, sliders for gain and shift, and the live figure.

    Introduced in chapter 2, Neural networks. Each change calls
    :func:`activation_curves` and :func:`draw_activation` on one persistent figure
    and shows it as a PNG in an ``ipywidgets.Image`` (axes that did not change
    are not redrawn). Returns the ``ipywidgets.VBox``.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    pick = w.Dropdown(options=[(_PRETTY[n], n) for n in ACTIVATION_NAMES],
                      value=_check_name(name), description=_("activation"))
    g = w.FloatSlider(value=gain, min=0.0, max=10.0, step=0.1, description=_("gain g"),
                      continuous_update=True, readout_format=".1f")
    s = w.FloatSlider(value=shift, min=-5.0, max=5.0, step=0.1, description=_("shift s"),
                      continuous_update=True, readout_format=".1f")
    fig = new_activation_figure()
    draw_activation(fig, activation_curves(pick.value, g.value, s.value))
    # one kept background per y range (each activation has its own): going back to an
    # activation pastes its picture instead of drawing the axes, ticks and grid again
    renderer = BlitRenderer(fig, lambda: dynamic_artists(fig), keep=2 * len(ACTIVATION_NAMES))
    image = w.Image(value=renderer.png(), format="png")

    def redraw(_change: object = None) -> None:
        draw_activation(fig, activation_curves(pick.value, g.value, s.value))
        image.value = renderer.png()

    for control in (pick, g, s):
        control.observe(redraw, names="value")
    box = w.VBox([w.HBox([pick, g, s]), image])
    box.figure, box.renderer = fig, renderer  # for tests and for saving the current view
    return box
