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
from matplotlib.ticker import MultipleLocator
from numpy.typing import ArrayLike

from common.lessons.detection import evaluate_class, iou

__all__ = ["draw_iou_examples", "draw_detection_scene", "draw_precision_recall"]

GT, TP, FP, DARK = "#009E73", "#0072B2", "#D55E00", "#1f2a36"    # Okabe–Ito green, blue, vermillion
CLASS_STYLE = {"7": (TP, "o", "-"), "3": ("#CC79A7", "s", "--")}   # colour, marker, line style per class


def _box(ax, b, colour, ls="-", lw=2.0, alpha=1.0, fill=False):
    ax.add_patch(Rectangle((b[0], b[1]), b[2] - b[0], b[3] - b[1], fill=fill, ec=colour, lw=lw, ls=ls,
                           alpha=alpha, fc=colour if fill else "none"))


def draw_iou_examples(pairs: Sequence[tuple[Sequence[float], Sequence[float]]] | None = None) -> Figure:
    """Pairs of boxes with their intersection shaded and the IoU in the title. Chapter 6."""
    if pairs is None:
        pairs = [((0, 0, 10, 10), (6, 6, 16, 16)), ((0, 0, 10, 10), (3, 2, 13, 12)),
                 ((0, 0, 10, 10), (1, 1, 11, 10)), ((0, 0, 16, 16), (3, 3, 11, 11))]
    fig, axes = plt.subplots(1, len(pairs), figsize=(9, 3.7), layout="constrained", sharey=False)
    for ax, (a, b) in zip(np.atleast_1d(axes), pairs):
        _box(ax, a, GT, lw=2.5)
        _box(ax, b, FP, ls="--", lw=2.5)
        x1, y1 = max(a[0], b[0]), max(a[1], b[1])
        x2, y2 = min(a[2], b[2]), min(a[3], b[3])
        if x2 > x1 and y2 > y1:
            _box(ax, (x1, y1, x2, y2), "#CC79A7", lw=0, alpha=0.45, fill=True)
        value = iou(a, b)
        ax.set_title(f"IoU = {value:.2f}\n{'match' if value >= 0.5 else 'no match'} at 0.5")
        lo = min(a[0], b[0], a[1], b[1]) - 2
        hi = max(a[2], b[2], a[3], b[3]) + 2
        ax.set_xlim(lo, hi)
        ax.set_ylim(hi, lo)
        ax.set_aspect("equal")
        ax.xaxis.set_major_locator(MultipleLocator(10))
        ax.yaxis.set_major_locator(MultipleLocator(10))
        ax.set_xlabel("x (px)")
    np.atleast_1d(axes)[0].set_ylabel("y (px)")
    handles = [Rectangle((0, 0), 1, 1, fill=False, ec=GT, lw=2, label="ground truth"),
               Rectangle((0, 0), 1, 1, fill=False, ec=FP, lw=2, ls="--", label="prediction"),
               Rectangle((0, 0), 1, 1, fc="#CC79A7", alpha=0.45, label="intersection")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    fig.suptitle("Intersection over union: shared area / combined area")
    return fig


def draw_detection_scene(scene: Mapping[str, Mapping[str, object]], digits: Mapping[str, ArrayLike],
                         canvas_size: tuple[int, int] = (100, 180), rule: str = "voc") -> Figure:
    """The worked example's canvas: ground truth, and each scored box marked TP (solid) or FP (dashed).

    ``scene`` is :func:`common.lessons.detection.worked_example`; ``digits[c]``
    holds one 28 × 28 image per ground-truth box of class ``c``; ``rule`` is
    the matching rule. Introduced in chapter 6, Convolutional neural networks.
    """
    canvas = np.zeros(canvas_size)
    for c, data in scene.items():
        for (x, y), img in zip(data["positions"], np.asarray(digits[c]).reshape(-1, 28, 28)):
            canvas[y:y + 28, x:x + 28] = np.maximum(canvas[y:y + 28, x:x + 28], img)
    fig, ax = plt.subplots(figsize=(9, 5.6), layout="constrained")
    ax.imshow(canvas, cmap="gray_r", extent=(0, canvas_size[1], canvas_size[0], 0), vmax=2.5)
    for c, data in scene.items():
        for g in data["gt_boxes"]:
            _box(ax, g, GT, lw=3)
        m = evaluate_class(data["det_boxes"], data["scores"], data["gt_boxes"], rule=rule)["matching"]
        for rank, k in enumerate(m.order):
            b = data["det_boxes"][k]
            ok = bool(m.tp[rank])
            _box(ax, b, TP if ok else FP, ls="-" if ok else "--", lw=2)
            y, va = (b[3] + 0.8, "top") if ok else (b[1] - 0.8, "bottom")   # TP below, FP above
            ax.text(b[0], y, f"{c}: {data['scores'][k]:.2f} {'TP' if ok else 'FP'}", fontsize=12, va=va,
                    color="white", bbox=dict(boxstyle="square,pad=0.12", fc=TP if ok else FP, ec="none"))
    ax.set_xlim(0, canvas_size[1])
    ax.set_ylim(canvas_size[0] + 8, -8)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    handles = [Rectangle((0, 0), 1, 1, fill=False, ec=GT, lw=3, label="ground truth"),
               Rectangle((0, 0), 1, 1, fill=False, ec=TP, lw=2, label="true positive"),
               Rectangle((0, 0), 1, 1, fill=False, ec=FP, lw=2, ls="--", label="false positive")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    fig.suptitle("Three 7s and two 3s, eight scored boxes, IoU threshold 0.5")
    return fig


def draw_precision_recall(scene: Mapping[str, Mapping[str, object]], rule: str = "voc") -> Figure:
    """Precision–recall points of each class and the interpolated step whose area is AP. Chapter 6."""
    fig, ax = plt.subplots(figsize=(9, 4.6), layout="constrained")
    for c, data in scene.items():
        colour, marker, ls = CLASS_STYLE.get(c, (DARK, "^", ":"))
        result = evaluate_class(data["det_boxes"], data["scores"], data["gt_boxes"], rule=rule)
        p, r = result["precision"], result["recall"]
        envelope = np.maximum.accumulate(p[::-1])[::-1]          # best precision at this recall or beyond
        mrec, mpre = np.concatenate([[0], r]), np.concatenate([envelope[:1], envelope])
        ax.plot(r, p, marker, color=colour, ms=9, mfc="none", mew=2, label=f"class {c}: after each detection")
        ax.step(mrec, mpre, where="pre", color=colour, ls=ls, lw=2.2,
                label=f"class {c}: interpolated, AP = {result['ap']:.3f}")
    ax.set_xlim(0, 1.03)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("recall = TP / ground-truth boxes")
    ax.set_ylabel("precision = TP / detections")
    ax.legend(loc="lower left", fontsize=11.5)
    ax.grid(alpha=0.3)
    ax.set_title("Precision–recall per class; AP is the area under the step")
    return fig
