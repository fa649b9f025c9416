"""Chapter 5's activation-histogram widget, and the static figures of the initialisation study.

The numbers come from :mod:`common.lessons.activation_stats` (pure, cached, tested).
:class:`HistogramView` lays out :data:`~common.lessons.activation_stats.MAX_DEPTH`
small panels once (two rows) and afterwards only changes the bar heights and
the texts; panels deeper than the chosen depth are hidden.
:func:`draw_activation_histograms` is the static figure of one setting,
:func:`plot_init_spread` the summary across initialisations, and
:func:`activation_histogram_widget` the live version. Introduced in chapter 5,
Training techniques.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from common.lessons.activation_stats import (
    ACTIVATIONS,
    INITS,
    MAX_DEPTH,
    LayerHistograms,
    activation_range,
    diagnose,
    gradient_spread,
    layer_histograms,
)
from common.plots.style import MARKERS, OKABE_ITO, in_course_style
from common.translation import _

__all__ = [
    "HistogramView",
    "draw_activation_histograms",
    "plot_init_spread",
    "activation_histogram_widget",
]

FIGSIZE = (9.0, 5.4)
"""Inches: 900 pixels wide at the course's 100 dpi, the width JupyterLab shows without shrinking."""

WIDGET_DPI = 72
"""The widget's resolution: fewer pixels per redraw; its text is still at least 11 points."""

_BAR = {"sigmoid": OKABE_ITO[0], "tanh": OKABE_ITO[2], "relu": OKABE_ITO[5]}
_PRETTY = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}


def _init_text(init: str) -> str:
    return {"std 1": "N(0, 1)", "std 0.01": "N(0, 0.01²)", "Xavier": "Xavier, std √(1/100) = 0.1",
            "He": "He, std √(2/100) ≈ 0.14", "zeros": "all zero"}[init]


