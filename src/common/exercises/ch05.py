"""Self-checks for the exercises of chapter 5, Training techniques.

Each ``check_…`` function takes the learner's function, runs it on a few
inputs, prints one line per test (``✓`` right, ``✗`` wrong, with what was
expected and a hint for the usual slips) and returns ``True`` only when
everything is right. Nothing here raises: an unfinished stub (``raise
NotImplementedError``) or a crash in the learner's code becomes a message.
The reference answers come from :mod:`common.optimizers`,
:mod:`common.initializers`, :mod:`common.layers` and :mod:`common.lessons.hyperparams`.
Introduced in chapter 5.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from common.exercises._checking import (
    BAD as _BAD,
    OK as _OK,
    as_array as _as_array,
    call,
    name as _name,
    summary as _summary_of,
)
from common.initializers import he_std, xavier_std
from common.layers import BN_EPS, BatchNormalization
from common.optimizers import Momentum

__all__ = [
    "check_momentum_step",
    "check_he_std",
    "check_dropout_forward",
    "check_batchnorm_forward",
    "check_weight_decay_loss",
    "check_log_uniform",
]

_summary = partial(_summary_of, one_right="The test passed.",
                   one_wrong="Not yet right: read the line above, fix, run again.")


def _call(fn: Callable, *args: Any) -> tuple[Any, str | None]:
    """``(result, None)``, or ``(None, message)`` if ``fn`` is missing, unfinished or crashes."""
    if fn is None or fn is Ellipsis or not callable(fn):
        return None, "Not answered yet: pass your function to the check."
    with np.errstate(all="ignore"):
        ok, out = call(fn, *args)
    return (out, None) if ok else (None, out)


def _close(a: Any, b: np.ndarray, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    arr = _as_array(a)
    return arr is not None and arr.shape == np.shape(b) and bool(np.allclose(arr, b, rtol=rtol, atol=atol))


def _fail(fn_result_msg: str) -> bool:
    print(f"{_BAD} {fn_result_msg}")
    return _summary(1, 1)


# --- Exercise 1: one step of Momentum ------------------------------------------------------------


def check_momentum_step(fn: Callable) -> bool:
    """Check ``fn(param, grad, v, lr, momentum) -> (new_param, new_v)``, one step of Momentum.

    Three steps are run from ``v = 0``, each time feeding back the ``v`` the
    learner returned, and the parameters are compared with
    :class:`common.optimizers.Momentum`. Either sign convention for ``v`` is
    accepted (``v ← αv − η·g, W ← W + v`` or ``v ← αv + η·g, W ← W − v``):
    only the parameters must match. Introduced in chapter 5, exercise 1.
    """
    rng = np.random.default_rng(51)
    lr, momentum = 0.1, 0.9
    param0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(3)]
    ref = Momentum(lr=lr, momentum=momentum)
    expected, state, p = [], {}, param0.copy()
    for g in grads:
        p, state = ref.step(p, g, state)
        expected.append(p)
    # typical slips, for the hints
    sgd = [param0 - lr * sum(grads[: k + 1]) for k in range(3)]
    p_old, v_old, stale = param0.copy(), np.zeros_like(param0), []
    for g in grads:  # W moved by the *old* velocity
        p_old = p_old + v_old
        v_old = momentum * v_old - lr * g
        stale.append(p_old.copy())
    uphill = [2 * param0 - e for e in expected]
    wrong = [(sgd, "this is plain SGD: the velocity must remember the last step (v ← αv − η·g)"),
             (stale, "update v first, then move W by the *new* v"),
             (uphill, "the step goes uphill: with v ← αv − η·g the update is W ← W + v")]

    param, v = param0.copy(), np.zeros_like(param0)
    n_right = 0
    for k, g in enumerate(grads):
        result, msg = _call(fn, param.copy(), g.copy(), v.copy() if isinstance(v, np.ndarray) else v,
                            lr, momentum)
        if msg:
            return _fail(msg)
        if not isinstance(result, tuple) or len(result) != 2:
            return _fail(f"{_name(fn)} must return a pair (new_param, new_v), got {type(result).__name__}")
        new_param, v = result
        if _close(new_param, expected[k]):
            print(f"{_OK} step {k + 1}: parameters match common.optimizers.Momentum")
            n_right += 1
            param = np.asarray(new_param, dtype=float)
            continue
        hint = next((h for series, h in wrong if _close(new_param, series[k])), None)
        shape = np.shape(new_param)
        if shape != param0.shape:
            hint = f"new_param has shape {shape}, expected {param0.shape}"
        print(f"{_BAD} step {k + 1}: parameters differ from common.optimizers.Momentum"
              + (f": {hint}" if hint else ": expected v ← αv − η·g, then W ← W + v"))
        return _summary(3 - n_right, 3)
    return _summary(0, 3)


# --- Exercise 2: He's standard deviation -----------------------------------------------------------


def check_he_std(fn: Callable) -> bool:
    """Check ``fn(n_in) -> float``, the standard deviation of He initialisation, √(2 / n_in).

    Introduced in chapter 5, exercise 2.
    """
    sizes = (1, 2, 50, 100, 784)
    wrong = 0
    for n in sizes:
        got, msg = _call(fn, n)
        if msg:
            return _fail(msg)
        try:
            value = float(got)
        except (TypeError, ValueError):
            print(f"{_BAD} n_in = {n}: expected a number, got {got!r}")
            wrong += 1
            continue
        exact = he_std(n)
        if math.isclose(value, exact, rel_tol=1e-9):
            print(f"{_OK} n_in = {n}: {value:.6g}")
            continue
        if n > 1 and math.isclose(value, xavier_std(n), rel_tol=1e-9):
            hint = "that is Xavier's √(1/n): ReLU zeroes half its inputs, so He doubles the variance"
        elif math.isclose(value, 2 / n, rel_tol=1e-9):
            hint = "2/n is the variance; the standard deviation is its square root"
        elif math.isclose(value, math.sqrt(2) / n, rel_tol=1e-9):
            hint = "take the square root of the whole fraction: √(2/n), not √2 / n"
        else:
            hint = f"expected √(2/{n}) = {exact:.6g}"
        print(f"{_BAD} n_in = {n}: got {value:.6g}: {hint}")
        wrong += 1
    return _summary(wrong, len(sizes))


# --- Exercise 3: dropout forward, training and test ---------------------------------------------------


def check_dropout_forward(fn: Callable) -> bool:
    """Check ``fn(x, mask, dropout_ratio, train_flg)``: inverted dropout's forward pass.

    ``mask`` is the boolean keep-mask (True = the unit survives), given so the
    check is deterministic. Training: ``x * mask / (1 − ratio)``; test: ``x``
    unchanged, as in :class:`common.layers.Dropout`. Introduced in chapter 5,
    exercise 3.
    """
    rng = np.random.default_rng(53)
    x = rng.standard_normal((4, 6))
    ratio = 0.4
    mask = rng.random(x.shape) >= ratio
    train_ok = x * mask / (1 - ratio)
    results = []
    got, msg = _call(fn, x.copy(), mask.copy(), ratio, True)
    if msg:
        return _fail(msg)
    if _close(got, train_ok):
        print(f"{_OK} training: kept units scaled by 1/(1 − ratio) = {1 / (1 - ratio):.4g}, dropped units 0")
        results.append(True)
    else:
        if _close(got, x * mask):
            hint = ("no scaling: that is the classic convention, which rescales at test time instead; "
                    "inverted dropout divides the kept units by (1 − ratio) during training")
        elif _close(got, x * mask / ratio):
            hint = "divide by the share of units *kept*, 1 − ratio, not by the ratio dropped"
        elif _close(got, x * ~mask / (1 - ratio)):
            hint = "the mask is True for units that are kept; you kept the dropped ones"
        elif _close(got, x):
            hint = "during training the mask must zero the dropped units"
        else:
            hint = "expected x * mask / (1 − ratio)"
        print(f"{_BAD} training: {hint}")
        results.append(False)
    got, msg = _call(fn, x.copy(), mask.copy(), ratio, False)
    if msg:
        print(f"{_BAD} test mode: {msg}")
        results.append(False)
    elif _close(got, x):
        print(f"{_OK} test: the input passes through unchanged (every unit, no scaling)")
        results.append(True)
    else:
        if _close(got, x * (1 - ratio)):
            hint = ("scaling by (1 − ratio) at test time belongs to the classic convention; with the "
                    "training-time scaling above, test mode must leave x unchanged")
        elif _close(got, x * mask) or _close(got, train_ok):
            hint = "at test time no unit is dropped: ignore the mask"
        else:
            hint = "expected x unchanged"
        print(f"{_BAD} test: {hint}")
        results.append(False)
    return _summary(results.count(False), 2)


# --- Exercise 4: batch-norm forward ------------------------------------------------------------------


def check_batchnorm_forward(fn: Callable) -> bool:
    """Check ``fn(x, gamma, beta, eps)`` for a batch (N, D): normalise each feature, then scale and shift.

    Training-mode forward of :class:`common.layers.BatchNormalization`: mean
    and (biased) variance over the batch axis, ``x̂ = (x − μ) / √(σ² + ε)``,
    output ``γ x̂ + β``. One feature is constant, so forgetting ε shows.
    Introduced in chapter 5, exercise 4.
    """
    rng = np.random.default_rng(54)
    x = rng.standard_normal((8, 5)) * np.array([1.0, 10.0, 0.1, 3.0, 1.0]) + np.array([0, 5, -2, 0, 0])
    x[:, 4] = 2.5  # a constant feature: its variance is 0
    gamma = np.array([1.0, 2.0, 0.5, 1.5, 1.0])
    beta = np.array([0.0, -1.0, 0.3, 0.0, 0.2])
    eps = BN_EPS
    results = []
    for g, b, what in ((np.ones(5), np.zeros(5), "x̂ (γ = 1, β = 0)"), (gamma, beta, "γ·x̂ + β")):
        expected = BatchNormalization(g.copy(), b.copy()).forward(x.copy(), train_flg=True)
        got, msg = _call(fn, x.copy(), g.copy(), b.copy(), eps)
        if msg:
            return _fail(msg)
        arr = _as_array(got)
        if arr is None or arr.shape != x.shape:
            print(f"{_BAD} {what}: expected an array of shape {x.shape}, got {np.shape(got)}")
            results.append(False)
            continue
        if _close(arr, expected, rtol=1e-5, atol=1e-7):
            detail = ("every feature has mean 0 and variance 1 (the constant one stays 0)" if what[0] == "x"
                      else "matches common.layers.BatchNormalization in training mode")
            print(f"{_OK} {what}: {detail}")
            results.append(True)
            continue
        mu, var = x.mean(axis=0), x.var(axis=0)
        xn = (x - mu) / np.sqrt(var + eps)
        rows = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
        unbiased = (x - mu) / np.sqrt(x.var(axis=0, ddof=1) + eps)
        if not np.all(np.isfinite(arr)):
            hint = ("the constant feature gives 0/0: add eps inside the square root, "
                    "√(σ² + ε), so a zero variance is safe")
        elif _close(arr, xn, rtol=1e-5, atol=1e-7):
            hint = "x̂ is right, but the output is γ·x̂ + β: apply gamma and beta"
        elif _close(arr, rows * g + b, rtol=1e-5, atol=1e-7):
            hint = "normalise each feature over the batch (axis=0), not each sample over its features"
        elif _close(arr, unbiased * g + b, rtol=1e-5, atol=1e-7):
            hint = "use the batch variance with 1/N (np.var's default), not 1/(N − 1)"
        elif _close(arr, (x - mu) / (np.sqrt(var) + eps) * g + b, rtol=1e-5, atol=1e-7):
            hint = "put eps inside the square root: √(σ² + ε)"
        elif _close(arr, (x - mu) / np.sqrt(var + eps), rtol=1e-5, atol=1e-7):
            hint = "x̂ is right, but the output is γ·x̂ + β: apply gamma and beta"
        else:
            hint = "expected γ·(x − μ_B)/√(σ_B² + ε) + β, with μ_B and σ_B² taken over axis 0"
        print(f"{_BAD} {what}: {hint}")
        results.append(False)
    return _summary(results.count(False), 2)


# --- Exercise 5: the weight-decay loss -------------------------------------------------------------


def check_weight_decay_loss(fn: Callable) -> bool:
    """Check ``fn(data_loss, weights, lam) -> float``: ``L0 + λ/2 · Σ W²`` over every weight matrix.

    Introduced in chapter 5, exercise 5.
    """
    rng = np.random.default_rng(55)
    weights = [rng.standard_normal((4, 3)), rng.standard_normal((3, 2))]
    cases = [(0.7, 0.1), (1.3, 0.0), (0.2, 2.0)]
    wrong = 0
    for data_loss, lam in cases:
        squares = sum(float(np.sum(W * W)) for W in weights)
        exact = data_loss + 0.5 * lam * squares
        got, msg = _call(fn, data_loss, [W.copy() for W in weights], lam)
        if msg:
            return _fail(msg)
        try:
            value = float(got)
        except (TypeError, ValueError):
            print(f"{_BAD} λ = {lam}: expected one number, got {type(got).__name__} {np.shape(got)}")
            wrong += 1
            continue
        if math.isclose(value, exact, rel_tol=1e-9, abs_tol=1e-12):
            print(f"{_OK} L0 = {data_loss}, λ = {lam}: total {value:.6f}")
            continue
        if lam and math.isclose(value, data_loss + lam * squares, rel_tol=1e-9):
            hint = "the penalty is λ/2 · ΣW² (the 1/2 makes its gradient exactly λW)"
        elif lam and math.isclose(value, data_loss + 0.5 * lam * sum(float(np.sum(np.abs(W))) for W in weights),
                                  rel_tol=1e-9):
            hint = "that is an L1 penalty (|W|); weight decay squares the weights"
        elif lam and math.isclose(value, data_loss + 0.5 * lam * sum(float(np.sum(W)) for W in weights),
                                  rel_tol=1e-9):
            hint = "square the weights before summing: positive and negative weights must not cancel"
        elif lam and math.isclose(value, 0.5 * lam * squares, rel_tol=1e-9):
            hint = "add the data loss L0: the penalty comes on top of it"
        elif lam and math.isclose(value, data_loss + 0.5 * lam * float(np.sum(weights[0] ** 2)), rel_tol=1e-9):
            hint = "sum over every weight matrix in the list, not only the first"
        else:
            hint = f"expected {exact:.6f}"
        print(f"{_BAD} L0 = {data_loss}, λ = {lam}: got {value:.6f}: {hint}")
        wrong += 1
    return _summary(wrong, len(cases))


# --- Exercise 6: sampling on a log scale ------------------------------------------------------------


def check_log_uniform(fn: Callable) -> bool:
    """Check ``fn(low, high, size, rng)``: samples whose log10 is uniform between log10(low) and log10(high).

    20,000 samples over 1e-6 … 1e-2 must be positive, inside the range, and
    fall about equally (25 % ± 3 %) into each of the four decades.
    Introduced in chapter 5, exercise 6.
    """
    low, high, size = 1e-6, 1e-2, 20_000
    got, msg = _call(fn, low, high, size, np.random.default_rng(56))
    if msg:
        return _fail(msg)
    arr = _as_array(got)
    if arr is None or arr.shape != (size,):
        return _fail(f"expected an array of {size} samples (shape ({size},)), got shape {np.shape(got)}")
    results = []
    if np.all((arr >= low) & (arr <= high)):
        print(f"{_OK} all {size:,} samples lie between {low:g} and {high:g}")
        results.append(True)
    else:
        if np.all((arr >= -6) & (arr <= -2)):
            hint = "these look like exponents: return 10 ** exponent"
        else:
            hint = f"smallest {arr.min():.3g}, largest {arr.max():.3g}"
        print(f"{_BAD} samples outside [{low:g}, {high:g}]: {hint}")
        results.append(False)
        return _summary(1, 2)
    with np.errstate(all="ignore"):
        share = np.histogram(np.log10(arr), bins=4, range=(-6, -2))[0] / size
    text = ", ".join(f"{s:.0%}" for s in share)
    if np.all(np.abs(share - 0.25) < 0.03):
        print(f"{_OK} each decade gets about a quarter of the samples ({text})")
        results.append(True)
    else:
        hint = ("almost all in the top decade: that is uniform on a linear scale; draw the exponent "
                "uniformly instead" if share[-1] > 0.8 else "expected about 25 % in each decade")
        print(f"{_BAD} share of samples per decade 1e-6…1e-5…1e-4…1e-3…1e-2: {text}: {hint}")
        results.append(False)
    return _summary(results.count(False), 2)
