"""Chapter 5's optimiser-path widget: several optimisers racing across one surface.

The computation is :func:`common.lessons.optimizer_paths.compare_paths` (pure, cached,
unit-tested). This module only draws: :class:`OptimizerPathView` builds the
figure once (one axes per surface with its contour lines, only the chosen one
visible) and then changes just the data of the path lines, the legend and the
title, so a slider move costs one fast repaint. :func:`draw_optimizer_paths`
draws the same picture as a static figure; :func:`optimizer_paths_widget`
wires the controls. Introduced in chapter 5, Training techniques.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from common.lessons.optimizer_paths import (
    DEFAULT_NAMES,
    OPTIMIZER_NAMES,
    SURFACES,
    OptimizerPath,
    clip_path,
    compare_paths,
)
from common.plots.style import in_course_style
from common.plots.training import OPTIMIZER_STYLES
from common.translation import _

__all__ = [
    "OptimizerPathView",
    "draw_optimizer_paths",
    "optimizer_paths_widget",
]

FIGSIZE = (9.0, 6.6)
"""Inches: 900 pixels wide at the course's 100 dpi, the width JupyterLab shows without shrinking."""

WIDGET_DPI = 72
"""The widget's resolution: fewer pixels to encode per slider step; its text is still at least 11 points."""

_PLOT_BOX = (0.085, 0.30, 0.89, 0.585)  # left, bottom, width, height (figure fractions) of the plot area
_FONT = 12  # legend, settings and formula; the title is a point larger
# AdaGrad is drawn as a wide, pale band under the others: where RMSprop follows the same path
# (the saddle), both stay visible.
_WIDTH = {"AdaGrad": 5.0}


def _axes_box(surface: str, fig_size: tuple[float, float]) -> tuple[float, float, float, float]:
    """An axes rectangle inside the plot area with the surface's x:y aspect (equal scales)."""
    s = SURFACES[surface]
    fw, fh = fig_size
    left, bottom, width, height = _PLOT_BOX
    avail_w, avail_h = width * fw, height * fh
    ratio = (s.xlim[1] - s.xlim[0]) / (s.ylim[1] - s.ylim[0])
    w = min(avail_w, avail_h * ratio)
    h = w / ratio
    x0 = left * fw + (avail_w - w) / 2
    y0 = bottom * fh + (avail_h - h) / 2
    return x0 / fw, y0 / fh, w / fw, h / fh


def _draw_surface(ax: Axes, surface: str, n: int = 120) -> None:
    """Filled contour bands of the surface (their edges are the level lines), minima and saddles.

    Drawn once per axes. Bands without separate antialiased lines keep the PNG small.
    """
    s = SURFACES[surface]
    gx, gy = np.meshgrid(np.linspace(*s.xlim, n), np.linspace(*s.ylim, n))
    z = s.f(gx, gy)
    if s.levels == "log":
        shift = 1e-2 - min(0.0, float(z.min()))
        levels = np.logspace(np.log10(z.min() + shift), np.log10(z.max() + shift), 12)
        ax.contourf(gx, gy, z + shift, levels=levels, norm=LogNorm(), cmap="Greys", alpha=0.45)
    else:
        levels = np.linspace(float(z.min()), float(z.max()), 16)
        ax.contourf(gx, gy, z, levels=levels, cmap="Greys", alpha=0.45)
    for m in s.minima:
        ax.plot(*m, "*", color="black", ms=16, mec="white", mew=1.0, zorder=5)
    for sp in s.saddles:
        ax.plot(*sp, "X", color="#444444", ms=12, mec="white", mew=1.0, zorder=5)
    ax.set_xlim(*s.xlim)
    ax.set_ylim(*s.ylim)
    ax.set_xlabel("x (first parameter)")
    ax.set_ylabel("y (second parameter)")


