"""Detection metrics (chapter 6): IoU, matching, precision/recall, AP (all-point and 11-point), mAP."""

from __future__ import annotations

import numpy as np
import pytest

from common.lessons.detection import (
    DETECTION_DATASETS,
    as_boxes,
    average_precision,
    box_area,
    coco_style_map,
    evaluate_class,
    iou,
    iou_matrix,
    match_detections,
    matching_rules_example,
    mean_average_precision,
    precision_recall,
    worked_example,
)


# ------------------------------------------------------------------------------ IoU
def test_iou_of_known_boxes():
    # overlap 1x1 = 1, union 4 + 4 - 1 = 7
    assert iou([0, 0, 2, 2], [1, 1, 3, 3]) == pytest.approx(1 / 7)
    # half overlap: 2x1 = 2, union 4 + 4 - 2 = 6
    assert iou([0, 0, 2, 2], [1, 0, 3, 2]) == pytest.approx(1 / 3)


def test_identical_disjoint_touching_and_contained_boxes():
    box = [10, 20, 30, 50]
    assert iou(box, box) == 1.0
    assert iou([0, 0, 1, 1], [5, 5, 6, 6]) == 0.0
    assert iou([0, 0, 1, 1], [1, 0, 2, 1]) == 0.0                  # touching edges: no area shared
    assert iou([0, 0, 10, 10], [2, 2, 7, 7]) == pytest.approx(25 / 100)   # contained: inner / outer area
    assert iou([0, 0, 0, 0], [0, 0, 0, 0]) == 0.0                  # degenerate boxes do not divide by zero


def test_iou_is_symmetric_and_scale_invariant():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, (20, 2))
    wh = rng.uniform(1, 30, (20, 2))
    boxes = np.hstack([xy, xy + wh])
    m = iou_matrix(boxes, boxes)
    np.testing.assert_allclose(m, m.T)
    np.testing.assert_allclose(np.diag(m), 1.0)
    np.testing.assert_allclose(iou_matrix(3 * boxes, 3 * boxes), m)
    assert np.all((m >= 0) & (m <= 1))


def test_box_checks():
    assert as_boxes([]).shape == (0, 4)
    assert box_area([[0, 0, 2, 3], [1, 1, 2, 2]]).tolist() == [6, 1]
    with pytest.raises(ValueError, match="x2 < x1"):
        as_boxes([5, 0, 1, 3])
    with pytest.raises(ValueError, match=r"\(K, 4\)"):
        as_boxes([1, 2, 3])
    with pytest.raises(ValueError, match="single boxes"):
        iou([[0, 0, 1, 1], [0, 0, 2, 2]], [0, 0, 1, 1])


# ------------------------------------------------------------------------- matching
def test_matching_marks_duplicates_and_misses():
    gt = [[0, 0, 10, 10], [20, 0, 30, 10]]
    det = [[0, 0, 10, 10], [1, 0, 11, 10], [40, 40, 50, 50], [20, 0, 30, 10]]
    m = match_detections(det, [0.9, 0.8, 0.7, 0.6], gt)
    assert m.tp.tolist() == [True, False, False, True]      # the second box on object 0 is a duplicate
    assert m.matched_gt.tolist() == [0, -1, -1, 1]
    assert m.order.tolist() == [0, 1, 2, 3]


def test_matching_sorts_by_score_and_respects_images():
    gt = [[0, 0, 10, 10]]
    det = [[0, 0, 10, 10], [0, 0, 10, 10]]
    m = match_detections(det, [0.2, 0.9], gt, det_images=[0, 1], gt_images=[0])
    assert m.order.tolist() == [1, 0]
    assert m.tp.tolist() == [False, True]     # the higher-scored box is in another image


def test_voc_and_coco_matching_rules_differ_on_overlapping_objects():
    ex = matching_rules_example()
    voc = match_detections(ex["det_boxes"], ex["scores"], ex["gt_boxes"], rule="voc")
    coco = match_detections(ex["det_boxes"], ex["scores"], ex["gt_boxes"], rule="coco")
    # the second box overlaps the taken A best (IoU 2/3) and the free B enough (7/13)
    assert voc.best_iou[1] == pytest.approx(2 / 3)
    assert iou(ex["det_boxes"][1], ex["gt_boxes"][1]) == pytest.approx(7 / 13)
    assert voc.tp.tolist() == [True, False] and voc.matched_gt.tolist() == [0, -1]      # VOC: a duplicate of A
    assert coco.tp.tolist() == [True, True] and coco.matched_gt.tolist() == [0, 1]      # COCO: takes the free B
    with pytest.raises(ValueError, match="rule"):
        match_detections(ex["det_boxes"], ex["scores"], ex["gt_boxes"], rule="pascal")


