"""One hidden layer can draw any curve: the idea behind the universal approximation theorem.

Introduced in chapter 2, Neural networks. A sigmoid unit with a large gain is a
smooth step; two of them, one stepping up and one stepping down, make a *bump*;
and a row of steps whose heights follow a function ``f`` traces ``f`` as closely
as we like once there are enough of them. Every network here has one input, one
hidden layer of sigmoid units and one output with the identity activation (a
regression network), with its parameters set by hand, not learned:

- :func:`bump_network` -- two units, a bump of a given height between two points;
- :func:`staircase_network` -- ``n`` units whose steps follow ``f``;
- :func:`predict_1d` -- the forward pass, ``x`` of shape ``(N,)`` to ``y`` of shape ``(N,)``;
- :func:`approximation_error` -- the largest and the root-mean-square error on a fine grid.

The parameters use the course's names (``W1``, ``b1``, ``W2``, ``b2``), so the same
dict runs through any forward pass of chapter 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.functions import sigmoid

__all__ = [
    "X_RANGE",
    "MAX_UNITS",
    "target_function",
    "bump_network",
    "staircase_network",
    "predict_1d",
    "ApproximationError",
    "approximation_error",
]

X_RANGE: tuple[float, float] = (-3.0, 3.0)
"""The interval the chapter's demonstration approximates its function on."""

MAX_UNITS: int = 200
"""The most hidden units :func:`staircase_network` builds (the widget's slider stops below)."""

STEP_SHARPNESS: float = 4.0
"""Gain of each step times the spacing between steps: large enough that neighbouring steps
hardly overlap, small enough that they blend into a smooth curve instead of a staircase."""

Params = dict[str, NDArray[np.floating]]


def target_function(x: ArrayLike) -> NDArray[np.floating]:
    """The curve chapter 2 approximates: ``sin(2x) + 0.5·x``, which leaves the range (0, 1)."""
    x = np.asarray(x, dtype=float)
    return np.sin(2 * x) + 0.5 * x


def _check_range(x_range: tuple[float, float]) -> tuple[float, float]:
    lo, hi = (float(v) for v in x_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"x_range must be two finite numbers with lo < hi, got {x_range}")
    return lo, hi


def bump_network(left: float, right: float, height: float, base: float = 0.0, gain: float = 50.0) -> Params:
    """Two sigmoid units and an identity output: ``base`` outside ``[left, right]``, ``base + height`` inside.

    Unit 1 steps up at ``left`` (weight ``gain``, bias ``-gain·left``), unit 2 steps up
    at ``right``; the output adds ``height`` times the first and subtracts ``height``
    times the second, so the two steps cancel outside the interval, and adds the
    bias ``base``. Introduced in chapter 2, Neural networks.
    """
    if not left < right:
        raise ValueError(f"a bump needs left < right, got left={left}, right={right}")
    if not gain > 0:
        raise ValueError(f"the gain must be positive, got {gain}")
    return {
        "W1": np.array([[gain, gain]]),
        "b1": np.array([-gain * left, -gain * right]),
        "W2": np.array([[height], [-height]]),
        "b2": np.array([float(base)]),
    }


def staircase_network(f: Callable[[NDArray], ArrayLike], n_units: int,
                      x_range: tuple[float, float] = X_RANGE) -> Params:
    """A 1-``n_units``-1 sigmoid network whose output follows ``f`` on ``x_range``.

    The interval is cut into ``n_units + 1`` equal pieces; unit ``k`` steps up where
    piece ``k`` meets piece ``k + 1``, by ``f`` at the middle of the next piece minus
    ``f`` at the middle of this one, and the output bias is ``f`` in the first piece.
    Each step has gain :data:`STEP_SHARPNESS` / spacing. Doubling the units halves the
    spacing, and with it, roughly, the error. Introduced in chapter 2, Neural networks.
    """
    n = int(n_units)
    if not 1 <= n <= MAX_UNITS:
        raise ValueError(f"n_units must be between 1 and {MAX_UNITS}, got {n_units}")
    lo, hi = _check_range(x_range)
    spacing = (hi - lo) / (n + 1)
    centres = lo + spacing * (np.arange(n + 1) + 0.5)
    levels = np.asarray(f(centres), dtype=float)
    if levels.shape != centres.shape or not np.all(np.isfinite(levels)):
        raise ValueError("f must return one finite number per input point")
    steps = lo + spacing * np.arange(1, n + 1)
    gain = STEP_SHARPNESS / spacing
    return {
        "W1": np.full((1, n), gain),
        "b1": -gain * steps,
        "W2": np.diff(levels)[:, None],
        "b2": levels[:1].copy(),
    }


def predict_1d(params: Params, x: ArrayLike) -> NDArray[np.floating]:
    """Forward pass of a one-input network: sigmoid hidden layer, identity output.

    ``x`` is a 1-D array of inputs; the result has the same shape. Introduced in
    chapter 2, Neural networks.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"predict_1d expected a 1-D array of inputs, got shape {x.shape}")
    hidden = sigmoid(x[:, None] @ params["W1"] + params["b1"])
    return (hidden @ params["W2"] + params["b2"])[:, 0]


@dataclass(frozen=True)
class ApproximationError:
    """How far a network's curve is from ``f``: the worst point and the root mean square.

    Introduced in chapter 2, Neural networks.
    """

    n_units: int
    max_error: float
    rms_error: float


def approximation_error(f: Callable[[NDArray], ArrayLike], params: Params,
                        x_range: tuple[float, float] = X_RANGE, n_points: int = 2001) -> ApproximationError:
    """Compare ``predict_1d(params, x)`` with ``f(x)`` on ``n_points`` evenly spaced inputs.

    Introduced in chapter 2, Neural networks.
    """
    lo, hi = _check_range(x_range)
    x = np.linspace(lo, hi, int(n_points))
    diff = predict_1d(params, x) - np.asarray(f(x), dtype=float)
    return ApproximationError(int(params["W1"].shape[1]), float(np.max(np.abs(diff))),
                              float(np.sqrt(np.mean(diff**2))))
