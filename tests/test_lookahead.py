"""The appendix's look ahead: GAN toy objective, no free lunch, one-shot learning, and their figures."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest

from common.lessons.gan import (
    GENERATOR_LOSSES,
    gan_curve,
    gan_value,
    generator_logit_gradients,
    generator_losses,
    optimal_discriminator,
    train_toy_gan,
)
from common.lessons.information import discretized_gaussian, entropy, js_divergence, pixel_label_information
from common.lessons.no_free_lunch import (
    CUBE,
    LEARNERS,
    TEST_IDX,
    TRAIN_IDX,
    all_tasks,
    is_linearly_separable,
    nfl_summary,
    off_training_accuracy,
    separable_tasks,
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
from common.lessons.recurrent import distractor_memory, pulse_memory
from common.plots.appendix import (
    draw_distractor_memory,
    draw_gan_toy,
    draw_generator_losses,
    draw_nfl,
    draw_one_shot,
    draw_pixel_information,
    draw_pulse_memory,
    draw_unrolled_rnn,
)
from common.plots.style import legibility_problems, use_course_style
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


def test_far_from_the_data_the_divergence_is_flat():
    """The flat JS region: a generator far from the data gets (almost) no slope to follow."""
    pd = discretized_gaussian(20, 3, 31)
    means = np.linspace(0, 30, 121)
    slope = np.abs(np.gradient(gan_curve(pd, 3, means), means))
    assert slope[means <= 2].max() < 0.03 * slope.max()           # a hundredth of the slope near the data
    assert js_divergence(pd, discretized_gaussian(2, 3, 31)) == pytest.approx(np.log(2), abs=0.005)


def test_generator_logit_gradients_match_numerical_derivatives():
    a = np.linspace(-6, 6, 13)
    h = 1e-6
    d = 1 / (1 + np.exp(-a))
    losses = generator_losses(a)
    np.testing.assert_allclose(losses["saturating"], np.log(1 - d))
    np.testing.assert_allclose(losses["non-saturating"], -np.log(d))
    grads = generator_logit_gradients(d)
    assert set(grads) == set(losses) == set(GENERATOR_LOSSES)
    up, down = generator_losses(a + h), generator_losses(a - h)
    for name in GENERATOR_LOSSES:
        np.testing.assert_allclose(grads[name], (up[name] - down[name]) / (2 * h), rtol=1e-5, atol=1e-9)
    assert np.isfinite(generator_losses([-800.0, 800.0])["non-saturating"]).all()   # no overflow
    with pytest.raises(ValueError):
        generator_logit_gradients([1.2])
    with pytest.raises(ValueError):
        generator_losses([np.nan])


def test_toy_gan_the_non_saturating_loss_reaches_the_data_the_saturating_one_stalls():
    runs = {loss: train_toy_gan(loss, steps=300) for loss in GENERATOR_LOSSES}
    sat, non = runs["saturating"], runs["non-saturating"]
    assert sat.d_fake[0] < 0.01                              # the discriminator starts out winning
    assert abs(sat.theta[-1] - sat.theta[0]) < 0.5           # stalls near where it started (−3)
    assert abs(non.theta[-50:].mean() - 3.0) < 1.0           # hovers around the data's mean
    assert np.array_equal(train_toy_gan("saturating", steps=300).theta, sat.theta)   # seeded
    with pytest.raises(ValueError, match="loss"):
        train_toy_gan("wasserstein")
    with pytest.raises(ValueError):
        train_toy_gan("saturating", steps=0)


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
    assert separable_tasks(all_tasks()).sum() == 104
    assert is_linearly_separable(CUBE[:, 0]) and is_linearly_separable(np.zeros(8, dtype=int))
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
def _appendix_figures():
    from common.datasets import load_mnist

    (x, t), _ = load_mnist(sample=True)
    pd = discretized_gaussian(20, 3, 31)
    return {
        "pixel information": draw_pixel_information(pixel_label_information(x[:500], t[:500]),
                                                    entropy(np.bincount(t) / len(t), 2)),
        "nfl": draw_nfl(nfl_summary()),
        "gan toy": draw_gan_toy(pd, discretized_gaussian(12, 3, 31), 3, np.linspace(0, 30, 11)),
        "generator losses": draw_generator_losses([train_toy_gan(g, steps=40) for g in GENERATOR_LOSSES]),
        "pulse": draw_pulse_memory(pulse_memory()),
        "distractors": draw_distractor_memory(distractor_memory(steps=20, n_sequences=50)),
        "unrolled rnn": draw_unrolled_rnn(),
        "one shot": draw_one_shot(np.zeros((5, 784)), [5, 6, 7, 8, 9],
                                  {"pixels, digits 5–9": 0.5, "siamese, digits 5–9": 0.9}, 0.2),
        "binary entropy": draw_binary_entropy(),
        "kl": draw_kl(),
        "kl fits": draw_kl_fits(),
        "kl widget": kl_explorer().view.fig,
    }


def test_appendix_figures_draw_and_read_on_a_projector():
    """Every figure of the appendix, in the course style, has no text below 11 pt as JupyterLab shows it."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    with mpl.rc_context():
        use_course_style()
        figures = _appendix_figures()
        for name, fig in figures.items():
            assert fig.axes, name
            fig.canvas.draw()
            assert legibility_problems(fig) == [], (name, legibility_problems(fig))
            assert fig.get_figwidth() * fig.dpi <= 900, f"{name} is wider than the notebook and would shrink"
            for ax in fig.axes:
                if ax.get_visible() and ax.axison and ax.get_label() != "<colorbar>":
                    assert ax.get_xlabel() or ax.get_ylabel(), f"{name}: an axis without a label"
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
        start = time.process_time()    # CPU time: the widget's own work, whatever else the machine runs
        box.sliders["mean"].value = m
        times.append(time.process_time() - start)
    assert box.image.value != first
    assert np.median(times) < 0.5      # ~30 ms on a quiet laptop
    assert box.renderer.full_draws == 1


def test_kl_explorer_width_change_is_not_served_from_a_stale_cache():
    box = kl_explorer(12.0, 3.0)
    for std in (5.0, 3.0, 5.0):
        box.sliders["std"].value = std
        fwd, rev = kl_curves(box.view.p, std)
        np.testing.assert_array_equal(box.view.fwd.get_ydata(), np.clip(fwd, 0.2, 40.0))
        np.testing.assert_array_equal(box.view.rev.get_ydata(), np.clip(rev, 0.2, 40.0))
