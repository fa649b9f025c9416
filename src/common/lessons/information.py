"""Entropy, cross-entropy and KL divergence of discrete probability distributions.

Introduced in the appendix, Information theory. A distribution is a vector of
non-negative numbers that sum to 1, on the last axis of an array; a batch of
distributions (N, K) gives one value per row. Logarithms are natural (nats) by
default; ``base=2`` gives bits. The convention ``0 · log 0 = 0`` is used
throughout, so outcomes with probability 0 under ``p`` contribute nothing; an
outcome that ``p`` allows but ``q`` forbids makes the cross-entropy and the KL
divergence infinite (``inf``, not an error: it is the mathematically right value).

The loss of chapter 3, :func:`common.functions.cross_entropy_error`, is the
batch mean of :func:`cross_entropy` with the one-hot label as ``p`` and the
network's softmax output as ``q`` (up to its ``eps = 1e-7``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "SUM_TOL",
    "as_distribution",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "as_joint",
    "marginals",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "binary_channel",
    "pixel_label_information",
    "binary_entropy",
    "discretized_gaussian",
    "bimodal",
    "fit_gaussian_by_kl",
]

SUM_TOL: float = 1e-6
"""How far from 1 the sum of a distribution may be (float32 softmax outputs pass)."""


def as_distribution(p: ArrayLike, name: str = "p") -> NDArray[np.float64]:
    """``p`` as a float64 array of distributions on its last axis, or a ``ValueError`` saying why not.

    Checks: at least one outcome, finite, no negative entries, each distribution
    sums to 1 within :data:`SUM_TOL`. Introduced in the appendix, Information theory.
    """
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of probabilities, got {p!r}") from None
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(
            f"{name} must have at least one outcome on its last axis, got shape {arr.shape}; "
            "a single probability 0.3 is written as the distribution [0.3, 0.7]"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity: {arr}")
    if np.any(arr < 0):
        raise ValueError(
            f"{name} has negative entries (smallest {arr.min():.3g}): probabilities are >= 0; "
            "if these are scores (logits), turn them into probabilities with softmax first"
        )
    sums = arr.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=SUM_TOL):
        worst = float(np.ravel(sums)[np.argmax(np.abs(np.ravel(sums) - 1))])
        raise ValueError(
            f"{name} must sum to 1 over its last axis, but a sum is {worst:.6g}; "
            f"normalise it with {name} / {name}.sum(axis=-1, keepdims=True)"
        )
    return arr


def _log(x: NDArray, base: float | None) -> NDArray:
    out = np.log(x)
    return out / np.log(base) if base is not None else out


def _check_base(base: float | None) -> None:
    if base is not None and (not np.isfinite(base) or base <= 0 or base == 1):
        raise ValueError(f"base must be a positive number other than 1 (2 for bits), or None for nats; got {base}")


def _result(values: NDArray) -> float | NDArray[np.float64]:
    return float(values) if np.ndim(values) == 0 else values


def _pair(p: ArrayLike, q: ArrayLike) -> tuple[NDArray, NDArray]:
    p, q = as_distribution(p, "p"), as_distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(
            f"p and q must describe the same outcomes: got shapes {p.shape} and {q.shape}"
        )
    return p, q


def entropy(p: ArrayLike, base: float | None = None) -> float | NDArray[np.float64]:
    """Shannon entropy ``H(p) = -Σ p log p``: the average surprise of an outcome drawn from ``p``.

    In nats (``base=None``) or bits (``base=2``). 0 for a certain outcome, ``log K``
    for the uniform distribution on K outcomes, the largest possible. One value
    per distribution. Introduced in the appendix, Information theory.
    """
    _check_base(base)
    p = as_distribution(p)
    terms = np.zeros_like(p)
    nz = p > 0
    terms[nz] = p[nz] * _log(p[nz], base)
    return _result(-terms.sum(axis=-1) + 0.0)  # + 0.0 turns -0.0 into 0.0


def cross_entropy(p: ArrayLike, q: ArrayLike, base: float | None = None) -> float | NDArray[np.float64]:
    """Cross-entropy ``H(p, q) = -Σ p log q``: the average surprise when outcomes come from ``p``
    but we expect them with probabilities ``q``.

    ``inf`` when ``q`` gives probability 0 to an outcome ``p`` allows. Always
    ``H(p, q) = H(p) + KL(p‖q) >= H(p)``. Introduced in the appendix, Information theory.
    """
    _check_base(base)
    p, q = _pair(p, q)
    nz = p > 0
    with np.errstate(divide="ignore"):
        logq = np.where(nz, _log(np.where(nz, q, 1.0), base), 0.0)
    terms = np.where(nz, p * logq, 0.0)
    return _result(-terms.sum(axis=-1) + 0.0)


def kl_divergence(p: ArrayLike, q: ArrayLike, base: float | None = None) -> float | NDArray[np.float64]:
    """Kullback–Leibler divergence ``KL(p‖q) = Σ p log(p / q)``: the extra surprise of using ``q`` for ``p``.

    Always ``>= 0`` and ``0`` only when ``p == q`` (Gibbs' inequality); not
    symmetric, so not a distance. ``inf`` when ``q`` forbids an outcome ``p``
    allows. Introduced in the appendix, Information theory.
    """
    _check_base(base)
    p, q = _pair(p, q)
    nz = p > 0
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 and p/0 are masked or meant
        ratio = np.where(nz, p / np.where(q > 0, q, 0.0), 1.0)
        terms = np.where(nz, p * _log(ratio, base), 0.0)
    # rounding can make a tiny negative sum when p == q; KL is never negative
    return _result(np.maximum(terms.sum(axis=-1), 0.0))


def js_divergence(p: ArrayLike, q: ArrayLike, base: float | None = None) -> float | NDArray[np.float64]:
    """Jensen–Shannon divergence ``½ KL(p‖m) + ½ KL(q‖m)`` with ``m = (p + q) / 2``.

    Symmetric, always finite, between 0 and ``log 2``. The original GAN objective
    at its best discriminator equals ``2 · JS(p_data‖p_g) - log 4``.
    Introduced in the appendix, A look ahead (GANs).
    """
    p, q = _pair(p, q)
    m = (p + q) / 2
    return _result(0.5 * np.asarray(kl_divergence(p, m, base)) + 0.5 * np.asarray(kl_divergence(q, m, base)))


def as_joint(pxy: ArrayLike, name: str = "pxy") -> NDArray[np.float64]:
    """``pxy`` as a float64 array of joint distributions p(x, y) on its last two axes (x rows, y columns).

    The same checks as :func:`as_distribution`, applied to each table as a whole:
    non-negative, finite, summing to 1. Introduced in the appendix, Information theory.
    """
    arr = np.asarray(pxy, dtype=np.float64) if not isinstance(pxy, np.ndarray) else pxy.astype(np.float64)
    if arr.ndim < 2 or 0 in arr.shape[-2:]:
        raise ValueError(
            f"{name} must be a table p(x, y) with x along the rows and y along the columns "
            f"(at least one of each), got shape {arr.shape}"
        )
    as_distribution(arr.reshape(*arr.shape[:-2], -1), name)
    return arr


def marginals(pxy: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(p(x), p(y))``: the row sums and the column sums of the joint table(s).

    Introduced in the appendix, Information theory.
    """
    pxy = as_joint(pxy)
    return pxy.sum(axis=-1), pxy.sum(axis=-2)


def _flat(pxy: NDArray) -> NDArray:
    return pxy.reshape(*pxy.shape[:-2], -1)


def joint_entropy(pxy: ArrayLike, base: float | None = None) -> float | NDArray[np.float64]:
    """``H(X, Y) = -Σ p(x, y) log p(x, y)``: the entropy of the pair taken as one outcome.

    Introduced in the appendix, Information theory.
    """
    return entropy(_flat(as_joint(pxy)), base)


def conditional_entropy(pxy: ArrayLike, base: float | None = None) -> float | NDArray[np.float64]:
    """``H(Y | X) = H(X, Y) - H(X)``: the surprise left in Y, on average, once X is known.

    Equal to ``Σ_x p(x) H(Y | X = x)``; 0 when Y is a function of X, ``H(Y)``
    when the two are independent. Introduced in the appendix, Information theory.
    """
    pxy = as_joint(pxy)
    px, _ = marginals(pxy)
    value = np.asarray(joint_entropy(pxy, base)) - np.asarray(entropy(px, base))
    return _result(np.maximum(value, 0.0))  # rounding can leave -1e-16


def mutual_information(pxy: ArrayLike, base: float | None = None) -> float | NDArray[np.float64]:
    """``I(X; Y) = KL(p(x, y) ‖ p(x) p(y))``: how far the pair is from independent.

    Equal to ``H(X) + H(Y) - H(X, Y) = H(Y) - H(Y | X)``; symmetric, never
    negative, 0 exactly when X and Y are independent, at most ``min(H(X), H(Y))``.
    Introduced in the appendix, Information theory.
    """
    pxy = as_joint(pxy)
    px, py = marginals(pxy)
    independent = px[..., :, None] * py[..., None, :]
    return kl_divergence(_flat(pxy), _flat(independent), base)


def binary_channel(flip: float, p_one: float = 0.5) -> NDArray[np.float64]:
    """The joint table of a bit X (1 with probability ``p_one``) sent through a channel that flips it
    with probability ``flip``: rows x = 0, 1; columns y = 0, 1.

    ``I(X; Y) = 1 - H_b(flip)`` bits for a fair X. Introduced in the appendix, Information theory.
    """
    for value, what in ((flip, "flip"), (p_one, "p_one")):
        if not np.isfinite(value) or not 0 <= value <= 1:
            raise ValueError(f"{what} is a probability in [0, 1], got {value}")
    px = np.array([1 - p_one, p_one])
    channel = np.array([[1 - flip, flip], [flip, 1 - flip]])
    return px[:, None] * channel


def pixel_label_information(images: ArrayLike, labels: ArrayLike, threshold: float = 0.5,
                            base: float | None = 2) -> NDArray[np.float64]:
    """``I(pixel on; label)`` for every pixel of a set of images: how much one pixel tells about the class.

    A pixel is "on" when its value exceeds ``threshold``. For each pixel the joint
    table p(on/off, class) is counted over the images, and its mutual information
    computed (bits by default). Returns one value per pixel, in the images' pixel
    order (784 for flattened MNIST). Introduced in the appendix, Information theory.
    """
    x = np.asarray(images)
    x = x.reshape(len(x), -1)
    labels = np.asarray(labels)
    if labels.ndim == 2:
        labels = labels.argmax(axis=1)  # one-hot
    if labels.shape != (len(x),):
        raise ValueError(f"need one label per image: {len(x)} images, labels of shape {labels.shape}")
    if len(x) == 0:
        raise ValueError("need at least one image")
    classes, idx = np.unique(labels, return_inverse=True)
    on = x > threshold                                                              # (N, P)
    on_counts = np.stack([on[idx == k].sum(axis=0) for k in range(len(classes))])  # (C, P)
    per_class = np.bincount(idx, minlength=len(classes))[:, None]                   # (C, 1)
    table = np.stack([per_class - on_counts, on_counts], axis=-1)  # (C, P, 2): off, on
    pxy = np.moveaxis(table, 0, -1) / len(x)                        # (P, 2, C)
    return np.asarray(mutual_information(pxy, base))


def binary_entropy(p: ArrayLike, base: float | None = 2) -> float | NDArray[np.float64]:
    """Entropy of a coin that shows heads with probability ``p``, for every entry of ``p``.

    ``-p log p - (1 - p) log(1 - p)``, in bits by default: 1 bit at ``p = 0.5``,
    0 at ``p = 0`` and ``p = 1``. Introduced in the appendix, Information theory.
    """
    _check_base(base)
    p = np.asarray(p, dtype=np.float64)
    if not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"binary_entropy needs probabilities in [0, 1], got {p}")
    dist = np.stack([p, 1 - p], axis=-1)
    return entropy(dist, base)


