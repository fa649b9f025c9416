"""Self-checks for the exercises of chapter 5, Training techniques.

Each ``check_…`` function takes the learner's function, runs it on a few
inputs, prints one line per test (``✓`` right, ``✗`` wrong, with what was
expected and a hint for the usual slips) and returns ``True`` only when
everything is right. Nothing here raises: an unfinished stub (``raise
NotImplementedError``) or a crash in the learner's code becomes a message.
The reference answers come from :mod:`common.optimizers`,
:mod:`common.initializers`, :mod:`common.layers`, :mod:`common.gradient` (the
gradient check of the batch-norm backward pass) and
:mod:`common.lessons.quadratic_stability`. Two checks belong to "try it"
cells in the text rather than to the exercises: :func:`check_stable_lr`
(section 6) and :func:`check_initial_loss` (the sanity checks). Introduced in
chapter 5.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from common.exercises._checking import (
    BAD as _BAD,
    OK as _OK,
    as_array as _as_array,
    call,
    name as _name,
    report,
    summary as _summary_of,
)
from common.gradient import numerical_gradient, relative_error
from common.initializers import he_std, xavier_std
from common.layers import BN_EPS, BatchNormalization
from common.lessons.optimizer_paths import SURFACES, optimizer_path
from common.lessons.quadratic_stability import stability_limit
from common.optimizers import Adam, Momentum, Nesterov
from common.translation import N_, _

__all__ = [
    "check_stable_lr",
    "check_initial_loss",
    "check_momentum_step",
    "check_adam_step",
    "check_he_std",
    "check_dropout_forward",
    "check_batchnorm_forward",
    "check_batchnorm_backward",
    "check_weight_decay_loss",
    "check_log_uniform",
    "check_below_counts",
]

def _summary(n_wrong: int, n_total: int) -> bool:
    return _summary_of(n_wrong, n_total, one_right=_("The test passed."),
                       one_wrong=_("Not yet right: read the line above, fix, run again."))


def _call(fn: Callable, *args: Any) -> tuple[Any, str | None]:
    """``(result, None)``, or ``(None, message)`` if ``fn`` is missing, unfinished or crashes."""
    if fn is None or fn is Ellipsis or not callable(fn):
        return None, _("Not answered yet: pass your function to the check.")
    with np.errstate(all="ignore"):
        ok, out = call(fn, *args)
    return (out, None) if ok else (None, out)


def _close(a: Any, b: np.ndarray, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    arr = _as_array(a)
    return arr is not None and arr.shape == np.shape(b) and bool(np.allclose(arr, b, rtol=rtol, atol=atol))


def _fail(fn_result_msg: str) -> bool:
    report(_BAD, fn_result_msg)
    return _summary(1, 1)


# --- Try it (section 6): the largest stable learning rate ---------------------------------------------


def check_stable_lr(lr: Any) -> bool:
    """Check the largest learning rate for which Nesterov (α = 0.9) converges on the elongated valley.

    The valley ``x²/20 + y²`` has curvature 2 across (y) and 0.1 along (x);
    the answer is ``2(1 + α)/(1 + 2α) / 2 ≈ 0.679``. Within 2 % counts as
    right. Whatever the answer, Nesterov is run just below and just above it
    (``optimizer_path``, 400 steps), so the learner sees the border the
    formula predicts. Introduced in chapter 5, section 6 (try it).
    """
    value = _number_answer(lr, _("your learning rate"))
    if value is None:
        return False
    alpha, curvature = 0.9, 2.0
    exact = stability_limit("Nesterov", alpha) / curvature
    valley = SURFACES["elongated"]
    if value > 0:
        for factor in (0.97, 1.03):
            run = optimizer_path(Nesterov(lr=factor * value, momentum=alpha), valley.gradient, valley.start,
                                 400, f=valley.value, minima=valley.minima)
            verdict = _("diverges") if run.diverged else _("converges")
            print(_("  Nesterov with η = {lr} ({share} of yours) {verdict} on the valley").format(
                lr=f"{factor * value:.4g}", share=f"{factor:.0%}", verdict=verdict))
    if math.isclose(value, exact, rel_tol=0.02):
        report(_OK, _("η = {lr}: the border is ηλ = 2(1 + α)/(1 + 2α) = {border} with λ = {curvature}, "
                      "so η < {limit}").format(lr=f"{value:.4g}", border=f"{exact * curvature:.4g}",
                                               curvature=f"{curvature:g}", limit=f"{exact:.4g}"))
        return True
    if math.isclose(value, stability_limit("SGD") / curvature, rel_tol=0.02):
        hint = _("that is plain SGD's border 2/λ; Nesterov's extra gradient term lowers it")
    elif math.isclose(value, stability_limit("Momentum", alpha) / curvature, rel_tol=0.02):
        hint = _("that is Momentum's border 2(1 + α)/λ; Nesterov's is 2(1 + α)/(1 + 2α) divided by λ")
    elif math.isclose(value, exact * curvature, rel_tol=0.02):
        hint = _("that is the border for ηλ; divide by the curvature across the valley, λ = 2")
    elif math.isclose(value, exact * curvature / 0.1, rel_tol=0.02) or math.isclose(value, exact * 20, rel_tol=0.02):
        hint = _("the steep direction decides: use the curvature across the valley (λ = 2), not along it (0.1)")
    else:
        hint = _("take Nesterov's border for ηλ from the text and divide it by the largest curvature of the valley")
    report(_BAD, _("η = {lr} is not the border: {hint}").format(lr=f"{value:.4g}", hint=hint))
    return False


# --- Try it (sanity checks): the loss of a network that knows nothing -----------------------------------


def check_initial_loss(loss: Any) -> bool:
    """Check the cross-entropy a 10-class network should show before training: ln 10 ≈ 2.303.

    Introduced in chapter 5, the sanity checks (try it).
    """
    value = _number_answer(loss, _("your loss"))
    if value is None:
        return False
    exact = math.log(10)
    if math.isclose(value, exact, rel_tol=1e-3):
        report(_OK, _("{loss}: every class gets probability 1/10, and −ln(1/10) = ln 10 = {exact}").format(
            loss=f"{value:.4f}", exact=f"{exact:.4f}"))
        return True
    if math.isclose(value, 1.0, rel_tol=1e-3):
        hint = _("that is log₁₀ 10; the cross-entropy uses the natural logarithm")
    elif math.isclose(value, math.log2(10), rel_tol=1e-3):
        hint = _("that is log₂ 10, in bits; the course's cross-entropy is in nats (natural logarithm)")
    elif math.isclose(value, 0.1, rel_tol=1e-3):
        hint = _("0.1 is the probability of each class; the loss is −ln of the probability of the right one")
    elif math.isclose(value, -exact, rel_tol=1e-3):
        hint = _("mind the sign: the loss is −ln(1/10), a positive number")
    elif math.isclose(value, 0.0, abs_tol=1e-9):
        hint = _("0 is the loss of a perfect, certain network; an untrained one is unsure")
    else:
        hint = _("an untrained network gives every class about the same probability: what is −ln of it?")
    report(_BAD, _("{label}: {err}").format(label=f"{value:.4g}", err=hint))
    return False


def _number_answer(value: Any, what: str) -> float | None:
    """The learner's answer as a finite float, or ``None`` after printing why it is not one."""
    if value is None or value is Ellipsis:
        report(_BAD, _("Not answered yet: set {what} to a number, then run this check again.").format(what=what))
        return None
    if callable(value):
        report(_BAD, _("expected a number, got a function: write the value itself"))
        return None
    try:
        number = float(np.asarray(value, dtype=float).reshape(()))
    except (TypeError, ValueError):
        report(_BAD, _("expected one number, got {value}").format(value=repr(value)))
        return None
    if not math.isfinite(number):
        report(_BAD, _("expected a finite number, got {value}").format(value=number))
        return None
    return number


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
    nesterov, state, p = [], {}, param0.copy()
    for g in grads:
        p, state = Nesterov(lr=lr, momentum=momentum).step(p, g, state)
        nesterov.append(p)
    wrong = [(sgd, _("this is plain SGD: the velocity must remember the last step (v ← αv − η·g)")),
             (stale, _("update v first, then move W by the *new* v")),
             (uphill, _("the step goes uphill: with v ← αv − η·g the update is W ← W + v")),
             (nesterov, _("that is Nesterov's step (W ← W + αv − η·g); Momentum moves by v alone"))]

    param, v = param0.copy(), np.zeros_like(param0)
    n_right = 0
    for k, g in enumerate(grads):
        result, msg = _call(fn, param.copy(), g.copy(), v.copy() if isinstance(v, np.ndarray) else v,
                            lr, momentum)
        if msg:
            return _fail(msg)
        if not isinstance(result, tuple) or len(result) != 2:
            return _fail(_("{name} must return a pair (new_param, new_v), got {type}").format(
                name=_name(fn), type=type(result).__name__))
        new_param, v = result
        if _close(new_param, expected[k]):
            report(_OK, _("step {k}: parameters match common.optimizers.Momentum").format(k=k + 1))
            n_right += 1
            param = np.asarray(new_param, dtype=float)
            continue
        hint = next((h for series, h in wrong if _close(new_param, series[k])), None)
        shape = np.shape(new_param)
        if shape != param0.shape:
            hint = _("new_param has shape {shape}, expected {expected}").format(shape=shape, expected=param0.shape)
        report(_BAD, _("step {k}: parameters differ from common.optimizers.Momentum: {hint}").format(
            k=k + 1, hint=hint or _("expected v ← αv − η·g, then W ← W + v")))
        return _summary(3 - n_right, 3)
    return _summary(0, 3)


