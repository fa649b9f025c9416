"""Static figures of chapter 7, Deep learning.

Each function draws numbers computed by the tested lesson modules
(:mod:`common.lessons.receptive_field`, :mod:`common.lessons.residual_depth`,
:mod:`common.lessons.architectures`, :mod:`common.lessons.profiling`,
:mod:`common.lessons.data_parallel`, :mod:`common.lessons.applications`) and
returns the ``Figure``. Text is at least 11 pt; colours are Okabe–Ito (safe for
colour-vision deficiencies) and every colour comes with a second cue (line
style, marker or label). Introduced in chapter 7, Deep learning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from common.lessons.data_parallel import allreduce_cost
from common.lessons.feature_maps import layer_outputs
from common.lessons.receptive_field import network_receptive_fields
from common.plots.style import COURSE_RC, MARKERS, OKABE_ITO

__all__ = [
    "draw_misclassified",
    "draw_receptive_field",
    "draw_feature_hierarchy",
    "draw_augmentation",
    "draw_depth_experiment",
    "draw_architectures",
    "draw_profile",
    "draw_allreduce",
    "draw_sliding_classifier",
]

STYLES = ("-", "--", ":", "-.")
BLUE, ORANGE, VERMILLION = OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[5]


def _legible(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Create the figure in the course style (:data:`~common.plots.style.COURSE_RC`), whatever the session's.

    Font sizes are fixed when a text is made, so the style must be in force then.
    Every figure here is at most 9 inches wide: JupyterLab shows 900 pixels
    without shrinking, at the style's 100 dpi.
    """
    @functools.wraps(draw)
    def wrapped(*args: Any, **kwargs: Any) -> Figure:
        with plt.rc_context(COURSE_RC):
            return draw(*args, **kwargs)
    return wrapped


