"""Self-checks for the exercises of chapter 6, Convolutional neural networks.

Each ``check_…`` takes your function, runs it on cases whose answers come from
the course library (:mod:`common.lessons.conv_arithmetic`, :mod:`common.layers`,
:mod:`common.lessons.detection`), prints one line per problem (``✓`` right, ``✗``
wrong, with the input, what you returned and what was expected) and returns
``True`` or ``False``. A check never raises: an unfinished stub (``raise
NotImplementedError``) or a crash in your code becomes a message. Calling the
library function that a check compares against (``Convolution.forward`` for
exercise 2, ``col2im`` for exercise 5, …) is caught too: the point is to write
it yourself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from common import reference as _reference
from common.exercises._checking import (
    BAD as _NO,
    call as _call,
    name as _name,
    number as _number,
    shortcut as _shortcut,
    verdict as _verdict,
    watching as _watching,
)
from common.translation import N_, _
from common.im2col import col2im, col2im_t, conv_output_size, im2col, im2col_t
from common.layers import Convolution, Pooling
from common.lessons import architectures as _architectures
from common.lessons import conv_arithmetic as _arith
from common.lessons.conv_arithmetic import conv_geometry, conv_macs, pool2d_naive
from common.lessons.detection import average_precision, iou, iou_matrix, precision_recall

__all__ = [
    "check_conv1x1",
    "check_output_size",
    "check_conv2d",
    "check_conv_cost",
    "check_max_pool",
    "check_max_pool_backward",
    "check_col2im",
    "check_conv_backward",
    "check_iou",
    "check_average_precision",
]


def _calls(fn: Callable, cases: list[tuple], library: dict[str, Callable]) -> tuple[list, set[str]]:
    """Run ``fn`` on every case while watching ``library``; stop at the first crash or stub.

    Returns the ``(ok, value)`` pairs so far and the library functions ``fn`` called.
    """
    results = []
    with _watching(fn, library) as used:
        for args in cases:
            ok, got = _call(fn, *args)
            results.append((ok, got))
            if not ok:
                break
    return results, used


def _with_hint(plain: str, hinted: str, hint: str, **fields: Any) -> str:
    """``plain`` filled in, or ``hinted`` with the translated ``hint`` when there is one.

    Both are English messages marked with ``N_()``; a hint fills its own ``{hint}``
    placeholder rather than being glued onto the text, so a translator can move it.
    """
    if hint:
        return _(hinted).format(hint=hint, **fields)
    return _(plain).format(**fields)


def _as_array(got: Any) -> np.ndarray | None:
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None


def _shown(v: Any) -> str:
    """A returned value for a message: numbers as plain numbers (not ``np.float64(…)``)."""
    value = _number(v)
    if value is None:
        return repr(v)
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.4g}"


# --------------------------------------------------------------------- try it: 1×1 convolution
def check_conv1x1(fn: Callable) -> bool:
    """Try it (section 4): ``fn(x, W)`` is a 1×1 convolution, ``x`` (N, C, H, W), ``W`` (FN, C) → (N, FN, H, W)."""
    rng = np.random.default_rng(11)
    shapes = [((1, 3, 4, 4), 2), ((2, 4, 3, 5), 6), ((2, 5, 2, 2), 5)]
    cases, wants = [], []
    for xs, fn_out in shapes:
        x, W = rng.normal(size=xs), rng.normal(size=(fn_out, xs[1]))
        cases.append((x, W))
        wants.append(Convolution(W[:, :, None, None], np.zeros(fn_out)).forward(x))
    library = {"Convolution.forward": Convolution.forward, "reference.Convolution.forward":
               _reference.Convolution.forward, "conv2d_naive": _arith.conv2d_naive}
    results, used = _calls(fn, [(x.copy(), W.copy()) for x, W in cases], library)
    if _shortcut(fn, used, _("write the sum over channels with one matrix product (np.einsum or @)")):
        return False
    wrong: list[str] = []
    for (ok, got), (x, W), want in zip(results, cases, wants):
        if not ok:
            print(f"{_NO} {got}")
            return False
        case = f"x {x.shape}, W {W.shape}"
        arr = _as_array(got)
        if arr is None or arr.shape != want.shape:
            shape = None if arr is None else arr.shape
            wrong.append(_("{case}: returned shape {shape}, expected {want} (N, FN, H, W): the channels C are "
                           "summed away, each of the FN filters makes one map"
                           ).format(case=case, shape=shape, want=want.shape))
        elif not np.allclose(arr, want):
            hint = ""
            if W.shape[0] == W.shape[1] and np.allclose(arr, np.einsum("cf,nchw->nfhw", W, x)):
                hint = _("you used W transposed; W[f, c] weighs input channel c for output map f")
            wrong.append(_with_hint(N_("{case}: values differ (largest difference {diff})"),
                                    N_("{case}: values differ (largest difference {diff}): {hint}"), hint,
                                    case=case, diff=f"{np.abs(arr - want).max():.3g}"))
    return _verdict(wrong, len(cases), _("Your 1×1 convolution matches common.layers.Convolution: "
                                         "at every pixel, the FN outputs mix the C input channels."))


# --------------------------------------------------------------------- exercise 1
_SIZE_CASES = [(28, 5, 0, 1), (28, 3, 1, 1), (7, 3, 1, 2), (32, 5, 2, 1), (227, 11, 0, 4), (24, 2, 0, 2),
               (8, 3, 0, 2), (5, 7, 0, 1), (6, 4, 0, 3), (4, 4, 0, 1), (9, 2, 0, 2), (4, 5, 0, 2)]


def check_output_size(fn: Callable) -> bool:
    """Exercise 1: ``fn(H, F, P, S)`` is ``⌊(H + 2P − F) / S⌋ + 1``, rounded down like the layers, or ``None``
    when the filter does not fit in the padded input."""
    library = {"conv_output_size": conv_output_size, "conv_geometry": conv_geometry,
               "conv_layer_cost": _arith.conv_layer_cost}
    results, used = _calls(fn, _SIZE_CASES, library)
    if _shortcut(fn, used, _("compute ⌊(H + 2P − F) / S⌋ + 1 yourself")):
        return False
    wrong: list[str] = []
    for (ok, got), (h, f, p, s) in zip(results, _SIZE_CASES):
        if not ok:
            print(f"{_NO} {got}")
            return False
        g = conv_geometry(h, f, p, s)
        call = f"{_name(fn)}(H={h}, F={f}, P={p}, S={s})"
        if not g.fits:
            if got is not None:
                wrong.append(_("{call} returned {got}, expected None: the {f}-wide filter does not fit in the "
                               "padded input of {size}").format(call=call, got=_shown(got), f=f, size=h + 2 * p))
            continue
        want = g.out_size
        value = _number(got)
        if value == want and isinstance(got, (float, np.floating)) and not float(got).is_integer():
            value = None
        if value is not None and value == want:
            continue
        hint, aside = "", ""
        if got is None:
            hint = (_("(H + 2P − F) = {span} is not divisible by S = {s}, but the layers round down (as the book "
                      "and PyTorch do) and leave the last {n} row unread; None only when the filter does not fit")
                    if g.unused == 1 else
                    _("(H + 2P − F) = {span} is not divisible by S = {s}, but the layers round down (as the book "
                      "and PyTorch do) and leave the last {n} rows unread; None only when the filter does not fit")
                    ).format(span=g.span, s=s, n=g.unused)
        elif value is None:
            hint = _("return a whole number")
        elif not float(value).is_integer():
            hint = _("round the division down to a whole number (//)")
        elif value == want + 1 and g.unused:
            hint = _("that rounds up; the layers round down (a last window that would stick out is left out)")
        elif value == want - 1:
            aside = _("did you forget the + 1?")
        elif value == (h + p - f) // s + 1:
            aside = _("the padding is added on both sides: 2P")
        fields = {"call": call, "got": _shown(got), "want": want}
        if aside:
            wrong.append(_("{call} returned {got}, expected {want} ({hint})").format(hint=aside, **fields))
        else:
            wrong.append(_with_hint(N_("{call} returned {got}, expected {want}"),
                                    N_("{call} returned {got}, expected {want}: {hint}"), hint, **fields))
    return _verdict(wrong, len(_SIZE_CASES), _("All 12 sizes right: rounded down where the stride does not divide, "
                                               "None where the filter does not fit."))


# --------------------------------------------------------------------- exercise 2
def check_conv2d(fn: Callable) -> bool:
    """Exercise 2: ``fn(x, W, b, stride, pad)`` is a convolution layer's forward pass, (N, FN, OH, OW)."""
    rng = np.random.default_rng(6)
    shapes = [((1, 1, 4, 4), (1, 1, 3, 3), 1, 0), ((2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
              ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1), ((1, 1, 6, 6), (2, 1, 2, 2), 2, 0)]
    cases = []
    for xs, ws, stride, pad in shapes:
        cases.append((rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0]), stride, pad))
    wants = [Convolution(W, b, stride, pad).forward(x) for x, W, b, stride, pad in cases]
    library = {"Convolution.forward": Convolution.forward,
               "reference.Convolution.forward": _reference.Convolution.forward,
               "conv2d_naive": _arith.conv2d_naive}
    results, used = _calls(fn, [(x.copy(), W.copy(), b.copy(), s, p) for x, W, b, s, p in cases], library)
    if _shortcut(fn, used, _("write the loops over the output positions yourself")):
        return False
    wrong: list[str] = []
    for (ok, got), (x, W, b, stride, pad), want in zip(results, cases, wants):
        if not ok:
            print(f"{_NO} {got}")
            return False
        case = f"x {x.shape}, W {W.shape}, stride {stride}, pad {pad}"
        arr = _as_array(got)
        if arr is None:
            wrong.append(_("{case}: returned {got}, expected an array of shape {want}"
                           ).format(case=case, got=repr(got), want=want.shape))
        elif arr.shape != want.shape:
            wrong.append(_("{case}: returned shape {shape}, expected {want} (N, FN, OH, OW)"
                           ).format(case=case, shape=arr.shape, want=want.shape))
        elif not np.allclose(arr, want, atol=1e-8):
            flipped = Convolution(W[:, :, ::-1, ::-1].copy(), b, stride, pad).forward(x)
            if np.allclose(arr, want - b[None, :, None, None]):
                hint = _("the bias is missing")
            elif np.allclose(arr, flipped):
                hint = _("you flipped the filter (true convolution); CNN layers compute cross-correlation")
            else:
                hint = ""
            wrong.append(_with_hint(N_("{case}: values differ from common.layers.Convolution (largest difference {diff})"),
                                    N_("{case}: values differ from common.layers.Convolution (largest difference "
                                    "{diff}): {hint}"), hint, case=case, diff=f"{np.abs(arr - want).max():.3g}"))
    return _verdict(wrong, len(cases), _("Your convolution matches common.layers.Convolution, "
                                         "with several channels, filters, stride and padding."))


