"""Evaluating object detectors: IoU, matching, precision and recall, AP and mAP.

Introduced in chapter 6, Convolutional neural networks (Beyond classification).
A detector outputs boxes, each with a class and a confidence score. A box is
``(x1, y1, x2, y2)``: the top-left and bottom-right corners in pixels, with
``x2 > x1`` and ``y2 > y1`` (PASCAL VOC's convention, without its +1).

The evaluation of one class:

1. sort the detections by score, highest first;
2. walk down the list and match each detection to a ground-truth box of its
   image, or mark it a false positive (FP). Two rules are in use
   (:func:`match_detections`, ``rule=``):

   - PASCAL VOC (its devkit, 2007 to 2012): take the ground-truth box with the
     highest IoU, *taken or not*. If that IoU reaches the threshold (0.5) and
     the box is still free, the detection is a true positive (TP) and takes it;
     if the box was already taken, the detection is a duplicate: FP, even when
     another free box overlaps it enough;
   - COCO (``pycocotools``): take the best box *among those not yet taken*
     whose IoU reaches the threshold; FP only if there is none;

3. after each detection, precision = TP / (TP + FP) so far and
   recall = TP / (number of ground-truth boxes);
4. AP is the area under the precision–recall curve after making precision
   non-increasing (each point takes the best precision at any higher recall):
   ``method="all"`` integrates that curve exactly (VOC 2010 onwards),
   ``method="11point"`` averages it at recall 0, 0.1, …, 1 (VOC 2007) and
   ``method="101point"`` at recall 0, 0.01, …, 1 (COCO).

mAP is the mean of the per-class APs. COCO's headline number averages mAP
over ten IoU thresholds 0.50, 0.55, …, 0.95 (:func:`coco_style_map`).
The two rules differ only when boxes of one class overlap each other
(:func:`matching_rules_example`). VOC's "difficult" objects and COCO's
crowd regions and size ranges are left out here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DETECTION_DATASETS",
    "as_boxes",
    "box_area",
    "iou",
    "iou_matrix",
    "Matching",
    "match_detections",
    "precision_recall",
    "average_precision",
    "evaluate_class",
    "mean_average_precision",
    "coco_style_map",
    "worked_example",
    "matching_rules_example",
]

DETECTION_DATASETS: list[dict[str, object]] = [
    {"name": "PASCAL VOC 2012", "classes": 20, "images": 11_540, "boxes": 27_450, "size": "470 × 380"},
    {"name": "ILSVRC 2017 (detection)", "classes": 200, "images": 476_688, "boxes": 534_309, "size": "500 × 400"},
    {"name": "MS COCO 2017/2018", "classes": 80, "images": 123_287, "boxes": 896_782, "size": "640 × 480"},
    {"name": "Open Images Challenge 2018", "classes": 500, "images": 1_743_042, "boxes": 12_195_144, "size": "varied"},
]
"""Training + validation images and boxes of the four standard detection benchmarks.

