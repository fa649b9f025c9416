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

from common.lessons.activation_tradeoffs import linear_fit_r2, stack_1d
from common.lessons.universal_approximation import (X_RANGE, approximation_error, predict_1d, staircase_network,
                                                    target_function)
from common.plots.style import OKABE_ITO

__all__ = ["draw_network", "plot_digits", "plot_batch_timing", "plot_linear_collapse", "plot_universal_approximation"]

_UNIT = "#dfe7f2"
_EDGE = "#1f4e79"
_WRONG = "#D55E00"  # Okabe-Ito vermillion; wrong answers also get a thick frame and "(true …)"


def draw_network(
    layer_sizes: Sequence[int] = (2, 3, 2, 2),
    layer_names: Sequence[str] | None = None,
    title: str = "A 3-layer network: every unit connects to every unit of the next layer",
    dpi: int = 100,
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
    fig = Figure(figsize=(min(9.0, 2.0 * len(sizes) + 1.0), 4.2), dpi=dpi, layout="none")
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
                f"$b_{{{k + 1}}}$: {sizes[k + 1]}", ha="center", va="top", fontsize=12, color="#7a5b00")
    for k, (n, y, gap) in enumerate(zip(sizes, ys, gaps)):
        ax.scatter(np.full(len(y), k), y, s=420, color=_UNIT, edgecolor=_EDGE, linewidth=1.5, zorder=2)
        if gap is not None:
            ax.text(k, gap, "⋮", ha="center", va="center", fontsize=16, zorder=3,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
        ax.text(k, tallest / 2 + 0.45, f"{layer_names[k]}\n({n} unit{'s' if n != 1 else ''})",
                ha="center", va="bottom", fontsize=12)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-tallest / 2 - 1.7, tallest / 2 + 1.5)
    ax.axis("off")
    fig.suptitle(title, fontsize=13)
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
    dpi: int = 100,
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
    cell = min(1.5, 9.0 / ncols)                  # at most 9 inches wide: 900 px, no shrinking
    head = 0.3 if predicted is not None else 0.25  # room for each image's title, in inches
    fig = Figure(figsize=(cell * ncols, (cell + head) * nrows + 0.55), dpi=dpi, layout="none")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.55 / ((cell + head) * nrows + 0.55),
                        wspace=0.08, hspace=head / cell + 0.05)
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
            ax.set_title(f"{p}" if p == t else f"{p} (true {t})", fontsize=12,
                         color="black" if p == t else _WRONG)
            if p != t:
                for spine in ax.spines.values():
                    spine.set_color(_WRONG)
                    spine.set_linewidth(3)
        elif labels is not None:
            ax.set_title(str(int(np.asarray(labels)[i])), fontsize=12)
    fig.suptitle(title, fontsize=13)
    return fig


def plot_batch_timing(
    batch_sizes: ArrayLike,
    seconds_per_image: ArrayLike,
    title: str = "Bigger batches: less time per image",
    low: ArrayLike | None = None,
    high: ArrayLike | None = None,
    dpi: int = 100,
) -> Figure:
    """Log-log plot of measured inference time per image against the batch size.

    ``low`` and ``high`` (seconds per image, optional) draw the fastest and slowest
    measurement of each point as an error bar. Introduced in chapter 2, Neural networks.
    """
    sizes = np.asarray(batch_sizes, dtype=float)
    per_image = np.asarray(seconds_per_image, dtype=float) * 1e6
    if sizes.shape != per_image.shape or sizes.size == 0:
        raise ValueError(f"need one time per batch size, got {sizes.shape} and {per_image.shape}")
    fig = Figure(figsize=(7.5, 4.4), dpi=dpi, layout="constrained")
    ax = fig.subplots()
    if low is not None and high is not None:
        lo, hi = np.asarray(low, dtype=float) * 1e6, np.asarray(high, dtype=float) * 1e6
        ax.errorbar(sizes, per_image, yerr=[per_image - lo, hi - per_image], fmt="none", ecolor="0.45",
                    elinewidth=1.5, capsize=5, label="fastest to slowest block")
        ax.legend(loc="lower left", fontsize=11)
    ax.loglog(sizes, per_image, "o-", color=_EDGE, lw=2, ms=8)
    for s, t in zip(sizes, per_image):
        ax.annotate(f"{t:.3g} µs", (s, t), textcoords="offset points", xytext=(8, 8),
                    ha="left", fontsize=12)
    ax.set_xticks(sizes, labels=[f"{int(s):,}" for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("batch size (images per predict call)")
    ax.set_ylabel("time per image (µs)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.set_ylim(per_image.min() / 3, per_image.max() * 3)
    ax.set_xlim(sizes.min() / 1.6, sizes.max() * 4)
    return fig


def plot_linear_collapse(widths: Sequence[int] = (8, 8), seed: int = 0, dpi: int = 100) -> Figure:
    """The same random 1-input network without and with ReLU, each beside its best straight line.

    Introduced in chapter 2, Neural networks. Without an activation every layer is
    affine, so the network's curve *is* a straight line (R² = 1 for the best line);
    with ReLU it bends, and no straight line explains all of it (R² < 1).
    """
    x = np.linspace(-3, 3, 301)
    fig = Figure(figsize=(9.0, 4.2), dpi=dpi, layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (activation, label, colour) in zip(axes, ((None, "no activation", OKABE_ITO[0]),
                                                     ("ReLU", "ReLU after each hidden layer", OKABE_ITO[5]))):
        y = stack_1d(x, activation, widths, seed)
        slope, intercept = np.polyfit(x, y, 1)
        r2 = linear_fit_r2(x, y)
        ax.plot(x, y, color=colour, lw=3, label="network output")
        ax.plot(x, slope * x + intercept, "--", color="black", lw=1.8, label="best straight line")
        ax.set_title(f"{label}\nR² of the best straight line = {r2:.3f}", fontsize=12)
        ax.set_xlabel("input x")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=11)
    axes[0].set_ylabel("output y")
    sizes = " → ".join(str(n) for n in (1, *widths, 1))
    fig.suptitle(f"One random {sizes} network, the same weights in both panels")
    return fig


def plot_universal_approximation(ns: Sequence[int] = (3, 10, 50), dpi: int = 100) -> Figure:
    """The chapter's target curve and the staircase networks with ``ns`` hidden units.

    Introduced in chapter 2, Neural networks: more hidden units follow the curve more
    closely (the legend gives each network's largest error).
    """
    x = np.linspace(*X_RANGE, 601)
    fig = Figure(figsize=(8.5, 4.6), dpi=dpi, layout="constrained")
    ax = fig.subplots()
    ax.plot(x, target_function(x), color="0.75", lw=7, label="target f(x) = sin 2x + x/2", zorder=1)
    styles = ("-.", "--", "-")
    for k, n in enumerate(ns):
        params = staircase_network(target_function, n)
        err = approximation_error(target_function, params)
        ax.plot(x, predict_1d(params, x), styles[k % len(styles)], color=OKABE_ITO[(k + 1) % len(OKABE_ITO)],
                lw=2.2, label=f"{n} hidden units: largest error {err.max_error:.2f}", zorder=2)
    ax.set_xlabel("input x")
    ax.set_ylabel("output y (identity output layer)")
    ax.set_title("One hidden layer of sigmoid units: more units, closer to any curve")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=11)
    return fig