# --- Exercise 2: Adam's bias correction ------------------------------------------------------------


def _adam_series(param0: np.ndarray, grads: list[np.ndarray], lr: float, b1: float, b2: float, eps: float,
                 variant: str) -> list[np.ndarray]:
    """The parameters after each step of Adam, or of a typical slip (for the hints)."""
    p, m, v, out = param0.copy(), np.zeros_like(param0), np.zeros_like(param0), []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m if variant in ("none", "v only") else m / (1 - b1**t)
        v_hat = v if variant in ("none", "m only") else v / (1 - b2**t)
        if variant == "no sqrt":
            p = p - lr * m_hat / (v_hat + eps)
        elif variant == "multiplied":
            p = p - lr * (m * (1 - b1**t)) / (np.sqrt(v * (1 - b2**t)) + eps)
        else:
            p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        if variant == "stored hats":  # the corrected averages fed back as the new m and v
            m, v = m_hat, v_hat
        out.append(p.copy())
    return out


def check_adam_step(fn: Callable) -> bool:
    """Check ``fn(param, grad, m, v, t, lr, beta1, beta2, eps) -> (new_param, new_m, new_v)``: one Adam step.

    ``t`` is the number of the step, 1 for the first. Five steps are run from
    ``m = v = 0``, each time feeding back the ``m`` and ``v`` the learner
    returned, and the parameters are compared with :class:`common.optimizers.Adam`.
    The usual slips get a hint: no bias correction (the first step is then
    about 3 times η), correcting only one of the averages, multiplying
    instead of dividing, counting ``t`` from 0, returning the corrected
    averages as the new ``m`` and ``v``, forgetting the square root.
    Introduced in chapter 5, exercise 2.
    """
    rng = np.random.default_rng(52)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, Adam.eps
    param0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) * 0.1 for _ in range(5)]
    expected = _adam_series(param0, grads, lr, b1, b2, eps, "right")
    hints = [("none", _("no bias correction: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ, or the first steps come "
                        "out about (1 − β₁)/√(1 − β₂) ≈ 3 times too large")),
             ("m only", _("only m is corrected: v needs its own correction, 1 − β₂ᵗ")),
             ("v only", _("only v is corrected: m needs its own correction, 1 − β₁ᵗ")),
             ("multiplied", _("divide by 1 − βᵗ: the averages start too small, so the correction enlarges them")),
             ("stored hats", _("return the raw averages m and v; the corrected m̂ and v̂ are only for the step")),
             ("no sqrt", _("divide by √v̂ + ε: v̂ averages squared gradients"))]
    series = {variant: _adam_series(param0, grads, lr, b1, b2, eps, variant) for variant, _ in hints}
    param, m, v = param0.copy(), np.zeros_like(param0), np.zeros_like(param0)
    for t, g in enumerate(grads, start=1):
        result, msg = _call(fn, param.copy(), g.copy(), np.array(m, dtype=float, copy=True),
                            np.array(v, dtype=float, copy=True), t, lr, b1, b2, eps)
        if msg:
            return _fail(msg)
        if not isinstance(result, tuple) or len(result) != 3:
            return _fail(_("{name} must return three things (new_param, new_m, new_v), got {type}").format(
                name=_name(fn), type=type(result).__name__))
        new_param, m, v = result
        if _close(new_param, expected[t - 1], rtol=1e-6, atol=1e-10):
            report(_OK, _("step {k}: parameters match common.optimizers.Adam").format(k=t))
            param = np.asarray(new_param, dtype=float)
            continue
        arr = _as_array(new_param)
        if arr is None or arr.shape != param0.shape:
            hint = _("new_param should have shape {expected}, got {shape}").format(
                expected=param0.shape, shape=np.shape(new_param))
        elif t == 1 and not np.all(np.isfinite(arr)):
            hint = _("t counts from 1: at the first step 1 − β₁ᵗ = 1 − β₁, never 0")
        else:
            hint = next((h for variant, h in hints if _close(arr, series[variant][t - 1], rtol=1e-6, atol=1e-10)),
                        _("expected m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), W ← W − η·m̂/(√v̂ + ε)"))
        report(_BAD, _("step {k}: parameters differ from common.optimizers.Adam: {hint}").format(k=t, hint=hint))
        return _summary(len(grads) - t + 1, len(grads))
    return _summary(0, len(grads))