From Liu et al., "Deep learning for generic object detection: a survey", IJCV
128 (2020), Table 3, whose train and validation columns these sums are; the
survey's own ILSVRC total, 476,668, does not match its columns
(456,567 + 20,121 = 476,688). VOC counts exclude objects marked difficult.
Sizes are typical image sizes in pixels. Introduced in chapter 6.
"""


def as_boxes(boxes: ArrayLike, name: str = "boxes") -> NDArray[np.float64]:
    """``boxes`` as a float array (K, 4) of ``(x1, y1, x2, y2)``, or a ``ValueError`` saying what is wrong.

    A single box ``(4,)`` becomes ``(1, 4)``; an empty list becomes ``(0, 4)``.
    Introduced in chapter 6, Convolutional neural networks.
    """
    b = np.asarray(boxes, dtype=np.float64)
    if b.size == 0:
        return b.reshape(0, 4)
    if b.ndim == 1:
        b = b[np.newaxis]
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"{name} must be (x1, y1, x2, y2) or an array of shape (K, 4), got shape {b.shape}")
    if not np.all(np.isfinite(b)):
        raise ValueError(f"{name} contain NaN or infinity")
    bad = (b[:, 2] < b[:, 0]) | (b[:, 3] < b[:, 1])
    if np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{k}] = {b[k].tolist()} has x2 < x1 or y2 < y1; "
                         "boxes are (x1, y1, x2, y2) with the top-left corner first")
    return b


def box_area(boxes: ArrayLike) -> NDArray[np.float64]:
    """Area ``(x2 - x1) · (y2 - y1)`` of each box. Introduced in chapter 6."""
    b = as_boxes(boxes)
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def iou_matrix(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """Intersection over union of every box in ``a`` (K, 4) with every box in ``b`` (M, 4): (K, M).

    ``area(A ∩ B) / area(A ∪ B)``: 1 for identical boxes, 0 for disjoint ones
    (or boxes that only touch). Two empty boxes give 0. Introduced in chapter 6.
    """
    a, b = as_boxes(a, "a"), as_boxes(b, "b")
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def iou(a: ArrayLike, b: ArrayLike) -> float:
    """Intersection over union of two boxes ``(x1, y1, x2, y2)``. Introduced in chapter 6."""
    a, b = as_boxes(a, "a"), as_boxes(b, "b")
    if len(a) != 1 or len(b) != 1:
        raise ValueError("iou compares two single boxes; use iou_matrix for sets of boxes")
    return float(iou_matrix(a, b)[0, 0])


@dataclass
class Matching:
    """Result of :func:`match_detections` for one class, detections in descending score order.

    ``order``: indices into the original detections, by descending score;
    ``tp``: True where that detection is a true positive; ``matched_gt``: the
    ground-truth index it matched (−1 for a false positive); ``best_iou``: its
    highest IoU with any ground-truth box of its image; ``n_gt``: ground-truth
    boxes of the class. Introduced in chapter 6.
    """

    order: NDArray[np.int64]
    scores: NDArray[np.float64]
    tp: NDArray[np.bool_]
    matched_gt: NDArray[np.int64]
    best_iou: NDArray[np.float64]
    n_gt: int


def match_detections(
    det_boxes: ArrayLike,
    scores: ArrayLike,
    gt_boxes: ArrayLike,
    iou_threshold: float = 0.5,
    det_images: ArrayLike | None = None,
    gt_images: ArrayLike | None = None,
    rule: str = "voc",
) -> Matching:
    """Mark each detection of one class TP or FP by greedy matching in descending score order.

    ``rule="voc"`` (PASCAL VOC's devkit): the detection looks at the
    ground-truth box (in the same image, if ``det_images``/``gt_images`` give
    image ids) with which its IoU is highest; it is a TP if that IoU is at
    least ``iou_threshold`` and the box is still free, else an FP (a duplicate
    when the box was taken). ``rule="coco"`` (``pycocotools``): the detection
    takes the free box with the highest IoU among those at or above the
    threshold, and is an FP only when there is none. Each ground-truth box is
    matched once. Ties in score keep the input order. Introduced in chapter 6.
    """
    if rule not in ("voc", "coco"):
        raise ValueError(f"rule must be 'voc' or 'coco', got {rule!r}")
    det, gt = as_boxes(det_boxes, "det_boxes"), as_boxes(gt_boxes, "gt_boxes")
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(scores) != len(det):
        raise ValueError(f"{len(det)} detections but {len(scores)} scores")
    if not 0 <= iou_threshold <= 1:
        raise ValueError(f"iou_threshold must be in [0, 1], got {iou_threshold}")
    d_img = np.zeros(len(det), dtype=np.int64) if det_images is None else np.asarray(det_images).reshape(-1)
    g_img = np.zeros(len(gt), dtype=np.int64) if gt_images is None else np.asarray(gt_images).reshape(-1)
    if len(d_img) != len(det) or len(g_img) != len(gt):
        raise ValueError("det_images and gt_images need one image id per box")
    order = np.argsort(-scores, kind="stable")
    ious = iou_matrix(det, gt) if len(gt) else np.zeros((len(det), 0))
    same_image = d_img[:, None] == g_img[None, :]
    ious = np.where(same_image, ious, -1.0)              # boxes of other images never match
    taken = np.zeros(len(gt), dtype=bool)
    tp = np.zeros(len(det), dtype=bool)
    matched = np.full(len(det), -1, dtype=np.int64)
    best = np.zeros(len(det))
    for rank, k in enumerate(order):
        row = ious[k]
        best[rank] = max(row.max(), 0.0) if row.size else 0.0
        if not row.size:
            continue
        candidates = row if rule == "voc" else np.where(taken, -1.0, row)
        g = int(np.argmax(candidates))
        if candidates[g] >= iou_threshold and not taken[g]:
            taken[g] = True
            tp[rank] = True
            matched[rank] = g
    return Matching(order, scores[order], tp, matched, best, len(gt))


def precision_recall(tp: ArrayLike, n_gt: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Precision and recall after each detection of a ranked list of TP (True) / FP (False) flags.

    ``precision[k] = TP_k / (k + 1)``, ``recall[k] = TP_k / n_gt``. With no
    ground truth, recall is 0 throughout. Introduced in chapter 6.
    """
    tp = np.asarray(tp, dtype=bool).reshape(-1)
    if n_gt < 0:
        raise ValueError(f"n_gt must be >= 0, got {n_gt}")
    if n_gt < tp.sum():
        raise ValueError(f"{int(tp.sum())} true positives but only {n_gt} ground-truth boxes")
    cum_tp = np.cumsum(tp)
    ranks = np.arange(1, len(tp) + 1)
    precision = cum_tp / ranks
    recall = cum_tp / n_gt if n_gt else np.zeros(len(tp))
    return precision.astype(np.float64), recall.astype(np.float64)


def average_precision(precision: ArrayLike, recall: ArrayLike, method: str = "all") -> float:
    """Area under the precision–recall curve, with precision made non-increasing first.

    ``method="all"`` (VOC 2010+, the default): sum of (recall step) × (best
    precision at that recall or beyond) over the points where recall grows.
    ``method="11point"`` (VOC 2007): mean over r = 0, 0.1, …, 1 of the best
    precision at recall ≥ r (0 if recall never reaches r); ``method="101point"``
    (COCO): the same over r = 0, 0.01, …, 1. Introduced in chapter 6.
    """
    p = np.asarray(precision, dtype=np.float64).reshape(-1)
    r = np.asarray(recall, dtype=np.float64).reshape(-1)
    if p.shape != r.shape:
        raise ValueError(f"precision and recall must have the same length, got {p.size} and {r.size}")
    if p.size and (np.any(np.diff(r) < -1e-12)):
        raise ValueError("recall must not decrease along a ranked list; pass the arrays of precision_recall")
    if method in ("11point", "101point"):
        points = []
        for t in np.linspace(0, 1, 11 if method == "11point" else 101):
            mask = r >= t - 1e-12
            points.append(p[mask].max() if mask.any() else 0.0)
        return float(np.mean(points))
    if method != "all":
        raise ValueError(f"method must be 'all', '11point' or '101point', got {method!r}")
    mrec = np.concatenate([[0.0], r, [1.0]])
    mpre = np.concatenate([[0.0], p, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]           # envelope: best precision to the right
    steps = np.flatnonzero(mrec[1:] != mrec[:-1])
    return float(np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1]))


