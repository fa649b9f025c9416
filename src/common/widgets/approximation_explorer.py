"""Universal approximation, live: a slider for the number of hidden units, the curve they draw.

Introduced in chapter 2, Neural networks. Each change builds
:func:`common.lessons.universal_approximation.staircase_network` with that many
sigmoid units, draws its output over the target curve and writes the largest
error in the title. :func:`draw_approximation` is the pure drawing function the
widget and the static figure share; :func:`approximation_explorer` is the
ipywidgets glue.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from common.lessons.universal_approximation import (X_RANGE, approximation_error, predict_1d, staircase_network,
                                                    target_function)
from common.plots.style import OKABE_ITO
from common.translation import _

__all__ = ["MAX_SLIDER_UNITS", "new_approximation_figure", "draw_approximation", "plot_approximation",
           "approximation_explorer"]

MAX_SLIDER_UNITS: int = 100
"""The slider's largest number of hidden units."""

_X = np.linspace(*X_RANGE, 601)


def new_approximation_figure(dpi: int = 80) -> Figure:
    """The figure the explorer redraws: target curve, network curve, step positions. Chapter 2."""
    fig = Figure(figsize=(8.5, 4.4), dpi=dpi, layout="none")
    ax = fig.add_axes((0.1, 0.14, 0.86, 0.7))
    y = target_function(_X)
    ax.plot(_X, y, color="0.75", lw=7, label="target f(x) = sin 2x + x/2")
    (line,) = ax.plot([], [], color=OKABE_ITO[0], lw=2.4, label="network output")
    steps = ax.scatter([], [], marker="|", s=160, color=OKABE_ITO[5], label="where a unit steps")
    pad = 0.25 * (y.max() - y.min())
    ax.set_xlim(*X_RANGE)
    ax.set_ylim(y.min() - pad, y.max() + pad)
    ax.set_xlabel("input x")
    ax.set_ylabel("output y")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=11)
    title = ax.set_title("", fontsize=13)
    fig._approximation_artists = {"line": line, "steps": steps, "title": title,  # type: ignore[attr-defined]
                                  "floor": y.min() - 0.8 * pad}
    return fig


def draw_approximation(fig: Figure, n_units: int) -> Figure:
    """Show the staircase network with ``n_units`` hidden units on a figure from :func:`new_approximation_figure`.

    Introduced in chapter 2, Neural networks.
    """
    state: dict[str, Any] = fig._approximation_artists  # type: ignore[attr-defined]
    params = staircase_network(target_function, int(n_units))
    err = approximation_error(target_function, params)
    state["line"].set_data(_X, predict_1d(params, _X))
    positions = -params["b1"] / params["W1"][0]          # each unit steps where its weighted sum is 0
    state["steps"].set_offsets(np.column_stack([positions, np.full_like(positions, state["floor"])]))
    unit = "unit" if err.n_units == 1 else "units"
    state["title"].set_text(f"{err.n_units} hidden {unit}: largest error {err.max_error:.3f}, "
                            f"RMS error {err.rms_error:.3f}")
    return fig


def plot_approximation(n_units: int = 5, dpi: int = 100) -> Figure:
    """Static figure of one setting of the explorer (its default state, for the book). Chapter 2."""
    return draw_approximation(new_approximation_figure(dpi=dpi), n_units)


def approximation_explorer(n_units: int = 5):
    """A slider for the number of hidden units (1 to :data:`MAX_SLIDER_UNITS`) and the live figure.

    Introduced in chapter 2, Neural networks. Returns the ``ipywidgets.VBox``; its
    ``figure`` and ``renderer`` attributes let tests drive it.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    slider = w.IntSlider(value=int(np.clip(n_units, 1, MAX_SLIDER_UNITS)), min=1, max=MAX_SLIDER_UNITS,
                         description=_("hidden units"), continuous_update=True,
                         style={"description_width": "initial"}, layout=w.Layout(width="420px"))
    fig = draw_approximation(new_approximation_figure(), slider.value)
    state = fig._approximation_artists  # type: ignore[attr-defined]
    renderer = BlitRenderer(fig, lambda: [state["line"], state["steps"], state["title"]])
    image = w.Image(value=renderer.png(), format="png")

    def redraw(_change: object = None) -> None:
        draw_approximation(fig, slider.value)
        image.value = renderer.png()

    slider.observe(redraw, names="value")
    box = w.VBox([slider, image])
    box.figure, box.renderer, box.slider = fig, renderer, slider
    return box