# --- Exercise 3: He's standard deviation -----------------------------------------------------------


def check_he_std(fn: Callable) -> bool:
    """Check ``fn(n_in) -> float``, the standard deviation of He initialisation, √(2 / n_in).

    Introduced in chapter 5, exercise 3.
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
            report(_BAD, _("n_in = {n}: expected a number, got {value}").format(n=n, value=repr(got)))
            wrong += 1
            continue
        exact = he_std(n)
        if math.isclose(value, exact, rel_tol=1e-9):
            report(_OK, _("n_in = {n}: {value}").format(n=n, value=f"{value:.6g}"))
            continue
        if n > 1 and math.isclose(value, xavier_std(n), rel_tol=1e-9):
            hint = _("that is Xavier's √(1/n): ReLU zeroes half its inputs, so He doubles the variance")
        elif math.isclose(value, 2 / n, rel_tol=1e-9):
            hint = _("2/n is the variance; the standard deviation is its square root")
        elif math.isclose(value, math.sqrt(2) / n, rel_tol=1e-9):
            hint = _("take the square root of the whole fraction: √(2/n), not √2 / n")
        else:
            hint = _("expected √(2/{n}) = {exact}").format(n=n, exact=f"{exact:.6g}")
        report(_BAD, _("n_in = {n}: got {value}: {hint}").format(n=n, value=f"{value:.6g}", hint=hint))
        wrong += 1
    return _summary(wrong, len(sizes))


# --- Exercise 4: dropout forward, training and test ---------------------------------------------------


def check_dropout_forward(fn: Callable) -> bool:
    """Check ``fn(x, mask, dropout_ratio, train_flg)``: inverted dropout's forward pass.

    ``mask`` is the boolean keep-mask (True = the unit survives), given so the
    check is deterministic. Training: ``x * mask / (1 − ratio)``; test: ``x``
    unchanged, as in :class:`common.layers.Dropout`. Introduced in chapter 5,
    exercise 4.
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
        report(_OK, _("training: kept units scaled by 1/(1 − ratio) = {factor}, dropped units 0").format(
            factor=f"{1 / (1 - ratio):.4g}"))
        results.append(True)
    else:
        if _close(got, x * mask):
            hint = _("no scaling: that is the classic convention, which rescales at test time instead; "
                     "inverted dropout divides the kept units by (1 − ratio) during training")
        elif _close(got, x * mask / ratio):
            hint = _("divide by the share of units *kept*, 1 − ratio, not by the ratio dropped")
        elif _close(got, x * ~mask / (1 - ratio)):
            hint = _("the mask is True for units that are kept; you kept the dropped ones")
        elif _close(got, x):
            hint = _("during training the mask must zero the dropped units")
        else:
            hint = _("expected x * mask / (1 − ratio)")
        report(_BAD, _("training: {hint}").format(hint=hint))
        results.append(False)
    got, msg = _call(fn, x.copy(), mask.copy(), ratio, False)
    if msg:
        report(_BAD, _("test mode: {err}").format(err=msg))
        results.append(False)
    elif _close(got, x):
        report(_OK, _("test: the input passes through unchanged (every unit, no scaling)"))
        results.append(True)
    else:
        if _close(got, x * (1 - ratio)):
            hint = _("scaling by (1 − ratio) at test time belongs to the classic convention; with the "
                     "training-time scaling above, test mode must leave x unchanged")
        elif _close(got, x * mask) or _close(got, train_ok):
            hint = _("at test time no unit is dropped: ignore the mask")
        else:
            hint = _("expected x unchanged")
        report(_BAD, _("test: {hint}").format(hint=hint))
        results.append(False)
    return _summary(results.count(False), 2)