@_legible
def draw_misclassified(x: ArrayLike, t: ArrayLike, predicted: ArrayLike, confidence: ArrayLike | None = None,
                       n: int = 16, cols: int = 8) -> Figure:
    """The first ``n`` misclassified images with their true label, the prediction and its probability. Chapter 7."""
    x = np.asarray(x).reshape(-1, 28, 28)
    t, predicted = np.asarray(t), np.asarray(predicted)
    if not len(x) == len(t) == len(predicted):
        raise ValueError(f"need one label and one prediction per image, got {len(x)}, {len(t)} and {len(predicted)}")
    wrong = np.flatnonzero(t != predicted)
    shown = wrong[:n]
    rows = max(1, int(np.ceil(len(shown) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(1.1 * cols, 1.75 * rows + 0.6), layout="constrained")
    for ax, k in zip(np.ravel(axes), list(shown) + [None] * (rows * cols)):
        ax.axis("off")
        if k is None:
            continue
        ax.imshow(x[k], cmap="gray_r")
        said = f"said {predicted[k]}"
        if confidence is not None:
            said += f" ({100 * float(np.asarray(confidence)[k]):.0f} %)"
        ax.set_title(f"true {t[k]}\n{said}", fontsize=11)
    fig.suptitle(f"{len(shown)} of the {len(wrong)} misclassified test images (of {len(t):,})")
    return fig


@_legible
def draw_receptive_field(layers: int = 3) -> Figure:
    """Side view of stacked 3×3 convolutions: which input pixels one unit of each layer depends on. Chapter 7."""
    if not 1 <= layers <= 6:
        raise ValueError(f"draw between 1 and 6 layers, got {layers}")
    width = 2 * layers + 5
    fig, ax = plt.subplots(figsize=(9, 1.0 + 0.9 * layers), layout="constrained")
    centre = width // 2
    for level in range(layers + 1):
        reach = layers - level  # how far (in pixels) this level's cone extends either side of the centre
        for i in range(width):
            inside = abs(i - centre) <= reach
            ax.add_patch(Rectangle((i - 0.4, level - 0.25), 0.8, 0.5, facecolor=OKABE_ITO[1] if inside else "white",
                                   edgecolor="black", hatch="" if inside else None, alpha=0.85 if inside else 1))
            if level < layers and abs(i - centre) <= reach - 1:
                for d in (-1, 0, 1):
                    ax.plot([i + d, i], [level + 0.25, level + 0.75], color=OKABE_ITO[0], linewidth=1.2)
        label = "input" if level == 0 else f"conv {level}"
        ax.text(-0.9, level, label, ha="right", va="center", fontsize=12)
        ax.text(width - 0.1, level, f"sees {2 * level + 1 if level else 1} px" if level else "",
                ha="left", va="center", fontsize=12)
    ax.set_xlim(-3.0, width + 2.6)
    ax.set_ylim(-0.6, layers + 0.6)
    ax.axis("off")
    ax.set_title(f"After {layers} stacked 3×3 convolutions one unit sees {2 * layers + 1} pixels")
    return fig


@_legible
def draw_feature_hierarchy(net: Any, image: ArrayLike, layers: Sequence[str] | None = None,
                           per_layer: int = 8) -> Figure:
    """For one digit, the ``per_layer`` most active maps of each layer, with the receptive field in the row label.

    Default layers: the output of every ReLU of the convolutions. Each map is
    scaled to its own maximum (dark = strong). Introduced in chapter 7.
    """
    outputs = layer_outputs(net, np.asarray(image).reshape(1, 1, 28, 28))
    if layers is None:
        layers = [n for n, o in outputs.items() if n.startswith("Relu") and np.asarray(o).ndim == 4]
    missing = [n for n in layers if n not in outputs]
    if missing:
        raise ValueError(f"no layers {missing}; this network has {list(outputs)}")
    steps = {s.name: s.field for s in network_receptive_fields(net)}
    fields, current = {}, 1
    for name in outputs:
        current = steps.get(name, current)
        fields[name] = current
    fig, axes = plt.subplots(len(layers), per_layer + 1, figsize=(9, 0.95 * len(layers) + 0.8),
                             layout="constrained")
    axes = np.atleast_2d(axes)
    for row, name in zip(axes, layers):
        maps = np.asarray(outputs[name], dtype=float)[0]
        order = np.argsort(maps.max(axis=(1, 2)))[::-1][:per_layer]
        row[0].imshow(np.asarray(image).reshape(28, 28), cmap="gray_r")
        seen = f"sees {fields[name]} px" if fields[name] < 28 else "sees all"
        row[0].set_ylabel(f"{name}\n{maps.shape[0]} maps\n{seen}", rotation=0, ha="right", va="center",
                          fontsize=11)
        for ax, k in zip(row[1:], order):
            m = maps[k]
            ax.imshow(m, cmap="magma_r", vmin=0, vmax=max(float(m.max()), 1e-12))
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(f"The {per_layer} most active maps of each layer (own scale, dark = strong)")
    return fig


@_legible
def draw_augmentation(original: ArrayLike, augmented: ArrayLike, what: str = "random shifts") -> Figure:
    """A digit and augmented copies of it; thin cross-hairs mark the image centre so shifts show.

    Introduced in chapter 7, Deep learning.
    """
    first = np.asarray(original).reshape(28, 28)
    copies = np.asarray(augmented).reshape(-1, 28, 28)
    if len(copies) == 0:
        raise ValueError("need at least one augmented copy")
    imgs = [first, *copies]
    fig, axes = plt.subplots(1, len(imgs), figsize=(min(9.0, 1.1 * len(imgs)), 1.9), layout="constrained")
    for i, (ax, img) in enumerate(zip(np.atleast_1d(axes), imgs)):
        ax.imshow(img, cmap="gray_r")
        ax.axhline(13.5, color=BLUE, linewidth=0.8)
        ax.axvline(13.5, color=BLUE, linewidth=0.8)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("original" if i == 0 else f"copy {i}", fontsize=11)
        if i == 0:
            for side in ax.spines.values():
                side.set_linewidth(2.5)
    fig.suptitle(f"Data augmentation: {what} of one training digit")
    return fig


@_legible
def draw_depth_experiment(norms: Mapping[str, tuple[ArrayLike, ArrayLike]], losses: Mapping[str, Mapping[int, float]],
                          labels: Mapping[str, str], depth: int) -> Figure:
    """Left: gradient RMS at every hidden layer of ``depth``-layer networks; right: training loss against depth.

    ``norms[kind] = (positions, rms)`` from
    :func:`~common.lessons.residual_depth.input_gradient_norms`;
    ``losses[kind][depth]`` from :func:`~common.lessons.residual_depth.depth_experiment`.
    Introduced in chapter 7, Deep learning.
    """
    fig, (left, right) = plt.subplots(2, 1, figsize=(9, 8.2), layout="constrained")
    for i, kind in enumerate(losses):
        colour, style, marker = OKABE_ITO[i], STYLES[i], MARKERS[i]
        if kind in norms:
            pos, rms = norms[kind]
            left.semilogy(pos, rms, color=colour, linestyle=style, marker=marker, label=labels.get(kind, kind))
        depths = sorted(losses[kind])
        values = [losses[kind][d] for d in depths]
        finite = [v if np.isfinite(v) else np.nan for v in values]
        right.plot(depths, finite, color=colour, linestyle=style, marker=marker, markersize=8,
                   label=labels.get(kind, kind))
    left.set_xlabel("hidden layer (number of weight layers below it)")
    left.set_ylabel("gradient RMS (log)")
    left.set_title(f"Gradient reaching each layer at initialisation ({depth} layers)")
    left.grid(alpha=0.3, which="both")
    left.legend(loc="best")
    right.set_xscale("log", base=2)
    all_depths = sorted({d for v in losses.values() for d in v})
    right.set_xticks(all_depths, [str(d) for d in all_depths])
    right.set_xlabel("depth (weight layers)")
    right.set_ylabel("final training loss (nats)")
    right.set_title("The same short training at each depth")
    right.grid(alpha=0.3)
    right.legend(loc="best")
    return fig


@_legible
def draw_architectures(rows: Sequence[Mapping[str, Any]]) -> Figure:
    """Parameters against multiply-accumulates per image of each architecture, log–log, labelled. Chapter 7."""
    fig, ax = plt.subplots(figsize=(9, 5.0), layout="constrained")
    for i, r in enumerate(rows):
        ax.scatter(r["macs"], r["params"], s=140, color=OKABE_ITO[i % len(OKABE_ITO)], marker=MARKERS[i],
                   edgecolor="black", zorder=3)
        ax.annotate(f"{r['name']} ({r['year']})\n{r['weight_layers']} weight layers", (r["macs"], r["params"]),
                    textcoords="offset points", xytext=(10, -6), fontsize=12)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("multiply-accumulates per image (log scale)")
    ax.set_ylabel("trainable parameters (log scale)")
    ax.set_title("Famous CNNs, counted from their layer specifications")
    ax.grid(alpha=0.3, which="both")
    lo = min(r["macs"] for r in rows)
    hi = max(r["macs"] for r in rows)
    ax.set_xlim(lo / 3, hi * 60)
    return fig


@_legible
def draw_profile(rows: Sequence[Any], title: str = "Where a training step's time goes") -> Figure:
    """Forward (solid) and backward (hatched) milliseconds of each layer of a training step. Chapter 7.

    ``rows`` are :class:`~common.lessons.profiling.LayerProfile` objects.
    """
    names = [r.name for r in rows]
    fwd = np.array([1000 * r.forward for r in rows])
    bwd = np.array([1000 * r.backward for r in rows])
    fig, ax = plt.subplots(figsize=(9, 0.27 * len(rows) + 1.4), layout="constrained")
    y = np.arange(len(rows))
    ax.barh(y, fwd, color=OKABE_ITO[0], label="forward")
    ax.barh(y, bwd, left=fwd, color=ORANGE, hatch="//", edgecolor="black", linewidth=0.3, label="backward")
    ax.set_yticks(y, names, fontsize=11)
    ax.invert_yaxis()
    ax.set_xlabel("milliseconds per mini-batch")
    total = float(np.sum(fwd + bwd))
    ax.set_title(f"{title} ({total:.0f} ms in all)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    return fig


@_legible
def draw_allreduce(n_values: int, workers: Sequence[int], bandwidth: float = 10e9, latency: float = 5e-6,
                   bytes_per_value: int = 4, name: str = "") -> Figure:
    """Time of one gradient all-reduce against the number of workers: ring against a parameter server. Chapter 7."""
    ks = np.asarray(workers)
    ring = [1000 * allreduce_cost(n_values, int(k), bytes_per_value, bandwidth, latency)["ring_seconds"] for k in ks]
    server = [1000 * allreduce_cost(n_values, int(k), bytes_per_value, bandwidth, latency)["server_seconds"] for k in ks]
    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    ax.plot(ks, server, color=VERMILLION, linestyle="--", marker="s", label="one parameter server")
    ax.plot(ks, ring, color=BLUE, linestyle="-", marker="o", label="ring all-reduce")
    ax.set_xscale("log", base=2)
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_xlabel("workers K")
    ax.set_ylabel("milliseconds per step")
    ax.set_title(f"All-reduce of {n_values / 1e6:.1f} M gradients{' (' + name + ')' if name else ''}, "
                 f"{bandwidth / 1e9:g} GB/s links")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return fig


@_legible
def draw_sliding_classifier(strip: ArrayLike, centres: ArrayLike, probs: ArrayLike, digits: Sequence[int],
                            digit_centres: Sequence[int]) -> Figure:
    """A strip of digits (top) and, below, the probability of each of its digits' classes along the strip. Chapter 7."""
    strip = np.asarray(strip)
    probs = np.asarray(probs)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.4), sharex=True, height_ratios=(1, 2.2),
                                      layout="constrained")
    top.imshow(strip, cmap="gray_r", aspect="auto", extent=(-0.5, strip.shape[1] - 0.5, 27.5, -0.5))
    top.set_yticks([])
    fig.suptitle("A one-digit classifier slid along a strip, one pixel at a time")
    for i, (d, c) in enumerate(zip(digits, digit_centres)):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        bottom.plot(centres, probs[:, d], color=colour, linestyle=STYLES[i % 4], linewidth=2,
                    label=f"P(class {d})")
        bottom.axvline(c, color=colour, linestyle=STYLES[i % 4], linewidth=0.8, alpha=0.6)

    other = np.max(np.delete(probs, list(digits), axis=1), axis=1)
    bottom.fill_between(centres, other, color="grey", alpha=0.35, label="largest other class")
    bottom.set_ylim(0, 1.02)
    bottom.set_xlabel("centre of the 28-pixel window (pixel column)")
    bottom.set_ylabel("probability")
    bottom.grid(alpha=0.3)
    bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, frameon=False)
    return fig