def discretized_gaussian(mean: float, std: float, n: int = 21) -> NDArray[np.float64]:
    """A bell-shaped distribution on the outcomes ``0, 1, …, n-1``, for figures and widgets.

    ``exp(-(k - mean)² / (2 std²))`` normalised to sum 1, with a floor of 1e-12
    per outcome so that every KL divergence stays finite. Introduced in the
    appendix, Information theory.
    """
    if n < 1 or std <= 0 or not np.isfinite(mean):
        raise ValueError(f"need n >= 1, std > 0 and a finite mean; got n={n}, std={std}, mean={mean}")
    k = np.arange(n)
    w = np.exp(-0.5 * ((k - mean) / std) ** 2) + 1e-12
    return w / w.sum()


def bimodal(n: int = 31, means: tuple[float, float] = (7.0, 23.0), std: float = 2.0,
            weights: tuple[float, float] = (0.5, 0.5)) -> NDArray[np.float64]:
    """A two-humped distribution on ``0 … n-1``: a mixture of two :func:`discretized_gaussian`.

    The appendix's example of a distribution that one bell cannot fit. Introduced
    in the appendix, Information theory.
    """
    w = np.asarray(weights, dtype=float)
    if w.shape != (2,) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights must be two non-negative numbers, not both 0; got {weights}")
    w = w / w.sum()
    return w[0] * discretized_gaussian(means[0], std, n) + w[1] * discretized_gaussian(means[1], std, n)


