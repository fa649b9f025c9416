"""Chapter 5's sanity checks and batch norm's test mode: each catches what it claims to catch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from common.layers import BatchNormalization
from common.lessons.batchnorm_modes import batchnorm_modes, running_average_trace
from common.lessons.sanity_checks import expected_initial_loss, initial_loss, overfit_tiny, update_ratios
from common.networks import MultiLayerNet, MultiLayerNetExtend
from common.optimizers import SGD, Adam


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 20))
    t = rng.integers(0, 10, 200)
    return x, t


def test_initial_loss_is_ln10_for_a_small_init_and_far_more_for_a_large_one(data) -> None:
    x, t = data
    assert expected_initial_loss(10) == pytest.approx(math.log(10))
    small = initial_loss(MultiLayerNet(20, [30], 10, weight_init_std=0.01, seed=0), x, t)
    large = initial_loss(MultiLayerNet(20, [30, 30], 10, weight_init_std=3.0, seed=0), x, t)
    assert small == pytest.approx(math.log(10), abs=1e-3)
    assert large > 5 * math.log(10)
    decayed = MultiLayerNet(20, [30], 10, weight_init_std=0.01, weight_decay_lambda=10.0, seed=0)
    assert initial_loss(decayed, x, t) == pytest.approx(small)  # the penalty is not part of it
    with pytest.raises(ValueError):
        expected_initial_loss(1)


def test_overfit_tiny_passes_a_healthy_setup_and_fails_a_crippled_one(data) -> None:
    x, t = data
    good = overfit_tiny(MultiLayerNet(20, [50, 50], 10, seed=0), Adam(lr=0.01), x, t, n=20, iterations=150)
    assert good.passed and good.train_acc == 1.0 and good.first_perfect is not None
    assert good.losses.shape == (150,) and good.losses[-1] < good.losses[0]
    slow = overfit_tiny(MultiLayerNet(20, [50, 50], 10, seed=0), SGD(lr=1e-5), x, t, n=20, iterations=150)
    assert not slow.passed and slow.first_perfect is None
    blown = overfit_tiny(MultiLayerNet(20, [50, 50], 10, seed=0), SGD(lr=1e8), x, t, n=20, iterations=50)
    assert not blown.passed and np.isnan(blown.losses[-1])  # a diverging run ends in NaN, never raises
    with pytest.raises(ValueError):
        overfit_tiny(MultiLayerNet(20, [5], 10, seed=0), SGD(), x[:0], t[:0])


def test_update_ratio_scales_with_the_learning_rate_and_changes_nothing(data) -> None:
    x, t = data
    net = MultiLayerNet(20, [30, 30], 10, seed=0)
    before = {k: v.copy() for k, v in net.params.items()}
    small = update_ratios(net, SGD(lr=1e-3), x, t)
    large = update_ratios(net, SGD(lr=1e-1), x, t)
    assert list(small) == ["W1", "W2", "W3"]  # weights only, no biases
    for key in small:
        assert large[key] == pytest.approx(100 * small[key], rel=1e-9)
        grad = net.gradient(x, t)[key]
        assert small[key] == pytest.approx(1e-3 * np.linalg.norm(grad) / np.linalg.norm(net.params[key]))
    for key, value in before.items():
        np.testing.assert_array_equal(net.params[key], value)
    with pytest.raises(ValueError, match="all zeros"):
        update_ratios(MultiLayerNet(20, [5], 10, weight_init_std=0.0, seed=0), SGD(), x, t)


def test_running_average_follows_the_momentum_formula() -> None:
    layer = BatchNormalization(np.ones(2), np.zeros(2))
    batches = [np.array([[1.0, 10.0], [3.0, 30.0]])] * 5  # batch mean (2, 20) every time
    trace = running_average_trace(layer, batches)
    expected = [(1 - 0.9 ** k) * np.array([2.0, 20.0]) for k in range(1, 6)]
    np.testing.assert_allclose(trace, expected)


def test_batchnorm_modes_shows_the_one_image_trap_and_leaves_the_network_alone() -> None:
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((3, 10)) * 3
    t = rng.integers(0, 3, 300)
    x = centres[t] + rng.standard_normal((300, 10))
    net = MultiLayerNetExtend(10, [20, 20], 3, use_batchnorm=True, seed=0)
    for _ in range(200):
        idx = rng.choice(300, 50, replace=False)
        SGD(lr=0.1).update(net.params, net.gradient(x[idx], t[idx]))
    running = [layer.running_mean.copy() for layer in net.layers.values() if isinstance(layer, BatchNormalization)]
    modes = batchnorm_modes(net, x, t, batch=50)
    assert list(modes) == ["test mode (running averages)", "training mode, batches of 50",
                           "training mode, one image at a time"]
    assert modes["test mode (running averages)"] > 0.9
    assert modes["training mode, batches of 50"] > 0.9
    assert modes["training mode, one image at a time"] == pytest.approx(np.mean(t == np.bincount(t).argmax()), abs=0.35)
    assert modes["training mode, one image at a time"] < 0.6  # every image gets the same answer
    after = [layer.running_mean for layer in net.layers.values() if isinstance(layer, BatchNormalization)]
    for a, b in zip(running, after):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="no BatchNormalization"):
        batchnorm_modes(MultiLayerNet(10, [5], 3, seed=0), x, t)
