"""Chapter 3's measurements: differencing error, sweeping one weight, timing."""

from __future__ import annotations

import numpy as np
import pytest

from common.lessons.diagnostics import best_time, central_difference, difference_errors, forward_difference, sweep_parameter
from common.gradient import numerical_diff
from common.networks import TwoLayerNet


def test_difference_formulas() -> None:
    f = lambda x: x**3  # noqa: E731
    assert forward_difference(f, 2.0, 0.1) == pytest.approx((2.1**3 - 8) / 0.1)
    assert central_difference(f, 2.0, 1e-4) == pytest.approx(numerical_diff(f, 2.0, 1e-4))


def test_central_beats_forward_and_rounding_wins_for_tiny_h() -> None:
    hs = np.logspace(-12, -1, 23)
    err = difference_errors(np.exp, np.exp(1.0), 1.0, hs)
    assert set(err) == {"h", "forward", "central"}
    big = hs > 1e-3
    assert np.all(err["central"][big] < err["forward"][big])
    # truncation: forward error ~ h e/2, central ~ h² e/6
    assert err["forward"][-1] == pytest.approx(0.1 * np.e / 2, rel=0.1)
    assert err["central"][-1] == pytest.approx(0.01 * np.e / 6, rel=0.1)
    # rounding: the smallest h is worse than h = 1e-5 for the central difference
    assert err["central"][0] > err["central"][np.argmin(abs(hs - 1e-5))]


def test_difference_errors_rejects_bad_steps() -> None:
    with pytest.raises(ValueError):
        difference_errors(np.exp, 1.0, 0.0, [1e-3, 0.0])


def test_sweep_parameter_restores_and_records() -> None:
    net = TwoLayerNet(4, 3, 2, weight_init_std=0.5, seed=0)
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((20, 4)), rng.integers(0, 2, 20)
    before = net.params["W2"].copy()
    values = np.linspace(-3, 3, 31)
    out = sweep_parameter(net, "W2", (1, 0), values, x, t)
    np.testing.assert_array_equal(net.params["W2"], before)
    assert out["loss"].shape == out["accuracy"].shape == (31,)
    # accuracy is a multiple of 1/20: a staircase
    np.testing.assert_allclose(out["accuracy"] * 20, np.round(out["accuracy"] * 20))
    net.params["W2"][1, 0] = values[7]
    assert out["loss"][7] == pytest.approx(net.loss(x, t))


def test_sweep_parameter_errors() -> None:
    net = TwoLayerNet(4, 3, 2, seed=0)
    x, t = np.zeros((2, 4)), np.array([0, 1])
    with pytest.raises(ValueError, match="no parameter"):
        sweep_parameter(net, "W9", (0, 0), [0.0], x, t)
    with pytest.raises(ValueError, match="does not fit"):
        sweep_parameter(net, "W1", (4, 0), [0.0], x, t)


def test_best_time() -> None:
    calls = []
    t = best_time(lambda: calls.append(1), repeat=3)
    assert t >= 0 and len(calls) == 3
    t2 = best_time(lambda: None, repeat=2, min_time=0.01)
    assert 0 <= t2 < 0.01
    with pytest.raises(ValueError):
        best_time(lambda: None, repeat=0)