# --- Exercise 5: batch-norm forward ------------------------------------------------------------------


def check_batchnorm_forward(fn: Callable) -> bool:
    """Check ``fn(x, gamma, beta, eps)`` for a batch (N, D): normalise each feature, then scale and shift.

    Training-mode forward of :class:`common.layers.BatchNormalization`: mean
    and (biased) variance over the batch axis, ``x̂ = (x − μ) / √(σ² + ε)``,
    output ``γ x̂ + β``. One feature is constant, so forgetting ε shows.
    Introduced in chapter 5, exercise 5.
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
            report(_BAD, _("{label}: expected an array of shape {expected}, got {shape}").format(
                label=what, expected=x.shape, shape=np.shape(got)))
            results.append(False)
            continue
        if _close(arr, expected, rtol=1e-5, atol=1e-7):
            detail = (_("every feature has mean 0 and variance 1 (the constant one stays 0)") if what[0] == "x"
                      else _("matches common.layers.BatchNormalization in training mode"))
            report(_OK, _("{label}: {err}").format(label=what, err=detail))
            results.append(True)
            continue
        mu, var = x.mean(axis=0), x.var(axis=0)
        xn = (x - mu) / np.sqrt(var + eps)
        rows = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
        unbiased = (x - mu) / np.sqrt(x.var(axis=0, ddof=1) + eps)
        if not np.all(np.isfinite(arr)):
            hint = _("the constant feature gives 0/0: add eps inside the square root, "
                     "√(σ² + ε), so a zero variance is safe")
        elif _close(arr, xn, rtol=1e-5, atol=1e-7):
            hint = _("x̂ is right, but the output is γ·x̂ + β: apply gamma and beta")
        elif _close(arr, rows * g + b, rtol=1e-5, atol=1e-7):
            hint = _("normalise each feature over the batch (axis=0), not each sample over its features")
        elif _close(arr, unbiased * g + b, rtol=1e-5, atol=1e-7):
            hint = _("use the batch variance with 1/N (np.var's default), not 1/(N − 1)")
        elif _close(arr, (x - mu) / (np.sqrt(var) + eps) * g + b, rtol=1e-5, atol=1e-7):
            hint = _("put eps inside the square root: √(σ² + ε)")
        elif _close(arr, (x - mu) / np.sqrt(var + eps), rtol=1e-5, atol=1e-7):
            hint = _("x̂ is right, but the output is γ·x̂ + β: apply gamma and beta")
        else:
            hint = _("expected γ·(x − μ_B)/√(σ_B² + ε) + β, with μ_B and σ_B² taken over axis 0")
        report(_BAD, _("{label}: {err}").format(label=what, err=hint))
        results.append(False)
    return _summary(results.count(False), 2)


# --- Exercise 6: batch-norm backward, with a gradient check ------------------------------------------


def _bn_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta


def _bn_backward_variants(dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float) -> dict[str, tuple]:
    """Typical slips of the backward pass, as (dx, dgamma, dbeta), for the hints."""
    std = np.sqrt(x.var(axis=0) + eps)
    xh = (x - x.mean(axis=0)) / std
    dxh = gamma * dy
    dgamma, dbeta = np.sum(dy * xh, axis=0), dy.sum(axis=0)
    mean_dxh, mean_proj = dxh.mean(axis=0), np.mean(dxh * xh, axis=0)
    return {
        "constants": (dxh / std, dgamma, dbeta),
        "no variance path": ((dxh - mean_dxh) / std, dgamma, dbeta),
        "no mean path": ((dxh - xh * mean_proj) / std, dgamma, dbeta),
        "no gamma": ((dy - dy.mean(axis=0) - xh * np.mean(dy * xh, axis=0)) / std, dgamma, dbeta),
    }


_BN_HINTS = {
    "constants": N_("μ_B and σ_B² depend on every input of the batch: subtract the mean of dx̂ and x̂ times the "
                    "mean of dx̂ ⊙ x̂ before dividing by √(σ_B² + ε)"),
    "no variance path": N_("the path through σ_B² is missing: subtract x̂ · mean(dx̂ ⊙ x̂) as well"),
    "no mean path": N_("the path through μ_B is missing: subtract mean(dx̂) as well"),
    "no gamma": N_("dx̂ = γ ⊙ dy: the scale γ sits between x̂ and y"),
}


def check_batchnorm_backward(fn: Callable) -> bool:
    """Check ``fn(dy, x, gamma, eps) -> (dx, dgamma, dbeta)``, batch norm's backward pass in training mode.

    ``x`` is a batch (N, D); ``dy`` the gradient arriving at the output
    ``y = γ x̂ + β``. Each returned gradient is compared, by relative error, with
    a numerical gradient of ``L = Σ dy ⊙ y`` (central differences, float64):
    a gradient check. The relative errors are printed; below 1e-6 passes.
    Introduced in chapter 5, exercise 6.
    """
    rng = np.random.default_rng(57)
    n, d = 8, 5
    x = rng.standard_normal((n, d)) * np.array([1.0, 5.0, 0.2, 2.0, 1.0]) + np.array([0.0, 3.0, -1.0, 0.5, 2.0])
    gamma = rng.uniform(0.5, 2.0, d)
    beta = rng.standard_normal(d)
    dy = rng.standard_normal((n, d))
    eps = BN_EPS

    def loss(_: np.ndarray) -> float:
        return float(np.sum(dy * _bn_forward(x, gamma, beta, eps)))

    numeric = {"dx": numerical_gradient(loss, x, h=1e-5), "dgamma": numerical_gradient(loss, gamma, h=1e-5),
               "dbeta": numerical_gradient(loss, beta, h=1e-5)}
    got, msg = _call(fn, dy.copy(), x.copy(), gamma.copy(), eps)
    if msg:
        return _fail(msg)
    if not isinstance(got, tuple) or len(got) != 3:
        return _fail(_("{name} must return three arrays (dx, dgamma, dbeta), got {type}").format(
            name=_name(fn), type=type(got).__name__))
    variants = _bn_backward_variants(dy, x, gamma, eps)
    wrong = 0
    for k, (label, answer) in enumerate(zip(("dx", "dgamma", "dbeta"), got)):
        arr, want = _as_array(answer), numeric[label]
        if arr is None or arr.shape != want.shape:
            message = _("{label}: expected shape {expected}, got {shape}").format(
                label=label, expected=want.shape, shape=np.shape(answer))
            if label != "dx" and arr is not None and arr.shape == (n,):
                message = _("{err}: sum over the batch (axis 0), one value per feature").format(err=message)
            report(_BAD, message)
            wrong += 1
            continue
        err = relative_error(arr, want)
        if err < 1e-6:
            report(_OK, _("{label}: relative error {error} against the numerical gradient").format(
                label=label, error=f"{err:.1e}"))
            continue
        hint = next((_(_BN_HINTS[v]) for v, grads in variants.items()
                     if k == 0 and _close(arr, grads[0], rtol=1e-6, atol=1e-9)), None)
        if hint is None and label == "dgamma" and _close(arr, dy.sum(axis=0)):
            hint = _("∂L/∂γ = Σᵢ dyᵢ ⊙ x̂ᵢ: each γ multiplies x̂")
        if hint is None and label == "dx" and _close(arr, _unbiased_dx(dy, x, gamma, eps)):
            hint = _("use the batch variance with 1/N (np.var's default), as the forward pass does")
        if hint:
            message = _("{label}: relative error {error} against the numerical gradient: {hint}").format(
                label=label, error=f"{err:.1e}", hint=hint)
        else:
            message = _("{label}: relative error {error} against the numerical gradient").format(
                label=label, error=f"{err:.1e}")
        report(_BAD, message)
        wrong += 1
    return _summary(wrong, 3)


def _unbiased_dx(dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float) -> np.ndarray:
    """The compact dx formula evaluated with the 1/(N − 1) variance (a slip worth a hint)."""
    std = np.sqrt(x.var(axis=0, ddof=1) + eps)
    xh = (x - x.mean(axis=0)) / std
    dxh = gamma * dy
    return (dxh - dxh.mean(axis=0) - xh * np.mean(dxh * xh, axis=0)) / std


# --- Exercise 7: the weight-decay loss -------------------------------------------------------------


def check_weight_decay_loss(fn: Callable) -> bool:
    """Check ``fn(data_loss, weights, lam) -> float``: ``L0 + λ/2 · Σ W²`` over every weight matrix.

    Introduced in chapter 5, exercise 7.
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
            report(_BAD, _("λ = {lam}: expected one number, got {type} {shape}").format(
                lam=lam, type=type(got).__name__, shape=np.shape(got)))
            wrong += 1
            continue
        if math.isclose(value, exact, rel_tol=1e-9, abs_tol=1e-12):
            report(_OK, _("L0 = {loss}, λ = {lam}: total {value}").format(
                loss=data_loss, lam=lam, value=f"{value:.6f}"))
            continue
        if lam and math.isclose(value, data_loss + lam * squares, rel_tol=1e-9):
            hint = _("the penalty is λ/2 · ΣW² (the 1/2 makes its gradient exactly λW)")
        elif lam and math.isclose(value, data_loss + 0.5 * lam * sum(float(np.sum(np.abs(W))) for W in weights),
                                  rel_tol=1e-9):
            hint = _("that is an L1 penalty (|W|); weight decay squares the weights")
        elif lam and math.isclose(value, data_loss + 0.5 * lam * sum(float(np.sum(W)) for W in weights),
                                  rel_tol=1e-9):
            hint = _("square the weights before summing: positive and negative weights must not cancel")
        elif lam and math.isclose(value, 0.5 * lam * squares, rel_tol=1e-9):
            hint = _("add the data loss L0: the penalty comes on top of it")
        elif lam and math.isclose(value, data_loss + 0.5 * lam * float(np.sum(weights[0] ** 2)), rel_tol=1e-9):
            hint = _("sum over every weight matrix in the list, not only the first")
        else:
            hint = _("expected {value}").format(value=f"{exact:.6f}")
        report(_BAD, _("L0 = {loss}, λ = {lam}: got {value}: {hint}").format(
            loss=data_loss, lam=lam, value=f"{value:.6f}", hint=hint))
        wrong += 1
    return _summary(wrong, len(cases))