# --------------------------------------------------------------------- exercise 3
def check_conv_cost(fn: Callable) -> bool:
    """Exercise 3: ``fn(OH, OW, K, C, M)`` counts the multiply-accumulates ``OH·OW·K·K·C·M`` of one convolution."""
    cases = [(24, 24, 5, 1, 30), (28, 28, 3, 16, 16), (55, 55, 11, 3, 96), (1, 1, 1, 1, 1), (7, 7, 3, 64, 64)]
    library = {"conv_macs": conv_macs, "conv_layer_cost": _arith.conv_layer_cost,
               "architectures.Conv.cost": _architectures.Conv.cost}
    results, used = _calls(fn, cases, library)
    if _shortcut(fn, used, _("multiply the sizes yourself")):
        return False
    wrong: list[str] = []
    for (ok, got), (oh, ow, k, c, m) in zip(results, cases):
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = conv_macs(oh, ow, k, c, m)
        value = _number(got)
        call = f"{_name(fn)}(OH={oh}, OW={ow}, K={k}, C={c}, M={m})"
        if value != want:
            hint = ""
            if value == oh * ow * k * c * m:
                hint = _("the filter is K × K: K appears twice")
            elif value == oh * ow * k * k * m:
                hint = _("each filter spans all C input channels")
            elif value == m * (k * k * c + 1):
                hint = _("that is the number of parameters; each is used at all OH·OW positions")
            wrong.append(_with_hint(N_("{call} returned {got}, expected {want}"),
                                    N_("{call} returned {got}, expected {want} ({hint})"), hint,
                                    call=call, got=_shown(got), want=f"{want:,}"))
    return _verdict(wrong, len(cases), _("All 5 counts right: SimpleConvNet's convolution needs 432,000 "
                                         "multiply-accumulates per image."))


