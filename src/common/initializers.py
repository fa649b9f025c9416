"""Weight initialisation: how large the first random weights should be.

Introduced in chapter 5, Training techniques. Weights that are all equal never
break symmetry; weights that are too small or too large make activations vanish
or saturate layer after layer. Xavier (std = sqrt(1/n)) suits sigmoid and tanh,
He (std = sqrt(2/n)) suits ReLU, where ``n`` is the number of inputs of a unit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

__all__ = [
    "as_rng",
    "he_std",
    "init_weights",
    "weight_scale",
    "xavier_std",
]

_HE_NAMES = frozenset({"relu", "he"})
_XAVIER_NAMES = frozenset({"sigmoid", "tanh", "xavier"})


def as_rng(seed: np.random.Generator | int | None = 0) -> np.random.Generator:
    """Turn a seed (or an existing generator) into a ``numpy.random.Generator``.

    Introduced in chapter 2, Neural networks. Every network takes ``seed`` so that
    the same call gives the same weights; pass a generator to share one stream,
    or ``None`` for fresh, unrepeatable randomness.
    """
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(seed)


def _check_fan_in(n_in: int) -> int:
    if isinstance(n_in, (bool, np.bool_)) or int(n_in) != n_in or n_in < 1:
        raise ValueError(f"n_in (inputs per unit) must be a positive integer, got {n_in!r}")
    return int(n_in)


def he_std(n_in: int) -> float:
    """Standard deviation sqrt(2 / n_in) of He initialisation, for ReLU layers.

    Introduced in chapter 5, Training techniques. ReLU zeroes half of its inputs,
    so the weights need twice Xavier's variance to keep activations from shrinking.
    """
    return float(np.sqrt(2.0 / _check_fan_in(n_in)))


def xavier_std(n_in: int) -> float:
    """Standard deviation sqrt(1 / n_in) of Xavier (Glorot) initialisation.

    Introduced in chapter 5, Training techniques. It keeps the variance of a
    layer's output close to that of its input for sigmoid and tanh units.
    """
    return float(np.sqrt(1.0 / _check_fan_in(n_in)))


def weight_scale(weight_init_std: float | str, n_in: int) -> float:
    """Resolve a ``weight_init_std`` setting into a standard deviation.

    Introduced in chapter 5, Training techniques. Networks accept either a number
    (used as is, e.g. the small 0.01 of chapter 4) or a name: ``'relu'``/``'he'``
    give He's sqrt(2/n_in), ``'sigmoid'``/``'tanh'``/``'xavier'`` give Xavier's
    sqrt(1/n_in).
    """
    if isinstance(weight_init_std, str):
        name = weight_init_std.strip().lower()
        if name in _HE_NAMES:
            return he_std(n_in)
        if name in _XAVIER_NAMES:
            return xavier_std(n_in)
        raise ValueError(
            f"unknown weight_init_std {weight_init_std!r}: use a positive number, "
            "'relu'/'he' for sqrt(2/n) or 'sigmoid'/'tanh'/'xavier' for sqrt(1/n)"
        )
    if isinstance(weight_init_std, (bool, np.bool_)):
        raise ValueError(f"weight_init_std must be a number or a name, got {weight_init_std!r}")
    try:
        scale = float(weight_init_std)
    except (TypeError, ValueError):
        raise ValueError(
            f"weight_init_std must be a number or one of 'relu', 'he', 'sigmoid', "
            f"'tanh', 'xavier', got {weight_init_std!r}"
        ) from None
    if not np.isfinite(scale) or scale < 0:
        raise ValueError(f"weight_init_std must be a finite number >= 0, got {weight_init_std!r}")
    return scale


def init_weights(
    shape: int | Sequence[int],
    scale: float,
    rng: np.random.Generator | int | None = 0,
    dtype: DTypeLike = np.float64,
) -> np.ndarray:
    """Draw a weight array from N(0, scale²) with the given shape and dtype.

    Introduced in chapter 5, Training techniques. The draw is made in float64 and
    then cast, so a float32 network starts from the same numbers (rounded) as a
    float64 one with the same seed.
    """
    if not np.isfinite(scale) or scale < 0:
        raise ValueError(f"scale must be a finite number >= 0, got {scale!r}")
    generator = as_rng(rng)
    return (generator.standard_normal(shape) * scale).astype(dtype, copy=False)
