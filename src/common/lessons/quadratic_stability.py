"""Why momentum is stable where it is: SGD, Momentum and Nesterov on a quadratic.

Near a minimum every smooth loss looks like a quadratic, and along each
eigenvector of its Hessian like the one-dimensional ``f(w) = λ w² / 2``, whose
gradient is ``λ w``. On it one step of each optimiser is a *linear* map of its
state (the weight, and the velocity for the two momentum methods), so whether
the iterates shrink or blow up is decided by the eigenvalues of a 2×2 matrix.
Everything depends on the product ``h = ηλ`` of learning rate and curvature
(and on the momentum ``α``):

- SGD: ``w ← (1 − h) w``; stable for ``h < 2``;
- Momentum (heavy ball): stable for ``h < 2(1 + α)``;
- Nesterov, in the library's form: stable only for ``h < 2(1 + α)/(1 + 2α)``.

The extra gradient term that makes Nesterov brake harder at moderate
curvature makes it over-react at high curvature. Introduced in chapter 5,
Training techniques.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["METHODS", "iteration_matrix", "convergence_rate", "stability_limit", "largest_curvature"]

METHODS: tuple[str, ...] = ("SGD", "Momentum", "Nesterov")
"""The optimisers whose behaviour on a quadratic is analysed here."""


def _method(name: str) -> str:
    canonical = next((m for m in METHODS if m.lower() == str(name).strip().lower()), None)
    if canonical is None:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}")
    return canonical


def _alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not 0 <= alpha < 1:
        raise ValueError(f"the momentum α must be in [0, 1), got {alpha!r}")
    return alpha


def iteration_matrix(method: str, h: ArrayLike, alpha: float = 0.9) -> NDArray[np.float64]:
    """The matrix ``M`` with ``(w, v)_{k+1} = M (w, v)_k`` for one step on ``f(w) = λw²/2``, ``h = ηλ``.

    The state is the weight ``w`` and the velocity ``v`` (for SGD ``v`` stays 0).
    Momentum: ``v ← αv − hw``, ``w ← w + v``. Nesterov (Bengio et al.'s form,
    as :class:`common.optimizers.Nesterov`): ``v ← αv − hw``, ``w ← w + αv − hw``.
    ``h`` may be an array; the result then has shape ``h.shape + (2, 2)``.
    Introduced in chapter 5, Training techniques.
    """
    method, alpha = _method(method), _alpha(alpha)
    h = np.asarray(h, dtype=np.float64)
    m = np.zeros(h.shape + (2, 2))
    if method == "SGD":
        m[..., 0, 0] = 1 - h
    elif method == "Momentum":
        m[..., 0, 0], m[..., 0, 1] = 1 - h, alpha
        m[..., 1, 0], m[..., 1, 1] = -h, alpha
    else:  # Nesterov: w + α(αv − hw) − hw
        m[..., 0, 0], m[..., 0, 1] = 1 - h * (1 + alpha), alpha * alpha
        m[..., 1, 0], m[..., 1, 1] = -h, alpha
    return m


def convergence_rate(method: str, h: ArrayLike, alpha: float = 0.9) -> NDArray[np.float64]:
    """The factor by which the distance to the minimum shrinks per step, in the long run.

    The spectral radius (largest eigenvalue modulus) of :func:`iteration_matrix`:
    below 1 the iterates converge (the smaller, the faster), above 1 they grow
    without bound. Introduced in chapter 5, Training techniques.
    """
    return np.max(np.abs(np.linalg.eigvals(iteration_matrix(method, h, alpha))), axis=-1)


def stability_limit(method: str, alpha: float = 0.9) -> float:
    """The largest ``h = ηλ`` for which ``method`` converges on a quadratic of curvature ``λ``.

    SGD ``2``; Momentum ``2(1 + α)``; Nesterov ``2(1 + α)/(1 + 2α)``. The
    largest stable learning rate is this divided by the largest curvature.
    Introduced in chapter 5, Training techniques.
    """
    method, alpha = _method(method), _alpha(alpha)
    if method == "SGD":
        return 2.0
    if method == "Momentum":
        return 2 * (1 + alpha)
    return 2 * (1 + alpha) / (1 + 2 * alpha)


def largest_curvature(gradient: Callable[[NDArray], ArrayLike], point: Sequence[float],
                      step: float = 1e-5) -> float:
    """The largest eigenvalue of the Hessian at ``point``, from central differences of ``gradient``.

    ``gradient(p)`` returns the gradient at a point ``p`` (shape (d,)). The
    Hessian is symmetrised before its eigenvalues are taken. Introduced in
    chapter 5, Training techniques.
    """
    p = np.asarray(point, dtype=np.float64).ravel()
    d = p.size
    hess = np.empty((d, d))
    for i in range(d):
        e = np.zeros(d)
        e[i] = step
        hess[:, i] = (np.asarray(gradient(p + e), float) - np.asarray(gradient(p - e), float)) / (2 * step)
    if not np.all(np.isfinite(hess)):
        raise ValueError(f"the gradient is not finite near {tuple(p)}")
    return float(np.linalg.eigvalsh((hess + hess.T) / 2)[-1])
