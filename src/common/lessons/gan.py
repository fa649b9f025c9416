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

Far from the data that value is flat (the Jensen–Shannon divergence is stuck
near log 2), and a confident discriminator leaves the generator's original loss
``log(1 - D(G(z)))`` with almost no gradient; :func:`generator_logit_gradients`
and :func:`train_toy_gan` show why GANs train the generator on the
non-saturating loss ``-log D(G(z))`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.functions import sigmoid
from common.lessons.information import as_distribution, discretized_gaussian

__all__ = ["gan_value", "optimal_discriminator", "gan_curve", "GENERATOR_LOSSES", "generator_losses",
           "generator_logit_gradients", "ToyGANRun", "train_toy_gan"]

GENERATOR_LOSSES: tuple[str, ...] = ("saturating", "non-saturating")
"""The generator's two losses: the game's ``log(1 - D(G(z)))`` and the practical ``-log D(G(z))``."""


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


def gan_curve(p_data: ArrayLike, std: float, means: ArrayLike) -> NDArray[np.float64]:
    """``max_D V(D, G)`` for generators that output a bell of width ``std`` at each mean.

    This is ``2 JS(p_data‖p_g) - log 4`` along a line of generators: what the
    generator would minimise against a perfect discriminator. Introduced in the
    appendix, A look ahead.
    """
    p_data = as_distribution(p_data, "p_data")
    values = []
    for m in np.asarray(means, dtype=float):
        p_g = discretized_gaussian(m, std, len(p_data))
        values.append(gan_value(optimal_discriminator(p_data, p_g), p_data, p_g))
    return np.array(values)


def generator_losses(logits: ArrayLike) -> dict[str, NDArray[np.float64]]:
    """The generator's two losses for a fake whose discriminator logit is ``a`` (``D = σ(a)``).

    Saturating: ``log(1 - σ(a)) = -log(1 + e^a)``; non-saturating:
    ``-log σ(a) = log(1 + e^-a)``; both computed without overflow. The generator
    minimises either by raising ``a``. Keyed by :data:`GENERATOR_LOSSES`.
    Introduced in the appendix, A look ahead.
    """
    a = np.asarray(logits, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"logits must be finite numbers, got {a}")
    return {"saturating": -np.logaddexp(0.0, a), "non-saturating": np.logaddexp(0.0, -a)}


def generator_logit_gradients(d: ArrayLike) -> dict[str, NDArray[np.float64]]:
    """How hard each generator loss pushes, as a function of the discriminator's verdict ``d = D(G(z))``.

    With ``D = σ(a)`` for a logit ``a``, the derivative with respect to ``a`` is
    ``-d`` for the saturating loss ``log(1 - D)`` (it vanishes when the
    discriminator rejects the fake, ``d → 0``) and ``-(1 - d)`` for the
    non-saturating loss ``-log D`` (largest exactly then). Returns both, keyed by
    :data:`GENERATOR_LOSSES`. Introduced in the appendix, A look ahead.
    """
    d = np.asarray(d, dtype=np.float64)
    if not np.all(np.isfinite(d)) or np.any((d < 0) | (d > 1)):
        raise ValueError(f"d = D(G(z)) is a probability in [0, 1], got {d}")
    return {"saturating": -d, "non-saturating": -(1 - d)}


@dataclass
class ToyGANRun:
    """One run of :func:`train_toy_gan`: after each generator step, its shift ``theta``,
    the discriminator's mean verdict on fakes ``d_fake`` and its slope ``w``.

    Introduced in the appendix, A look ahead.
    """

    loss: str
    data_mean: float
    theta: NDArray[np.float64]
    d_fake: NDArray[np.float64]
    w: NDArray[np.float64]


def train_toy_gan(loss: str, steps: int = 600, data_mean: float = 3.0, spread: float = 0.5,
                  start: float = -3.0, lr_d: float = 0.2, lr_g: float = 0.1, pretrain: int = 100,
                  batch: int = 128, seed: int = 0) -> ToyGANRun:
    """The smallest GAN that shows the difference between the generator's two losses.

    Real data are ``N(data_mean, spread²)``; the generator is ``G(z) = z + theta``
    with ``z ~ N(0, spread²)`` (it can only shift); the discriminator is logistic,
    ``D(x) = σ(w x + c)``, which is enough to tell two such bells apart. The
    discriminator first trains alone for ``pretrain`` steps, as when it wins
    early in training; then both take one gradient step each per mini-batch, the
    generator on ``loss`` ("saturating": minimise ``log(1 - D(G(z)))``;
    "non-saturating": minimise ``-log D(G(z))``). Deterministic for a ``seed``.
    Introduced in the appendix, A look ahead.
    """
    if loss not in GENERATOR_LOSSES:
        raise ValueError(f"loss must be one of {GENERATOR_LOSSES}, got {loss!r}")
    if steps < 1 or pretrain < 0 or batch < 1:
        raise ValueError(f"need steps >= 1, pretrain >= 0 and batch >= 1; got {steps}, {pretrain}, {batch}")
    if not (spread > 0 and lr_d > 0 and lr_g > 0):
        raise ValueError(f"spread and both learning rates must be positive; got {spread}, {lr_d}, {lr_g}")
    rng = np.random.default_rng(seed)
    w = c = 0.0
    theta = float(start)
    thetas, d_fakes, ws = [], [], []
    for step in range(pretrain + steps):
        real = rng.normal(data_mean, spread, batch)
        fake = rng.normal(0.0, spread, batch) + theta
        d_real, d_fake = sigmoid(w * real + c), sigmoid(w * fake + c)
        # the discriminator climbs V = mean log D(real) + mean log(1 - D(fake))
        w += lr_d * (np.mean((1 - d_real) * real) - np.mean(d_fake * fake))
        c += lr_d * (np.mean(1 - d_real) - np.mean(d_fake))
        if step < pretrain:
            continue
        d_fake = sigmoid(w * fake + c)
        dloss_dlogit = generator_logit_gradients(d_fake)[loss]
        theta -= lr_g * float(np.mean(dloss_dlogit * w))  # d logit / d theta = w
        thetas.append(theta)
        d_fakes.append(float(np.mean(d_fake)))
        ws.append(w)
    return ToyGANRun(loss, float(data_mean), np.array(thetas), np.array(d_fakes), np.array(ws))
