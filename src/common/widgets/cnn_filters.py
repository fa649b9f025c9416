"""First-layer filters of a CNN as small images, before and after training (chapter 6).

:class:`FilterView` lays out one small image per filter and updates them in
place; :func:`filter_widget` switches between snapshots of the weights (for
example "before training" and "after training") with toggle buttons. Weights
are shown with a diverging colour map, scaled per filter so that 0 is white,
red positive and blue negative: a filter responds most to input patches that
look like its red part on a background like its blue part. Introduced in
chapter 6, Convolutional neural networks.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from common.lessons.feature_maps import filter_roughness, normalise_maps

__all__ = ["FilterView", "filter_snapshots", "draw_filters", "draw_filters_before_after", "filter_widget"]


def _as_filters(W: ArrayLike) -> np.ndarray:
    w = np.asarray(W, dtype=np.float64)
    if w.ndim == 4:
        if w.shape[1] != 1:
            w = w.mean(axis=1)          # several input channels: show their average
        else:
            w = w[:, 0]
    if w.ndim != 3:
        raise ValueError(f"filters must have shape (FN, C, FH, FW) or (FN, FH, FW), got {np.shape(W)}")
    return w


def _grid(n: int, max_cols: int = 10) -> tuple[int, int]:
    """Rows and columns for ``n`` filters: rows of ``max_cols`` (filters read best in wide rows)."""
    if n < 1:
        raise ValueError(f"need at least one filter, got {n}")
    cols = min(n, max_cols)
    return -(-n // cols), cols


class FilterView:
    """A grid of filter images on ``fig`` (or inside a sub-grid), updated in place by :meth:`update`.

    Introduced in chapter 6, Convolutional neural networks.
    """

    def __init__(self, fig: Figure, n_filters: int, grid_spec=None, max_cols: int = 10) -> None:
        rows, cols = _grid(n_filters, max_cols)
        spec = grid_spec if grid_spec is not None else fig.add_gridspec(1, 1)[0, 0]
        sub = spec.subgridspec(rows, cols, wspace=0.08, hspace=0.08)
        self.images = []
        self.axes = []
        for k in range(rows * cols):
            ax = fig.add_subplot(sub[k // cols, k % cols])
            ax.set_xticks([])
            ax.set_yticks([])
            if k < n_filters:
                self.images.append(ax.imshow(np.full((2, 2), 0.5), cmap="RdBu_r", vmin=0, vmax=1,
                                             interpolation="nearest"))
            else:
                ax.axis("off")
            self.axes.append(ax)
        self.n = n_filters

    def update(self, W: ArrayLike) -> None:
        """Show the filters ``W`` (FN, C, FH, FW): each scaled so that 0 is the middle colour."""
        shown = normalise_maps(_as_filters(W), symmetric=True)
        if len(shown) != self.n:
            raise ValueError(f"this view shows {self.n} filters, got {len(shown)}")
        for im, f in zip(self.images, shown):
            im.set_data(f)
            im.set_extent((-0.5, f.shape[1] - 0.5, f.shape[0] - 0.5, -0.5))

    def dynamic_artists(self) -> list:
        return list(self.images)


def draw_filters(W: ArrayLike, title: str = "First-layer filters") -> Figure:
    """One figure with every filter of ``W`` as a small image (red > 0, blue < 0). Chapter 6."""
    w = _as_filters(W)
    rows, cols = _grid(len(w))
    fig = plt.figure(figsize=(1.0 * cols, 1.0 * rows + 0.6), layout="constrained")
    view = FilterView(fig, len(w))
    view.update(W)
    fig.suptitle(f"{title} (roughness {filter_roughness(w):.2f})")
    return fig


def filter_snapshots(before: ArrayLike, after: ArrayLike) -> dict[str, np.ndarray]:
    """``{"before training": …, "after training": …, "change (after − before)": …}`` for the widget.

    The change is what training added to the random start; with He
    initialisation the start is large, so the change shows the learned
    structure more clearly than the final weights do. Introduced in chapter 6.
    """
    b, a = _as_filters(before), _as_filters(after)
    if b.shape != a.shape:
        raise ValueError(f"before and after must have the same shape, got {b.shape} and {a.shape}")
    return {"before training": b, "after training": a, "change (after − before)": a - b}


def draw_filters_before_after(before: ArrayLike, after: ArrayLike) -> Figure:
    """Filter grids at initialisation, after training, and their difference, with roughness. Chapter 6."""
    snaps = filter_snapshots(before, after)
    rows, cols = _grid(len(snaps["before training"]))
    fig = plt.figure(figsize=(0.85 * cols, 3 * (0.8 * rows + 0.3) + 0.3), layout="constrained")
    for sub, (name, w) in zip(fig.subfigures(3, 1), snaps.items()):
        view = FilterView(sub, len(w))
        view.update(w)
        sub.suptitle(f"{name}: roughness {filter_roughness(w):.2f}", fontsize=10)
    fig.suptitle(f"The {len(snaps['before training'])} first-layer filters "
                 "(each scaled on its own; red positive, blue negative)")
    return fig


def filter_widget(snapshots: Mapping[str, ArrayLike], dpi: int = 80):
    """Toggle buttons that switch the filter grid between named snapshots of the weights.

    ``snapshots`` maps a label (e.g. ``"before training"``) to filters
    (FN, C, FH, FW). Returns an ``ipywidgets.VBox`` with ``buttons``, ``image``,
    ``view`` and ``renderer`` attributes. Introduced in chapter 6.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    if not snapshots:
        raise ValueError("filter_widget needs at least one snapshot of the filters")
    labels = list(snapshots)
    first = _as_filters(snapshots[labels[0]])
    rows, cols = _grid(len(first))
    fig = Figure(figsize=(0.85 * cols, 0.85 * rows + 0.5), dpi=dpi)
    view = FilterView(fig, len(first))
    title = fig.suptitle("", fontsize=10)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.86)

    def show(label: str) -> None:
        view.update(snapshots[label])
        title.set_text(f"{label}: roughness {filter_roughness(_as_filters(snapshots[label])):.2f}")

    renderer = BlitRenderer(fig, lambda: [*view.dynamic_artists(), title])
    frames: dict[str, bytes] = {}

    def frame(label: str) -> bytes:
        """The PNG of one snapshot; there are only a few, so each is drawn once and kept."""
        if label not in frames:
            show(label)
            frames[label] = renderer.png()
        return frames[label]

    for label in labels[:8]:          # draw the (few) snapshots up front: a click only swaps bytes
        frame(label)
    show(labels[0])                   # the view (read by tests) shows what the image shows
    image = w.Image(value=frame(labels[0]), format="png")
    buttons = w.ToggleButtons(options=labels, value=labels[0], description="filters")

    def redraw(change: dict) -> None:
        png = frame(change["new"])
        show(change["new"])
        image.value = png

    buttons.observe(redraw, names="value")
    box = w.VBox([buttons, image])
    box.buttons, box.image, box.view, box.renderer = buttons, image, view, renderer
    return box