class OptimizerPathView:
    """The artists of the optimiser-path picture, made once and updated in place.

    One axes per surface sits at the same place in the figure; :meth:`update`
    shows the chosen one and moves its path lines. Introduced in chapter 5,
    Training techniques.
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        size = tuple(fig.get_size_inches())
        self.axes: dict[str, Axes] = {}
        self.lines: dict[str, dict[str, tuple[Line2D, Line2D]]] = {}
        self.starts: dict[str, Line2D] = {}
        for name in SURFACES:
            ax = fig.add_axes(_axes_box(name, size), label=name)
            _draw_surface(ax, name)
            ax.tick_params(labelsize=_FONT)
            ax.xaxis.label.set_size(_FONT)
            ax.yaxis.label.set_size(_FONT)
            self.axes[name] = ax
            self.lines[name] = {}
            for opt in OPTIMIZER_NAMES:
                st = OPTIMIZER_STYLES[opt]
                wide = opt in _WIDTH
                (path,) = ax.plot([], [], color=st["color"], marker=st["marker"],
                                  linestyle="-" if wide else st["linestyle"], ms=0 if wide else 4,
                                  lw=_WIDTH.get(opt, 1.8), alpha=0.5 if wide else 1.0, zorder=2 if wide else 3)
                (end,) = ax.plot([], [], marker=st["marker"], color=st["color"], linestyle="none", ms=10,
                                 mec="white", mew=1.2, zorder=4)
                self.lines[name][opt] = (path, end)
            (self.starts[name],) = ax.plot([], [], "s", color="black", ms=9, zorder=6)
        self.surface = next(iter(SURFACES))
        self.paths: tuple[OptimizerPath, ...] = ()
        # The formula and the title sit above the plot area, the legend and the settings below it.
        top = _PLOT_BOX[1] + _PLOT_BOX[3]
        self.formula = fig.text(0.5, top + 0.085, "", fontsize=_FONT + 1, ha="center", va="bottom")
        self.title = fig.text(0.5, top + 0.03, "", fontsize=_FONT + 1, ha="center", va="bottom")
        # A hand-made legend: fixed slots of a sample line and a text, three columns. A matplotlib
        # legend would be rebuilt and laid out on every frame, which costs more than the rest together.
        self.legend_samples: list[Line2D] = []
        self.legend_texts = []
        slots = [(0.012 + 0.375 * (k // 3), 0.155 - 0.045 * (k % 3)) for k in range(len(OPTIMIZER_NAMES))]
        slots += [(0.762, 0.155 - 0.045 * k) for k in range(3)]  # start, minimum, saddle point
        for x, y in slots:
            sample = Line2D([x, x + 0.02, x + 0.04], [y, y, y], transform=fig.transFigure,
                            markevery=[1], visible=False)
            fig.add_artist(sample)
            self.legend_samples.append(sample)
            self.legend_texts.append(fig.text(x + 0.048, y, "", fontsize=_FONT - 1, va="center", ha="left"))
        self.settings = fig.text(0.5, 0.012, "", fontsize=_FONT - 1, va="bottom", ha="center", color="#333333")

    @property
    def ax(self) -> Axes:
        """The axes of the surface shown now."""
        return self.axes[self.surface]

    def update(
        self,
        surface: str = "elongated",
        names: Sequence[str] = DEFAULT_NAMES,
        lr_scale: float = 1.0,
        momentum: float = 0.9,
        rho: float = 0.99,
        beta1: float = 0.9,
        beta2: float = 0.999,
        start: Sequence[float] | None = None,
        steps: int | None = None,
    ) -> tuple[OptimizerPath, ...]:
        """Compute the paths (cached) and redraw them; returns the paths."""
        if surface not in SURFACES:
            raise ValueError(f"unknown surface {surface!r}; choose one of {', '.join(SURFACES)}")
        s = SURFACES[surface]
        start = s.start if start is None else (float(start[0]), float(start[1]))
        steps = s.steps if steps is None else int(steps)
        chosen = tuple(n for n in OPTIMIZER_NAMES if n in set(names))
        paths = compare_paths(surface, chosen, float(lr_scale), float(momentum), float(rho),
                              float(beta1), float(beta2), start, steps)
        self.surface, self.paths = surface, paths
        for name, ax in self.axes.items():
            ax.set_visible(name == surface)
        ax = self.ax
        by_name = {p.name: p for p in paths}
        entries = []  # (label, colour, marker, linestyle, line width, alpha, marker size)
        for opt, (line, end) in self.lines[surface].items():
            path = by_name.get(opt)
            if path is None:
                line.set_data([], [])
                end.set_data([], [])
                continue
            # a diverged path is cut where it leaves the picture; any other path may wander off
            # and come back (e.g. AdaGrad's first big steps), so it is drawn whole
            shown = clip_path(path.points, s.xlim, s.ylim) if path.diverged else path.points
            line.set_data(shown[:, 0], shown[:, 1])
            end.set_data(shown[-1:, 0], shown[-1:, 1])
            st = OPTIMIZER_STYLES[opt]
            style = ":" if path.diverged else "-" if opt in _WIDTH else st["linestyle"]
            line.set_linestyle(style)
            entries.append((path.label, st["color"], st["marker"], style, _WIDTH.get(opt, 1.8),
                            0.5 if opt in _WIDTH else 1.0, 7))
        marks = [("start", "black", "s", "none", 1.0, 1.0, 8),
                 ("minimum" if len(s.minima) == 1 else "minima", "black", "*", "none", 1.0, 1.0, 12)]
        if s.saddles:
            marks.append(("saddle point", "#444444", "X", "none", 1.0, 1.0, 9))
        self.starts[surface].set_data([start[0]], [start[1]])
        n_opt = len(OPTIMIZER_NAMES)
        slots = entries + [None] * (n_opt - len(entries)) + marks + [None] * (3 - len(marks))
        for entry, sample, text in zip(slots, self.legend_samples, self.legend_texts):
            if entry is None:
                sample.set_visible(False)
                text.set_text("")
                continue
            label, colour, marker, style, width, alpha, size = entry
            sample.set(color=colour, marker=marker, linestyle=style, linewidth=width, alpha=alpha,
                       markersize=size, visible=True)
            text.set_text(label)
        self.settings.set_text(f"Momentum, Nesterov: α = {momentum:.3g}   ·   RMSprop: ρ = {rho:.4g}   ·   "
                               f"Adam: β₁ = {beta1:.3g}, β₂ = {beta2:.4g}")
        n_div = sum(p.diverged for p in paths)
        title = f"{steps} steps from ({start[0]:.3g}, {start[1]:.3g}), η × {lr_scale:.3g}"
        if n_div:
            title += f"; {n_div} diverged (dotted, cut at the edge)"
        self.formula.set_text(s.formula)
        self.title.set_text(title)
        return paths

    def dynamic_artists(self) -> list:
        """What changes from frame to frame (for :class:`~common.widgets._render.BlitRenderer`)."""
        out = [line for pair in self.lines[self.surface].values() for line in pair]
        out += [self.starts[self.surface], self.title, self.settings]
        # the formula and the last legend column (start, minima, saddle) depend on the surface only,
        # like the visible axes, so they stay in the kept background (text costs most per frame)
        n_opt = len(OPTIMIZER_NAMES)
        out += [a for pair in zip(self.legend_samples[:n_opt], self.legend_texts[:n_opt]) for a in pair]
        return out


@in_course_style
def draw_optimizer_paths(
    surface: str = "elongated",
    names: Sequence[str] = DEFAULT_NAMES,
    lr_scale: float = 1.0,
    momentum: float = 0.9,
    rho: float = 0.99,
    beta1: float = 0.9,
    beta2: float = 0.999,
    start: Sequence[float] | None = None,
    steps: int | None = None,
    dpi: int = 100,
) -> Figure:
    """The optimiser-path picture as a static figure (the widget's default state when called bare).

    Extreme settings never raise: a diverging path is drawn up to the edge,
    dashed, and its legend entry says "diverged". Introduced in chapter 5,
    Training techniques.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=FIGSIZE, dpi=dpi, layout="none")  # axes placed by hand
    view = OptimizerPathView(fig)
    view.update(surface, names, lr_scale, momentum, rho, beta1, beta2, start, steps)
    fig.view = view  # for tests
    return fig