def test_rules_agree_without_overlapping_ground_truth():
    ex = worked_example()
    for data in ex.values():
        voc, coco = (match_detections(data["det_boxes"], data["scores"], data["gt_boxes"], rule=r)
                     for r in ("voc", "coco"))
        assert voc.tp.tolist() == coco.tp.tolist()


def test_threshold_decides():
    gt, det = [[0, 0, 10, 10]], [[3, 0, 13, 10]]        # IoU = 70 / 130 ≈ 0.54
    assert match_detections(det, [1.0], gt, 0.5).tp.tolist() == [True]
    assert match_detections(det, [1.0], gt, 0.75).tp.tolist() == [False]


# ------------------------------------------------------------------------------- AP
def test_precision_recall_of_a_ranked_list():
    p, r = precision_recall([True, False, True, False], n_gt=4)
    np.testing.assert_allclose(p, [1, 0.5, 2 / 3, 0.5])
    np.testing.assert_allclose(r, [0.25, 0.25, 0.5, 0.5])
    with pytest.raises(ValueError):
        precision_recall([True, True], n_gt=1)


def test_average_precision_hand_computed():
    # ranked TP, TP, FP, FP, TP with 3 objects: precision 1, 1, 2/3, 1/2, 3/5; recall 1/3, 2/3, 2/3, 2/3, 1
    p, r = precision_recall([True, True, False, False, True], n_gt=3)
    assert average_precision(p, r) == pytest.approx(1 / 3 + 1 / 3 + 0.6 / 3)          # 13/15
    assert average_precision(p, r, "11point") == pytest.approx((7 * 1 + 4 * 0.6) / 11)


def test_average_precision_extremes():
    p, r = precision_recall([True] * 5, n_gt=5)
    assert average_precision(p, r) == 1.0 and average_precision(p, r, "11point") == 1.0
    p, r = precision_recall([False] * 5, n_gt=5)
    assert average_precision(p, r) == 0.0
    p, r = precision_recall([True, True], n_gt=4)       # never reaches recall above 0.5
    assert average_precision(p, r) == pytest.approx(0.5)
    assert average_precision(p, r, "11point") == pytest.approx(6 / 11)
    assert average_precision(p, r, "101point") == pytest.approx(51 / 101)   # recall 0, 0.01, …, 0.5
    assert average_precision([], []) == 0.0
    with pytest.raises(ValueError):
        average_precision(p, r, "101")


def test_interpolation_uses_best_precision_to_the_right():
    # the FP at rank 2 dips precision; the envelope fills the dip
    p, r = precision_recall([True, False, True], n_gt=2)
    assert average_precision(p, r) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)


# -------------------------------------------------------------------------- mAP
def test_map_over_classes():
    per_class = {
        "a": {"det_boxes": [[0, 0, 10, 10]], "scores": [0.9], "gt_boxes": [[0, 0, 10, 10]]},
        "b": {"det_boxes": [[50, 50, 60, 60]], "scores": [0.9], "gt_boxes": [[0, 0, 10, 10]]},
        "c": {"det_boxes": [[0, 0, 1, 1]], "scores": [0.1], "gt_boxes": []},    # no ground truth: left out
    }
    m, aps = mean_average_precision(per_class)
    assert aps["a"] == 1.0 and aps["b"] == 0.0 and np.isnan(aps["c"])
    assert m == 0.5


def test_worked_example_of_the_chapter():
    ex = worked_example()
    r7 = evaluate_class(ex["7"]["det_boxes"], ex["7"]["scores"], ex["7"]["gt_boxes"])
    assert r7["matching"].tp.tolist() == [True, True, False, False, True]
    assert r7["ap"] == pytest.approx(13 / 15)
    r3 = evaluate_class(ex["3"]["det_boxes"], ex["3"]["scores"], ex["3"]["gt_boxes"])
    assert r3["matching"].tp.tolist() == [True, False, True]
    assert r3["ap"] == pytest.approx(5 / 6)
    m, _ = mean_average_precision(ex)
    assert m == pytest.approx(0.85)
    assert coco_style_map(ex) < m        # stricter thresholds can only lower AP
    assert mean_average_precision(ex, 0.5, "101point", "coco")[0] == pytest.approx(
        np.mean([average_precision(*precision_recall(tp, n), "101point")
                 for tp, n in (([True, True, False, False, True], 3), ([True, False, True], 2))]))


def test_dataset_table_sums():
    by_name = {d["name"]: d for d in DETECTION_DATASETS}
    assert by_name["PASCAL VOC 2012"]["images"] == 5_717 + 5_823
    assert by_name["ILSVRC 2017 (detection)"]["images"] == 456_567 + 20_121
    assert by_name["MS COCO 2017/2018"]["images"] == 118_287 + 5_000
    assert by_name["Open Images Challenge 2018"]["boxes"] == 11_498_734 + 696_410
    for d in DETECTION_DATASETS:
        assert 1 <= d["boxes"] / d["images"] < 8
