"""Entropy, cross-entropy, KL divergence and mutual information (appendix): known values, identities, input checks."""

from __future__ import annotations

import numpy as np
import pytest

from common.functions import cross_entropy_error, softmax
from common.lessons.information import (
    as_distribution,
    as_joint,
    bimodal,
    binary_channel,
    binary_entropy,
    conditional_entropy,
    cross_entropy,
    discretized_gaussian,
    entropy,
    fit_gaussian_by_kl,
    joint_entropy,
    js_divergence,
    kl_divergence,
    marginals,
    mutual_information,
    pixel_label_information,
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


# ------------------------------------------------------------------ two variables
def _random_joint(rng, rows, cols):
    p = rng.random((rows, cols)) ** 2
    return p / p.sum()


def test_mutual_information_three_ways_and_its_bounds():
    rng = np.random.default_rng(4)
    for shape in ((2, 2), (2, 3), (4, 3), (5, 5)):
        pxy = _random_joint(rng, *shape)
        px, py = marginals(pxy)
        h_x, h_y, h_xy = entropy(px), entropy(py), joint_entropy(pxy)
        mi = mutual_information(pxy)
        assert mi == pytest.approx(h_x + h_y - h_xy)                          # from entropies
        assert mi == pytest.approx(h_y - conditional_entropy(pxy))           # H(Y) − H(Y | X)
        by_rows = sum(px[i] * entropy(pxy[i] / px[i]) for i in range(shape[0]))
        assert conditional_entropy(pxy) == pytest.approx(by_rows)             # Σ_x p(x) H(Y | X = x)
        assert mutual_information(pxy.T) == pytest.approx(mi)                 # symmetric
        assert 0 <= mi <= min(h_x, h_y) + 1e-12
        assert mutual_information(np.outer(px, py)) == pytest.approx(0, abs=1e-12)   # independent


def test_mutual_information_of_a_noisy_bit():
    assert mutual_information(binary_channel(0.0), base=2) == pytest.approx(1.0)
    assert mutual_information(binary_channel(0.5), base=2) == pytest.approx(0.0, abs=1e-12)
    for flip in (0.01, 0.1, 0.3):
        assert mutual_information(binary_channel(flip), base=2) == pytest.approx(1 - binary_entropy(flip))
    assert binary_channel(0.2, p_one=0.3).sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="flip"):
        binary_channel(1.5)


def test_joint_tables_in_a_batch_and_bad_tables():
    rng = np.random.default_rng(5)
    batch = np.stack([_random_joint(rng, 3, 2) for _ in range(4)])
    np.testing.assert_allclose(mutual_information(batch), [mutual_information(t) for t in batch])
    with pytest.raises(ValueError, match="table"):
        as_joint([0.5, 0.5])
    with pytest.raises(ValueError, match="sum to 1"):
        mutual_information(np.full((2, 2), 0.3))
    with pytest.raises(ValueError, match="negative"):
        joint_entropy(np.array([[0.6, -0.1], [0.3, 0.2]]))


def test_pixel_label_information_against_a_direct_count():
    rng = np.random.default_rng(6)
    images = rng.random((300, 6))
    labels = rng.integers(0, 3, 300)
    images[:, 2] = labels / 2 + 0.2 * rng.random(300)   # pixel 2 follows the label
    images[:, 5] = 0.0                                   # pixel 5 is never on
    info = pixel_label_information(images, labels, threshold=0.5)
    assert info.shape == (6,)
    for j in range(6):
        table = np.zeros((2, 3))
        np.add.at(table, ((images[:, j] > 0.5).astype(int), labels), 1)
        assert info[j] == pytest.approx(mutual_information(table / 300, base=2), abs=1e-12)
    assert info[2] == info.max() and info[5] == 0.0
    assert np.all(info <= 1 + 1e-12)                     # a binary pixel carries at most one bit
    np.testing.assert_allclose(pixel_label_information(images, np.eye(3)[labels]), info)   # one-hot labels
    with pytest.raises(ValueError, match="one label per image"):
        pixel_label_information(images, labels[:-1])
