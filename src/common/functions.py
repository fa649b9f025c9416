"""Activation and loss functions, written once and reused by every chapter.

Activations are introduced in chapter 2 (Neural networks), losses in chapter 3
(Learning from data). All functions work on NumPy arrays of any shape (the batch
is the first axis, classes the last), never loop over elements, and keep the
floating dtype of their input: float32 in, float32 out. Integer or boolean
input is promoted to float64.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "step_function",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "identity_function",
    "softmax",
    "log_softmax",
    "sum_squared_error",
    "mean_squared_error",
    "cross_entropy_error",
    "softmax_cross_entropy",
    "np",  # the classic book's chapter-4 scripts use NumPy after `from common.functions import *`
]

CROSS_ENTROPY_EPS: float = 1e-7
"""Added inside ``log`` by :func:`cross_entropy_error` so that ``log(0)`` never happens."""


def _float_array(x: ArrayLike) -> NDArray[np.floating]:
    """Return ``x`` as an array, keeping float dtypes and promoting anything else to float64."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


# --------------------------------------------------------------------- activations
def step_function(x: ArrayLike) -> NDArray:
    """Output 1 where ``x > 0`` and 0 elsewhere: the perceptron's threshold as an activation.

    Float input gives the same float dtype, anything else gives int64 (so truth
    tables print as 0/1). Introduced in chapter 2, Neural networks.
    """
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.int64
    return (x > 0).astype(dtype)


def sigmoid(x: ArrayLike, gain: float = 1.0) -> NDArray[np.floating]:
    """The logistic function ``1 / (1 + exp(-gain * x))``, a smooth step.

    Written so that ``exp`` only ever sees non-positive numbers: no overflow
    warning even at ``x = ±1e4``. A larger ``gain`` makes the step sharper.
    Introduced in chapter 2, Neural networks.
    """
    z = gain * _float_array(x)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: ArrayLike, gain: float = 1.0) -> NDArray[np.floating]:
    """Derivative of :func:`sigmoid` with respect to ``x``: ``gain * s * (1 - s)``.

    Takes the pre-activation ``x``, not the sigmoid's output. Introduced in
    chapter 2, Neural networks (used for backprop in chapter 4).
    """
    s = sigmoid(x, gain)
    return gain * s * (1 - s)


def tanh(x: ArrayLike) -> NDArray[np.floating]:
    """Hyperbolic tangent, a sigmoid centred on zero with outputs in (-1, 1).

    Introduced in chapter 2, Neural networks.
    """
    return np.tanh(_float_array(x))


def tanh_grad(x: ArrayLike) -> NDArray[np.floating]:
    """Derivative of :func:`tanh` with respect to ``x``: ``1 - tanh(x)**2``.

    Introduced in chapter 2, Neural networks.
    """
    t = tanh(x)
    return 1 - t * t


def relu(x: ArrayLike) -> NDArray[np.floating]:
    """Rectified linear unit ``max(0, x)``: cheap, and its gradient does not vanish for x > 0.

    Introduced in chapter 2, Neural networks.
    """
    return np.maximum(_float_array(x), 0)


def relu_grad(x: ArrayLike) -> NDArray[np.floating]:
    """Derivative of :func:`relu`: 1 where ``x > 0``, else 0 (we take 0 at the kink ``x = 0``).

    Introduced in chapter 2, Neural networks.
    """
    x = _float_array(x)
    return (x > 0).astype(x.dtype)


LEAKY_RELU_SLOPE: float = 0.01
"""Slope of :func:`leaky_relu` for negative inputs, the value of its original paper (Maas et al., 2013)."""


def leaky_relu(x: ArrayLike, alpha: float = LEAKY_RELU_SLOPE) -> NDArray[np.floating]:
    """``x`` for ``x > 0``, ``alpha * x`` otherwise: a ReLU whose negative side keeps a small slope.

    The slope ``alpha`` means a unit whose inputs are all negative still passes a
    gradient, so it cannot "die" as a ReLU unit can. Introduced in chapter 2,
    Neural networks.
    """
    x = _float_array(x)
    return np.where(x > 0, x, x * x.dtype.type(alpha))


def leaky_relu_grad(x: ArrayLike, alpha: float = LEAKY_RELU_SLOPE) -> NDArray[np.floating]:
    """Derivative of :func:`leaky_relu`: 1 where ``x > 0``, else ``alpha`` (``alpha`` at the kink).

    Introduced in chapter 2, Neural networks.
    """
    x = _float_array(x)
    return np.where(x > 0, x.dtype.type(1), x.dtype.type(alpha))


def identity_function(x: ArrayLike) -> NDArray:
    """Return ``x`` unchanged: the output activation for regression.

    Introduced in chapter 2, Neural networks.
    """
    return np.asarray(x)


