"""Activations and gradients layer by layer in a deep stack, for chapter 5's initialisation study.

The experiment: feed random inputs through ``depth`` fully connected layers of
``width`` units, all weights drawn with one initialisation, and look at the
distribution of each layer's outputs. Too small weights squeeze every unit
towards the same value (no expressiveness left); too large ones push sigmoid
and tanh units into their flat tails (gradients vanish); Xavier and He keep
the spread steady. :func:`gradient_spread` runs the backward pass too, to show
the vanishing gradients directly.

Pure computation only; :mod:`common.widgets.activation_histograms` draws.
Introduced in chapter 5, Training techniques.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from common.functions import relu, sigmoid, tanh
from common.initializers import he_std, xavier_std

__all__ = [
    "INITS",
    "ACTIVATIONS",
    "MAX_DEPTH",
    "init_std",
    "forward_activations",
    "gradient_spread",
    "LayerHistograms",
    "layer_histograms",
    "activation_range",
    "diagnose",
]

INITS: tuple[str, ...] = ("std 1", "std 0.01", "Xavier", "He", "zeros")
"""The initialisations compared in chapter 5 (``std s`` means weights drawn from N(0, s²))."""

ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu")
"""The activation functions of the study."""

MAX_DEPTH: int = 10
"""The deepest stack the widget offers; results for shallower stacks are its first layers."""

_FUNCS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}


def _check(init: str, activation: str) -> tuple[str, str]:
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(INITS)}")
    act = str(activation).lower()
    if act not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    return init, act


def init_std(init: str, n_in: int) -> float:
    """The weight standard deviation of ``init`` for a layer with ``n_in`` inputs.

    ``"std 1"`` → 1, ``"std 0.01"`` → 0.01, ``"Xavier"`` → √(1/n), ``"He"`` → √(2/n),
    ``"zeros"`` → 0. Introduced in chapter 5, Training techniques.
    """
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(INITS)}")
    if init == "Xavier":
        return xavier_std(n_in)
    if init == "He":
        return he_std(n_in)
    return {"std 1": 1.0, "std 0.01": 0.01, "zeros": 0.0}[init]


def _stack(init: str, activation: str, depth: int, width: int, n_samples: int, seed: int):
    """Inputs, weights, pre-activations and activations of the random stack."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_samples, width))
    func = _FUNCS[activation]
    weights, pre, acts = [], [], []
    a = x
    for _ in range(depth):
        W = rng.standard_normal((width, width)) * init_std(init, width)
        z = a @ W
        a = func(z)
        weights.append(W)
        pre.append(z)
        acts.append(a)
    return x, weights, pre, acts


def forward_activations(
    init: str = "Xavier",
    activation: str = "sigmoid",
    depth: int = 5,
    width: int = 100,
    n_samples: int = 1000,
    seed: int = 0,
) -> list[NDArray[np.float64]]:
    """The outputs of each of ``depth`` layers for ``n_samples`` standard-normal inputs.

    Each layer is ``a = h(a_prev @ W)`` with ``W`` of shape (width, width)
    drawn with ``init`` (no bias, which starts at zero anyway). Returns a list
    of ``depth`` arrays of shape (n_samples, width). Introduced in chapter 5,
    Training techniques.
    """
    init, activation = _check(init, activation)
    if int(depth) < 1 or int(width) < 1 or int(n_samples) < 1:
        raise ValueError(f"depth, width and n_samples must be positive, got {depth}, {width}, {n_samples}")
    with np.errstate(over="ignore"):
        return _stack(init, activation, int(depth), int(width), int(n_samples), seed)[3]


def gradient_spread(
    init: str = "Xavier",
    activation: str = "sigmoid",
    depth: int = 5,
    width: int = 100,
    n_samples: int = 1000,
    seed: int = 0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """How spread out each layer's activations are, and how large its weight gradient is.

    A standard-normal gradient is fed into the last layer and sent backwards
    through the same stack as :func:`forward_activations` (``dz = da · h'(z)``,
    ``dW = a_prevᵀ · dz / n``, ``da_prev = dz · Wᵀ``). Returns
    ``(act_std, grad_rms)``, each of length ``depth``: the standard deviation of
    each layer's outputs and the root-mean-square of its weight gradient, i.e.
    how far one step of gradient descent would move that layer's weights. When
    ``grad_rms`` shrinks from the last layer to the first, the early layers
    barely learn: vanishing gradients. Introduced in chapter 5, Training
    techniques.
    """
    init, activation = _check(init, activation)
    with np.errstate(all="ignore"):
        x, weights, pre, acts = _stack(init, activation, int(depth), int(width), int(n_samples), seed)
        rng = np.random.default_rng(seed + 1)
        da = rng.standard_normal(acts[-1].shape)
        grad_rms = np.zeros(len(acts))
        for i in reversed(range(len(acts))):
            a, z = acts[i], pre[i]
            if activation == "sigmoid":
                local = a * (1 - a)
            elif activation == "tanh":
                local = 1 - a * a
            else:
                local = (z > 0).astype(float)
            dz = da * local
            a_prev = acts[i - 1] if i > 0 else x
            dW = a_prev.T @ dz / len(dz)
            grad_rms[i] = float(np.sqrt(np.mean(dW * dW)))
            da = dz @ weights[i].T
        act_std = np.array([float(np.std(a)) for a in acts])
    return np.nan_to_num(act_std), np.nan_to_num(grad_rms)


def activation_range(activation: str) -> tuple[float, float]:
    """The value range the histograms use: sigmoid (0, 1), tanh (−1, 1), ReLU [0, 4].

    ReLU has no upper bound; values above 4 are counted in the last bin.
    Introduced in chapter 5, Training techniques.
    """
    return {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 4.0)}[_check("He", activation)[1]]


