"""Figures for chapter 6's section Beyond classification: IoU pictures, a scored scene, PR curves.

The numbers come from :mod:`common.lessons.detection`; these functions only draw.
Introduced in chapter 6, Convolutional neural networks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from common.lessons.detection import average_precision, evaluate_class, iou

__all__ = ["draw_iou_examples", "draw_detection_example"]

GT, TP, FP, DARK = "#2e8b3a", "#2f6aa3", "#d9541e", "#1f2a36"


def _box(ax, b, colour, ls="-", lw=2.0, alpha=1.0, fill=False):
    ax.add_patch(Rectangle((b[0], b[1]), b[2] - b[0], b[3] - b[1], fill=fill, ec=colour, lw=lw, ls=ls,
                           alpha=alpha, fc=colour if fill else "none"))


def draw_iou_examples(pairs: Sequence[tuple[Sequence[float], Sequence[float]]] | None = None) -> Figure:
    """Pairs of boxes with their intersection shaded and the IoU in the title. Chapter 6."""
    if pairs is None:
        pairs = [((0, 0, 10, 10), (6, 6, 16, 16)), ((0, 0, 10, 10), (3, 2, 13, 12)),
                 ((0, 0, 10, 10), (1, 1, 11, 10)), ((0, 0, 16, 16), (3, 3, 11, 11))]
    fig, axes = plt.subplots(1, len(pairs), figsize=(2.7 * len(pairs), 3.2), layout="constrained")
    for ax, (a, b) in zip(np.atleast_1d(axes), pairs):
        _box(ax, a, GT, lw=2.2)
        _box(ax, b, FP, ls="--", lw=2.2)
        x1, y1 = max(a[0], b[0]), max(a[1], b[1])
        x2, y2 = min(a[2], b[2]), min(a[3], b[3])
        if x2 > x1 and y2 > y1:
            _box(ax, (x1, y1, x2, y2), "#9b59b6", lw=0, alpha=0.35, fill=True)
        value = iou(a, b)
        verdict = "match at 0.5" if value >= 0.5 else "no match at 0.5"
        ax.set_title(f"IoU = {value:.2f}\n({verdict})", fontsize=10)
        lo = min(a[0], b[0], a[1], b[1]) - 2
        hi = max(a[2], b[2], a[3], b[3]) + 2
        ax.set_xlim(lo, hi)
        ax.set_ylim(hi, lo)
        ax.set_aspect("equal")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("x (pixels)")
    np.atleast_1d(axes)[0].set_ylabel("y (pixels)")
    handles = [Rectangle((0, 0), 1, 1, fill=False, ec=GT, lw=2, label="ground truth"),
               Rectangle((0, 0), 1, 1, fill=False, ec=FP, lw=2, ls="--", label="prediction"),
               Rectangle((0, 0), 1, 1, fc="#9b59b6", alpha=0.35, label="intersection")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    fig.suptitle("Intersection over union: shared area / combined area")
    return fig


def draw_detection_example(scene: Mapping[str, Mapping[str, object]], digits: Mapping[str, ArrayLike],
                           canvas_size: tuple[int, int] = (100, 180)) -> Figure:
    """Left: the scene with ground truth and scored predictions (TP solid, FP dashed). Right: PR curves.

    ``scene`` is :func:`common.lessons.detection.worked_example`; ``digits[c]`` holds one
    28 × 28 image per ground-truth box of class ``c``. Chapter 6.
    """
    canvas = np.zeros(canvas_size)
    for c, data in scene.items():
        for (x, y), img in zip(data["positions"], np.asarray(digits[c]).reshape(-1, 28, 28)):
            canvas[y:y + 28, x:x + 28] = np.maximum(canvas[y:y + 28, x:x + 28], img)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained",
                                      gridspec_kw=dict(width_ratios=(1.45, 1)))
    left.imshow(canvas, cmap="gray_r", extent=(0, canvas_size[1], canvas_size[0], 0))
    colours = {"7": TP, "3": "#8e44ad"}
    for c, data in scene.items():
        for g in data["gt_boxes"]:
            _box(left, g, GT, lw=2.5)
        result = evaluate_class(data["det_boxes"], data["scores"], data["gt_boxes"])
        m = result["matching"]
        for rank, k in enumerate(m.order):
            b = data["det_boxes"][k]
            ok = bool(m.tp[rank])
            _box(left, b, TP if ok else FP, ls="-" if ok else "--", lw=1.6)
            y, va = (b[3] + 0.5, "top") if ok else (b[1] - 0.5, "bottom")   # TP below, FP above
            left.text(b[0] + 0.5, y, f"{c}: {data['scores'][k]:.2f} {'TP' if ok else 'FP'}",
                      fontsize=7.5, va=va, color="white",
                      bbox=dict(boxstyle="square,pad=0.1", fc=TP if ok else FP, ec="none", alpha=0.85))
        p, r = result["precision"], result["recall"]
        envelope = np.maximum.accumulate(p[::-1])[::-1]          # best precision at this recall or beyond
        mrec, mpre = np.concatenate([[0], r]), np.concatenate([envelope[:1], envelope])
        right.plot(r, p, "o", color=colours.get(c, DARK), ms=6,
                   label=f"class {c}: (recall, precision) after each detection")
        right.step(mrec, mpre, where="pre", color=colours.get(c, DARK), lw=1.8,
                   label=f"class {c}: interpolated, AP = {result['ap']:.3f} "
                         f"(11-point {average_precision(p, r, '11point'):.3f})")
    left.set_xlabel("x (pixels)")
    left.set_ylabel("y (pixels)")
    left.set_title("Green: ground truth.  Blue: true positive.  Orange dashed: false positive", fontsize=10)
    right.set_xlim(0, 1.05)
    right.set_ylim(0, 1.1)
    right.set_xlabel("recall = TP / (ground-truth boxes)")
    right.set_ylabel("precision = TP / (detections so far)")
    right.legend(fontsize=8, loc="lower left")
    right.grid(alpha=0.3)
    right.set_title("Precision–recall per class; AP is the area under the step", fontsize=10)
    fig.suptitle("A worked detection example: three 7s and two 3s, eight scored boxes, IoU threshold 0.5")
    return fig
