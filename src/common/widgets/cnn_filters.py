"""First-layer filters of a CNN as small images, before and after training (chapter 6).

:class:`FilterView` lays out one small image per filter and updates them in
place; :func:`filter_widget` switches between snapshots of the weights (for
example "before training" and "after training") with toggle buttons. Weights
are shown with a diverging colour map, scaled per filter so that 0 is white,
red positive and blue negative (a colour bar says so): a filter responds most
to input patches that look like its red part on a background like its blue
part. Filters are numbered as in ``W1[k]``. Introduced in chapter 6,
Convolutional neural networks.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from numpy.typing import ArrayLike

from common.lessons.feature_maps import filter_roughness, normalise_maps
from common.translation import _

__all__ = ["FilterView", "filter_snapshots", "draw_filters", "draw_filters_before_after", "filter_widget"]

CMAP = "RdBu_r"
"""Red positive, white zero, blue negative."""


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
    """A numbered grid of filter images on ``fig`` (or inside a sub-grid), updated in place by :meth:`update`.

    Filter ``k`` is titled ``k``, as in ``W1[k]`` and in the feature-map
    viewer, whose map ``k`` is that filter's output. Introduced in chapter 6,
    Convolutional neural networks.
    """

    def __init__(self, fig: Figure, n_filters: int, grid_spec=None, max_cols: int = 10,
                 numbers: bool = True) -> None:
        rows, cols = _grid(n_filters, max_cols)
        spec = grid_spec if grid_spec is not None else fig.add_gridspec(1, 1)[0, 0]
        sub = spec.subgridspec(rows, cols, wspace=0.1, hspace=0.3 if numbers else 0.1)
        self.images = []
        self.axes = []
        for k in range(rows * cols):
            ax = fig.add_subplot(sub[k // cols, k % cols])
            ax.set_xticks([])
            ax.set_yticks([])
            if k < n_filters:
                self.images.append(ax.imshow(np.full((2, 2), 0.5), cmap=CMAP, vmin=0, vmax=1,
                                             interpolation="nearest"))
                if numbers:
                    ax.set_title(str(k), fontsize=11, pad=2)
            else:
                ax.axis("off")
            self.axes.append(ax)
        self.n = n_filters

    def update(self, W: ArrayLike) -> None:
        """Show the filters ``W`` (FN, C, FH, FW): each scaled so that 0 is the middle colour."""
        shown = normalise_maps(_as_filters(W), symmetric=True)
        if len(shown) != self.n:
            raise ValueError(f"this view shows {self.n} filters, got {len(shown)}")
        for ax, im, f in zip(self.axes, self.images, shown):
            im.set_data(f)
            im.set_extent((-0.5, f.shape[1] - 0.5, f.shape[0] - 0.5, -0.5))
            ax.set_xlim(-0.5, f.shape[1] - 0.5)
            ax.set_ylim(f.shape[0] - 0.5, -0.5)

    def dynamic_artists(self) -> list:
        return list(self.images)


def _colourbar(fig, axes: list, image) -> None:
    """One horizontal colour bar for filters each scaled on their own: −max … +max of each filter."""
    bar = fig.colorbar(image, ax=axes, location="bottom", fraction=0.08, shrink=0.6, aspect=40,
                       ticks=[0, 0.5, 1])
    bar.ax.set_xticklabels(["−max", "0", "+max"])
    bar.set_label("weight, each filter scaled to its own largest |weight| (max)", fontsize=11)


def draw_filters(W: ArrayLike, title: str = "First-layer filters") -> Figure:
    """One figure with every filter of ``W`` as a small numbered image (red > 0, blue < 0). Chapter 6."""
    w = _as_filters(W)
    rows, cols = _grid(len(w))
    fig = plt.figure(figsize=(9, 0.95 * rows + 1.6), layout="constrained")
    view = FilterView(fig, len(w))
    view.update(W)
    _colourbar(fig, view.axes, view.images[0])
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


def _size_note(w: np.ndarray) -> str:
    return f"roughness {filter_roughness(w):.2f}, typical |weight| {np.abs(w).mean():.2f}"


def draw_filters_before_after(before: ArrayLike, after: ArrayLike) -> Figure:
    """Filter grids at initialisation, after training, and their difference, with roughness and size. Chapter 6."""
    snaps = filter_snapshots(before, after)
    rows, cols = _grid(len(snaps["before training"]))
    block = 0.95 * rows + 0.55                        # inches per panel: its rows and its title
    height = 3 * block + 1.5
    fig = plt.figure(figsize=(9, height), layout="none")
    top = height - 0.75
    for name, w in snaps.items():
        spec = GridSpec(1, 1, figure=fig, left=0.03, right=0.97, top=(top - 0.4) / height,
                        bottom=(top - block + 0.05) / height)[0, 0]
        view = FilterView(fig, len(w), grid_spec=spec)
        view.update(w)
        fig.text(0.5, top / height, f"{name}: {_size_note(w)}", ha="center", va="top", fontsize=12)
        top -= block
    cax = fig.add_axes((0.25, 0.55 / height, 0.5, 0.15 / height))
    bar = fig.colorbar(view.images[0], cax=cax, orientation="horizontal", ticks=[0, 0.5, 1])
    bar.ax.set_xticklabels(["−max", "0", "+max"])
    bar.set_label("weight, each filter scaled to its own largest |weight| (max)", fontsize=11)
    fig.suptitle(f"The {len(snaps['before training'])} first-layer filters, numbered as in W1[k]",
                 y=1 - 0.12 / height, va="top")
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
    height = 1.05 * rows + 0.7
    fig = Figure(figsize=(9, height), dpi=dpi, layout="none")
    view = FilterView(fig, len(first))
    title = fig.suptitle("", fontsize=12)
    fig.subplots_adjust(left=0.02, right=0.84, bottom=0.03, top=1 - 0.6 / height, hspace=0.35)
    cax = fig.add_axes((0.87, 0.1, 0.02, 0.7))
    bar = fig.colorbar(view.images[0], cax=cax, ticks=[0, 0.5, 1])
    bar.ax.set_yticklabels(["−max", "0", "+max"])
    bar.set_label("weight / its filter's max", fontsize=11)

    def show(label: str) -> None:
        view.update(snapshots[label])
        title.set_text(f"{label}: {_size_note(_as_filters(snapshots[label]))}")

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
    buttons = w.ToggleButtons(options=labels, value=labels[0], description=_("filters"))

    def redraw(change: dict) -> None:
        png = frame(change["new"])
        show(change["new"])
        image.value = png

    buttons.observe(redraw, names="value")
    box = w.VBox([buttons, image])
    box.buttons, box.image, box.view, box.renderer = buttons, image, view, renderer
    return box
