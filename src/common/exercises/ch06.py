"""Self-checks for the exercises of chapter 6, Convolutional neural networks.

Each ``check_…`` takes your function, runs it on cases whose answers come from
the course library (:mod:`common.lessons.conv_arithmetic`, :mod:`common.layers`,
:mod:`common.lessons.detection`), prints one line per problem (``✓`` right, ``✗``
wrong, with the input, what you returned and what was expected) and returns
``True`` or ``False``. A check never raises: an unfinished stub (``raise
NotImplementedError``) or a crash in your code becomes a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from common.lessons.conv_arithmetic import conv_geometry, conv_macs, pool2d_naive
from common.lessons.detection import average_precision, iou, precision_recall
from common.exercises._checking import (
    BAD as _NO,
    OK as _OK,
    call as _call,
    name as _name,
    number as _number,
    verdict as _verdict,
)
from common.layers import Convolution

__all__ = [
    "check_output_size",
    "check_conv2d",
    "check_max_pool",
    "check_conv_cost",
    "check_iou",
    "check_average_precision",
]


def _shown(v: Any) -> str:
    """A returned value for a message: numbers as plain numbers (not ``np.float64(…)``)."""
    value = _number(v)
    if value is None:
        return repr(v)
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.4g}"


# --------------------------------------------------------------------- exercise 1
def check_output_size(fn: Callable) -> bool:
    """Exercise 1: ``fn(H, F, P, S)`` is ``(H + 2P − F) / S + 1``, or ``None`` when that is not a whole number ≥ 1."""
    cases = [(28, 5, 0, 1), (28, 3, 1, 1), (7, 3, 1, 2), (32, 5, 2, 1), (227, 11, 0, 4), (24, 2, 0, 2),
             (8, 3, 0, 2), (5, 7, 0, 1), (6, 4, 0, 3), (4, 4, 0, 1)]
    wrong: list[str] = []
    for h, f, p, s in cases:
        ok, got = _call(fn, h, f, p, s)
        if not ok:
            print(f"{_NO} {got}")
            return False
        g = conv_geometry(h, f, p, s)
        want = g.out_size if g.exact else None
        call = f"{_name(fn)}(H={h}, F={f}, P={p}, S={s})"
        if want is None:
            if got is not None:
                why = ("the filter does not fit" if not g.fits
                       else f"(H + 2P − F) = {g.span} is not divisible by S = {s}")
                wrong.append(f"{call} returned {_shown(got)}, expected None: {why}")
            continue
        value = _number(got)
        if value is None or value != want:
            hint = ""
            if value is not None and value == want - 1:
                hint = " (did you forget the + 1?)"
            elif value is not None and value == (h + p - f) // s + 1:
                hint = " (the padding is added on both sides: 2P)"
            wrong.append(f"{call} returned {_shown(got)}, expected {want}{hint}")
    return _verdict(wrong, len(cases), "All 10 sizes right, including three combinations that do not work (None).")


# --------------------------------------------------------------------- exercise 2
def check_conv2d(fn: Callable) -> bool:
    """Exercise 2: ``fn(x, W, b, stride, pad)`` is a convolution layer's forward pass, (N, FN, OH, OW)."""
    rng = np.random.default_rng(6)
    shapes = [((1, 1, 4, 4), (1, 1, 3, 3), 1, 0), ((2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
              ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1), ((1, 1, 6, 6), (2, 1, 2, 2), 2, 0)]
    wrong: list[str] = []
    for xs, ws, stride, pad in shapes:
        x, W, b = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
        ok, got = _call(fn, x.copy(), W.copy(), b.copy(), stride, pad)
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = Convolution(W, b, stride, pad).forward(x)
        where = f"x {xs}, W {ws}, stride {stride}, pad {pad}"
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            wrong.append(f"{where}: returned {got!r}, expected an array of shape {want.shape}")
            continue
        if arr.shape != want.shape:
            wrong.append(f"{where}: returned shape {arr.shape}, expected {want.shape} (N, FN, OH, OW)")
        elif not np.allclose(arr, want, atol=1e-8):
            flipped = Convolution(W[:, :, ::-1, ::-1].copy(), b, stride, pad).forward(x)
            if np.allclose(arr, want - b[None, :, None, None]):
                hint = ": the bias is missing"
            elif np.allclose(arr, flipped):
                hint = ": you flipped the filter (true convolution); CNN layers compute cross-correlation"
            else:
                hint = ""
            wrong.append(f"{where}: values differ from common.layers.Convolution (largest difference "
                         f"{np.abs(arr - want).max():.3g}){hint}")
    return _verdict(wrong, len(shapes), "Your convolution matches common.layers.Convolution, "
                                        "with several channels, filters, stride and padding.")


# --------------------------------------------------------------------- exercise 3
def check_max_pool(fn: Callable) -> bool:
    """Exercise 3: ``fn(x, size, stride)`` is max pooling of a batch (N, C, H, W) without padding."""
    rng = np.random.default_rng(8)
    cases = [((1, 1, 4, 4), 2, 2), ((2, 3, 6, 6), 2, 2), ((1, 2, 5, 5), 3, 1), ((2, 1, 6, 6), 3, 3)]
    wrong: list[str] = []
    for shape, size, stride in cases:
        x = rng.normal(size=shape)
        ok, got = _call(fn, x.copy(), size, stride)
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = pool2d_naive(x, size, stride, "max")
        where = f"x {shape}, size {size}, stride {stride}"
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            wrong.append(f"{where}: returned {got!r}, expected an array of shape {want.shape}")
            continue
        if arr.shape != want.shape:
            hint = " (pooling keeps the channels: C in, C out)" if arr.ndim == 4 and arr.shape[1] != shape[1] else ""
            wrong.append(f"{where}: returned shape {arr.shape}, expected {want.shape}{hint}")
        elif not np.allclose(arr, want):
            hint = ": that is average pooling" if np.allclose(arr, pool2d_naive(x, size, stride, "avg")) else ""
            wrong.append(f"{where}: values differ from the window maxima{hint}")
    return _verdict(wrong, len(cases), "Max pooling right for all 4 cases, including overlapping windows (stride 1).")


# --------------------------------------------------------------------- exercise 4
def check_conv_cost(fn: Callable) -> bool:
    """Exercise 4: ``fn(OH, OW, K, C, M)`` counts the multiply-accumulates ``OH·OW·K·K·C·M`` of one convolution."""
    cases = [(24, 24, 5, 1, 30), (28, 28, 3, 16, 16), (55, 55, 11, 3, 96), (1, 1, 1, 1, 1), (7, 7, 3, 64, 64)]
    wrong: list[str] = []
    for oh, ow, k, c, m in cases:
        ok, got = _call(fn, oh, ow, k, c, m)
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = conv_macs(oh, ow, k, c, m)
        value = _number(got)
        call = f"{_name(fn)}(OH={oh}, OW={ow}, K={k}, C={c}, M={m})"
        if value != want:
            hint = ""
            if value == oh * ow * k * c * m:
                hint = " (the filter is K × K: K appears twice)"
            elif value == oh * ow * k * k * m:
                hint = " (each filter spans all C input channels)"
            wrong.append(f"{call} returned {_shown(got)}, expected {want:,}{hint}")
    return _verdict(wrong, len(cases), "All 5 counts right: SimpleConvNet's convolution needs 432,000 "
                                       "multiply-accumulates per image.")


# --------------------------------------------------------------------- exercise 5
def check_iou(fn: Callable) -> bool:
    """Exercise 5: ``fn(a, b)`` is the intersection over union of two boxes ``(x1, y1, x2, y2)``."""
    cases = [((0, 0, 2, 2), (1, 1, 3, 3)), ((0, 0, 10, 10), (0, 0, 10, 10)), ((0, 0, 1, 1), (5, 5, 6, 6)),
             ((0, 0, 10, 10), (2, 2, 7, 7)), ((0, 0, 4, 2), (2, 0, 6, 2)), ((3, 1, 8, 9), (0, 4, 5, 6)),
             ((0, 0, 1, 1), (1, 0, 2, 1))]
    wrong: list[str] = []
    for a, b in cases:
        ok, got = _call(fn, np.array(a, dtype=float), np.array(b, dtype=float))
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = iou(a, b)
        value = _number(got)
        if value is None or not np.isclose(value, want):
            hint = ""
            if value is not None and value < 0:
                hint = " (disjoint boxes: clip the overlap's width and height at 0)"
            elif value is not None:
                inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
                area_a = (a[2] - a[0]) * (a[3] - a[1])
                area_b = (b[2] - b[0]) * (b[3] - b[1])
                if np.isclose(value, inter / (area_a + area_b)):
                    hint = " (the union counts the overlap once: subtract it)"
            wrong.append(f"{_name(fn)}({a}, {b}) returned {_shown(got)}, expected {want:.4g}{hint}")
    return _verdict(wrong, len(cases), "IoU right for all 7 pairs: overlapping, identical, disjoint, "
                                       "contained and touching boxes.")


# --------------------------------------------------------------------- exercise 6
def check_average_precision(fn: Callable) -> bool:
    """Exercise 6: ``fn(tp, n_gt)`` is the all-point interpolated AP of a ranked list of TP/FP flags."""
    cases = [([True, True, False, False, True], 3), ([True, False, True], 2), ([True] * 4, 4), ([False, False], 2),
             ([False, True, True, False, True, False], 5), ([True, True], 4)]
    wrong: list[str] = []
    for tp, n_gt in cases:
        ok, got = _call(fn, np.array(tp), n_gt)
        if not ok:
            print(f"{_NO} {got}")
            return False
        p, r = precision_recall(tp, n_gt)
        want = average_precision(p, r)
        value = _number(got)
        if value is None or not np.isclose(value, want):
            hint = ""
            if value is not None:
                raw = float(np.sum(np.diff(np.concatenate([[0], r])) * p))
                if np.isclose(value, raw):
                    hint = " (without the interpolation: use the best precision at this recall or beyond)"
                elif np.isclose(value, average_precision(p, r, "11point")):
                    hint = " (that is the 11-point AP; this exercise wants the all-point area)"
            flags = "".join("T" if v else "F" for v in tp)
            wrong.append(f"ranked {flags} with {n_gt} objects: returned {_shown(got)}, expected {want:.4g}{hint}")
    return _verdict(wrong, len(cases), "AP right on all 6 ranked lists.")