# --------------------------------------------------------------------- exercise 4
_POOL_LIBRARY = {"Pooling.forward": Pooling.forward, "reference.Pooling.forward": _reference.Pooling.forward,
                 "pool2d_naive": pool2d_naive}


def check_max_pool(fn: Callable) -> bool:
    """Exercise 4 (a): ``fn(x, size, stride)`` is max pooling of a batch (N, C, H, W) without padding."""
    rng = np.random.default_rng(8)
    shapes = [((1, 1, 4, 4), 2, 2), ((2, 3, 6, 6), 2, 2), ((1, 2, 5, 5), 3, 1), ((2, 1, 6, 6), 3, 3),
              ((1, 2, 5, 5), 2, 2)]
    cases = [(rng.normal(size=shape), size, stride) for shape, size, stride in shapes]
    results, used = _calls(fn, [(x.copy(), k, s) for x, k, s in cases], _POOL_LIBRARY)
    if _shortcut(fn, used, _("take the maxima of the windows yourself")):
        return False
    wrong: list[str] = []
    for (ok, got), (x, size, stride) in zip(results, cases):
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = pool2d_naive(x, size, stride, "max")
        case = f"x {x.shape}, size {size}, stride {stride}"
        arr = _as_array(got)
        if arr is None:
            wrong.append(_("{case}: returned {got}, expected an array of shape {want}"
                           ).format(case=case, got=repr(got), want=want.shape))
        elif arr.shape != want.shape:
            hint = _("pooling keeps the channels: C in, C out") if arr.ndim == 4 and arr.shape[1] != x.shape[1] else ""
            if arr.ndim == 4 and arr.shape[2] == want.shape[2] + 1:
                hint = _("the output size rounds down, like Exercise 1: a window that sticks out is left out")
            wrong.append(_with_hint(N_("{case}: returned shape {shape}, expected {want}"),
                                    N_("{case}: returned shape {shape}, expected {want} ({hint})"), hint,
                                    case=case, shape=arr.shape, want=want.shape))
        elif not np.allclose(arr, want):
            hint = _("that is average pooling") if np.allclose(arr, pool2d_naive(x, size, stride, "avg")) else ""
            wrong.append(_with_hint(N_("{case}: values differ from the window maxima"),
                                    N_("{case}: values differ from the window maxima: {hint}"), hint, case=case))
    return _verdict(wrong, len(cases), _("Max pooling right for all 5 cases, including overlapping windows "
                                         "(stride 1) and a size the stride does not divide."))


