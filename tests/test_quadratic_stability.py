"""Chapter 5's stability analysis agrees with the optimisers themselves, run on a quadratic."""

from __future__ import annotations

import numpy as np
import pytest

from common.lessons.optimizer_paths import SURFACES
from common.lessons.quadratic_stability import (
    METHODS,
    convergence_rate,
    iteration_matrix,
    largest_curvature,
    stability_limit,
)
from common.optimizers import SGD, Momentum, Nesterov

OPTIMIZERS = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov}


def _run(method: str, lr: float, curvature: float, alpha: float, steps: int) -> np.ndarray:
    """|w| after each step of the library's optimiser on f(w) = curvature · w² / 2."""
    opt = OPTIMIZERS[method](lr=lr) if method == "SGD" else OPTIMIZERS[method](lr=lr, momentum=alpha)
    w, state, out = np.array([1.0]), {}, []
    for _ in range(steps):
        w, state = opt.step(w, curvature * w, state)
        out.append(abs(float(w[0])))
    return np.array(out)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("h", [0.05, 0.5, 1.2, 1.9, 3.0])
def test_matrix_reproduces_the_optimiser(method: str, h: float) -> None:
    alpha, lam = 0.9, 4.0
    opt_path = _run(method, h / lam, lam, alpha, 5)
    m = iteration_matrix(method, h, alpha)
    state, by_matrix = np.array([1.0, 0.0]), []
    for _ in range(5):
        state = m @ state
        by_matrix.append(abs(state[0]))
    np.testing.assert_allclose(opt_path, by_matrix, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("method", METHODS)
def test_the_border_separates_convergence_from_blow_up(method: str) -> None:
    alpha, lam = 0.9, 2.0
    border = stability_limit(method, alpha)
    below = convergence_rate(method, 0.97 * border, alpha)
    above = convergence_rate(method, 1.03 * border, alpha)
    assert below < 1 < above
    assert _run(method, 0.97 * border / lam, lam, alpha, 3000)[-1] < 1e-3
    with np.errstate(all="ignore"):
        grown = _run(method, 1.03 * border / lam, lam, alpha, 3000)[-1]
    assert not grown < 1e3  # large, or overflowed to inf/NaN


def test_borders_are_the_published_ones() -> None:
    assert stability_limit("SGD") == 2
    assert stability_limit("Momentum", 0.9) == pytest.approx(3.8)
    assert stability_limit("nesterov", 0.9) == pytest.approx(3.8 / 2.8)
    assert stability_limit("Momentum", 0.0) == stability_limit("Nesterov", 0.0) == 2  # α = 0 is SGD


def test_nesterov_damps_faster_at_moderate_curvature_but_breaks_earlier() -> None:
    h = np.array([0.2, 0.5, 1.0])
    assert np.all(convergence_rate("Nesterov", h) < convergence_rate("Momentum", h))
    np.testing.assert_allclose(convergence_rate("Momentum", h), np.sqrt(0.9))  # complex pair of modulus √α
    assert convergence_rate("Nesterov", 3.0) > 1 > convergence_rate("Momentum", 3.0)


def test_rosenbrock_curvature_at_its_minimum() -> None:
    # the Hessian at (1, 1) is [[802, -400], [-400, 200]]
    exact = np.linalg.eigvalsh(np.array([[802.0, -400.0], [-400.0, 200.0]]))[-1]
    assert largest_curvature(SURFACES["rosenbrock"].gradient, (1.0, 1.0)) == pytest.approx(exact, rel=1e-6)
    assert largest_curvature(SURFACES["elongated"].gradient, (3.0, -1.0)) == pytest.approx(2.0)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        stability_limit("Adam")
    with pytest.raises(ValueError, match="α"):
        convergence_rate("Momentum", 0.5, alpha=1.0)
    with pytest.raises(ValueError, match="not finite"):
        largest_curvature(lambda p: np.array([np.nan, 0.0]), (0.0, 0.0))
