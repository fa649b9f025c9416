"""Self-checks for the exercises of chapter 7, Deep learning.

Each ``check_…`` takes your function, runs it on cases whose answers come from
the course library (:mod:`common.lessons.receptive_field`,
:mod:`common.lessons.architectures`, :class:`common.layers.ResidualBlock`,
:mod:`common.lessons.data_parallel`), prints one line per problem (``✓`` right,
``✗`` wrong, with the input, what you returned and what was expected, and a
hint when the mistake is a common one) and returns ``True`` or ``False``. A
check never raises: an unfinished stub (``raise NotImplementedError``) or a
crash in your code becomes a message. Calling the library function a check
compares against (``receptive_fields`` for exercise 1, …) is not an answer:
the check notices and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from common.exercises._checking import (
    BAD as _NO,
    as_array as _as_array,
    call as _call,
    name as _name,
    number as _number,
    report as _report,
    shortcut as _shortcut,
    verdict as _verdict,
    watching as _watching,
)
from common.layers import Affine, Relu, ResidualBlock
from common.lessons import architectures as _arch
from common.lessons import data_parallel as _parallel
from common.lessons import receptive_field as _rf
from common.lessons.architectures import Conv, Dense, Pool, totals
from common.lessons.data_parallel import allreduce_cost
from common.lessons.receptive_field import receptive_fields
from common.translation import N_, _

__all__ = [
    "check_receptive_field",
    "check_count_params",
    "check_residual_block",
    "check_combine_gradients",
    "check_ring_bytes",
]


def _shown(v: Any) -> str:
    value = _number(v)
    if value is None:
        return repr(v)
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.6g}"


def _returned(call: str, got: str, want: str | int, hint: str) -> str:
    """The line for a wrong answer: what was called, returned and expected, and a (translated) hint if any."""
    message = _("{call} returned {got}, expected {want} ({hint})") if hint else _("{call} returned {got}, expected {want}")
    return message.format(call=call, got=got, want=want, hint=hint)


# --------------------------------------------------------------------- exercise 1
def check_receptive_field(fn: Callable) -> bool:
    """Exercise 1: ``fn(layers)`` is the receptive field after ``layers``, a list of ``(kernel, stride)`` pairs."""
    cases = [[(3, 1)], [(3, 1), (3, 1)], [(3, 1)] * 3, [(5, 1), (5, 1)], [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1)],
             [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2), (3, 1), (3, 1)], [(7, 2), (3, 2), (3, 1)], [(1, 1)] * 4]
    wants = [receptive_fields([("", k, s) for k, s in layers])[-1].field for layers in cases]
    library = {"receptive_fields": _rf.receptive_fields, "network_receptive_fields": _rf.network_receptive_fields}
    with _watching(fn, library) as used:
        answers = []
        for layers in cases:
            ok, got = _call(fn, [tuple(layer) for layer in layers])
            if not ok:
                _report(_NO, got)
                return False
            answers.append(got)
    if _shortcut(fn, used, _("add up (k − 1) times the jump yourself")):
        return False
    wrong: list[str] = []
    for layers, want, got in zip(cases, wants, answers):
        value = _number(got)
        if value != want:
            hint = ""
            no_jump = 1 + sum(k - 1 for k, _s in layers)
            if value == no_jump:
                hint = _("after a layer with stride s, one step in the next layer moves s pixels of the input: "
                         "multiply each k − 1 by the product of the earlier strides")
            elif value == sum(k for k, _s in layers):
                hint = _("neighbouring windows overlap: each 3×3 layer adds 2 pixels, k − 1, not k; start from 1")
            elif value == want - 1:
                hint = _("a unit with no layers below it sees 1 pixel: start from 1")
            wrong.append(_returned(f"{_name(fn)}({layers})", _shown(got), want, hint))
    return _verdict(wrong, len(cases), _("All {n} stacks right: three 3×3 layers see 7 pixels, as one 7×7 filter "
                                         "would, and strides multiply the growth of the layers above them."
                                         ).format(n=len(cases)))


# --------------------------------------------------------------------- exercise 2
def _spec(layers: Sequence[tuple]) -> list:
    out = []
    for layer in layers:
        if layer[0] == "conv":
            out.append(Conv(layer[1], layer[2], pad=layer[3]))
        elif layer[0] == "pool":
            out.append(Pool(layer[1]))
        else:
            out.append(Dense(layer[1]))
    return out


def _vgg16_tuples() -> list[tuple]:
    layers: list[tuple] = []
    for channels, n in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
        layers += [("conv", channels, 3, 1)] * n + [("pool", 2)]
    return layers + [("fc", 4096), ("fc", 4096), ("fc", 1000)]


COUNT_CASES: dict[str, tuple[list[tuple], tuple[int, int, int]]] = {
    "LeNet-5": ([("conv", 6, 5, 0), ("pool", 2), ("conv", 16, 5, 0), ("pool", 2), ("fc", 120), ("fc", 84),
                 ("fc", 10)], (1, 32, 32)),
    N_("a small MNIST CNN"): ([("conv", 16, 3, 1), ("conv", 16, 3, 1), ("pool", 2), ("conv", 32, 3, 1), ("pool", 2),
                           ("fc", 50), ("fc", 10)], (1, 28, 28)),
    "VGG-16": (_vgg16_tuples(), (3, 224, 224)),
}
"""The specifications exercise 2 is checked on: layers as tuples, and the input shape."""


def _without_input_channels(layers: Sequence[tuple], shape: tuple[int, int, int]) -> int:
    """The count a learner gets by giving each filter kernel × kernel weights only (no C_in)."""
    rows = _spec(layers)
    total, (c, h, w) = 0, shape
    for spec in rows:
        (c2, h2, w2), params, _ = spec.cost((c, h, w))
        if isinstance(spec, Conv):
            params = spec.out * spec.k * spec.k + spec.out
        total += params
        c, h, w = c2, h2, w2
    return total


def check_count_params(fn: Callable) -> bool:
    """Exercise 2: ``fn(layers, input_shape)`` counts the trainable parameters (weights and biases) of a CNN.

    ``layers`` holds ``("conv", out_channels, kernel, pad)`` (stride 1),
    ``("pool", size)`` (stride = size) and ``("fc", units)`` tuples.
    """
    wants = {name: totals(_spec(layers), shape)[0] for name, (layers, shape) in COUNT_CASES.items()}
    with _watching(fn, {"totals": _arch.totals, "count": _arch.count}) as used:
        answers = {}
        for name, (layers, shape) in COUNT_CASES.items():
            ok, got = _call(fn, list(layers), tuple(shape))
            if not ok:
                _report(_NO, got)
                return False
            answers[name] = got
    if _shortcut(fn, used, _("walk through the layers and add up their parameters yourself")):
        return False
    wrong: list[str] = []
    for name, (layers, shape) in COUNT_CASES.items():
        want, got = wants[name], answers[name]
        value = _number(got)
        if value != want:
            hint = ""
            no_bias = want - sum(layer[1] for layer in layers if layer[0] in ("conv", "fc"))
            if value == no_bias:
                hint = _("every filter and every fully connected unit also has a bias")
            elif value == totals(_spec([layer for layer in layers if layer[0] != "pool"]), shape)[0]:
                hint = _("the first fully connected layer sees channels × height × width *after* the "
                         "pooling layers, each of which shrinks height and width")
            elif value == _without_input_channels(layers, shape):
                hint = _("a filter spans all the input channels: kernel × kernel × C_in weights, plus a bias")
            message = (_("{label}: {call} returned {got}, expected {want} ({hint})") if hint
                       else _("{label}: {call} returned {got}, expected {want}"))
            wrong.append(message.format(label=_(name), call=_name(fn), got=_shown(got), want=f"{want:,}", hint=hint))
    return _verdict(wrong, len(COUNT_CASES), _("All 3 counts right, VGG-16's 138,357,544 parameters included."))


# --------------------------------------------------------------------- exercise 3
def _reference_block(x, W1, b1, W2, b2, dout):
    block = ResidualBlock([Affine(W1, b1), Relu(), Affine(W2, b2)])
    out = block.forward(x)
    return out, block.backward(dout)


def check_residual_block(fn: Callable) -> bool:
    """Exercise 3: ``fn(x, W1, b1, W2, b2, dout)`` returns ``(out, dx)`` of ``out = x + ReLU(x W1 + b1) W2 + b2``."""
    rng = np.random.default_rng(7)
    cases = []
    for n, d, h in [(4, 5, 3), (2, 6, 8), (7, 3, 3)]:
        x = rng.normal(size=(n, d))
        W1, b1 = rng.normal(size=(d, h)), rng.normal(size=h)
        W2, b2 = rng.normal(size=(h, d)), rng.normal(size=d)
        dout = rng.normal(size=(n, d))
        cases.append(((x, W1, b1, W2, b2, dout), _reference_block(x, W1, b1, W2, b2, dout), h))
    library = {"ResidualBlock.forward": ResidualBlock.forward, "ResidualBlock.backward": ResidualBlock.backward}
    with _watching(fn, library) as used:
        answers = []
        for arrays, _want, _hidden in cases:
            args = [a.copy() for a in arrays]
            ok, got = _call(fn, *args)
            if not ok:
                _report(_NO, got)
                return False
            answers.append((got, np.array_equal(args[-1], arrays[-1])))
    if _shortcut(fn, used, _("write the affine, ReLU and shortcut steps with NumPy yourself")):
        return False
    wrong: list[str] = []
    for ((x, W1, b1, W2, b2, dout), (want_out, want_dx), h), (got, dout_kept) in zip(cases, answers):
        where = _("x {shape}, hidden {width}").format(shape=x.shape, width=h)
        if not dout_kept:
            wrong.append(_("{where}: your function changed dout in place; backward must leave it as it is"
                           ).format(where=where))
            continue
        try:
            out, dx = got
        except (TypeError, ValueError):
            wrong.append(_("{where}: returned {type}; expected a pair (out, dx)").format(
                where=where, type=type(got).__name__))
            continue
        out, dx = _as_array(out), _as_array(dx)
        if out is None or out.shape != want_out.shape or not np.allclose(out, want_out):
            branch = np.maximum(x @ W1 + b1, 0) @ W2 + b2
            if out is not None and out.shape == branch.shape and np.allclose(out, branch):
                wrong.append(_("{where}: out differs from the residual block's ({hint})").format(
                    where=where, hint=_("that is F(x) alone: the block adds its input, out = x + F(x)")))
            else:
                wrong.append(_("{where}: out differs from the residual block's").format(where=where))
            continue
        if dx is None or dx.shape != want_dx.shape or not np.allclose(dx, want_dx):
            hint = ""
            if dx is not None and dx.shape == want_dx.shape:
                if np.allclose(dx, want_dx - dout):
                    hint = _("that is the branch's gradient alone: the shortcut adds dout itself, dx = dF + dout")
                elif np.allclose(dx, dout):
                    hint = _("that is only the shortcut's share: add the gradient that flows back through the branch")
            message = (_("{where}: dx differs from the residual block's backward ({hint})") if hint
                       else _("{where}: dx differs from the residual block's backward"))
            wrong.append(message.format(where=where, hint=hint))
    return _verdict(wrong, len(cases), _("Forward and backward agree with common.layers.ResidualBlock: "
                                         "the gradient is the branch's plus dout from the shortcut."))


# --------------------------------------------------------------------- exercise 4
def _loss_gradient(W: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Gradient of the mean softmax cross-entropy of a linear classifier ``x @ W`` with respect to ``W``."""
    z = x @ W
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(t)), t] -= 1
    return x.T @ p / len(t)


