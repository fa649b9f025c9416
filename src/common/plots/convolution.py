"""Static teaching figures of chapter 6: flattening, the sliding multiply-accumulate, im2col, pooling.

Each figure draws numbers computed by the tested library (:mod:`common.im2col`,
:mod:`common.lessons.conv_arithmetic`); nothing is computed here that is not checked
elsewhere. Every function returns the ``Figure``. Introduced in chapter 6,
Convolutional neural networks.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle
from numpy.typing import ArrayLike

from common.lessons.conv_arithmetic import cross_correlate2d, pool2d_naive
from common.im2col import col2im, im2col

__all__ = ["draw_flatten", "draw_sliding_mac", "draw_im2col", "draw_pooling", "draw_shapes", "draw_mistakes"]

WINDOW_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7")   # Okabe–Ito: vermillion, blue, green, purple
WINDOW_STYLES = ("-", "--", "-.", ":")                              # a second cue beside the colour
DARK = "#1f2a36"


def _text_colour(fill: object) -> str:
    """Black or white, whichever reads better on ``fill`` (by its luminance)."""
    r, g, b, a = to_rgba(fill)
    r, g, b = (a * v + 1 - a for v in (r, g, b))           # as seen on the white page
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"


def _number_grid(ax: Axes, values: np.ndarray, title: str = "", fmt: str = "{:g}",
                 fill: np.ndarray | None = None, fontsize: float = 12) -> None:
    """Draw a matrix as a grid of cells with its numbers; ``fill`` gives each cell's colour."""
    h, w = values.shape
    for i in range(h):
        for j in range(w):
            fc = "white" if fill is None else fill[i][j]
            ax.add_patch(Rectangle((j, i), 1, 1, fc=fc, ec="#8a9aaa", lw=0.8))
            ax.text(j + 0.5, i + 0.5, fmt.format(values[i, j]), ha="center", va="center", fontsize=fontsize,
                    color=_text_colour(fc))
    ax.set_xlim(-0.05, w + 0.05)
    ax.set_ylim(h + 0.05, -0.05)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=12)


def _outline(ax: Axes, top: int, left: int, h: int, w: int, colour: str, inset: float = 0.06,
             lw: float = 2.5, ls: str = "-") -> None:
    ax.add_patch(Rectangle((left + inset, top + inset), w - 2 * inset, h - 2 * inset, fill=False,
                           ec=colour, lw=lw, ls=ls))


def draw_flatten(image: ArrayLike, rng: np.random.Generator | int = 0) -> Figure:
    """A digit, the same pixels flattened to a row, and the pixels in a fixed random order.

    A fully connected layer sees only the flat vector, so it would learn the
    shuffled images exactly as well: it cannot use which pixels are neighbours.
    Introduced in chapter 6, Convolutional neural networks.
    """
    img = np.asarray(image, dtype=float).reshape(28, 28)
    perm = np.random.default_rng(rng).permutation(784)
    fig = plt.figure(figsize=(9, 5.2), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=(1, 0.22))
    a = fig.add_subplot(grid[0, 0])
    a.imshow(img, cmap="gray_r")
    a.add_patch(Rectangle((12.5, 9.5), 1, 2, fill=False, ec=WINDOW_COLOURS[0], lw=2.5))
    a.set_title("the image: pixels (10, 13) and\n(11, 13) are neighbours (box)")
    a.set_xlabel("column")
    a.set_ylabel("row")
    b = fig.add_subplot(grid[0, 1])
    b.imshow(img.reshape(-1)[perm].reshape(28, 28), cmap="gray_r")
    b.set_title("the same 784 pixels in a fixed\nrandom order: same information")
    b.set_xlabel("column")
    strip = fig.add_subplot(grid[1, :])
    strip.imshow(img.reshape(1, -1), cmap="gray_r", aspect="auto", extent=(0, 784, 1, 0))
    for k in (10 * 28 + 13, 11 * 28 + 13):
        strip.axvline(k + 0.5, color=WINDOW_COLOURS[0], lw=2)
    strip.set_yticks([])
    strip.set_xlabel("the flat vector a fully connected layer sees: index = 28·row + column;\n"
                     f"the two neighbours are 28 places apart (indices {10 * 28 + 13} and {11 * 28 + 13})")
    fig.suptitle("Flattening forgets which pixels are neighbours")
    return fig


