"""Gradient descent on a 2-D surface: the pure computation and drawing behind chapter 3's widget.

:func:`gradient_descent_path` runs plain gradient descent and never raises, however
large the learning rate: a run that blows up stops early and is marked
``"diverged"``. :func:`draw_gradient_descent` draws one run on the contours of a
surface; :class:`GradientDescentRenderer` draws the same picture fast enough for a
slider (it redraws only what changed); :func:`gradient_descent_widget` wires it to
sliders. Introduced in chapter 3, Learning from data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from common.lessons.surface_paths import GRADIENT_DESCENT_SURFACES, Surface, SurfacePath
from common.plots.style import COURSE_RC
from common.translation import _
from common.widgets._render import canvas_png

__all__ = [
    "Surface",
    "SURFACES",
    "DescentPath",
    "gradient_descent_path",
    "draw_gradient_descent",
    "plot_learning_rates",
    "GradientDescentRenderer",
    "gradient_descent_widget",
]

BLOWUP: float = 1e6
"""A run whose point gets farther than this from the origin is stopped and called diverged."""

CONVERGED_GRAD: float = 1e-3
"""A run whose gradient norm ends below this is called converged."""


SURFACES: dict[str, Surface] = GRADIENT_DESCENT_SURFACES
"""The surfaces of the chapter 3 widget (defined in :mod:`common.lessons.surface_paths`)."""


class DescentPath(SurfacePath):
    """The points visited by gradient descent, and what became of the run.

    ``points`` has shape (k + 1, 2): the start and one row per step taken.
    ``status`` is ``"converged"`` (gradient almost zero), ``"diverged"`` (the
    function value grew, or the point ran off to infinity), ``"escaped"`` (a
    surface without a minimum, left behind) or ``"still moving"``.
    Introduced in chapter 3, Learning from data.
    """


def gradient_descent_path(
    grad: Callable[[ArrayLike, ArrayLike], tuple[NDArray, NDArray]],
    start: Sequence[float],
    lr: float,
    steps: int,
    f: Callable[[ArrayLike, ArrayLike], NDArray] | None = None,
    has_minimum: bool = True,
    view: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> DescentPath:
    """Run ``steps`` updates ``p ← p − lr · ∇f(p)`` from ``start``; never raises on extreme values.

    The run stops early if the point becomes non-finite or farther than
    :data:`BLOWUP` from the origin. ``f`` (optional) gives the values used to
    call a run diverged (f grew over the run); ``view`` ((xmin, xmax), (ymin,
    ymax)) lets a surface without a minimum be called ``"escaped"`` once the
    point leaves it. Introduced in chapter 3, Learning from data.
    """
    steps = max(0, int(steps))
    lr = float(lr)
    p = np.asarray(start, dtype=np.float64).reshape(2)
    points = [p.copy()]
    blew_up = False
    with np.errstate(all="ignore"):
        for _ in range(steps):
            gx, gy = grad(p[0], p[1])
            p = p - lr * np.array([float(gx), float(gy)])
            if not np.all(np.isfinite(p)) or np.hypot(*p) > BLOWUP:
                blew_up = True
                p = np.where(np.isfinite(p), p, np.sign(p) * BLOWUP)
                points.append(np.clip(p, -BLOWUP, BLOWUP))
                break
            points.append(p.copy())
        pts = np.array(points)
        values = np.asarray(f(pts[:, 0], pts[:, 1]), float) if f is not None else np.full(len(pts), np.nan)
        g_end = np.hypot(*[float(v) for v in grad(pts[-1, 0], pts[-1, 1])])
    outside = view is not None and not (
        view[0][0] <= pts[-1, 0] <= view[0][1] and view[1][0] <= pts[-1, 1] <= view[1][1])
    grew = f is not None and len(pts) > 2 and values[-1] > values[0] and values[-1] > values[-2]
    if blew_up and has_minimum:
        status = "diverged"
    elif not has_minimum and (blew_up or outside):
        status = "escaped"
    elif has_minimum and grew:
        status = "diverged"
    elif np.isfinite(g_end) and g_end < CONVERGED_GRAD:
        status = "converged"
    else:
        status = "still moving"
    return DescentPath(points=pts, values=values, status=status, steps_requested=steps)


def _view(s: Surface) -> tuple[tuple[float, float], tuple[float, float]]:
    """The drawn area: the surface's limits plus a 5 % margin."""
    pad = 0.05 * max(s.xlim[1] - s.xlim[0], s.ylim[1] - s.ylim[0])
    return (s.xlim[0] - pad, s.xlim[1] + pad), (s.ylim[0] - pad, s.ylim[1] + pad)