def evaluate_class(det_boxes: ArrayLike, scores: ArrayLike, gt_boxes: ArrayLike, iou_threshold: float = 0.5,
                   method: str = "all", det_images: ArrayLike | None = None,
                   gt_images: ArrayLike | None = None, rule: str = "voc") -> dict[str, object]:
    """Match (``rule`` "voc" or "coco"), then precision, recall and AP for one class, as a dict.

    Introduced in chapter 6, Convolutional neural networks.
    """
    m = match_detections(det_boxes, scores, gt_boxes, iou_threshold, det_images, gt_images, rule)
    precision, recall = precision_recall(m.tp, m.n_gt)
    ap = average_precision(precision, recall, method) if m.n_gt else float("nan")
    return {"matching": m, "precision": precision, "recall": recall, "ap": ap}


def mean_average_precision(per_class: Mapping[object, Mapping[str, ArrayLike]], iou_threshold: float = 0.5,
                           method: str = "all", rule: str = "voc") -> tuple[float, dict[object, float]]:
    """mAP over classes: ``per_class[c]`` holds ``det_boxes``, ``scores``, ``gt_boxes`` (and image ids).

    Classes without ground truth are left out of the mean (their AP is
    undefined), as in PASCAL VOC. The defaults are PASCAL VOC 2010's (its
    matching rule, all-point AP, IoU 0.5). Returns ``(mAP, {class: AP})``.
    Introduced in chapter 6.
    """
    aps: dict[object, float] = {}
    for c, data in per_class.items():
        result = evaluate_class(data["det_boxes"], data["scores"], data["gt_boxes"], iou_threshold, method,
                                data.get("det_images"), data.get("gt_images"), rule)
        aps[c] = float(result["ap"])
    defined = [v for v in aps.values() if not np.isnan(v)]
    if not defined:
        raise ValueError("no class has ground-truth boxes, so mAP is undefined")
    return float(np.mean(defined)), aps