def fit_gaussian_by_kl(
    p: ArrayLike, direction: str, means: ArrayLike, stds: ArrayLike
) -> tuple[float, float, float]:
    """The bell ``q = discretized_gaussian(mean, std)`` closest to ``p``, by grid search.

    ``direction="forward"`` minimises ``KL(p‖q)`` (q must cover everywhere p has
    mass: it spreads over both humps); ``"reverse"`` minimises ``KL(q‖p)`` (q must
    avoid where p is small: it picks one hump). Returns ``(mean, std, KL)``.
    Introduced in the appendix, Information theory.
    """
    if direction not in ("forward", "reverse"):
        raise ValueError(f"direction must be 'forward' (KL(p‖q)) or 'reverse' (KL(q‖p)), got {direction!r}")
    p = as_distribution(p)
    if p.ndim != 1:
        raise ValueError(f"p must be one distribution (1-D), got shape {p.shape}")
    means, stds = np.asarray(means, dtype=float).ravel(), np.asarray(stds, dtype=float).ravel()
    if means.size == 0 or stds.size == 0 or np.any(stds <= 0) or not np.all(np.isfinite(means)):
        raise ValueError("need at least one finite mean and one positive std to search over")
    grid_m, grid_s = np.meshgrid(means, stds, indexing="ij")          # every (mean, std), means outer
    k = np.arange(len(p))
    w = np.exp(-0.5 * ((k - grid_m.reshape(-1, 1)) / grid_s.reshape(-1, 1)) ** 2) + 1e-12
    qs = w / w.sum(axis=1, keepdims=True)                             # discretized_gaussian, all at once
    ps = np.broadcast_to(p, qs.shape)
    kls = np.asarray(kl_divergence(ps, qs) if direction == "forward" else kl_divergence(qs, ps))
    best = int(np.argmin(kls))                                        # the first of equal minima
    return float(grid_m.flat[best]), float(grid_s.flat[best]), float(kls[best])