# --- Exercise 8: sampling on a log scale ------------------------------------------------------------


def check_log_uniform(fn: Callable) -> bool:
    """Check ``fn(low, high, size, rng)``: random samples whose log10 is uniform between log10(low) and log10(high).

    20,000 samples over 1e-6 … 1e-2 must lie inside the range and fall about
    equally (25 % ± 3 %) into each of the four decades. They must also be
    random and drawn from the ``rng`` passed in: the same seed twice must give
    the same samples, another seed other samples, and an evenly spaced grid
    (``np.geomspace``, or sorted output) is rejected. Introduced in chapter 5,
    exercise 8.
    """
    low, high, size = 1e-6, 1e-2, 20_000
    got, msg = _call(fn, low, high, size, np.random.default_rng(56))
    if msg:
        return _fail(msg)
    arr = _as_array(got)
    if arr is None or arr.shape != (size,):
        return _fail(_("expected an array of {size} samples (shape ({size},)), got shape {shape}").format(
            size=size, shape=np.shape(got)))
    results = []
    if np.all((arr >= low) & (arr <= high)):
        report(_OK, _("all {size} samples lie between {low} and {high}").format(
            size=f"{size:,}", low=f"{low:g}", high=f"{high:g}"))
        results.append(True)
    else:
        if np.all((arr >= -6) & (arr <= -2)):
            hint = _("these look like exponents: return 10 ** exponent")
        else:
            hint = _("smallest {low}, largest {high}").format(low=f"{arr.min():.3g}", high=f"{arr.max():.3g}")
        report(_BAD, _("samples outside [{low}, {high}]: {hint}").format(low=f"{low:g}", high=f"{high:g}", hint=hint))
        return _summary(1, 3)
    with np.errstate(all="ignore"):
        share = np.histogram(np.log10(arr), bins=4, range=(-6, -2))[0] / size
    text = ", ".join(f"{s:.0%}" for s in share)
    if np.all(np.abs(share - 0.25) < 0.03):
        report(_OK, _("each decade gets about a quarter of the samples ({shares})").format(shares=text))
        results.append(True)
    else:
        hint = (_("almost all in the top decade: that is uniform on a linear scale; draw the exponent "
                  "uniformly instead") if share[-1] > 0.8 else _("expected about 25 % in each decade"))
        report(_BAD, _("share of samples per decade 1e-6…1e-5…1e-4…1e-3…1e-2: {shares}: {hint}").format(
            shares=text, hint=hint))
        results.append(False)
    again, _unused = _call(fn, low, high, size, np.random.default_rng(56))
    other, _unused = _call(fn, low, high, size, np.random.default_rng(57))
    again, other = _as_array(again), _as_array(other)
    if np.all(np.diff(arr) >= 0) or np.all(np.diff(arr) <= 0):
        report(_BAD, _("the samples come out sorted, like an evenly spaced grid (np.geomspace): "
                       "draw them at random with rng"))
        results.append(False)
    elif again is None or again.shape != arr.shape or not np.array_equal(again, arr):
        report(_BAD, _("the same seed gave different samples: draw them with the rng passed in, "
                       "not with np.random or a generator of your own"))
        results.append(False)
    elif other is not None and other.shape == arr.shape and np.array_equal(other, arr):
        report(_BAD, _("another seed gave the same samples: draw them with the rng passed in"))
        results.append(False)
    else:
        report(_OK, _("random, and drawn from the rng passed in (the same seed repeats them, another does not)"))
        results.append(True)
    return _summary(results.count(False), 3)


