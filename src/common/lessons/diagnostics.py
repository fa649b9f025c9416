"""Measurements that explain how learning works: differencing error, loss and accuracy along one weight, timing.

Introduced in chapter 3, Learning from data, which uses them to show why
central differences beat forward differences, why accuracy cannot be the loss,
and how slow numerical gradients are; chapter 4 reuses :func:`best_time` to
measure the speed-up of backpropagation. The figures of these measurements are
in :mod:`common.plots.learning`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "forward_difference",
    "central_difference",
    "difference_errors",
    "sweep_parameter",
    "best_time",
]


def forward_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """``(f(x + h) - f(x)) / h``: the textbook definition with a finite ``h``; error ∝ h.

    Introduced in chapter 3, Learning from data.
    """
    return (f(x + h) - f(x)) / h


def central_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """``(f(x + h) - f(x - h)) / (2h)``: symmetric around ``x``; error ∝ h².

    The same formula as :func:`common.gradient.numerical_diff`, with ``h``
    required. Introduced in chapter 3, Learning from data.
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def difference_errors(
    f: Callable[[float], float], dfdx: float, x: float, hs: ArrayLike
) -> dict[str, NDArray[np.float64]]:
    """Absolute error of the forward and central differences of ``f`` at ``x`` for each step in ``hs``.

    ``dfdx`` is the exact derivative. Returns ``{"h", "forward", "central"}``.
    An error of exactly 0 (a lucky cancellation) is kept as 0;
    :func:`common.plots.learning.plot_difference_errors` draws it at a floor.
    Introduced in chapter 3, Learning from data.
    """
    hs = np.asarray(hs, dtype=np.float64).ravel()
    if hs.size == 0 or np.any(hs <= 0):
        raise ValueError(f"hs must be a non-empty list of positive steps, got {hs}")
    fwd = np.array([abs(forward_difference(f, x, h) - dfdx) for h in hs])
    cen = np.array([abs(central_difference(f, x, h) - dfdx) for h in hs])
    return {"h": hs, "forward": fwd, "central": cen}


def sweep_parameter(
    network: Any,
    key: str,
    index: tuple[int, ...],
    values: ArrayLike,
    x: NDArray,
    t: NDArray,
) -> dict[str, NDArray[np.float64]]:
    """Set one parameter entry ``network.params[key][index]`` to each of ``values``; record loss and accuracy.

    The entry is restored afterwards, even if the network raises. Works with
    any network that has ``params``, ``loss(x, t)`` and ``accuracy(x, t)``.
    Returns ``{"value", "loss", "accuracy"}``. Introduced in chapter 3, Learning
    from data: loss changes smoothly with the weight, accuracy in steps.
    """
    if key not in network.params:
        raise ValueError(f"the network has no parameter {key!r}; it has {sorted(network.params)}")
    param = network.params[key]
    index = tuple(index)
    if len(index) != param.ndim or any(not 0 <= i < n for i, n in zip(index, param.shape)):
        raise ValueError(f"index {index} does not fit {key} of shape {param.shape}")
    values = np.asarray(values, dtype=np.float64).ravel()
    original = param[index].copy()
    losses, accs = np.empty(values.size), np.empty(values.size)
    try:
        for k, v in enumerate(values):
            param[index] = v
            losses[k] = network.loss(x, t)
            accs[k] = network.accuracy(x, t)
    finally:
        param[index] = original
    return {"value": values, "loss": losses, "accuracy": accs}


def best_time(fn: Callable[[], Any], repeat: int = 3, min_time: float = 0.0) -> float:
    """Seconds taken by one call of ``fn``: the fastest of ``repeat`` runs.

    The minimum is the least disturbed by other programs. If ``min_time`` > 0,
    fast functions are called in a loop until a run lasts that long, and the
    time per call is returned. Introduced in chapter 3, Learning from data.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    best = float("inf")
    for _ in range(repeat):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / calls)
    return best