def draw_sliding_mac(x: ArrayLike, kernel: ArrayLike, position: tuple[int, int] = (0, 1)) -> Figure:
    """Input, filter and output as numbers, with one window and its multiply-accumulate written out.

    Introduced in chapter 6, Convolutional neural networks.
    """
    x, k = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    out = cross_correlate2d(x, k)
    i, j = position
    kh, kw = k.shape
    fig, axes = plt.subplots(1, 3, figsize=(9, 4.2), layout="constrained",
                             gridspec_kw=dict(width_ratios=(x.shape[1], k.shape[1], out.shape[1])))
    fill_x = [["white"] * x.shape[1] for _ in range(x.shape[0])]
    for a in range(kh):
        for b in range(kw):
            fill_x[i + a][j + b] = "#fbd9c6"
    _number_grid(axes[0], x, f"input I ({x.shape[0]} × {x.shape[1]})", fill=fill_x)
    _outline(axes[0], i, j, kh, kw, WINDOW_COLOURS[0])
    _number_grid(axes[1], k, f"filter K ({kh} × {kw})", fill=[["#fbd9c6"] * kw for _ in range(kh)])
    fill_o = [["#eef3f9"] * out.shape[1] for _ in range(out.shape[0])]
    fill_o[i][j] = "#f4a582"
    _number_grid(axes[2], out, f"output ({out.shape[0]} × {out.shape[1]})", fill=fill_o)
    _outline(axes[2], i, j, 1, 1, WINDOW_COLOURS[0])
    for ax in axes:                       # same cell size in all three panels
        ax.set_ylim(x.shape[0] + 0.05, -0.05)
    terms = [f"{x[i + a, j + b]:g}·{k[a, b]:g}" for a in range(kh) for b in range(kw)]
    half = (len(terms) + 1) // 2
    fig.suptitle(f"output ({i}, {j}) = Σₘ Σₙ I({i} + m, {j} + n)·K(m, n)\n= " + " + ".join(terms[:half])
                 + "\n+ " + " + ".join(terms[half:]) + f" = {out[i, j]:g}")
    return fig


def draw_im2col(x: ArrayLike | None = None, filter_size: int = 3) -> Figure:
    """im2col drawn: a 1×4×4 input's four 3×3 windows become the four rows of a matrix.

    Below: col2im of a matrix of ones, i.e. how many windows each pixel belongs
    to, which is how many gradient contributions it collects in the backward
    pass. Introduced in chapter 6, Convolutional neural networks.
    """
    x = np.arange(1, 17, dtype=float).reshape(1, 1, 4, 4) if x is None else np.asarray(x, dtype=float)
    f = filter_size
    col = im2col(x, f, f)
    oh = ow = x.shape[2] - f + 1
    fig = plt.figure(figsize=(9, 6.4), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=(1.25, 1))
    ax_in, ax_cnt = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    ax_col = fig.add_subplot(grid[1, :])
    _number_grid(ax_in, x[0, 0], "input (1 channel, 4 × 4)\nwith its 2 × 2 = 4 windows")
    insets = (0.06, 0.14, 0.22, 0.30)
    for r in range(oh * ow):
        a, b = divmod(r, ow)
        _outline(ax_in, a, b, f, f, WINDOW_COLOURS[r], inset=insets[r], lw=2.4, ls=WINDOW_STYLES[r])
    fill = [[to_rgba(WINDOW_COLOURS[r], 0.25)] * col.shape[1] for r in range(col.shape[0])]
    _number_grid(ax_col, col, f"im2col(x, {f}, {f}): one row per window, one column per filter weight "
                 f"({col.shape[0]} × {col.shape[1]})", fill=fill)
    for r in range(col.shape[0]):
        ax_col.text(-0.4, r + 0.5, f"window {r}", ha="right", va="center", fontsize=12,
                    color=WINDOW_COLOURS[r])
        ax_col.plot([-0.15, -0.15], [r + 0.1, r + 0.9], color=WINDOW_COLOURS[r], lw=2.4, ls=WINDOW_STYLES[r])
    ax_col.set_xlim(-2.5, col.shape[1] + 0.05)
    counts = col2im(np.ones_like(col), x.shape, f, f)[0, 0]
    shades = plt.get_cmap("Oranges")(0.1 + 0.15 * counts)
    _number_grid(ax_cnt, counts, "col2im(ones): how many windows\ncontain each pixel", fmt="{:.0f}",
                 fill=[[tuple(c) for c in row] for row in shades])
    fig.suptitle("im2col turns a convolution into one matrix product;\ncol2im sends the rows back, adding overlaps")
    return fig