class HistogramView:
    """Ten histogram panels (two rows of five), made once and updated in place.

    Bar heights are scaled to each panel's tallest bar, so every layer's
    *shape* is visible whether its values spread out or pile up in one bin;
    each panel prints its standard deviation (and, for ReLU, the share of
    exact zeros, which the bars leave out). With ``fixed_grid`` (the widget)
    all ten panels stay in place and layers beyond the depth are greyed out,
    so changing the depth repaints only bars and texts; otherwise (static
    figures) the panels of the chosen depth fill the figure. Introduced in
    chapter 5.
    """

    def __init__(self, fig: Figure, bins: int = 30, fixed_grid: bool = False) -> None:
        self.fig, self.bins, self.fixed_grid = fig, bins, fixed_grid
        self.axes: list[Axes] = []
        self.bars, self.texts = [], []
        for k in range(MAX_DEPTH):
            ax = fig.add_axes((0, 0, 0.1, 0.1))  # placed by _arrange
            bars = ax.stairs(np.zeros(bins), np.linspace(0, 1, bins + 1), fill=True, color=_BAR["sigmoid"])
            text = ax.text(0.97, 0.96, "", transform=ax.transAxes, ha="right", va="top", fontsize=11,
                           bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
            ax.set_ylim(0, 1.08)
            ax.set_yticks([])
            ax.tick_params(axis="x", labelsize=11)
            ax.set_title(f"layer {k + 1}", fontsize=12, pad=3)
            self.axes.append(ax)
            self.bars.append(bars)
            self.texts.append(text)
        self.depth = 0
        self.xlabels = [fig.text(0.5, 0.015, "", ha="center", fontsize=12)]
        self.title = fig.suptitle("", fontsize=13, y=0.985)
        self.hist: LayerHistograms | None = None

    def _arrange(self, depth: int) -> None:
        """One row of panels for up to five layers, two rows for more; the rest hidden."""
        rows = 1 if depth <= MAX_DEPTH // 2 and not self.fixed_grid else 2
        cols = depth if rows == 1 else MAX_DEPTH // 2
        left, right, bottom, top, gap_x, gap_y = 0.075, 0.99, 0.12, 0.80, 0.025, 0.12
        w = (right - left - (cols - 1) * gap_x) / cols
        h = (top - bottom - (rows - 1) * gap_y) / rows
        for k, ax in enumerate(self.axes):
            r, c = divmod(k, cols)
            ax.set_position((left + c * (w + gap_x), top - (r + 1) * h - r * gap_y, w, h))
            ax.set_ylabel("share of values\n(tallest bar = 1)" if c == 0 else "", fontsize=11)
        self.depth = depth

    def update(self, init: str = "Xavier", activation: str = "sigmoid", depth: int = 5) -> LayerHistograms:
        """Show the first ``depth`` layers for this initialisation and activation; returns the data."""
        hist = layer_histograms(init, activation, depth, self.bins)
        lo, hi = activation_range(hist.activation)
        if self.fixed_grid:
            if not self.depth:
                self._arrange(MAX_DEPTH)
        elif hist.depth != self.depth:
            self._arrange(hist.depth)
        for k, ax in enumerate(self.axes):
            if k >= hist.depth:
                ax.set_visible(self.fixed_grid)
                self.bars[k].set_data(np.zeros(self.bins), hist.edges)
                self.texts[k].set_text("not in this\nstack" if self.fixed_grid else "")
                if ax.get_xlim() != (lo, hi):
                    ax.set_xlim(lo, hi)
                    ax.set_xticks([lo, (lo + hi) / 2, hi], [f"{v:g}" for v in (lo, (lo + hi) / 2, hi)])
                continue
            ax.set_visible(True)
            share = hist.share[k]
            peak = float(share.max())
            self.bars[k].set_data(share / peak if peak > 0 else share, hist.edges)
            self.bars[k].set_color(_BAR[hist.activation])
            text = f"std {hist.std[k]:.2g}"
            if hist.activation == "relu":
                text += f"\nzeros {hist.zero_share[k]:.0%}"
            elif hist.saturated_share[k] > 0.005:
                text += f"\ntails {hist.saturated_share[k]:.0%}"
            self.texts[k].set_text(text)
            if ax.get_xlim() != (lo, hi):
                ax.set_xlim(lo, hi)
                ax.set_xticks([lo, (lo + hi) / 2, hi], [f"{v:g}" for v in (lo, (lo + hi) / 2, hi)])
        unit = _PRETTY[hist.activation]
        extra = ""
        if hist.activation == "relu":
            extra = " (values above 4 counted in the last bar; exact zeros left out)"
        self.xlabels[0].set_text(f"{unit} output{extra}")
        self.title.set_text(
            f"{unit} units, weights {_init_text(hist.init)}: {hist.depth} layer"
            f"{'s' if hist.depth > 1 else ''} of 100 units, 1000 random inputs\n{diagnose(hist)}")
        self.hist = hist
        return hist

    def dynamic_artists(self) -> list:
        """What changes between frames (for :class:`~common.widgets._render.BlitRenderer`)."""
        out = [self.title, *self.xlabels]
        for ax, bars, text in zip(self.axes, self.bars, self.texts):
            if ax.get_visible():
                out += [bars, text]
        return out


@in_course_style
def draw_activation_histograms(init: str = "Xavier", activation: str = "sigmoid", depth: int = 5,
                               dpi: int = 100) -> Figure:
    """Per-layer histograms for one setting, as a static figure (the widget's default state).

    Introduced in chapter 5, Training techniques.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=FIGSIZE, dpi=dpi, layout="none")  # axes placed by hand
    fig.view = HistogramView(fig)  # for tests
    fig.view.update(init, activation, depth)
    return fig


_INIT_COLOURS = {"std 1": OKABE_ITO[7], "std 0.01": OKABE_ITO[1], "Xavier": OKABE_ITO[0], "He": OKABE_ITO[5]}
_ACT_STYLES = {"sigmoid": ("-", MARKERS[0]), "tanh": ("--", MARKERS[1]), "relu": (":", MARKERS[2])}


@in_course_style
def plot_init_spread(
    settings: Sequence[tuple[str, str]] = (("sigmoid", "std 1"), ("sigmoid", "std 0.01"),
                                           ("sigmoid", "Xavier"), ("tanh", "Xavier"),
                                           ("relu", "std 0.01"), ("relu", "Xavier"), ("relu", "He")),
    depth: int = MAX_DEPTH,
) -> Figure:
    """Two panels: each layer's activation spread (left) and weight-gradient size (right), log scales.

    One line per (activation, initialisation) in ``settings``, from
    :func:`~common.lessons.activation_stats.gradient_spread`: the colour is the
    initialisation, the line style and marker the activation. Introduced in chapter 5.
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 6.0), layout="constrained")
    layers = np.arange(1, depth + 1)
    floor = 1e-13
    for activation, init in settings:
        act_std, grad = gradient_spread(init, activation, depth)
        style, marker = _ACT_STYLES[activation]
        kw = dict(color=_INIT_COLOURS.get(init, "black"), linestyle=style, marker=marker, ms=6, lw=2.0,
                  label=f"{_PRETTY[activation]}, {init}")
        left.plot(layers, np.maximum(act_std, floor), **kw)
        right.plot(layers, np.maximum(grad, floor), **kw)
    left.set_ylabel("std of the layer's outputs")
    left.set_title("Forward: spread of the outputs")
    right.set_ylabel("rms of the weight gradient")
    right.set_title("Backward: size of the gradient")
    for ax in (left, right):
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.set_xticks(layers)
        ax.grid(alpha=0.3, which="major")
        ax.set_ylim(bottom=floor / 3)
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncol=4)
    fig.suptitle(f"Random stacks of {depth} layers (100 units, 1000 standard-normal inputs)\n"
                 f"log scales; values below {floor:g} drawn at the bottom")
    return fig