@dataclass(frozen=True)
class LayerHistograms:
    """Histograms of every layer's activations, ready to draw.

    ``edges`` has ``bins + 1`` entries; ``share[i]`` (length ``bins``) is the
    fraction of layer ``i + 1``'s values in each bin. For ReLU the exact zeros
    are left out of the bars and reported in ``zero_share`` (they would dwarf
    everything else). ``std`` is each layer's standard deviation, ``mean``
    its mean, ``saturated_share`` the fraction of sigmoid or tanh outputs in
    the flat tails (within 0.02 of the limits), where the slope is almost
    zero. Introduced in chapter 5, Training techniques.
    """

    init: str
    activation: str
    edges: NDArray[np.float64]
    share: NDArray[np.float64]
    mean: NDArray[np.float64]
    std: NDArray[np.float64]
    zero_share: NDArray[np.float64]
    saturated_share: NDArray[np.float64]

    @property
    def depth(self) -> int:
        return len(self.share)


@lru_cache(maxsize=64)
def _all_layers(init: str, activation: str, bins: int, seed: int) -> LayerHistograms:
    acts = forward_activations(init, activation, depth=MAX_DEPTH, seed=seed)
    lo, hi = activation_range(activation)
    edges = np.linspace(lo, hi, bins + 1)
    share, zero = [], []
    for a in acts:
        values = a.ravel()
        values = values[np.isfinite(values)]
        n = max(values.size, 1)
        if activation == "relu":
            zeros = values == 0
            zero.append(float(np.mean(zeros)) if values.size else 0.0)
            values = values[~zeros]
        else:
            zero.append(0.0)
        counts, _ = np.histogram(np.clip(values, lo, hi), bins=edges)
        share.append(counts / n)
    mean = np.array([float(np.mean(a)) for a in acts])
    std = np.array([float(np.std(a)) for a in acts])
    if activation == "relu":
        saturated = np.zeros(len(acts))
    else:
        saturated = np.array([float(np.mean((a <= lo + 0.02) | (a >= hi - 0.02))) for a in acts])
    return LayerHistograms(init, activation, edges, np.array(share), np.nan_to_num(mean),
                           np.nan_to_num(std), np.array(zero), saturated)


def layer_histograms(
    init: str = "Xavier",
    activation: str = "sigmoid",
    depth: int = 5,
    bins: int = 30,
    seed: int = 0,
) -> LayerHistograms:
    """Histograms of the first ``depth`` layers (1 … :data:`MAX_DEPTH`) of the random stack.

    The widget's callback computation: the whole ``MAX_DEPTH`` stack is
    computed once per (init, activation) and cached, so changing the depth
    only slices it. Depths outside 1 … MAX_DEPTH are clamped, never an error.
    Introduced in chapter 5, Training techniques.
    """
    init, activation = _check(init, activation)
    depth = int(min(max(int(depth), 1), MAX_DEPTH))
    full = _all_layers(init, activation, int(bins), int(seed))
    return LayerHistograms(init, activation, full.edges, full.share[:depth], full.mean[:depth],
                           full.std[:depth], full.zero_share[:depth], full.saturated_share[:depth])


def diagnose(hist: LayerHistograms) -> str:
    """One sentence on what the histograms show (for the figure's title).

    Checks, in order: all units identical (zero spread), saturation of sigmoid
    or tanh in any layer, exploding ReLU outputs, outputs squeezed into a small
    part of the range, a ReLU spread that shrinks with depth, and otherwise a
    healthy spread. Introduced in chapter 5, Training techniques.
    """
    lo, hi = activation_range(hist.activation)
    first, last = float(hist.std[0]), float(hist.std[-1])
    saturated = float(np.max(hist.saturated_share))
    if last < 1e-12:
        return "every unit outputs the same value: the units are copies of each other"
    if saturated > 0.3:
        return f"up to {saturated:.0%} of the outputs sit in the flat tails, where the slope is ~0"
    if hist.activation == "relu" and last > 10 * max(first, 1.0):
        return f"outputs grow layer after layer (std {first:.3g} → {last:.3g}): they explode"
    if last < (0.04 if hist.activation == "relu" else 0.05 * (hi - lo)):
        return f"outputs squeezed together (std {last:.2g}): the units all say nearly the same"
    if hist.activation == "relu" and last < 0.5 * first:
        return f"the spread shrinks layer after layer (std {first:.2f} → {last:.2f})"
    if hist.depth == 1:
        return f"a healthy spread (std {first:.2f})"
    return f"a healthy spread in all {hist.depth} layers (std {first:.2f} → {last:.2f})"
