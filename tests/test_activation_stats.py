"""Chapter 5's activation statistics: the computation behind the histogram widget."""

from __future__ import annotations

import numpy as np
import pytest

from common.lessons.activation_stats import (
    ACTIVATIONS,
    INITS,
    MAX_DEPTH,
    activation_range,
    diagnose,
    forward_activations,
    gradient_spread,
    init_std,
    layer_histograms,
)
from common.functions import sigmoid


def test_init_std_values() -> None:
    assert init_std("std 1", 100) == 1.0
    assert init_std("std 0.01", 100) == 0.01
    assert init_std("zeros", 100) == 0.0
    assert init_std("Xavier", 100) == pytest.approx(0.1)
    assert init_std("He", 100) == pytest.approx(np.sqrt(0.02))
    with pytest.raises(ValueError, match="initialisation"):
        init_std("LeCun", 100)


def test_forward_matches_a_hand_written_stack() -> None:
    acts = forward_activations("Xavier", "sigmoid", depth=3, width=7, n_samples=11, seed=3)
    rng = np.random.default_rng(3)
    a = rng.standard_normal((11, 7))
    for layer in acts:
        a = sigmoid(a @ (rng.standard_normal((7, 7)) * np.sqrt(1 / 7)))
        np.testing.assert_allclose(layer, a)
    assert len(acts) == 3 and acts[0].shape == (11, 7)


def test_forward_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="activation"):
        forward_activations("He", "softplus")
    with pytest.raises(ValueError):
        forward_activations("He", "relu", depth=0)


def test_zero_init_makes_every_unit_identical() -> None:
    for act in ACTIVATIONS:
        a = forward_activations("zeros", act, depth=3)[-1]
        assert np.ptp(a) == 0


def test_he_keeps_relu_spread_and_small_std_collapses_it() -> None:
    he, _ = gradient_spread("He", "relu", depth=10)
    small, _ = gradient_spread("std 0.01", "relu", depth=10)
    assert 0.5 < he[-1] / he[0] < 2
    assert small[-1] < 1e-10


def test_sigmoid_with_small_weights_has_vanishing_gradients() -> None:
    _, grad = gradient_spread("std 0.01", "sigmoid", depth=5)
    assert np.all(np.diff(grad) > 0)  # each layer nearer the output gets more
    assert grad[0] < 1e-6 * grad[-1]
    _, grad_tanh = gradient_spread("Xavier", "tanh", depth=5)
    assert grad_tanh.max() / grad_tanh.min() < 3  # tanh + Xavier: about equal in every layer


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("act", ACTIVATIONS)
def test_histograms_never_produce_nan_or_warnings(init: str, act: str) -> None:
    with np.errstate(all="raise"):
        hist = layer_histograms(init, act, MAX_DEPTH)
    assert hist.share.shape == (MAX_DEPTH, 30)
    assert np.all(np.isfinite(hist.share)) and np.all(np.isfinite(hist.std))
    lo, hi = activation_range(act)
    assert hist.edges[0] == lo and hist.edges[-1] == hi
    # the bars plus ReLU's zeros hold every value (ReLU's overflow goes to the last bar)
    np.testing.assert_allclose(hist.share.sum(axis=1) + hist.zero_share, 1.0)
    assert isinstance(diagnose(hist), str)


@pytest.mark.parametrize("depth", [-5, 0, 1, 3, 10, 11, 1000])
def test_depth_is_clamped(depth: int) -> None:
    hist = layer_histograms("He", "relu", depth)
    assert hist.depth == min(max(depth, 1), MAX_DEPTH)


def test_depth_only_slices_the_cached_stack() -> None:
    full = layer_histograms("Xavier", "tanh", 10)
    part = layer_histograms("Xavier", "tanh", 4)
    np.testing.assert_array_equal(part.share, full.share[:4])


@pytest.mark.parametrize(("init", "act", "words"), [
    ("zeros", "sigmoid", "copies"),
    ("std 1", "sigmoid", "flat tails"),
    ("std 1", "tanh", "flat tails"),
    ("std 0.01", "tanh", "squeezed"),
    ("std 1", "relu", "explode"),
    ("Xavier", "relu", "shrinks"),
    ("He", "relu", "healthy"),
    ("Xavier", "tanh", "healthy"),
])
def test_diagnosis(init: str, act: str, words: str) -> None:
    assert words in diagnose(layer_histograms(init, act, 5))
