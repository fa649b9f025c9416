"""Static figures of chapter 2, Neural networks: network diagrams, digit grids, batch timings.

Each function returns a ``matplotlib.figure.Figure`` that is not attached to
pyplot, so a notebook shows it by ending a cell with the call, and tests can
draw hundreds of them without pyplot keeping them alive.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

__all__ = ["draw_network", "plot_digits", "plot_batch_timing"]

_UNIT = "#dfe7f2"
_EDGE = "#1f4e79"


def draw_network(
    layer_sizes: Sequence[int] = (2, 3, 2, 2),
    layer_names: Sequence[str] | None = None,
    title: str = "A 3-layer network: every unit connects to every unit of the next layer",
    dpi: int = 80,
) -> Figure:
    """Draw a fully-connected network as columns of units joined by weight arrows.

    Introduced in chapter 2, Neural networks. Each gap between two layers is one
    weight matrix ``W{k}`` of shape (units before, units after) plus a bias
    ``b{k}``, both written under the gap. Layers with more than 8 units are drawn
    with 6 circles and a "⋮".
    """
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"draw_network needs at least two layers of at least one unit, got {layer_sizes}")
    if layer_names is None:
        layer_names = (["input x"] + [f"hidden layer {k}" for k in range(1, len(sizes) - 1)]
                       + ["output y"])
    if len(layer_names) != len(sizes):
        raise ValueError(f"got {len(layer_names)} layer names for {len(sizes)} layers")
    fig = Figure(figsize=(1.9 * len(sizes) + 1.0, 3.6), dpi=dpi)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.86))
    slots = [min(n, 7) for n in sizes]  # a big layer: 5 units, a gap with "⋮", the last unit
    tallest = max(slots)
    ys, gaps = [], []
    for n, m in zip(sizes, slots):
        y = np.linspace((m - 1) / 2, -(m - 1) / 2, m) if m > 1 else np.zeros(1)
        if n > m:
            gaps.append(y[-2])
            y = np.delete(y, -2)
        else:
            gaps.append(None)
        ys.append(y)
    for k in range(len(sizes) - 1):
        for y0 in ys[k]:
            for y1 in ys[k + 1]:
                ax.plot([k, k + 1], [y0, y1], color="0.65", lw=0.8, zorder=1)
        ax.text(k + 0.5, -tallest / 2 - 0.55, f"$W_{{{k + 1}}}$: {sizes[k]}×{sizes[k + 1]}\n"
                f"$b_{{{k + 1}}}$: {sizes[k + 1]}", ha="center", va="top", fontsize=10, color="#7a5b00")
    for k, (n, y, gap) in enumerate(zip(sizes, ys, gaps)):
        ax.scatter(np.full(len(y), k), y, s=420, color=_UNIT, edgecolor=_EDGE, linewidth=1.5, zorder=2)
        if gap is not None:
            ax.text(k, gap, "⋮", ha="center", va="center", fontsize=16, zorder=3,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
        ax.text(k, tallest / 2 + 0.45, f"{layer_names[k]}\n({n} unit{'s' if n != 1 else ''})",
                ha="center", va="bottom", fontsize=10)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-tallest / 2 - 1.5, tallest / 2 + 1.3)
    ax.axis("off")
    fig.suptitle(title, fontsize=12)
    return fig


def _as_images(images: ArrayLike) -> np.ndarray:
    x = np.asarray(images, dtype=float)
    if x.ndim == 2 and x.shape[1] == 784:
        return x.reshape(-1, 28, 28)
    if x.ndim == 4 and x.shape[1] == 1:
        return x[:, 0]
    if x.ndim == 3:
        return x
    raise ValueError(f"expected images of shape (N, 784), (N, 28, 28) or (N, 1, 28, 28), got {x.shape}")


def plot_digits(
    images: ArrayLike,
    labels: ArrayLike | None = None,
    predicted: ArrayLike | None = None,
    ncols: int = 12,
    title: str = "MNIST digits",
    dpi: int = 80,
) -> Figure:
    """Show images in a grid, each titled with its label (and the prediction, red if wrong).

    Introduced in chapter 2, Neural networks. ``images`` may be flat (N, 784) or
    square; pixel values are shown from white (0) to black (the maximum).
    """
    x = _as_images(images)
    n = len(x)
    if n == 0:
        raise ValueError("plot_digits needs at least one image")
    ncols = max(1, min(int(ncols), n))
    nrows = int(np.ceil(n / ncols))
    fig = Figure(figsize=(0.85 * ncols, 1.05 * nrows + 0.45), dpi=dpi)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.5 / (1.05 * nrows + 0.45),
                        wspace=0.08, hspace=0.45)
    vmax = max(float(x.max()), 1e-12)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(x[i], cmap="gray_r", vmin=0, vmax=vmax)
        if labels is not None and predicted is not None:
            t, p = int(np.asarray(labels)[i]), int(np.asarray(predicted)[i])
            ax.set_title(f"{p}" if p == t else f"{p} (true {t})", fontsize=9,
                         color="black" if p == t else "#d62728")
            if p != t:
                for spine in ax.spines.values():
                    spine.set_color("#d62728")
                    spine.set_linewidth(2)
        elif labels is not None:
            ax.set_title(str(int(np.asarray(labels)[i])), fontsize=9)
    fig.suptitle(title, fontsize=12)
    return fig


def plot_batch_timing(
    batch_sizes: ArrayLike,
    seconds_per_image: ArrayLike,
    title: str = "Bigger batches: less time per image",
    dpi: int = 80,
) -> Figure:
    """Log-log plot of measured inference time per image against the batch size.

    Introduced in chapter 2, Neural networks.
    """
    sizes = np.asarray(batch_sizes, dtype=float)
    per_image = np.asarray(seconds_per_image, dtype=float) * 1e6
    if sizes.shape != per_image.shape or sizes.size == 0:
        raise ValueError(f"need one time per batch size, got {sizes.shape} and {per_image.shape}")
    fig = Figure(figsize=(6.0, 3.4), dpi=dpi, layout="constrained")
    ax = fig.subplots()
    ax.loglog(sizes, per_image, "o-", color=_EDGE, lw=2)
    for s, t in zip(sizes, per_image):
        ax.annotate(f"{t:.3g} µs", (s, t), textcoords="offset points", xytext=(5, 6),
                    ha="left", fontsize=9)
    ax.set_xticks(sizes, labels=[f"{int(s):,}" for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("batch size (images per predict call)")
    ax.set_ylabel("time per image (µs)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.set_ylim(per_image.min() / 2, per_image.max() * 3)
    ax.set_xlim(sizes.min() / 1.6, sizes.max() * 3)
    return fig