def check_below_counts(n_log: Any, n_uniform: Any) -> bool:
    """Check the second question of exercise 8: of 1,000 learning rates between 1e-5 and 1e-1, how many below 1e-3?

    Expected: about half of the log-uniform ones (two of the four decades lie
    below 1e-3) and about 1 % of the uniform ones ((1e-3 − 1e-5)/(1e-1 − 1e-5)).
    Counts of one random draw are accepted within their chance spread
    (log-uniform 440 to 560, uniform 0 to 25). Introduced in chapter 5,
    exercise 8.
    """
    counts = []
    for value, what in ((n_log, "n_log"), (n_uniform, "n_uniform")):
        number = _number_answer(value, what)
        if number is None:
            return _summary(1, 2)
        counts.append(number)
    n_log_value, n_uni_value = counts
    wrong = 0
    if 0 < n_log_value <= 1 or 0 < n_uni_value < 1:
        report(_BAD, _("these look like fractions; the question asks how many of the 1,000 samples"))
        return _summary(2, 2)
    if 440 <= n_log_value <= 560:
        report(_OK, _("log-uniform: {count} of 1,000, about half: 1e-5…1e-3 is two of the four decades").format(
            count=f"{n_log_value:g}"))
    else:
        if n_log_value <= 25:
            hint = _("that is what a linear uniform draw gives; did you swap the two counts?")
        elif 220 <= n_log_value <= 280:
            hint = _("1e-5 to 1e-3 spans two of the four decades, not one")
        else:
            hint = _("each of the four decades gets a quarter of the samples; how many decades lie below 1e-3?")
        report(_BAD, _("log-uniform: {count} of 1,000: {hint}").format(count=f"{n_log_value:g}", hint=hint))
        wrong += 1
    if 0 <= n_uni_value <= 25:
        report(_OK, _("uniform: {count} of 1,000, about 1 %: (1e-3 − 1e-5)/(1e-1 − 1e-5) ≈ 0.0099").format(
            count=f"{n_uni_value:g}"))
    else:
        if 440 <= n_uni_value <= 560:
            hint = _("that is the log-uniform count; did you swap the two counts?")
        else:
            hint = _("a uniform draw puts a share (1e-3 − 1e-5)/(1e-1 − 1e-5) of its samples below 1e-3")
        report(_BAD, _("uniform: {count} of 1,000: {hint}").format(count=f"{n_uni_value:g}", hint=hint))
        wrong += 1
    return _summary(wrong, 2)