def check_combine_gradients(fn: Callable) -> bool:
    """Exercise 4: ``fn(grads, sizes)`` turns the workers' shard gradients into the whole batch's gradient.

    Each ``grads[k]`` is the gradient of the *mean* loss over worker k's
    shard of ``sizes[k]`` examples.
    """
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=(12, 5)), rng.integers(0, 3, size=12)
    W = rng.normal(size=(5, 3))
    full = _loss_gradient(W, x, t)
    wrong: list[str] = []
    splits = [[12], [6, 6], [4, 4, 4], [3, 9], [1, 5, 6], [2, 2, 2, 6]]
    shards = []
    for sizes in splits:
        bounds = np.cumsum([0, *sizes])
        shards.append([_loss_gradient(W, x[a:b], t[a:b]) for a, b in zip(bounds[:-1], bounds[1:])])
    with _watching(fn, {"average_gradients": _parallel.average_gradients}) as used:
        answers = []
        for sizes, grads in zip(splits, shards):
            ok, got = _call(fn, [g.copy() for g in grads], list(sizes))
            if not ok:
                _report(_NO, got)
                return False
            answers.append(got)
    if _shortcut(fn, used, _("weight each shard's gradient and add them up with NumPy yourself")):
        return False
    for sizes, grads, got in zip(splits, shards, answers):
        arr = _as_array(got)
        if arr is None or arr.shape != full.shape or not np.allclose(arr, full):
            hint = ""
            if arr is not None and arr.shape == full.shape:
                if np.allclose(arr, np.mean(grads, axis=0)):
                    hint = _("the plain mean gives the examples of a small shard more weight than the others: "
                             "weight each shard's gradient by its share n_k / N")
                elif np.allclose(arr, np.sum(grads, axis=0)):
                    hint = _("each shard's gradient is already a mean over its examples: do not just add them")
            message = (_("shards of {sizes}: the result differs from the gradient of all 12 examples at once ({hint})")
                       if hint else _("shards of {sizes}: the result differs from the gradient of all 12 examples at once"))
            wrong.append(message.format(sizes=sizes, hint=hint))
    return _verdict(wrong, len(splits), _("Right for every split, equal and unequal: K workers computed exactly "
                                          "the large-batch gradient."))