@in_course_style
def optimizer_paths_widget(surface: str = "elongated", dpi: int = WIDGET_DPI):
    """Checkboxes for the optimisers and sliders for η (log scale), momentum, ρ, β₁, β₂,
    the start point and the number of steps, over a choice of surface.

    The figure is drawn once; each change recomputes the paths with
    :func:`~common.lessons.optimizer_paths.compare_paths` (cached) and repaints only
    the moving artists. Returns the ``VBox``; its ``controls``, ``image`` and
    ``view`` attributes let tests drive it. Introduced in chapter 5.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; choose one of {', '.join(SURFACES)}")
    s = SURFACES[surface]
    narrow = w.Layout(width="255px")
    menu = w.Dropdown(options=list(SURFACES), value=surface, description=_("surface"), layout=narrow)
    boxes = {n: w.Checkbox(value=n in DEFAULT_NAMES, description=n, indent=False,
                           layout=w.Layout(width="112px"))
             for n in OPTIMIZER_NAMES}

    def fslider(desc: str, value: float, lo: float, hi: float, step: float, fmt: str = ".2f"):
        return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=desc,
                             readout_format=fmt, continuous_update=True, layout=narrow)

    controls = {
        "lr_scale": w.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.05, description=_("η × tuned"),
                                     readout_format=".3g", continuous_update=True, layout=narrow),
        "steps": w.IntSlider(value=s.steps, min=0, max=500, step=5, description=_("steps"), layout=narrow),
        "x0": fslider(_("start x"), s.start[0], *s.xlim, 0.05),
        "y0": fslider(_("start y"), s.start[1], *s.ylim, 0.01),
        "momentum": fslider(_("momentum"), 0.9, 0.0, 0.99, 0.01),
        "rho": fslider(_("RMSprop ρ"), 0.99, 0.0, 0.999, 0.001, ".3f"),
        "beta1": fslider(_("Adam β₁"), 0.9, 0.0, 0.99, 0.01),
        "beta2": fslider(_("Adam β₂"), 0.999, 0.5, 0.9999, 0.0001, ".4f"),
    }
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=FIGSIZE, dpi=dpi, layout="none")
    FigureCanvasAgg(fig)
    view = OptimizerPathView(fig)
    # one kept background per surface: switching back costs a paste, not a full draw
    renderer = BlitRenderer(fig, view.dynamic_artists, keep=len(SURFACES))
    image = w.Image(format="png")
    busy = {"on": False}

    def redraw(*_: object, start: tuple[float, float] | None = None, steps: int | None = None) -> None:
        if busy["on"]:
            return
        c = {k: v.value for k, v in controls.items()}
        view.update(menu.value, [n for n, b in boxes.items() if b.value], c["lr_scale"], c["momentum"],
                    c["rho"], c["beta1"], c["beta2"], start or (c["x0"], c["y0"]),
                    c["steps"] if steps is None else steps)
        image.value = renderer.png()

    def change_surface(change: dict) -> None:
        new = SURFACES[change["new"]]
        redraw(start=new.start, steps=new.steps)  # the picture first: it is what the learner waits for
        busy["on"] = True
        try:  # then the sliders: widen first so the new values always fit, then narrow
            for key, lim, value in (("x0", new.xlim, new.start[0]), ("y0", new.ylim, new.start[1])):
                sl = controls[key]
                with sl.hold_sync():
                    sl.min, sl.max = min(sl.min, lim[0]), max(sl.max, lim[1])
                    sl.value = value
                    sl.min, sl.max = lim
            controls["steps"].value = new.steps
        finally:
            busy["on"] = False

    menu.observe(change_surface, names="value")
    for control in [*controls.values(), *boxes.values()]:
        control.observe(redraw, names="value")
    for name in SURFACES:  # every surface's picture and default paths now: a first visit costs a paste
        view.update(name, DEFAULT_NAMES)
        renderer.prepare()
    redraw()
    c = controls
    rows = [w.HBox([menu, *boxes.values()]),
            w.HBox([c["lr_scale"], c["steps"], c["x0"], c["y0"]]),
            w.HBox([c["momentum"], c["rho"], c["beta1"], c["beta2"]]),
            image]
    box = w.VBox(rows)
    box.controls, box.boxes, box.menu, box.image, box.view, box.renderer = (
        controls, boxes, menu, image, view, renderer)
    return box
