"""The appendix's look ahead: GAN toy objective, no free lunch, one-shot learning, and their figures."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest

from common.plots.appendix import draw_gan_toy, draw_nfl, draw_one_shot, draw_pulse_memory, draw_unrolled_rnn, gan_curve
from common.lessons.gan import gan_value, optimal_discriminator
from common.lessons.information import discretized_gaussian, js_divergence
from common.lessons.no_free_lunch import (
    CUBE,
    LEARNERS,
    TEST_IDX,
    TRAIN_IDX,
    all_tasks,
    is_linearly_separable,
    nfl_summary,
    off_training_accuracy,
)
from common.lessons.one_shot import (
    SiameseEmbedding,
    contrastive_loss,
    make_pairs,
    nearest_prototype,
    one_shot_accuracy,
    pairwise_distances,
    train_siamese,
)
from common.lessons.recurrent import pulse_memory
from common.widgets.kl_explorer import KLView, draw_binary_entropy, draw_kl, draw_kl_fits, kl_curves, kl_explorer


# ----------------------------------------------------------------------------- GAN
def test_optimal_discriminator_maximises_the_value():
    rng = np.random.default_rng(0)
    pd, pg = discretized_gaussian(10, 3, 21), discretized_gaussian(5, 2, 21)
    d_star = optimal_discriminator(pd, pg)
    best = gan_value(d_star, pd, pg)
    for _ in range(200):
        d = np.clip(d_star + rng.normal(0, 0.05, 21), 1e-6, 1 - 1e-6)
        assert gan_value(d, pd, pg) <= best + 1e-12


def test_value_at_the_best_discriminator_is_a_js_divergence():
    pd = discretized_gaussian(20, 3, 31)
    for m in (5, 12, 20, 27):
        pg = discretized_gaussian(m, 3, 31)
        v = gan_value(optimal_discriminator(pd, pg), pd, pg)
        assert v == pytest.approx(2 * js_divergence(pd, pg) - np.log(4))
    assert gan_value(np.full(31, 0.5), pd, pd) == pytest.approx(-np.log(4))
    np.testing.assert_allclose(optimal_discriminator(pd, pd), 0.5)


def test_gan_curve_is_lowest_where_the_generator_matches():
    pd = discretized_gaussian(20, 3, 31)
    means = np.linspace(0, 30, 61)
    curve = gan_curve(pd, 3, means)
    assert means[np.argmin(curve)] == 20 and curve.min() == pytest.approx(-np.log(4))


def test_gan_value_edge_cases():
    assert gan_value([0.0, 0.5], [0.5, 0.5], [0.5, 0.5]) == -np.inf
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        gan_value([1.5, 0.5], [0.5, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="one probability per outcome"):
        gan_value([0.5], [0.5, 0.5], [0.5, 0.5])
    np.testing.assert_allclose(optimal_discriminator([1, 0, 0], [0, 1, 0]), [1, 0, 0.5])


# --------------------------------------------------------------------- no free lunch
def test_world_is_split_into_seen_and_unseen_halves():
    assert CUBE.shape == (8, 3)
    assert set(TRAIN_IDX) | set(TEST_IDX) == set(range(8)) and not set(TRAIN_IDX) & set(TEST_IDX)
    assert all_tasks().shape == (256, 8)


def test_there_are_104_linearly_separable_functions_of_three_bits():
    assert sum(is_linearly_separable(t) for t in all_tasks()) == 104
    xor3 = CUBE.sum(axis=1) % 2        # parity is the classic non-separable one
    assert not is_linearly_separable(xor3)


def test_every_learner_averages_exactly_one_half():
    summary = nfl_summary()
    assert set(summary) == set(LEARNERS)
    for name, row in summary.items():
        assert row["all tasks"] == Fraction(1, 2), name
    assert summary["nearest neighbour"]["separable tasks"] > Fraction(1, 2)
    assert summary["opposite of nearest neighbour"]["separable tasks"] < Fraction(1, 2)
    # a learner and its opposite always sum to one
    total = summary["nearest neighbour"]["separable tasks"] + summary["opposite of nearest neighbour"]["separable tasks"]
    assert total == 1


def test_accuracy_distribution_is_the_same_for_every_learner():
    counts = {name: np.bincount(np.rint(off_training_accuracy(fn) * 4).astype(int), minlength=5)
              for name, fn in LEARNERS.items()}
    for c in counts.values():
        np.testing.assert_array_equal(c, [16, 64, 96, 64, 16])   # binomial(4, 1/2) × 16 training labelings


def test_off_training_accuracy_rejects_wrong_task_shape():
    with pytest.raises(ValueError):
        off_training_accuracy(LEARNERS["always 0"], np.zeros((3, 5)))


# --------------------------------------------------------------------- one-shot
def test_pairwise_distances():
    a = np.array([[0.0, 0.0], [3.0, 4.0]])
    b = np.array([[0.0, 0.0], [6.0, 8.0], [0.0, 1.0]])
    np.testing.assert_allclose(pairwise_distances(a, b), [[0, 10, 1], [5, 5, np.sqrt(18)]])
    cos = pairwise_distances(a, b, "cosine")
    assert cos[1, 1] == pytest.approx(0) and cos[0, 0] == pytest.approx(1)
    with pytest.raises(ValueError):
        pairwise_distances(a, b, "manhattan")
    with pytest.raises(ValueError):
        pairwise_distances(a, np.zeros((2, 3)))


def test_nearest_prototype_and_episodes():
    sx, st = np.array([[0.0], [10.0]]), np.array([3, 8])
    np.testing.assert_array_equal(nearest_prototype(sx, st, np.array([[1.0], [7.0], [4.0]])), [3, 8, 3])
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 10)
    feats = labels[:, None] * 10.0 + rng.normal(0, 0.1, (40, 3))    # well separated classes
    assert one_shot_accuracy(feats, labels, np.arange(4), episodes=20) == 1.0
    noise = rng.normal(size=(40, 3))
    assert one_shot_accuracy(noise, labels, np.arange(4), episodes=200) < 0.45     # chance 0.25
    with pytest.raises(ValueError, match="fewer than"):
        one_shot_accuracy(feats[:8], labels[:8], np.arange(4))


def test_contrastive_loss():
    assert contrastive_loss([0.0, 2.0], [1, 0], margin=1.0) == 0.0
    assert contrastive_loss([1.0], [1]) == 1.0
    assert contrastive_loss([0.25], [0], margin=1.0) == pytest.approx(0.75 ** 2)
    with pytest.raises(ValueError):
        contrastive_loss([1.0], [2])


def test_siamese_gradient_matches_numerical():
    rng = np.random.default_rng(0)
    net = SiameseEmbedding(input_size=6, hidden_size=5, out_size=3, margin=2.0, seed=1)
    xa, xb = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    same = np.array([1.0, 0.0, 1.0, 0.0])
    _, grads = net.pair_gradient(xa, xb, same)
    grads = {k: v.copy() for k, v in grads.items()}
    h = 1e-5
    for key, param in net.params.items():
        num = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            old = param[idx]
            param[idx] = old + h
            up = net.pair_gradient(xa, xb, same)[0]
            param[idx] = old - h
            down = net.pair_gradient(xa, xb, same)[0]
            param[idx] = old
            num[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grads[key], num, rtol=1e-4, atol=1e-7)


def test_make_pairs_balances_same_and_different():
    labels = np.repeat(np.arange(3), 5)
    i, j, same = make_pairs(labels, 100, rng=0)
    np.testing.assert_array_equal(same == 1, labels[i] == labels[j])
    assert same.mean() == 0.5
    with pytest.raises(ValueError):
        make_pairs(np.zeros(5, dtype=int), 4)


def test_siamese_trains_through_the_trainer_and_pulls_classes_apart():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 8)) * 3
    labels = np.repeat(np.arange(3), 40)
    x = centres[labels] + rng.normal(size=(120, 8))
    net, losses = train_siamese(x, labels, epochs=8, batch_size=20, lr=0.01, hidden_size=16, out_size=4)
    assert len(losses) == 8 and losses[-1] < 0.5 * losses[0]
    assert net.last_loss is not None
    again = train_siamese(x, labels, epochs=8, batch_size=20, lr=0.01, hidden_size=16, out_size=4)[1]
    assert again == losses  # seeded: the same batches and the same pairs


# --------------------------------------------------------------------- figures and widget
def test_appendix_figures_draw():
    import matplotlib.pyplot as plt

    pd = discretized_gaussian(20, 3, 31)
    figs = [draw_nfl(nfl_summary()), draw_gan_toy(pd, discretized_gaussian(12, 3, 31), 3, np.linspace(0, 30, 11)),
            draw_pulse_memory(pulse_memory()), draw_unrolled_rnn(),
            draw_one_shot(np.zeros((3, 784)), [0, 1, 2], {"pixels": 0.5, "embedding": 0.9}, 1 / 3),
            draw_binary_entropy(), draw_kl(), draw_kl_fits()]
    for fig in figs:
        assert fig.axes
        fig.canvas.draw()
    plt.close("all")


def test_kl_curves_are_consistent_with_the_view():
    from matplotlib.figure import Figure

    view = KLView(Figure(figsize=(10, 3.8)))
    title = view.update(12.0, 3.0)
    assert "KL(p‖q)" in title and "KL(q‖p)" in title
    fwd, rev = kl_curves(view.p, 3.0)
    assert fwd.shape == rev.shape and np.all(fwd >= 0) and np.all(rev >= 0)
    for mean, std in ((0, 1), (30, 8), (15, 1)):      # extremes of the sliders never raise
        view.update(mean, std)


def test_kl_explorer_redraws_fast():
    box = kl_explorer()
    first = box.image.value
    times = []
    for m in (2.0, 6.0, 10.0, 14.0, 18.0, 22.0):
        start = time.perf_counter()
        box.sliders["mean"].value = m
        times.append(time.perf_counter() - start)
    assert box.image.value != first
    assert np.median(times) < 0.5      # generous: shared CI machines; ~30 ms on a quiet laptop
    assert box.renderer.full_draws == 1