@in_course_style
def activation_histogram_widget(init: str = "Xavier", activation: str = "sigmoid", depth: int = 5,
                                dpi: int = WIDGET_DPI):
    """Menus for the initialisation and the activation, a depth slider (1–10), and the histograms.

    The figure is built once; a change recomputes with the cached
    :func:`~common.lessons.activation_stats.layer_histograms` and repaints only the
    bars and texts. Returns the ``VBox``; ``controls``, ``image`` and ``view``
    let tests drive it. Introduced in chapter 5, Training techniques.
    """
    import ipywidgets as w
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from common.widgets._render import BlitRenderer

    controls = {
        "init": w.Dropdown(options=list(INITS), value=init, description=_("weights"),
                           layout=w.Layout(width="220px")),
        "activation": w.Dropdown(options=[(_PRETTY[a], a) for a in ACTIVATIONS], value=activation,
                                 description=_("activation"), layout=w.Layout(width="220px")),
        "depth": w.IntSlider(value=depth, min=1, max=MAX_DEPTH, description=_("layers"),
                             continuous_update=True, layout=w.Layout(width="300px")),
    }
    fig = Figure(figsize=FIGSIZE, dpi=dpi, layout="none")
    FigureCanvasAgg(fig)
    view = HistogramView(fig, fixed_grid=True)
    # one kept background per activation (its x range and ticks): switching back costs a paste
    renderer = BlitRenderer(fig, view.dynamic_artists, keep=len(ACTIVATIONS))
    image = w.Image(format="png")

    def redraw(*_: object) -> None:
        view.update(controls["init"].value, controls["activation"].value, controls["depth"].value)
        image.value = renderer.png()

    for control in controls.values():
        control.observe(redraw, names="value")
    for name in ACTIVATIONS:  # every picture and every stack now: a first visit costs a paste
        for other in INITS:
            layer_histograms(other, name, MAX_DEPTH, view.bins)
        view.update(init, name, depth)
        renderer.prepare()
    redraw()
    box = w.VBox([w.HBox(list(controls.values())), image])
    box.controls, box.image, box.view, box.renderer = controls, image, view, renderer
    return box