def draw_pooling(x: ArrayLike | None = None, size: int = 2) -> Figure:
    """A 4×4 map, its 2×2 windows in colour, and the max- and average-pooled 2×2 outputs. Chapter 6."""
    if x is None:
        x = np.array([[1, 3, 2, 0], [4, 6, 1, 1], [0, 2, 5, 7], [3, 1, 8, 2]], dtype=float)
    x = np.asarray(x, dtype=float)
    mx = pool2d_naive(x[None, None], size, size, "max")[0, 0]
    av = pool2d_naive(x[None, None], size, size, "avg")[0, 0]
    n = x.shape[0] // size
    colour_of = lambda a, b: to_rgba(WINDOW_COLOURS[(a // size) * n + b // size], 0.25)  # noqa: E731
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.9), layout="constrained",
                             gridspec_kw=dict(width_ratios=(4, 2.4, 2.4)))
    fill = [[colour_of(a, b) for b in range(x.shape[1])] for a in range(x.shape[0])]
    _number_grid(axes[0], x, "input map (4 × 4),\n2 × 2 windows, stride 2", fill=fill)
    for a in range(x.shape[0]):
        for b in range(x.shape[1]):
            w_a, w_b = a // size, b // size
            if x[a, b] == mx[w_a, w_b]:
                _outline(axes[0], a, b, 1, 1, DARK, inset=0.1, lw=2)
    out_fill = [[to_rgba(WINDOW_COLOURS[a * n + b], 0.25) for b in range(n)] for a in range(n)]
    _number_grid(axes[1], mx, "max pooling\n(the boxed values)", fill=out_fill)
    _number_grid(axes[2], av, "average\npooling", fmt="{:.2f}", fill=out_fill)
    fig.suptitle("Pooling: one number per window, no parameters, each channel on its own")
    return fig


def _stack(ax: Axes, x0: float, y0: float, depth: int, size: float, colour: str, label: str,
           offset: float = 0.18, shown: int = 4) -> None:
    k = min(depth, shown)
    for d in reversed(range(k)):
        ax.add_patch(Rectangle((x0 + d * offset, y0 + d * offset), size, size, fc=colour, ec=DARK, lw=1))
    ax.text(x0 + size / 2 + (k - 1) * offset / 2, y0 - 0.3, label, ha="center", va="top", fontsize=12)


def draw_shapes() -> Figure:
    """The four-dimensional shapes of a convolution layer, drawn as stacks of maps. Chapter 6."""
    fig, ax = plt.subplots(figsize=(9, 3.6), layout="constrained")
    _stack(ax, 0.0, 0.8, 3, 2.0, "#dce9f6", "input, one image:\nC × H × W\n(batch: N × C × H × W)")
    ax.text(3.05, 1.9, "∗", fontsize=26, ha="center", va="center")
    for f in range(3):
        _stack(ax, 3.55 + f * 1.45, 1.3, 3, 0.9, "#fbd9c6", "")
    ax.text(5.2, 0.9, "FN filters,\neach C × FH × FW", ha="center", va="top", fontsize=12)
    ax.text(8.2, 1.9, "+", fontsize=22, ha="center", va="center")
    for f in range(3):
        ax.add_patch(Rectangle((8.55, 1.3 + 0.45 * f), 0.32, 0.32, fc="#fbd9c6", ec=DARK))
    ax.text(8.71, 0.9, "bias:\nFN", ha="center", va="top", fontsize=12)
    ax.add_patch(FancyArrowPatch((9.15, 1.9), (9.85, 1.9), arrowstyle="-|>", mutation_scale=16, color=DARK))
    _stack(ax, 10.05, 1.0, 3, 1.6, "#d8eed8", "output, one image:\nFN × OH × OW\n(batch: N × FN × OH × OW)")
    ax.set_xlim(-0.6, 12.6)
    ax.set_ylim(-1.35, 3.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Each filter spans all C input channels and makes one output map:\nC channels in, FN out")
    return fig


def draw_mistakes(x: ArrayLike, t: ArrayLike, predicted: ArrayLike, n: int = 12) -> Figure:
    """The first ``n`` test images a network gets wrong, with the true and the predicted label. Chapter 6."""
    x = np.asarray(x).reshape(-1, 28, 28)
    t, predicted = np.asarray(t), np.asarray(predicted)
    wrong = np.flatnonzero(t != predicted)[:n]
    cols = max(1, min(n, 6))
    rows = -(-max(n, 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(9, 2.1 * rows + 0.5), layout="constrained")
    for ax, k in zip(np.atleast_1d(axes).ravel(), list(wrong) + [None] * (rows * cols)):
        ax.axis("off")
        if k is None:
            continue
        ax.imshow(x[k], cmap="gray_r")
        ax.set_title(f"#{k}: true {t[k]},\nsaid {predicted[k]}", fontsize=12)
    total = int(np.sum(t != predicted))
    fig.suptitle(f"{min(n, total)} of the {total} test images the network gets wrong (of {len(t):,})")
    return fig