def _pool_backward_by_loops(x: np.ndarray, dout: np.ndarray, size: int, stride: int, add: bool = True,
                            spread: bool = False) -> np.ndarray:
    """Max-pool backward by loops (``add=False``: overwrite; ``spread=True``: average pooling's)."""
    dx = np.zeros_like(x)
    n, c = x.shape[:2]
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            top, left = i * stride, j * stride
            window = x[:, :, top:top + size, left:left + size].reshape(n, c, -1)
            if spread:
                share = np.repeat(dout[:, :, i, j, None] / (size * size), size * size, axis=2)
            else:
                share = np.zeros_like(window)
                np.put_along_axis(share, window.argmax(axis=2)[..., None], dout[:, :, i, j, None], axis=2)
            target = dx[:, :, top:top + size, left:left + size]
            target[...] = (target + share.reshape(n, c, size, size)) if add else share.reshape(n, c, size, size)
    return dx


def check_max_pool_backward(fn: Callable) -> bool:
    """Exercise 4 (b): ``fn(x, dout, size, stride)`` is the gradient of max pooling with respect to ``x``."""
    rng = np.random.default_rng(9)
    shapes = [((1, 1, 4, 4), 2, 2), ((2, 3, 6, 6), 2, 2), ((1, 2, 5, 5), 3, 1), ((2, 1, 6, 6), 3, 3),
              ((1, 2, 5, 5), 2, 2)]
    cases, wants = [], []
    for shape, size, stride in shapes:
        x = rng.normal(size=shape)
        pool = Pooling(size, size, stride)
        out = pool.forward(x)
        dout = rng.normal(size=out.shape)
        cases.append((x, dout, size, stride))
        wants.append(pool.backward(dout))
    library = {"Pooling.backward": Pooling.backward, "reference.Pooling.backward": _reference.Pooling.backward}
    results, used = _calls(fn, [(x.copy(), d.copy(), k, s) for x, d, k, s in cases], library)
    if _shortcut(fn, used, _("send each window's gradient to its maximum yourself")):
        return False
    wrong: list[str] = []
    for (ok, got), (x, dout, size, stride), want in zip(results, cases, wants):
        if not ok:
            print(f"{_NO} {got}")
            return False
        case = f"x {x.shape}, size {size}, stride {stride}"
        arr = _as_array(got)
        if arr is None or arr.shape != x.shape:
            shape = None if arr is None else arr.shape
            wrong.append(_("{case}: returned shape {shape}, expected {want}: dx has the shape of x"
                           ).format(case=case, shape=shape, want=x.shape))
        elif not np.allclose(arr, want):
            hint = ""
            if np.allclose(arr, _pool_backward_by_loops(x, dout, size, stride, spread=True)):
                hint = _("that spreads the gradient evenly over the window (average pooling's backward); "
                         "max pooling sends all of it to the position of the maximum")
            elif np.allclose(arr, _pool_backward_by_loops(x, dout, size, stride, add=False)):
                hint = _("where windows overlap, a pixel collects the gradients of every window it wins: "
                         "add them up (+=) instead of overwriting")
            wrong.append(_with_hint(N_("{case}: values differ from common.layers.Pooling's backward (largest "
                                    "difference {diff})"),
                                    N_("{case}: values differ from common.layers.Pooling's backward (largest "
                                    "difference {diff}): {hint}"), hint,
                                    case=case, diff=f"{np.abs(arr - want).max():.3g}"))
    return _verdict(wrong, len(cases), _("Max-pool backward right for all 5 cases: each gradient goes to its "
                                         "window's maximum, overlapping windows add up, unread pixels get 0."))


