"""Numerical differentiation, and checking backprop against it.

Introduced in chapter 3 (Learning from data), where the numerical gradient
trains a first network, and used again in chapter 4 (Backpropagation) to check
the analytic gradients of every layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["numerical_diff", "numerical_gradient", "relative_error", "gradient_check"]

RELATIVE_ERROR_EPS: float = 1e-8
"""Floor for the denominator of :func:`relative_error`, so two zeros compare as equal."""


def numerical_diff(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """Central difference ``(f(x + h) - f(x - h)) / (2h)``: the derivative of ``f`` at ``x``.

    Its error shrinks like ``h**2``, against ``h`` for the forward difference;
    ``h`` much smaller than 1e-4 loses digits to rounding instead. Introduced in
    chapter 3, Learning from data.
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(
    f: Callable[[NDArray], float], x: NDArray[np.floating], h: float = 1e-4
) -> NDArray[np.floating]:
    """Gradient of the scalar function ``f`` at ``x`` by central differences, entry by entry.

    ``x`` may have any shape. Each entry is nudged *in place* by ``±h``, ``f(x)``
    is evaluated, and the entry is restored, so ``f`` may also ignore its
    argument and read ``x`` through a closure (``lambda _: net.loss(X, t)`` while
    ``x`` is ``net.params["W1"]``). Costs ``2 * x.size`` calls of ``f``: fine for
    checking, far too slow for training (chapter 4 shows how slow). Use float64;
    float32 has too few digits for ``h = 1e-4``. Introduced in chapter 3,
    Learning from data.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            "numerical_gradient nudges x in place, so x must be a float NumPy array; "
            f"got {type(x).__name__} with dtype {getattr(x, 'dtype', None)}. "
            "Convert it first, e.g. x = np.asarray(x, dtype=float)."
        )
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        try:
            x[idx] = original + h
            f_plus = f(x)
            x[idx] = original - h
            f_minus = f(x)
        finally:
            x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike, eps: float = RELATIVE_ERROR_EPS) -> float:
    """Largest entrywise relative error ``|a - b| / max(eps, |a| + |b|)``.

    Relative, so that large and small gradients are judged alike; 0 means equal,
    about 1e-7 or less is what a correct backprop gives in float64 against
    :func:`numerical_gradient`. Introduced in chapter 4, Backpropagation.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(eps, np.abs(a) + np.abs(b))))


def gradient_check(
    analytic: Mapping[str, ArrayLike],
    numeric: Mapping[str, ArrayLike],
    eps: float = RELATIVE_ERROR_EPS,
) -> dict[str, float]:
    """Compare two gradient dicts (e.g. backprop vs numerical), key by key.

    Returns ``{name: max |a - b| / max(eps, |a| + |b|)}`` (see
    :func:`relative_error`) so a learner sees which parameter is wrong.
    Introduced in chapter 4, Backpropagation.
    """
    if set(analytic) != set(numeric):
        raise ValueError(
            f"the two gradient dicts have different keys: {sorted(analytic)} vs {sorted(numeric)}"
        )
    errors = {}
    for key in analytic:
        a, b = np.asarray(analytic[key]), np.asarray(numeric[key])
        if a.shape != b.shape:
            raise ValueError(f"gradient {key!r} has shape {a.shape} in one dict and {b.shape} in the other")
        errors[key] = relative_error(a, b, eps)
    return errors