# --------------------------------------------------------------------- exercise 5
def check_ring_bytes(fn: Callable) -> bool:
    """Exercise 5: ``fn(n_values, k, bytes_per_value)`` is what each worker sends in a ring all-reduce, in bytes."""
    cases = [(100, 4, 4), (25_557_032, 8, 4), (25_557_032, 8, 2), (1_000, 2, 4), (1_000, 1, 4), (138_357_544, 64, 4)]
    wants = [allreduce_cost(n, k, b)["ring_bytes_per_worker"] for n, k, b in cases]
    library = {"allreduce_cost": _parallel.allreduce_cost, "ring_allreduce": _parallel.ring_allreduce}
    with _watching(fn, library) as used:
        answers = []
        for n, k, b in cases:
            ok, got = _call(fn, n, k, b)
            if not ok:
                _report(_NO, got)
                return False
            answers.append(got)
    if _shortcut(fn, used, _("count the chunks each worker sends yourself")):
        return False
    wrong: list[str] = []
    for (n, k, b), want, got in zip(cases, wants, answers):
        value = _number(got)
        if value is None or not np.isclose(value, want, rtol=1e-9, atol=1e-9):
            hint = ""
            if value is not None and np.isclose(value, want / 2) and k > 1:
                hint = _("that is the reduce-scatter half only: the all-gather sends as much again")
            elif value is not None and np.isclose(value, 2 * (k - 1) * n * b) and k > 1:
                hint = _("each of the 2(K − 1) steps sends one chunk, 1/K of the array, not all of it")
            elif value is not None and np.isclose(value, 2 * n * b):
                hint = _("close for large K, but the exact share is 2(K − 1)/K of the array")
            wrong.append(_returned(f"{_name(fn)}({n:,}, {k}, {b})", _shown(got), f"{want:,.0f}", hint))
    return _verdict(wrong, len(cases), _("All 6 right: each worker sends 2(K − 1)/K of the gradients, "
                                         "less than twice the model whatever K is."))
