"""Sigmoid, tanh, ReLU and Leaky ReLU compared by measurement, and why some activation is needed.

Introduced in chapter 2, Neural networks. Three properties decide how well an
activation trains (chapters 3 to 5 show the training itself):

- **centring**: the mean output for inputs centred on 0. Sigmoid outputs are all
  positive (mean 0.5), which biases every weight update of the next layer in one
  direction; tanh is centred on 0.
- **saturation**: the share of inputs where the slope is almost 0 (below
  :data:`FLAT` of the function's steepest slope). Sigmoid and tanh flatten far
  from 0, and more inputs land there when the pre-activations spread wider;
  ReLU is flat on its whole negative half whatever the spread.
- **dead units**: a unit whose slope is almost 0 for *every* input of a data set
  passes no gradient back and stops learning. A ReLU unit whose bias has fallen
  far below its inputs' reach dies this way; Leaky ReLU keeps a small slope and
  never does.

:func:`linear_fit_r2` measures the other half of the story: how much of a
network's output the best single affine layer explains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.functions import (leaky_relu, leaky_relu_grad, relu, relu_grad, sigmoid, sigmoid_grad, tanh,
                              tanh_grad)

__all__ = [
    "ACTIVATIONS",
    "FLAT",
    "TradeOffs",
    "measure_tradeoffs",
    "format_tradeoffs",
    "linear_fit_r2",
    "stack_1d",
]

ACTIVATIONS: dict[str, tuple[Callable[[NDArray], NDArray], Callable[[NDArray], NDArray], float]] = {
    "sigmoid": (sigmoid, sigmoid_grad, 0.25),
    "tanh": (tanh, tanh_grad, 1.0),
    "ReLU": (relu, relu_grad, 1.0),
    "Leaky ReLU": (leaky_relu, leaky_relu_grad, 1.0),
}
"""Each activation with its derivative and its steepest slope."""

FLAT: float = 1e-3
"""A slope below this fraction of the activation's steepest slope counts as "almost no slope"."""


@dataclass(frozen=True)
class TradeOffs:
    """What :func:`measure_tradeoffs` found for one activation. Introduced in chapter 2.

    ``mean_output``: mean of h(a) for a ~ N(0, 1). ``flat_share``: for each spread in
    ``spreads``, the share of a ~ N(0, spread²) where the slope is almost 0.
    ``dead_share``: share of the units of a random layer that have almost no slope on
    every input once their biases have fallen by ``bias_drop``.
    """

    name: str
    mean_output: float
    flat_share: tuple[float, ...]
    dead_share: float


def _flat(name: str, a: NDArray) -> NDArray[np.bool_]:
    _, grad, steepest = ACTIVATIONS[name]
    return grad(a) < FLAT * steepest


def measure_tradeoffs(spreads: Sequence[float] = (1.0, 5.0), bias_drop: float = 4.0, n_samples: int = 100_000,
                      n_inputs: int = 1000, n_features: int = 20, n_units: int = 100,
                      seed: int = 0) -> list[TradeOffs]:
    """Measure centring, saturation and dead units for every activation in :data:`ACTIVATIONS`.

    The dead-unit experiment: ``n_inputs`` inputs of ``n_features`` standard normal
    features feed a layer of ``n_units`` units with weights N(0, 1/n_features) (so each
    pre-activation has spread about 1) and biases N(0, 0.1²) lowered by ``bias_drop``,
    as a large update can do. All draws come from one seeded generator, so every
    activation sees the same numbers. Introduced in chapter 2, Neural networks.
    """
    if not all(s > 0 for s in spreads):
        raise ValueError(f"spreads must be positive, got {tuple(spreads)}")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n_samples)
    x = rng.standard_normal((n_inputs, n_features))
    w = rng.normal(0.0, np.sqrt(1.0 / n_features), size=(n_features, n_units))
    b = rng.normal(0.0, 0.1, size=n_units) - bias_drop
    layer_a = x @ w + b
    results = []
    for name, (h, _, _) in ACTIVATIONS.items():
        results.append(TradeOffs(
            name=name,
            mean_output=float(np.mean(h(z))),
            flat_share=tuple(float(np.mean(_flat(name, s * z))) for s in spreads),
            dead_share=float(np.mean(np.all(_flat(name, layer_a), axis=0))),
        ))
    return results


def format_tradeoffs(results: Sequence[TradeOffs], spreads: Sequence[float] = (1.0, 5.0),
                     bias_drop: float = 4.0) -> str:
    """The measurements as a text table, one row per activation. Introduced in chapter 2."""
    heads = ["activation", "mean output", *(f"flat, spread {s:g}" for s in spreads), f"dead, biases −{bias_drop:g}"]
    rows = [[r.name, f"{r.mean_output + 0.0:+.2f}".replace("-0.00", "+0.00"),
             *(f"{v:.1%}" for v in r.flat_share), f"{r.dead_share:.0%}"] for r in results]
    widths = [max(len(h), *(len(row[k]) for row in rows)) for k, h in enumerate(heads)]
    line = lambda cells: "  ".join(c.rjust(w) if k else c.ljust(w) for k, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(heads), "-" * (sum(widths) + 2 * (len(widths) - 1)), *map(line, rows)])


def linear_fit_r2(X: ArrayLike, Y: ArrayLike) -> float:
    """R² of the best affine map from ``X`` to ``Y`` (least squares): 1 means an affine layer is exact.

    R² = 1 − (squared error of the fit) / (squared spread of ``Y`` around its mean),
    pooled over all outputs: the share of the outputs' variation that one affine layer
    ``X @ W + b`` explains. Introduced in chapter 2, Neural networks.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    Y = Y[:, None] if Y.ndim == 1 else Y
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y):
        raise ValueError(f"expected X (N, d) and Y (N, k) with the same N, got {X.shape} and {Y.shape}")
    X1 = np.hstack([X, np.ones((len(X), 1))])            # a column of 1s fits the bias
    coef, *_ = np.linalg.lstsq(X1, Y, rcond=None)
    spread = np.sum((Y - Y.mean(axis=0)) ** 2)
    if spread == 0:
        raise ValueError("Y is constant, so R² is undefined")
    return float(1 - np.sum((X1 @ coef - Y) ** 2) / spread)


def stack_1d(x: ArrayLike, activation: str | None, widths: Sequence[int] = (8, 8), seed: int = 0
             ) -> NDArray[np.floating]:
    """A random network 1 → widths → 1 applied to the inputs ``x`` (shape ``(N,)``).

    ``activation`` is a name from :data:`ACTIVATIONS` or ``None`` for no activation
    (every layer linear). Weights N(0, 1/fan-in) and biases N(0, 1) are drawn from
    ``seed``, the same for every activation, so curves can be compared. Introduced in
    chapter 2, Neural networks.
    """
    if activation is not None and activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)} or None")
    h = (lambda a: a) if activation is None else ACTIVATIONS[activation][0]
    rng = np.random.default_rng(seed)
    out = np.asarray(x, dtype=float)[:, None]
    sizes = [1, *widths, 1]
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        out = out @ rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_in, n_out)) + rng.normal(size=n_out)
        if k < len(sizes) - 2:
            out = h(out)
    return out[:, 0]
