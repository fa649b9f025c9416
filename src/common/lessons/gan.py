"""The GAN objective on a discrete toy world, where every expectation is an exact sum.

Introduced in the appendix, A look ahead (generative adversarial networks). A
GAN trains a generator G and a discriminator D against each other:

    min_G max_D V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 - D(G(z)))].

Here the data live on K outcomes, the generator is simply the distribution
``p_g`` it produces, and the discriminator is a vector ``d`` of probabilities
"this outcome is real", one per outcome. Then ``V = Σ p_data log d + Σ p_g log(1 - d)``,
the best discriminator is ``d* = p_data / (p_data + p_g)`` and, plugging it in,
``V(d*, p_g) = 2 · JS(p_data‖p_g) - log 4``: the generator's best move is
``p_g = p_data``, where ``V = -log 4`` and ``d* = 1/2`` everywhere.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.lessons.information import as_distribution

__all__ = ["gan_value", "optimal_discriminator"]


def _pair(p_data: ArrayLike, p_g: ArrayLike) -> tuple[NDArray, NDArray]:
    p_data, p_g = as_distribution(p_data, "p_data"), as_distribution(p_g, "p_g")
    if p_data.shape != p_g.shape:
        raise ValueError(f"p_data and p_g must cover the same outcomes: shapes {p_data.shape} and {p_g.shape}")
    return p_data, p_g


def gan_value(d: ArrayLike, p_data: ArrayLike, p_g: ArrayLike) -> float:
    """``V(D, G) = Σ p_data log d + Σ p_g log(1 - d)`` for a discriminator ``d`` with entries in [0, 1].

    ``-inf`` when ``d`` is certain and wrong somewhere that matters (e.g. ``d = 0``
    where ``p_data > 0``). Introduced in the appendix, A look ahead.
    """
    p_data, p_g = _pair(p_data, p_g)
    d = np.asarray(d, dtype=np.float64)
    if d.shape != p_data.shape:
        raise ValueError(f"d needs one probability per outcome, shape {p_data.shape}; got {d.shape}")
    if not np.all(np.isfinite(d)) or np.any((d < 0) | (d > 1)):
        raise ValueError(f"d holds probabilities 'this is real', so every entry must be in [0, 1]; got {d}")
    with np.errstate(divide="ignore"):
        real = np.where(p_data > 0, p_data * np.log(np.where(p_data > 0, d, 1.0)), 0.0)
        fake = np.where(p_g > 0, p_g * np.log(np.where(p_g > 0, 1 - d, 1.0)), 0.0)
    return float(real.sum() + fake.sum())


def optimal_discriminator(p_data: ArrayLike, p_g: ArrayLike) -> NDArray[np.float64]:
    """The ``d`` that maximises :func:`gan_value` for a fixed generator: ``p_data / (p_data + p_g)``.

    Where neither distribution puts mass, ``d`` does not matter; it is set to 1/2.
    Introduced in the appendix, A look ahead.
    """
    p_data, p_g = _pair(p_data, p_g)
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)