def softmax(x: ArrayLike) -> NDArray[np.floating]:
    """Turn scores into probabilities along the last axis (each row sums to 1).

    Subtracting the row maximum first changes nothing mathematically but keeps
    ``exp`` from overflowing for large scores. Works for a single vector or a
    batch. Introduced in chapter 2, Neural networks.
    """
    x = _float_array(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x: ArrayLike) -> NDArray[np.floating]:
    """Logarithm of :func:`softmax`, computed without ever taking ``log`` of 0.

    ``log_softmax(x) = (x - m) - log(sum(exp(x - m)))`` with ``m`` the row
    maximum, so it stays finite for scores like ±1e4. Introduced in chapter 3,
    Learning from data.
    """
    x = _float_array(x)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------- losses
def _as_batch(y: NDArray, t: ArrayLike) -> tuple[NDArray, NDArray]:
    """Bring ``y`` to shape (N, K) and check that ``t`` is one-hot (N, K) or labels (N,).

    A 1-D ``y`` is one sample, so it becomes a batch of 1. Integer labels in a
    column, shape (N, 1), as the classic book's chapter-7 gradient check passes
    them, are taken as labels (N,). Targets with NaN or inf are refused (they are
    data, small, and a loss over them is meaningless); NaN or inf in ``y`` is left
    to propagate into the loss, where the training loop sees it.
    """
    t = np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, -1) if t.shape == y.shape else t.reshape(-1)
        y = y.reshape(1, -1)
    if y.ndim != 2:
        raise ValueError(
            f"expected scores of shape (batch, classes) or (classes,), got {y.shape}; "
            "reshape your data to (N, K) first"
        )
    if t.shape == y.shape:
        if np.issubdtype(t.dtype, np.inexact) and not np.isfinite(t).all():
            raise ValueError("targets hold NaN or inf: one-hot targets must be finite (0 and 1)")
        return y, t
    if t.shape == (y.shape[0], 1) and np.issubdtype(t.dtype, np.integer):
        t = t.reshape(-1)
    if t.shape == y.shape[:1] and np.issubdtype(t.dtype, np.integer):
        if t.size and (t.min() < 0 or t.max() >= y.shape[1]):
            raise ValueError(
                f"labels must lie in 0..{y.shape[1] - 1} for {y.shape[1]} classes, "
                f"got values from {t.min()} to {t.max()}"
            )
        return y, t
    raise ValueError(
        f"targets must be one-hot with the shape of the predictions {y.shape} or "
        f"integer labels of shape {y.shape[:1]}, got shape {t.shape} and dtype {t.dtype}"
    )


def sum_squared_error(y: ArrayLike, t: ArrayLike) -> float:
    """Half the sum of squared differences, ``0.5 * sum((y - t)**2)``.

    For a batch (2-D input) the per-sample sums are averaged over the batch, so
    the value does not grow with the batch size (the classic book sums over the
    whole batch instead). Introduced in chapter 3, Learning from data.
    """
    y, t = _float_array(y), np.asarray(t)
    if y.shape != t.shape:
        raise ValueError(f"y and t must have the same shape, got {y.shape} and {t.shape}")
    total = 0.5 * np.sum((y - t) ** 2)
    return float(total / y.shape[0]) if y.ndim == 2 else float(total)


def mean_squared_error(y: ArrayLike, t: ArrayLike) -> float:
    """Mean of the squared differences over every entry, ``mean((y - t)**2)``.

    The usual regression loss (the same as PyTorch's ``MSELoss``); unlike
    :func:`sum_squared_error` it does not depend on the number of outputs.
    Introduced in chapter 3, Learning from data.
    """
    y, t = _float_array(y), np.asarray(t)
    if y.shape != t.shape:
        raise ValueError(f"y and t must have the same shape, got {y.shape} and {t.shape}")
    return float(np.mean((y - t) ** 2))


def cross_entropy_error(y: ArrayLike, t: ArrayLike) -> float:
    """Mean cross-entropy ``-sum(t * log(y + eps))`` of predicted probabilities ``y``.

    ``t`` may be one-hot (same shape as ``y``) or integer class labels (one per
    sample). The loss is averaged over the batch; a 1-D ``y`` counts as a batch
    of one. ``eps = 1e-7`` keeps ``log(0)`` away. If you have scores rather than
    probabilities, use :func:`softmax_cross_entropy`, which is exact and stable.
    Introduced in chapter 3, Learning from data.
    """
    y, t = _as_batch(_float_array(y), t)
    n = y.shape[0]
    if t.shape == y.shape:
        return float(-np.sum(t * np.log(y + CROSS_ENTROPY_EPS)) / n)
    return float(-np.sum(np.log(y[np.arange(n), t] + CROSS_ENTROPY_EPS)) / n)


def softmax_cross_entropy(logits: ArrayLike, t: ArrayLike) -> float:
    """Cross-entropy of ``softmax(logits)``, computed from :func:`log_softmax`.

    Same targets and batch averaging as :func:`cross_entropy_error`, but no
    ``eps`` is needed: the log-probabilities are exact, so the loss is finite and
    correct even for logits like ±1e4. This is what ``SoftmaxWithLoss`` computes.
    Introduced in chapter 4, Backpropagation.
    """
    logp, t = _as_batch(log_softmax(logits), t)
    n = logp.shape[0]
    if t.shape == logp.shape:
        return float(-np.sum(t * logp) / n)
    return float(-np.sum(logp[np.arange(n), t]) / n)