# --------------------------------------------------------------------- exercise 5
_COL_LIBRARY = {"col2im": col2im, "col2im_t": col2im_t, "reference.col2im": _reference.col2im}


def _col2im_by_overwriting(col: np.ndarray, shape: tuple, fh: int, fw: int, stride: int, pad: int) -> np.ndarray:
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    rows = col.reshape(n, oh, ow, c, fh, fw)
    for i in range(oh):
        for j in range(ow):
            img[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw] = rows[:, i, j]
    return img[:, :, pad:pad + h, pad:pad + w]


def check_col2im(fn: Callable) -> bool:
    """Exercise 5 (a): ``fn(col, x_shape, FH, FW, stride, pad)`` is col2im, the adjoint of ``im2col``."""
    rng = np.random.default_rng(10)
    shapes = [((1, 1, 4, 4), 3, 1, 0), ((2, 3, 5, 5), 3, 1, 1), ((2, 2, 7, 7), 3, 2, 1), ((1, 2, 6, 6), 2, 2, 0),
              ((1, 1, 8, 8), 3, 2, 0)]
    cases = []
    for shape, f, stride, pad in shapes:
        rows = im2col(np.zeros(shape), f, f, stride, pad).shape
        cases.append((rng.normal(size=rows), shape, f, f, stride, pad))
    wants = [col2im(*case) for case in cases]
    library = {**_COL_LIBRARY, "Convolution.backward": Convolution.backward}
    results, used = _calls(fn, [(c.copy(), *rest) for c, *rest in cases], library)
    if _shortcut(fn, used, _("add each row back to the pixels it came from yourself")):
        return False
    wrong: list[str] = []
    for (ok, got), (col, shape, fh, fw, stride, pad), want in zip(results, cases, wants):
        if not ok:
            print(f"{_NO} {got}")
            return False
        case = f"col {col.shape} → x {shape}, filter {fh}×{fw}, stride {stride}, pad {pad}"
        arr = _as_array(got)
        if arr is None or arr.shape != tuple(shape):
            got_shape = None if arr is None else arr.shape
            hint = ""
            if got_shape is not None and len(got_shape) == 4 and got_shape[2] == shape[2] + 2 * pad != shape[2]:
                hint = _("cut the padding off at the end")
            wrong.append(_with_hint(N_("{case}: returned shape {shape}, expected {want}"),
                                    N_("{case}: returned shape {shape}, expected {want}: {hint}"), hint,
                                    case=case, shape=got_shape, want=tuple(shape)))
        elif not np.allclose(arr, want):
            hint = ""
            if np.allclose(arr, _col2im_by_overwriting(col, shape, fh, fw, stride, pad)):
                hint = _("where windows overlap, a pixel gets a value from every window that contains it: "
                         "add them up (+=) instead of overwriting")
            wrong.append(_with_hint(N_("{case}: values differ from common.im2col.col2im (largest difference {diff})"),
                                    N_("{case}: values differ from common.im2col.col2im (largest difference "
                                    "{diff}): {hint}"), hint, case=case, diff=f"{np.abs(arr - want).max():.3g}"))
    return _verdict(wrong, len(cases), _("Your col2im matches common.im2col.col2im: overlapping windows add up "
                                         "and the padding is cut off."))