def coco_style_map(per_class: Mapping[object, Mapping[str, ArrayLike]],
                   thresholds: Sequence[float] = tuple(np.round(np.arange(0.5, 0.951, 0.05), 2))) -> float:
    """COCO's "AP": mAP averaged over IoU thresholds 0.50 … 0.95, COCO's matching, 101-point AP.

    Crowd regions, size ranges and the limit of 100 detections per image of
    ``pycocotools`` are left out. Introduced in chapter 6, Convolutional neural networks.
    """
    return float(np.mean([mean_average_precision(per_class, t, "101point", "coco")[0] for t in thresholds]))


def _shift(box: tuple[float, float, float, float], dx: float, dy: float) -> list[float]:
    return [box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy]


def worked_example() -> dict[str, dict[str, object]]:
    """The chapter's hand-made detection scene: a 180 × 100 canvas with three 7s and two 3s.

    Each class has ``gt_boxes`` (the 28 × 28 frames the digits are pasted into,
    ``positions`` of their top-left corners), ``det_boxes`` with ``scores``, and
    ``notes`` saying what each detection is meant to show (a good hit, a
    duplicate, a box on the background, a badly placed box). By hand, with IoU
    threshold 0.5: AP(7) = 13/15 ≈ 0.867, AP(3) = 5/6 ≈ 0.833, mAP = 0.85.
    Introduced in chapter 6, Convolutional neural networks.
    """
    s = 28
    pos7, pos3 = [(10, 10), (70, 56), (140, 12)], [(75, 8), (12, 60)]
    gt7 = [(x, y, x + s, y + s) for x, y in pos7]
    gt3 = [(x, y, x + s, y + s) for x, y in pos3]
    return {
        "7": {
            "positions": pos7,
            "gt_boxes": np.array(gt7, dtype=float),
            "det_boxes": np.array([_shift(gt7[0], 2, 2), _shift(gt7[1], 4, 3), _shift(gt7[0], 4, -3),
                                   [105, 60, 133, 88], _shift(gt7[2], 3, 2)]),
            "scores": np.array([0.95, 0.90, 0.80, 0.60, 0.40]),
            "notes": ["good hit", "good hit", "second box on the first 7 (duplicate)",
                      "nothing there (background)", "good hit, low score"],
        },
        "3": {
            "positions": pos3,
            "gt_boxes": np.array(gt3, dtype=float),
            "det_boxes": np.array([_shift(gt3[0], 2, 1), _shift(gt3[1], 14, -12), _shift(gt3[1], 2, 2)]),
            "scores": np.array([0.85, 0.70, 0.50]),
            "notes": ["good hit", "badly placed (IoU too low)", "good hit"],
        },
    }


def matching_rules_example() -> dict[str, object]:
    """Two overlapping objects of one class where the VOC and COCO matching rules disagree.

    Ground truth A = (0, 0, 10, 10) and B = (5, 0, 15, 10) overlap by half.
    The first detection sits on A; the second, (2, 0, 12, 10), overlaps A best
    (IoU 2/3) but B enough (IoU 7/13 ≈ 0.54). VOC calls it a duplicate of A
    (FP); COCO gives it the free box B (TP). Introduced in chapter 6.
    """
    return {"gt_boxes": np.array([[0, 0, 10, 10], [5, 0, 15, 10]], dtype=float),
            "det_boxes": np.array([[0, 0, 10, 10], [2, 0, 12, 10]], dtype=float),
            "scores": np.array([0.9, 0.8])}
