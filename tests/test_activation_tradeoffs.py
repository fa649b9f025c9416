"""common.lessons.activation_tradeoffs: centring, saturation and dead units, and R² of a linear fit."""

from __future__ import annotations

import numpy as np
import pytest

from common.lessons.activation_tradeoffs import format_tradeoffs, linear_fit_r2, measure_tradeoffs, stack_1d


@pytest.fixture(scope="module")
def results():
    return {r.name: r for r in measure_tradeoffs(n_samples=20_000)}


def test_centring(results):
    assert results["sigmoid"].mean_output == pytest.approx(0.5, abs=0.01)
    assert abs(results["tanh"].mean_output) < 0.02
    assert results["ReLU"].mean_output == pytest.approx(1 / np.sqrt(2 * np.pi), abs=0.02)  # E[max(0, z)]


def test_saturation_grows_with_the_spread_for_sigmoid_and_tanh(results):
    for name in ("sigmoid", "tanh"):
        narrow, wide = results[name].flat_share
        assert narrow < 0.01 < wide
    assert results["tanh"].flat_share[1] > results["sigmoid"].flat_share[1]


def test_relu_is_flat_on_half_its_inputs_and_leaky_relu_nowhere(results):
    assert all(0.45 < v < 0.55 for v in results["ReLU"].flat_share)
    assert results["Leaky ReLU"].flat_share == (0.0, 0.0)


def test_dead_units_appear_for_relu_only_and_grow_as_biases_fall():
    def dead(drop):
        return {r.name: r.dead_share for r in measure_tradeoffs(bias_drop=drop, n_samples=1000)}

    assert dead(0.0)["ReLU"] == 0.0
    assert 0.5 < dead(4.0)["ReLU"] < dead(6.0)["ReLU"]
    assert dead(6.0)["Leaky ReLU"] == 0.0


def test_measurements_are_seeded():
    assert measure_tradeoffs(n_samples=1000, seed=3) == measure_tradeoffs(n_samples=1000, seed=3)


def test_spreads_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        measure_tradeoffs(spreads=(1.0, 0.0))


def test_table_has_one_row_per_activation(results):
    text = format_tradeoffs(list(results.values()))
    assert len(text.splitlines()) == 2 + 4 and "Leaky ReLU" in text and "-0.00" not in text


def test_r2_is_one_for_an_affine_map_and_less_for_a_bent_one():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    assert linear_fit_r2(X, X @ W + b) == pytest.approx(1.0, abs=1e-12)
    assert linear_fit_r2(X, np.maximum(X @ W + b, 0)) < 0.95
    assert linear_fit_r2(X[:, 0], 2 * X[:, 0] + 1) == pytest.approx(1.0)


def test_r2_rejects_bad_shapes_and_constant_targets():
    with pytest.raises(ValueError, match="same N"):
        linear_fit_r2(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="constant"):
        linear_fit_r2(np.arange(5.0), np.ones(5))


def test_a_stack_without_activation_is_a_straight_line():
    x = np.linspace(-3, 3, 61)
    y = stack_1d(x, None, widths=(8, 8), seed=1)
    assert linear_fit_r2(x, y) == pytest.approx(1.0, abs=1e-12)
    assert linear_fit_r2(x, stack_1d(x, "ReLU", widths=(8, 8), seed=1)) < 1 - 1e-3
    with pytest.raises(ValueError, match="unknown activation"):
        stack_1d(x, "swish")
