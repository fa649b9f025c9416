"""Measurements that explain how learning works: differencing error, loss and accuracy along one weight, timing.

Introduced in chapter 3, Learning from data, which uses them to show why
central differences beat forward differences, why accuracy cannot be the loss,
and how slow numerical gradients are; chapter 4 reuses :func:`best_time` to
measure the speed-up of backpropagation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "forward_difference",
    "central_difference",
    "difference_errors",
    "sweep_parameter",
    "best_time",
    "plot_difference_errors",
    "plot_sweep",
    "plot_learning_curve",
]

_ERROR_FLOOR = 1e-17  # errors of exactly 0 are drawn here on a log scale


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
    An error of exactly 0 (a lucky cancellation) is kept as 0; plot with a floor.
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


# ------------------------------------------------------------------------ figures
def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def plot_difference_errors(errors: dict[str, NDArray], what: str = "", ax: Axes | None = None) -> Figure:
    """Log-log plot of the forward and central difference errors against ``h``, with slopes h and h² for reference.

    ``errors`` is what :func:`difference_errors` returns. Introduced in chapter 3,
    Learning from data.
    """
    fig, ax = _axes(ax, (7.0, 4.6))
    h = errors["h"]
    fwd = np.maximum(errors["forward"], _ERROR_FLOOR)
    cen = np.maximum(errors["central"], _ERROR_FLOOR)
    ax.loglog(h, fwd, "o-", ms=4, color="#c0504d", label="forward difference (f(x+h) − f(x)) / h")
    ax.loglog(h, cen, "s-", ms=4, color="#1f4e79", label="central difference (f(x+h) − f(x−h)) / 2h")
    big = h >= 1e-3
    if np.any(big):  # reference slopes, anchored on the right where truncation dominates
        k = np.flatnonzero(big)[-1]
        ax.loglog(h[big], 10 * fwd[k] * h[big] / h[k], ":", color="#c0504d", lw=1.2,
                  label="reference slope 1: error ∝ h")
        ax.loglog(h[big], 10 * cen[k] * (h[big] / h[k]) ** 2, ":", color="#1f4e79", lw=1.2,
                  label="reference slope 2: error ∝ h²")
    ax.axvline(1e-4, color="grey", lw=0.8, ls="--")
    ax.text(1e-4, ax.get_ylim()[1], "h = 1e-4, our default ", ha="right", va="top", fontsize=8, color="grey")
    ax.set_xlabel("step h (log scale)")
    ax.set_ylabel("absolute error of the derivative (log scale)")
    ax.set_title("Error of the numerical derivative" + (f" of {what}" if what else "")
                 + "\ntruncation error on the right, rounding error on the left")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3, which="major")
    return fig


def plot_sweep(result: dict[str, NDArray], name: str = "the weight", mark: float | None = None,
               ax: Axes | None = None) -> Figure:
    """Accuracy (a staircase) and loss (a smooth curve) against one parameter, from :func:`sweep_parameter`.

    ``mark`` draws a dashed line at one value, e.g. the trained value of the weight.

    Introduced in chapter 3, Learning from data.
    """
    fig, ax = _axes(ax, (7.5, 4.4))
    v = result["value"]
    ax.step(v, 100 * result["accuracy"], where="mid", color="#1f4e79", lw=1.6, label="accuracy (left axis)")
    ax.set_xlabel(f"value of {name}")
    ax.set_ylabel("accuracy (%)", color="#1f4e79")
    ax2 = ax.twinx()
    ax2.plot(v, result["loss"], color="#c0504d", lw=1.6, label="cross-entropy loss (right axis)")
    ax2.set_ylabel("loss (nats)", color="#c0504d")
    if mark is not None:
        ax.axvline(mark, color="grey", ls="--", lw=1, label="trained value")
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="lower left", fontsize=9)
    ax.set_title(f"Moving {name}: the loss changes smoothly, the accuracy in steps")
    ax.grid(alpha=0.3)
    return fig


def plot_learning_curve(
    steps: ArrayLike,
    loss: ArrayLike,
    eval_steps: ArrayLike,
    train_acc: ArrayLike,
    test_acc: ArrayLike,
    title: str = "Learning curve",
) -> Figure:
    """Mini-batch loss per step (left) and train/test accuracy at the evaluation steps (right).

    For training loops counted in steps rather than epochs (chapter 3's
    numerical-gradient run). Introduced in chapter 3, Learning from data.
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    ax1.plot(steps, loss, "o-", ms=2.5, lw=1, color="tab:blue")
    ax1.set_xlabel("step (one mini-batch each)")
    ax1.set_ylabel("mini-batch loss (nats)")
    ax1.set_title("Training loss")
    ax1.grid(alpha=0.3)
    ax2.plot(eval_steps, 100 * np.asarray(train_acc, float), "o-", label="train")
    ax2.plot(eval_steps, 100 * np.asarray(test_acc, float), "s--", label="test")
    ax2.set_xlabel("step")
    ax2.set_ylabel("accuracy (%)")
    ax2.set_title("Accuracy")
    ax2.legend(loc="lower right")
    ax2.grid(alpha=0.3)
    fig.suptitle(title)
    return fig
