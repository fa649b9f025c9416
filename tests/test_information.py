"""Entropy, cross-entropy and KL divergence (appendix): known values, identities and input checks."""

from __future__ import annotations

import numpy as np
import pytest

from common.functions import cross_entropy_error, softmax
from common.lessons.information import (
    as_distribution,
    bimodal,
    binary_entropy,
    cross_entropy,
    discretized_gaussian,
    entropy,
    fit_gaussian_by_kl,
    js_divergence,
    kl_divergence,
)


def _random_dists(rng, n, k):
    p = rng.random((n, k)) ** 3   # skewed, some tiny entries
    return p / p.sum(axis=1, keepdims=True)


def test_known_entropies():
    assert entropy([0.5, 0.5], base=2) == pytest.approx(1.0)
    assert entropy([0.25] * 4, base=2) == pytest.approx(2.0)
    assert entropy([1.0, 0.0, 0.0]) == 0.0
    assert entropy([0.5, 0.25, 0.25], base=2) == pytest.approx(1.5)
    assert entropy(np.full(10, 0.1)) == pytest.approx(np.log(10))


def test_zero_probabilities_contribute_nothing():
    assert entropy([0.5, 0.5, 0.0]) == pytest.approx(entropy([0.5, 0.5]))
    assert kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(np.log(2))


def test_entropy_is_largest_for_the_uniform_distribution():
    rng = np.random.default_rng(0)
    p = _random_dists(rng, 200, 6)
    assert np.all(entropy(p) <= np.log(6) + 1e-12)
    assert np.all(entropy(p) >= 0)


def test_kl_is_non_negative_and_zero_only_for_equal_distributions():
    rng = np.random.default_rng(1)
    p, q = _random_dists(rng, 500, 5), _random_dists(rng, 500, 5)
    kl = kl_divergence(p, q)
    assert kl.shape == (500,)
    assert np.all(kl >= 0)
    assert np.all(kl > 0)      # random pairs are never equal
    np.testing.assert_array_equal(kl_divergence(p, p), 0.0)


def test_cross_entropy_is_entropy_plus_kl():
    rng = np.random.default_rng(2)
    p, q = _random_dists(rng, 100, 7), _random_dists(rng, 100, 7)
    np.testing.assert_allclose(cross_entropy(p, q), entropy(p) + kl_divergence(p, q), rtol=1e-12)
    np.testing.assert_allclose(cross_entropy(p, p), entropy(p), rtol=1e-12)
    assert np.all(cross_entropy(p, q) >= entropy(p))


def test_bits_and_nats_differ_by_log_2():
    p, q = [0.2, 0.3, 0.5], [0.5, 0.3, 0.2]
    assert kl_divergence(p, q, base=2) == pytest.approx(kl_divergence(p, q) / np.log(2))
    assert entropy(p, base=2) == pytest.approx(entropy(p) / np.log(2))


def test_kl_is_not_symmetric():
    p, q = [0.9, 0.1], [0.5, 0.5]
    assert kl_divergence(p, q) != pytest.approx(kl_divergence(q, p))
    # hand computation
    assert kl_divergence(p, q) == pytest.approx(0.9 * np.log(1.8) + 0.1 * np.log(0.2))


def test_impossible_outcomes_give_infinity_not_an_error():
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(np.log(2))


def test_matches_the_loss_of_chapter_3():
    rng = np.random.default_rng(3)
    y = softmax(rng.normal(size=(8, 10)))
    labels = rng.integers(0, 10, 8)
    t = np.eye(10)[labels]
    ours = float(np.mean(cross_entropy(t, y)))
    assert ours == pytest.approx(cross_entropy_error(y, t), abs=1e-5)     # the loss adds eps = 1e-7
    assert ours == pytest.approx(cross_entropy_error(y, labels), abs=1e-5)
    # for a one-hot target the entropy is 0, so the loss *is* a KL divergence
    np.testing.assert_allclose(cross_entropy(t, y), kl_divergence(t, y), rtol=1e-12)


def test_js_is_symmetric_and_bounded():
    rng = np.random.default_rng(4)
    p, q = _random_dists(rng, 50, 4), _random_dists(rng, 50, 4)
    np.testing.assert_allclose(js_divergence(p, q), js_divergence(q, p))
    assert np.all(js_divergence(p, q) <= np.log(2) + 1e-12)
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(np.log(2))


def test_binary_entropy():
    assert binary_entropy(0.5) == pytest.approx(1.0)
    np.testing.assert_allclose(binary_entropy([0.0, 1.0]), [0.0, 0.0])
    assert binary_entropy(0.1) == pytest.approx(binary_entropy(0.9))
    with pytest.raises(ValueError):
        binary_entropy(1.5)


@pytest.mark.parametrize(
    "bad, message",
    [
        ([0.5, 0.6], "sum to 1"),
        ([1.2, -0.2], "negative"),
        ([], "at least one outcome"),
        (0.3, "at least one outcome"),
        ([np.nan, 1.0], "NaN"),
        ("abc", "array of probabilities"),
    ],
)
def test_invalid_distributions_are_explained(bad, message):
    with pytest.raises(ValueError, match=message):
        as_distribution(bad)


def test_shape_mismatch_and_bad_base():
    with pytest.raises(ValueError, match="same outcomes"):
        kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="base"):
        entropy([0.5, 0.5], base=1)


def test_float32_softmax_output_is_accepted():
    y = softmax(np.linspace(-3, 3, 10).astype(np.float32))
    assert entropy(y) > 0


def test_discretized_gaussian_and_bimodal():
    q = discretized_gaussian(10, 2, 21)
    assert q.sum() == pytest.approx(1) and np.argmax(q) == 10 and np.all(q > 0)
    p = bimodal()
    assert p.sum() == pytest.approx(1) and p[7] > p[15] < p[23]
    with pytest.raises(ValueError):
        discretized_gaussian(0, 0)


def test_kl_direction_decides_the_fit():
    p = bimodal()
    means, stds = np.arange(0, 31, 0.5), np.arange(1, 15.01, 0.25)
    m_fwd, s_fwd, _ = fit_gaussian_by_kl(p, "forward", means, stds)
    m_rev, s_rev, kl_rev = fit_gaussian_by_kl(p, "reverse", means, stds)
    assert m_fwd == 15 and s_fwd > 8            # covers both humps
    assert m_rev in (7, 23) and s_rev == 2      # sits on one hump
    assert kl_rev == pytest.approx(np.log(2), abs=1e-3)
    with pytest.raises(ValueError):
        fit_gaussian_by_kl(p, "sideways", means, stds)
