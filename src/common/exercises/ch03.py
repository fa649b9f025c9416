"""Self-checks for the exercises of chapter 3, Learning from data.

Each ``check_…`` function takes the learner's answer, prints one line per test
(``✓`` right, ``✗`` wrong, with what was expected and a hint), and returns ``True``
only when everything is right. Nothing here raises on a wrong or unfinished answer:
the chapter runs top to bottom with the stubs in place. Introduced in chapter 3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from common.exercises._checking import (
    BAD as _BAD,
    OK as _OK,
    as_array as _as_array,
    as_float as _as_float,
    call_reporting as _call,
    report as _report,
    summary as _summary_of,
)
from common.translation import N_, _
from common.datasets import load_mnist
from common.functions import cross_entropy_error
from common.gradient import numerical_gradient
from common.networks import TwoLayerNet

__all__ = [
    "check_cross_entropy",
    "check_numerical_gradient",
    "check_gradient_descent",
    "check_mini_batch",
    "check_critical_learning_rate",
    "reading_network",
    "reading_batch",
    "check_gradient_reading",
]

_LIBRARY = {cross_entropy_error: "common.functions.cross_entropy_error",
            numerical_gradient: "common.gradient.numerical_gradient"}


def _borrowed(fn: Any) -> str | None:
    """The library function the learner passed instead of their own, if any."""
    for library, name in _LIBRARY.items():
        if fn is library or getattr(fn, "__wrapped__", None) is library:
            return name
    return None

def _summary(n_wrong: int, n_total: int) -> bool:
    return _summary_of(n_wrong, n_total, one_right=_("Correct."),
                       one_wrong=_("Not yet: read the lines above, fix, run again."))


# --- Exercise 1: batch cross-entropy ---------------------------------------------------


def _ce_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(3)
    y4 = rng.dirichlet(np.ones(5), size=4)
    labels = np.array([0, 3, 1, 4])
    return [
        (N_("one sample, one-hot"), np.array([0.1, 0.7, 0.2]), np.array([0.0, 1.0, 0.0])),
        (N_("a batch of 4, one-hot"), y4, np.eye(5)[labels]),
        (N_("a batch of 4, integer labels"), y4, labels),
        (N_("a batch with a probability of exactly 0 for the true class"), np.array([[0.0, 1.0], [0.5, 0.5]]),
         np.array([[1.0, 0.0], [0.0, 1.0]])),
    ]


def check_cross_entropy(ce: Callable[[np.ndarray, np.ndarray], float]) -> bool:
    """Check ``ce(y, t)``: mean cross-entropy of probabilities ``y`` against one-hot or label targets ``t``.

    Must average over the batch, accept a single sample (1-D ``y``), accept integer
    labels, and stay finite when a probability is 0 (add ``1e-7`` inside the log).
    Introduced in chapter 3, exercise 1.
    """
    if _borrowed(ce):
        _report(_BAD, _("that is the library's {name}: write your own function (the check compares "
                        "with it)").format(name=_borrowed(ce)))
        return _summary(1, 1)
    wrong = 0
    cases = _ce_cases()
    for label, y, t in cases:
        name = _(label)
        expected = cross_entropy_error(y, t)
        value, error = _call(ce, y.copy(), t.copy())
        got = _as_float(value)
        n = 1 if y.ndim == 1 else y.shape[0]
        if error is not None:
            _report(_BAD, _("{where}: your function raised {error}").format(where=name, error=error))
        elif value is None:
            _report(_BAD, _("{what}: your function returned None: replace the stub with your code").format(what=name))
        elif got is None:
            _report(_BAD, _("{what}: expected one number (the mean loss), got an array of shape "
                            "{shape}: sum over classes and average over the batch").format(what=name,
                                                                                           shape=np.shape(value)))
        elif not np.isfinite(got):
            _report(_BAD, _("{what}: you returned {got}: log(0) is -inf; add a tiny 1e-7 inside the log"
                            ).format(what=name, got=got))
        elif np.isclose(got, expected, rtol=1e-5, atol=1e-6):
            _report(_OK, _("{what}: {expected}").format(what=name, expected=f"{got:.6f}"))
            continue
        elif n > 1 and np.isclose(got, expected * n, rtol=1e-5):
            _report(_BAD, _("{what}: you returned {got:.6f}, which is {n} × the expected {expected:.6f}: "
                            "divide the sum by the batch size N so the loss does not grow with N"
                            ).format(what=name, got=got, n=n, expected=expected))
        elif np.isclose(got, -expected, rtol=1e-5):
            _report(_BAD, _("{what}: you returned {got:.6f}, expected {expected:.6f}: the sign is wrong "
                            "(cross-entropy is −Σ t·log y, a positive number)").format(what=name, got=got,
                                                                                         expected=expected))
        else:
            _report(_BAD, _("{what}: you returned {got:.6f}, expected {expected:.6f}. With labels, pick "
                            "y[np.arange(N), t]; with one-hot t, use −Σ t·log(y + 1e-7), then divide by N"
                            ).format(what=name, got=got, expected=expected))
        wrong += 1
    return _summary(wrong, len(cases))


# --- Exercise 2: the numerical gradient of a function of many variables -----------------

# Each case: what the line names (the function and the point, as printed), f, its exact gradient, the point.
_GRAD_CASES: list[tuple[str, Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray], list]] = [
    (N_("f(x) = x₀² + x₁² at x = [3.0, 4.0]"), lambda x: float(np.sum(x**2)), lambda x: 2 * x, [3.0, 4.0]),
    (N_("f(x) = x₀·x₁ + sin(x₂) at x = [1.5, -2.0, 0.3]"), lambda x: float(x[0] * x[1] + np.sin(x[2])),
     lambda x: np.array([x[1], x[0], np.cos(x[2])]), [1.5, -2.0, 0.3]),
    (N_("f(W) = Σ W² / 2 for a 2 × 3 matrix W at x = [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]"),
     lambda w: float(np.sum(w**2) / 2), lambda w: w.copy(), [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]),
]


def check_numerical_gradient(grad_fn: Callable[[Callable[[np.ndarray], float], np.ndarray], np.ndarray]) -> bool:
    """Check ``grad_fn(f, x)``: central-difference gradient of ``f`` at ``x`` (same shape as ``x``), ``x`` unchanged.

    Introduced in chapter 3, exercise 2.
    """
    if _borrowed(grad_fn):
        _report(_BAD, _("that is the library's {name}: write your own loop over np.ndindex"
                        ).format(name=_borrowed(grad_fn)))
        return _summary(1, 1)
    wrong = 0
    for name, f, exact, point in _GRAD_CASES:
        x = np.array(point, dtype=float)
        before = x.copy()
        expected = exact(before)
        value, error = _call(grad_fn, f, x)
        got = _as_array(value) if error is None and value is not None else None
        where = _(name)
        if error is not None:
            _report(_BAD, _("{where}: your function raised {error}").format(where=where, error=error))
        elif value is None:
            _report(_BAD, _("{where}: your function returned None: replace the stub with your code").format(where=where))
        elif got is None or got.shape != expected.shape:
            _report(_BAD, _("{where}: expected an array of shape {shape} (the shape of x), got "
                            "{got}: use np.zeros_like(x) and loop over np.ndindex(x.shape)"
                            ).format(where=where, shape=expected.shape, got=np.shape(value)))
        elif not np.array_equal(x, before):
            _report(_BAD, _("{where}: your function changed x to {changed}: put each entry back "
                            "after evaluating f at x + h and x − h").format(where=where, changed=x.tolist()))
        elif np.allclose(got, expected, rtol=1e-6, atol=1e-7):
            _report(_OK, _("{where}: ∇f = {got}").format(where=where, got=np.round(got, 6).tolist()))
            continue
        elif np.allclose(got, expected, rtol=1e-2, atol=1e-2):
            _report(_BAD, _("{where}: you returned {got}, exact {exact}: close but not accurate; use the "
                            "central difference (f(x+h) − f(x−h)) / (2h) with h = 1e-4"
                            ).format(where=where, got=np.round(got, 8).tolist(),
                                     exact=np.round(expected, 8).tolist()))
        else:
            _report(_BAD, _("{where}: you returned {got}, expected {expected}: nudge one entry at a time, "
                            "by +h and −h").format(where=where, got=np.round(got, 6).tolist(),
                                                   expected=np.round(expected, 6).tolist()))
        wrong += 1
    return _summary(wrong, len(_GRAD_CASES))


# --- Exercise 3: gradient descent ---------------------------------------------------------


def _gd_reference(grad: Callable[[np.ndarray], np.ndarray], init: np.ndarray, lr: float, steps: int) -> np.ndarray:
    x = np.array(init, dtype=float)
    for _step in range(steps):
        x = x - lr * grad(x)
    return x


_GD_CASES = [
    (N_("f = x₀² + x₁² from (-3, 4), η = 0.1, 20 steps"), lambda x: 2 * x, [-3.0, 4.0], 0.1, 20),
    (N_("f = x₀²/20 + x₁² from (-7, 2), η = 0.5, 5 steps"), lambda x: np.array([x[0] / 10, 2 * x[1]]),
     [-7.0, 2.0], 0.5, 5),
    (N_("f = x₀² + x₁² from (1, 1), η = 0.1, 0 steps"), lambda x: 2 * x, [1.0, 1.0], 0.1, 0),
]


def check_gradient_descent(gd: Callable[..., np.ndarray]) -> bool:
    """Check ``gd(grad, init, lr, steps)``: the point reached after ``steps`` updates x ← x − lr·grad(x).

    ``init`` must not be modified. Introduced in chapter 3, exercise 3.
    """
    wrong = 0
    for label, grad, init, lr, steps in _GD_CASES:
        name = _(label)
        start = np.array(init)
        expected = _gd_reference(grad, start, lr, steps)
        value, error = _call(gd, grad, start, lr, steps)
        got = _as_array(value) if error is None and value is not None else None
        if error is not None:
            _report(_BAD, _("{where}: your function raised {error}").format(where=name, error=error))
        elif value is None:
            _report(_BAD, _("{what}: your function returned None: return the final point").format(what=name))
        elif got is None or got.shape != expected.shape:
            _report(_BAD, _("{what}: expected a point of shape {shape}, got {got}").format(
                what=name, shape=expected.shape, got=np.shape(value)))
        elif not np.array_equal(start, np.array(init)):
            _report(_BAD, _("{what}: your function changed init to {changed}: work on a copy "
                            "(x = np.array(init, dtype=float))").format(what=name, changed=start.tolist()))
        elif np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            _report(_OK, _("{what}: ends at {point}").format(what=name, point=np.round(got, 6).tolist()))
            continue
        elif steps and np.allclose(got, _gd_reference(lambda x: -grad(x), start, lr, steps)):
            _report(_BAD, _("{what}: you ended at {point}: you climbed uphill. "
                            "Subtract lr · gradient, do not add it").format(what=name,
                                                                           point=np.round(got, 4).tolist()))
        elif steps > 1 and np.allclose(got, _gd_reference(grad, start, lr, steps - 1)):
            _report(_BAD, _("{what}: you took one step too few ({k} instead of {n})").format(
                what=name, k=steps - 1, n=steps))
        elif np.allclose(got, _gd_reference(grad, start, lr, steps + 1)):
            _report(_BAD, _("{what}: you took one step too many ({k} instead of {n})").format(
                what=name, k=steps + 1, n=steps))
        else:
            _report(_BAD, _("{what}: you ended at {point}, expected {expected}: repeat x = x − lr · grad(x) "
                            "exactly `steps` times").format(what=name, point=np.round(got, 6).tolist(),
                                                            expected=np.round(expected, 6).tolist()))
        wrong += 1
    return _summary(wrong, len(_GD_CASES))


# --- Exercise 4: drawing a mini-batch -----------------------------------------------------


def check_mini_batch(sample: Callable[[np.ndarray, np.ndarray, int, np.random.Generator], tuple]) -> bool:
    """Check ``sample(x, t, batch_size, rng) -> (x_batch, t_batch)``: distinct rows, images and labels kept together.

    Introduced in chapter 3, exercise 4.
    """
    n = 50
    x = np.arange(n * 3, dtype=float).reshape(n, 3)  # row i starts with 3i: the row can be recovered
    t = np.arange(n) % 10
    tests = [(N_("batch of 10 from 50"), 10), (N_("batch of 50 from 50 (the whole set)"), 50), (N_("batch of 1"), 1)]
    wrong = 0
    draws = []
    for label, size in tests:
        name = _(label)
        value, error = _call(sample, x.copy(), t.copy(), size, np.random.default_rng(7))
        if error is not None:
            _report(_BAD, _("{where}: your function raised {error}").format(where=name, error=error))
            wrong += 1
            continue
        try:
            xb, tb = value
            xb, tb = np.asarray(xb, dtype=float), np.asarray(tb)
        except (TypeError, ValueError):
            _report(_BAD, _("{what}: return a pair (x_batch, t_batch), got {kind}").format(
                what=name, kind=type(value).__name__))
            wrong += 1
            continue
        rows = (xb[:, 0] // 3).astype(int) if xb.ndim == 2 and xb.shape[1] == 3 else None
        if xb.shape != (size, 3) or tb.shape != (size,):
            _report(_BAD, _("{what}: expected shapes ({n}, 3) and ({n},), got {shape} and {shape_t}").format(
                what=name, n=size, shape=xb.shape, shape_t=tb.shape))
        elif not np.array_equal(xb, x[rows]):
            _report(_BAD, _("{what}: x_batch contains rows that are not rows of x").format(what=name))
        elif len(set(rows.tolist())) != size:
            _report(_BAD, _("{what}: some samples appear twice: draw without replacement "
                            "(rng.choice(N, batch_size, replace=False))").format(what=name))
        elif not np.array_equal(tb, t[rows]):
            _report(_BAD, _("{what}: the labels do not belong to the images: use the same indices "
                            "for x and t (x[idx], t[idx])").format(what=name))
        else:
            if size > 1:
                _report(_OK, _("{what}: {n} distinct samples, each with its own label").format(what=name, n=size))
            else:
                _report(_OK, _("{what}: {n} distinct sample, each with its own label").format(what=name, n=size))
            draws.append(rows)
            continue
        wrong += 1
    total = len(tests)
    if draws and len(draws[0]) == 10:  # the first test passed: was its batch random, and drawn with rng?
        total += 1
        again, _error = _call(sample, x.copy(), t.copy(), 10, np.random.default_rng(7))
        other, _error = _call(sample, x.copy(), t.copy(), 10, np.random.default_rng(8))
        rows = [None if v is None else np.asarray(v[0], dtype=float)[:, 0] // 3 for v in (again, other)]
        if np.array_equal(np.sort(draws[0]), np.arange(10)):
            _report(_BAD, _("the batch of 10 is the first 10 rows: draw the indices at random with rng"))
            wrong += 1
        elif rows[0] is None or not np.array_equal(rows[0], draws[0]):
            _report(_BAD, _("the same generator state gave a different batch: draw with the rng you were "
                            "given (rng.choice), not with np.random, so that a seeded run repeats"))
            wrong += 1
        elif rows[1] is not None and np.array_equal(rows[1], draws[0]):
            _report(_BAD, _("a differently seeded rng gave the same batch: use the rng argument, "
                            "not a generator of your own"))
            wrong += 1
        else:
            _report(_OK, _("the batch of 10 is drawn at random with rng, not the first rows"))
    return _summary(wrong, total)


# --- Exercise 5: the learning rate at which gradient descent diverges ----------------------


def check_critical_learning_rate(lr: Any) -> bool:
    """Check the learning rate above which gradient descent on f = x²/20 + y² diverges (it is 1).

    Introduced in chapter 3, exercise 5.
    """
    value = _as_float(lr) if lr is not None and lr is not Ellipsis else None
    if value is None:
        _report(_BAD, _("not answered yet: set critical_lr to a number (got {got})").format(got=repr(lr)))
        return False
    if np.isclose(value, 1.0, atol=0.01):
        _report(_OK, _("η = {value:g}: along y the update is y ← (1 − 2η)·y, which shrinks only while "
                       "|1 − 2η| < 1, that is η < 1 (along x it is (1 − η/10)·x, safe up to η = 20)"
                       ).format(value=value))
        return _summary(0, 1)
    if np.isclose(value, 20.0, atol=0.2):
        hint = _("that is the limit along x; the steep direction y breaks first: y ← (1 − 2η)·y "
                 "must have |1 − 2η| < 1")
    elif np.isclose(value, 0.5, atol=0.01):
        hint = _("at η = 0.5 the y-coordinate jumps to 0 in one step, the fastest case; divergence "
                 "starts where |1 − 2η| reaches 1")
    elif np.isclose(value, 2.0, atol=0.02):
        hint = _("the curvature along y is 2 (∂²f/∂y² = 2), so the limit is 2 / curvature")
    else:
        hint = _("write one update for y alone: y ← y − η · 2y = (1 − 2η)·y, and find where "
                 "|1 − 2η| becomes larger than 1")
    _report(_BAD, _("you said η = {value:g}: {hint}").format(value=value, hint=hint))
    return _summary(1, 1)


# --- Exercise 6: reading a gradient ------------------------------------------------------------


def reading_network() -> TwoLayerNet:
    """The untrained 784-10-10 network of exercise 6 (He initialisation, seed 0).

    Introduced in chapter 3, exercise 6.
    """
    return TwoLayerNet(784, 10, 10, weight_init_std="he", seed=0)


def reading_batch() -> tuple[np.ndarray, np.ndarray]:
    """Exercise 6's four training images and their labels, from the committed MNIST sample.

    Introduced in chapter 3, exercise 6.
    """
    (x, t), _ = load_mnist(sample=True)
    return x[8:12], t[8:12]


def check_gradient_reading(negative_classes: Any, most_negative: Any, zero_rows: Any) -> bool:
    """Check three readings of the gradient of :func:`reading_network`'s loss on :func:`reading_batch`.

    ``negative_classes``: the classes whose bias ∂L/∂b2 is negative; ``most_negative``:
    the class with the most negative one; ``zero_rows``: how many rows of ∂L/∂W1 are
    exactly zero. Introduced in chapter 3, exercise 6.
    """
    x, t = reading_batch()
    grads = reading_network().gradient(x, t)  # the same numbers as the numerical gradient, quickly
    negative = set(np.flatnonzero(grads["b2"] < 0).tolist())
    lowest = int(np.argmin(grads["b2"]))
    zero = int(np.sum(np.all(grads["W1"] == 0, axis=1)))
    black_somewhere = int(np.sum(np.any(x == 0, axis=0)))
    wrong = 0
    try:
        given = None if negative_classes is None else {int(c) for c in negative_classes}
    except (TypeError, ValueError):
        given = None
    if given is None:
        _report(_BAD, _("negative_classes: not answered yet: a set of class numbers, e.g. {example}").format(
            example="{1, 2}"))
        wrong += 1
    elif given == negative:
        _report(_OK, _("negative_classes = {classes}: exactly the labels in the batch").format(
            classes=sorted(negative)))
    else:
        _report(_BAD, _("negative_classes: you said {classes}. ∂L/∂b2 is the batch mean of y − t: "
                        "the probabilities y are positive everywhere, and t subtracts 1 at each image's label; "
                        "look at the labels of the batch").format(classes=sorted(given)))
        wrong += 1
    value = _as_float(most_negative) if most_negative is not None else None
    if value is None:
        _report(_BAD, _("most_negative: not answered yet: one class number"))
        wrong += 1
    elif int(value) == lowest:
        times = int(np.sum(t == lowest))
        if times > 1:
            _report(_OK, _("most_negative = {lowest}: it is the label of {k} of the {n} images, so t "
                           "subtracts its 1 {k} times").format(lowest=lowest, k=times, n=len(t)))
        else:
            _report(_OK, f"most_negative = {lowest}")
    else:
        _report(_BAD, _("most_negative: you said {got}. Count how often each label occurs in the batch").format(
            got=int(value)))
        wrong += 1
    value = _as_float(zero_rows) if zero_rows is not None else None
    if value is None:
        _report(_BAD, _("zero_rows: not answered yet: one whole number"))
        wrong += 1
    elif int(value) == zero:
        _report(_OK, _("zero_rows = {zero}: one row per pixel that is black (0) in all four images; "
                       "its weights cannot change the loss on this batch").format(zero=zero))
    else:
        if int(value) == x.shape[1] - zero:
            hint = _("That counts the pixels that are lit in some image; count those that are black in every image")
        elif int(value) == black_somewhere:
            hint = _("That counts pixels black in at least one image; a weight only does nothing if its pixel is "
                     "black in all four")
        else:
            hint = _("Row i of ∂L/∂W1 collects x[:, i] times the error of each hidden unit: it is zero when "
                     "pixel i is 0 in every image of the batch")
        _report(_BAD, _("zero_rows: you said {got}. {hint}").format(got=int(value), hint=hint))
        wrong += 1
    return _summary(wrong, 3)