def _conv_backward_overwriting(x: np.ndarray, W: np.ndarray, dout: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """The input gradient with ``=`` instead of ``+=`` where windows overlap (a typical slip)."""
    fn_, c, fh, fw = W.shape
    delta = dout.transpose(0, 2, 3, 1).reshape(-1, fn_)
    return _col2im_by_overwriting(delta @ W.reshape(fn_, -1), x.shape, fh, fw, stride, pad)


def check_conv_backward(fn: Callable) -> bool:
    """Exercise 5 (b): ``fn(x, W, dout, stride, pad)`` returns ``(dx, dW, db)`` of a convolution layer, by loops."""
    rng = np.random.default_rng(12)
    shapes = [((1, 1, 4, 4), (1, 1, 3, 3), 1, 0), ((2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
              ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1), ((1, 2, 6, 6), (2, 2, 2, 2), 2, 0), ((2, 1, 8, 8), (2, 1, 3, 3), 2, 0)]
    cases, wants = [], []
    for xs, ws, stride, pad in shapes:
        x, W, b = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
        layer = Convolution(W, b, stride, pad)
        dout = rng.normal(size=layer.forward(x).shape)
        dx = layer.backward(dout)
        cases.append((x, W, dout, stride, pad))
        wants.append((dx, layer.dW.copy(), layer.db.copy()))
    library = {"Convolution.backward": Convolution.backward,
               "reference.Convolution.backward": _reference.Convolution.backward,
               "input_gradient_as_full_convolution": _arith.input_gradient_as_full_convolution,
               "im2col": im2col, "im2col_t": im2col_t, "reference.im2col": _reference.im2col, **_COL_LIBRARY}
    results, used = _calls(fn, [(x.copy(), W.copy(), d.copy(), s, p) for x, W, d, s, p in cases], library)
    if _shortcut(fn, used, _("this exercise asks for the loops over the output positions of Exercise 2 "
                             "(section 8 did it with im2col); your own my_col2im is fine")):
        return False
    wrong: list[str] = []
    for (ok, got), (x, W, dout, stride, pad), (want_dx, want_dW, want_db) in zip(results, cases, wants):
        if not ok:
            print(f"{_NO} {got}")
            return False
        case = f"x {x.shape}, W {W.shape}, stride {stride}, pad {pad}"
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            wrong.append(_("{case}: returned {kind}, expected a tuple (dx, dW, db)"
                           ).format(case=case, kind=type(got).__name__))
            continue
        problems = []
        for grad, value, want in zip(("dx", "dW", "db"), got, (want_dx, want_dW, want_db)):
            arr = _as_array(value)
            if arr is None or arr.shape != want.shape:
                shape = None if arr is None else arr.shape
                hint = {"dx": _("the shape of x"), "dW": _("the shape of W (sum over the batch)"),
                        "db": _("one number per filter (sum over images and positions)")}[grad]
                problems.append(_("{grad} has shape {shape}, expected {want}, {hint}"
                                  ).format(grad=grad, shape=shape, want=want.shape, hint=hint))
            elif not np.allclose(arr, want):
                hint = ""
                if grad == "dx" and np.allclose(arr, _conv_backward_overwriting(x, W, dout, stride, pad)):
                    hint = _("where windows overlap the contributions add up: +=")
                elif grad == "dW" and np.allclose(arr, want[:, :, ::-1, ::-1]):
                    hint = _("flipped: dW[f] collects dout · the window, in the window's own orientation")
                problems.append(_with_hint(N_("{grad} differs from common.layers.Convolution's by up to {diff}"),
                                           N_("{grad} differs from common.layers.Convolution's by up to {diff} "
                                           "({hint})"), hint, grad=grad, diff=f"{np.abs(arr - want).max():.3g}"))
        if problems:
            wrong.append(f"{case}: " + "; ".join(problems))
    return _verdict(wrong, len(cases), _("dx, dW and db match common.layers.Convolution's backward, with several "
                                         "channels, filters, stride and padding."))


# --------------------------------------------------------------------- exercise 6
def check_iou(fn: Callable) -> bool:
    """Exercise 6: ``fn(a, b)`` is the intersection over union of two boxes ``(x1, y1, x2, y2)``."""
    pairs = [((0, 0, 2, 2), (1, 1, 3, 3)), ((0, 0, 10, 10), (0, 0, 10, 10)), ((0, 0, 1, 1), (5, 5, 6, 6)),
             ((0, 0, 10, 10), (2, 2, 7, 7)), ((0, 0, 4, 2), (2, 0, 6, 2)), ((3, 1, 8, 9), (0, 4, 5, 6)),
             ((0, 0, 1, 1), (1, 0, 2, 1))]
    cases = [(np.array(a, dtype=float), np.array(b, dtype=float)) for a, b in pairs]
    results, used = _calls(fn, [(a.copy(), b.copy()) for a, b in cases], {"iou": iou, "iou_matrix": iou_matrix})
    if _shortcut(fn, used, _("compute the two areas and the overlap yourself")):
        return False
    wrong: list[str] = []
    for (ok, got), (a, b) in zip(results, pairs):
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = iou(a, b)
        value = _number(got)
        if value is None or not np.isclose(value, want):
            hint = ""
            inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
            area_a = (a[2] - a[0]) * (a[3] - a[1])
            area_b = (b[2] - b[0]) * (b[3] - b[1])
            plus_one = iou(np.add(a, (0, 0, 1, 1)), np.add(b, (0, 0, 1, 1)))
            if value is not None and value < 0:
                hint = _("disjoint boxes: clip the overlap's width and height at 0")
            elif value is not None and np.isclose(value, inter / (area_a + area_b)):
                hint = _("the union counts the overlap once: subtract it")
            elif value is not None and np.isclose(value, plus_one):
                hint = _("the + 1 of the VOC devkit counts whole pixels; the boxes here are continuous "
                         "coordinates: width = x2 − x1")
            wrong.append(_with_hint(N_("{call} returned {got}, expected {want}"),
                                    N_("{call} returned {got}, expected {want} ({hint})"), hint,
                                    call=f"{_name(fn)}({a}, {b})", got=_shown(got), want=f"{want:.4g}"))
    return _verdict(wrong, len(pairs), _("IoU right for all 7 pairs: overlapping, identical, disjoint, "
                                         "contained and touching boxes."))


# --------------------------------------------------------------------- exercise 7
_AP_CASES = [([True, True, False, False, True], 3), ([True, False, True], 2), ([True] * 4, 4), ([False, False], 2),
             ([False, True, True, False, True, False], 5), ([True, True], 4), ([True, False, True, True], 3),
             ([False, True, True], 2)]


def _ap_hint(value: float, tp: list[bool], n_gt: int) -> str:
    p, r = precision_recall(tp, n_gt)
    steps = np.diff(np.concatenate([[0.0], r]))
    flags = np.asarray(tp, dtype=bool)
    if np.isclose(value, float(np.sum(steps * p))):
        return _("without the interpolation: use the best precision at this recall or beyond")
    if np.isclose(value, float(np.sum(steps * np.maximum.accumulate(p)))):
        return _("the envelope runs from the right: the best precision at this recall *or beyond*")
    if np.isclose(value, average_precision(p, r, "11point")):
        return _("that is the 11-point AP; this exercise wants the all-point area")
    if flags.any():
        by_detections = np.cumsum(flags) / len(flags)
        p2, r2 = p, by_detections
        env2 = np.maximum.accumulate(p2[::-1])[::-1]
        if np.isclose(value, float(np.sum(np.diff(np.concatenate([[0.0], r2])) * env2))):
            return _("recall divides by the number of objects n_gt, not by the number of detections")
        if np.isclose(value, float(np.mean(np.maximum.accumulate(p[::-1])[::-1][flags]))):
            return _("that averages over the objects found; AP averages over all n_gt objects, "
                     "and a missed one counts 0")
    return ""


def check_average_precision(fn: Callable) -> bool:
    """Exercise 7: ``fn(tp, n_gt)`` is the all-point interpolated AP of a ranked list of TP/FP flags."""
    library = {"average_precision": average_precision, "precision_recall": precision_recall}
    results, used = _calls(fn, [(np.array(tp), n) for tp, n in _AP_CASES], library)
    if _shortcut(fn, used, _("compute precision, recall and the area yourself")):
        return False
    wrong: list[str] = []
    for (ok, got), (tp, n_gt) in zip(results, _AP_CASES):
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = average_precision(*precision_recall(tp, n_gt))
        value = _number(got)
        if value is None or not np.isclose(value, want):
            hint = _ap_hint(value, tp, n_gt) if value is not None else ""
            flags = "".join("T" if v else "F" for v in tp)
            wrong.append(_with_hint(N_("ranked {flags} with {n} objects: returned {got}, expected {want}"),
                                    N_("ranked {flags} with {n} objects: returned {got}, expected {want} ({hint})"),
                                    hint, flags=flags, n=n_gt, got=_shown(got), want=f"{want:.4g}"))
    return _verdict(wrong, len(_AP_CASES), _("AP right on all {n} ranked lists.").format(n=len(_AP_CASES)))