@lru_cache(maxsize=8)
def _grid(name: str, n: int = 90) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Contour grid and levels for a surface, computed once per surface (keeps redraws fast)."""
    s = SURFACES[name]
    (x0, x1), (y0, y1) = _view(s)
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    z = s.f(gx, gy)
    levels = np.linspace(z.min(), z.max(), 16)
    return gx, gy, z, levels


def _equal_aspect_figure(width: float, height: float, dpi: int = 80,
                         managed: bool = True) -> tuple[Figure, Axes, Axes]:
    """A figure whose axes box has the data's aspect ratio, placed by hand, with room for a legend on the right.

    No layout engine and no ``set_aspect`` at draw time: a redraw stays fast.
    ``managed=False`` makes a figure pyplot does not know about (never shown
    by the inline backend, never kept alive by pyplot), for off-screen rendering.
    """
    fig_w, max_h = 8.2, 4.0
    left, bottom, top, right = 0.8, 0.65, 0.5, 2.8  # inches: labels, title, colour bar and legend
    avail_w, avail_h = fig_w - left - right, max_h - bottom - top
    h = min(avail_h, avail_w * height / width)
    w = h * width / height
    fig_h = h + bottom + top  # no empty band above and below a wide surface
    x, y = left + (avail_w - w) / 2, bottom
    if managed:
        fig = plt.figure(figsize=(fig_w, fig_h), dpi=dpi, layout="none")
    else:
        fig = Figure(figsize=(fig_w, fig_h), dpi=dpi, layout="none")
        FigureCanvasAgg(fig)
    ax = fig.add_axes((x / fig_w, y / fig_h, w / fig_w, h / fig_h))
    cax = fig.add_axes(((x + w + 0.15) / fig_w, y / fig_h, 0.15 / fig_w, h / fig_h))
    return fig, ax, cax


_STATUS_COLOUR = {"converged": "#009E73", "diverged": "#D55E00", "escaped": "#D55E00",
                  "still moving": "#44546a"}  # Okabe-Ito; the title names the status too


@dataclass
class _Artists:
    """The parts of a gradient-descent figure that change with the learning rate and steps."""

    path: Any
    start: Any
    end: Any
    status: Any
    title: Any

    def all(self) -> list[Any]:
        """In drawing order, as in a full draw."""
        return [self.path, self.start, self.end, self.status, self.title]


def _build(s: Surface, fig: Figure, ax: Axes, cax: Axes | None, animated: bool = False) -> _Artists:
    """Draw what does not change (contours, colour bar, labels, legend); return the artists that do."""
    (x0, x1), (y0, y1) = _view(s)
    gx, gy, z, levels = _grid(s.name)
    shade = ax.imshow(z, extent=(x0, x1, y0, y1), origin="lower", cmap="Blues", alpha=0.85)
    ax.contour(gx, gy, z, levels=levels, colors="white", linewidths=0.6)
    fig.colorbar(shade, cax=cax, ax=None if cax is not None else ax, label="f(x, y)")
    (path,) = ax.plot([], [], "-o", color="#E69F00", ms=4, lw=1.6, label="path", animated=animated)
    (start,) = ax.plot([], [], "s", color="black", ms=7, label="start", animated=animated)
    (end,) = ax.plot([], [], "*", ms=15, mec="white", label="end", animated=animated)
    if s.has_minimum:
        ax.plot(0, 0, "+", color="black", ms=11, mew=2, label="minimum")
    status = ax.text(0.02, 0.96, "", transform=ax.transAxes, ha="left", va="top", color="white",
                     weight="bold", fontsize=11.5, bbox=dict(boxstyle="round", ec="none"), animated=animated)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    title = ax.set_title(" ", fontsize=12)
    title.set_animated(animated)
    if cax is not None:  # outside the axes, right of the colour bar: a path may go anywhere in the plot
        legend = fig.legend(handles=ax.lines, loc="center left", fontsize=12, frameon=False,
                            bbox_to_anchor=(cax.get_position().x1 + 0.85 / fig.get_figwidth(), 0.5))
    else:
        legend = ax.legend(handles=ax.lines, loc="lower right", fontsize=12, framealpha=0.8)
    legend.legend_handles[2].set_color("#44546a")  # the end marker's colour varies; the legend's does not
    return _Artists(path, start, end, status, title)


def _apply(s: Surface, artists: _Artists, path: DescentPath, lr: float) -> None:
    """Set the changing artists to show ``path`` (clipped to the view) and its outcome."""
    (x0, x1), (y0, y1) = _view(s)
    shown = np.column_stack([np.clip(path.points[:, 0], x0, x1), np.clip(path.points[:, 1], y0, y1)])
    colour = _STATUS_COLOUR[path.status]
    artists.path.set_data(shown[:, 0], shown[:, 1])
    artists.start.set_data(shown[:1, 0], shown[:1, 1])
    artists.end.set_data(shown[-1:, 0], shown[-1:, 1])
    artists.end.set_color(colour)
    artists.end.set_markeredgecolor("white")
    escaped = path.status in ("diverged", "escaped")
    artists.status.set_text(f"{path.status}: the path leaves the plot" if escaped else "")
    artists.status.set_visible(escaped)
    artists.status.get_bbox_patch().set_facecolor(colour)
    end = path.values[-1]
    end_text = f"f = {end:.3g}" if np.isfinite(end) and abs(end) < 1e6 else "f off the scale"
    artists.title.set_text(f"{s.formula}, η = {lr:g}: {path.steps_taken} steps, {path.status}, {end_text}")


def _surface(name: str) -> Surface:
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {sorted(SURFACES)}")
    return SURFACES[name]


def _run(s: Surface, lr: float, steps: int, start: Sequence[float] | None = None) -> DescentPath:
    return gradient_descent_path(s.grad, s.start if start is None else start, lr, steps,
                                 f=s.f, has_minimum=s.has_minimum, view=(s.xlim, s.ylim))


def draw_gradient_descent(
    surface: str = "elongated",
    lr: float = 0.1,
    steps: int = 30,
    start: Sequence[float] | None = None,
    ax: Axes | None = None,
    dpi: int = 100,
) -> Figure:
    """Draw a gradient-descent run on the contours of ``SURFACES[surface]``.

    The path is clipped to the view: a diverging run is drawn up to where it
    leaves the plot and labelled "diverged". ``dpi`` sets the size in pixels of a
    new figure. The widget draws the same picture with :class:`GradientDescentRenderer`.
    Introduced in chapter 3, Learning from data.
    """
    s = _surface(surface)
    with mpl.rc_context(COURSE_RC):
        if ax is None:
            (x0, x1), (y0, y1) = _view(s)
            fig, ax, cax = _equal_aspect_figure(x1 - x0, y1 - y0, dpi)
        else:
            fig, cax = ax.figure, None
        artists = _build(s, fig, ax, cax)
        _apply(s, artists, _run(s, lr, steps, start), lr)
    return fig


class GradientDescentRenderer:
    """Renders :func:`draw_gradient_descent`'s picture to PNG bytes, fast enough for a slider.

    One off-screen figure per surface is drawn once; each call then restores that
    background and redraws only the path, the markers, the label and the title
    (blitting), and encodes the pixels. Introduced in chapter 3, Learning from data.
    """

    def __init__(self, dpi: int = 80) -> None:
        self.dpi = dpi
        self._cache: dict[str, tuple[Figure, Axes, _Artists, Any]] = {}

    def _prepare(self, name: str) -> tuple[Figure, Axes, _Artists, Any]:
        if name not in self._cache:
            s = _surface(name)
            (x0, x1), (y0, y1) = _view(s)
            with mpl.rc_context(COURSE_RC):
                fig, ax, cax = _equal_aspect_figure(x1 - x0, y1 - y0, self.dpi, managed=False)
                artists = _build(s, fig, ax, cax, animated=True)
                fig.canvas.draw()
            self._cache[name] = (fig, ax, artists, fig.canvas.copy_from_bbox(fig.bbox))
        return self._cache[name]

    def warm(self) -> None:
        """Draw the background of every surface now, so that switching surfaces is fast too."""
        for name in SURFACES:
            self._prepare(name)

    def figure(self, surface: str, lr: float, steps: int) -> Figure:
        """Update the cached figure for ``surface`` and return it (drawn, not yet encoded)."""
        fig, ax, artists, background = self._prepare(surface)
        s = SURFACES[surface]
        _apply(s, artists, _run(s, lr, steps), lr)
        fig.canvas.restore_region(background)
        for artist in artists.all():
            if artist.get_visible():
                ax.draw_artist(artist)
        return fig

    def png(self, surface: str, lr: float, steps: int) -> bytes:
        """PNG bytes of the run, as an ``ipywidgets.Image`` wants them."""
        return canvas_png(self.figure(surface, lr, steps).canvas)


FLOOR: float = 1e-12
"""Lowest value :func:`plot_learning_rates` draws on its log scale."""


def plot_learning_rates(
    surface: str = "bowl",
    lrs: Sequence[float] = (0.01, 0.3, 0.95, 1.05),
    steps: int = 40,
    ax: Axes | None = None,
) -> Figure:
    """Plot f against the step number for several learning rates, on a log scale.

    Values below ``FLOOR`` (1e-12) are drawn at the floor. One figure that shows too small (slow), good, oscillating and too large
    (diverging) learning rates side by side. Introduced in chapter 3, Learning
    from data.
    """
    s = SURFACES[surface]
    with mpl.rc_context(COURSE_RC):
        if ax is None:
            fig, ax = plt.subplots(figsize=(8.5, 4.6), layout="constrained")
        else:
            fig = ax.figure
        styles = ["-o", "--s", "-.^", ":v", "-D", "--x"]
        for k, lr in enumerate(lrs):
            path = gradient_descent_path(s.grad, s.start, lr, steps, f=s.f, has_minimum=s.has_minimum)
            values = np.maximum(np.abs(path.values), FLOOR)  # log scale: keep exact zeros drawable
            ax.plot(np.arange(len(values)), values, styles[k % len(styles)], ms=4, lw=1.6,
                    label=f"η = {lr:g}: {path.status}")
        ax.set_yscale("log")
        ax.set_ylim(bottom=FLOOR)
        ax.set_xlabel("step")
        ax.set_ylabel("$f(x, y)$ (log scale)")
        ax.set_title(f"Gradient descent on {s.formula} with {len(lrs)} learning rates")
        ax.grid(alpha=0.3, which="major")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def gradient_descent_widget(surface: str = "elongated", lr: float = 0.1, steps: int = 30):
    """Sliders for the learning rate (log scale) and number of steps, and a surface menu.

    Each change redraws the picture of :func:`draw_gradient_descent` through a
    :class:`GradientDescentRenderer` into an ``ipywidgets.Image``. Introduced in
    chapter 3, Learning from data.
    """
    import ipywidgets as widgets

    _surface(surface)
    renderer = GradientDescentRenderer()
    renderer.warm()
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.3, step=0.05,
                                       description="η", readout_format=".3g")
    steps_slider = widgets.IntSlider(value=steps, min=0, max=100, description=_("steps"))
    menu = widgets.Dropdown(options=list(SURFACES), value=surface, description=_("surface"))
    image = widgets.Image(value=renderer.png(surface, lr, steps), format="png")

    def redraw(_change: Any = None) -> None:
        image.value = renderer.png(menu.value, lr_slider.value, steps_slider.value)

    for control in (menu, lr_slider, steps_slider):
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([menu, lr_slider, steps_slider]), image])
