"""Chapter 5's experiment helpers: fair comparisons, hyperparameter search, their figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common.lessons.comparisons import (
    RunSummary,
    compare_optimizers,
    compare_schedules,
    data_loss,
    dropout_ensemble,
    summarise_runs,
    train_iterations,
    train_runs,
)
from common.lessons.hyperparams import (
    Trial,
    best_trials,
    log_uniform,
    narrow_space,
    network_objective,
    random_search,
    validation_split,
)
from common.functions import softmax_cross_entropy
from common.networks import MultiLayerNet, MultiLayerNetExtend
from common.optimizers import SGD, Adam, Momentum
from common.plots.style import legibility_problems
from common.plots.training import (
    plot_batchnorm_grid,
    plot_dropout_ensemble,
    plot_loss_curves,
    plot_schedules,
    plot_search,
    plot_stability,
    plot_train_test_gap,
    plot_unit_weights,
    plot_weight_decay_sweep,
)
from common.schedules import cosine, step_decay


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 8)).astype(np.float32)
    t = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + 2 * (x[:, 2] > 0)
    return x, t


def test_train_iterations_is_repeatable_and_learns(data) -> None:
    x, t = data
    make = lambda: MultiLayerNet(8, [16], 4, seed=1)  # noqa: E731
    a = train_iterations(make(), SGD(0.1), x, t, 60, batch_size=32, seed=3)
    b = train_iterations(make(), SGD(0.1), x, t, 60, batch_size=32, seed=3)
    np.testing.assert_array_equal(a, b)
    assert a[-10:].mean() < a[:10].mean()


def test_diverging_run_stops_with_nan_and_does_not_raise(data) -> None:
    x, t = data
    losses = train_iterations(MultiLayerNet(8, [16], 4, seed=1), SGD(1e6), x, t, 40, batch_size=32)
    assert np.isnan(losses[-1]) and np.isfinite(losses[0])
    fig = plot_loss_curves({"too fast": losses})
    assert "diverged" in fig.legends[0].get_texts()[0].get_text()


def test_compare_optimizers_gives_one_curve_each(data) -> None:
    x, t = data
    curves = compare_optimizers(lambda: MultiLayerNet(8, [16], 4, seed=1),
                                {"SGD": SGD(0.1), "Adam": Adam(0.01)}, x, t, 20, 32, progress=False)
    assert list(curves) == ["SGD", "Adam"] and all(c.shape == (20,) for c in curves.values())
    assert curves["SGD"][0] == curves["Adam"][0]  # same start, same first batch


def test_train_runs_marks_divergence(data) -> None:
    x, t = data
    makers = {"ok": lambda: MultiLayerNetExtend(8, [16], 4, seed=1),
              "bad": lambda: MultiLayerNetExtend(8, [16, 16], 4, weight_init_std=1e3, seed=1,
                                                 dtype=np.float32)}
    runs = train_runs(makers, x, t, x, t, epochs=3, optimizer_param={"lr": 1e10}, progress=False)
    assert runs["bad"].diverged and runs["bad"].history.epochs < 3
    assert runs["ok"].history.epochs == 3 or runs["ok"].diverged
    good = train_runs({"ok": makers["ok"]}, x, t, x, t, epochs=3, optimizer_param={"lr": 0.1}, progress=False)
    assert not good["ok"].diverged and good["ok"].history.epochs == 3
    fig = plot_train_test_gap(good)
    assert fig.axes[0].get_xlabel() == "epoch"
    grid = {(1.0, False): runs["bad"], (1.0, True): good["ok"]}
    fig = plot_batchnorm_grid(grid)
    assert fig.axes[0].get_ylabel() == "training\naccuracy (%)"
    assert "diverged" in [t.get_text() for t in fig.axes[0].texts][0]


def test_train_runs_evaluates_every_n_iterations(data) -> None:
    x, t = data
    runs = train_runs({"a": lambda: MultiLayerNetExtend(8, [16], 4, seed=1)}, x, t, x, t, epochs=4,
                      mini_batch_size=40, evaluate_every=6, progress=False)
    assert runs["a"].history.eval_iter == [6, 12]  # 3 iterations per epoch, 12 in all


def test_compare_schedules_changes_only_the_rate(data) -> None:
    x, t = data
    runs = compare_schedules(lambda: MultiLayerNet(8, [16], 4, seed=1), lambda: Momentum(lr=0.05),
                             {"constant": None, "step": step_decay, "cosine": cosine}, x, t, x, t, 40, 32,
                             progress=False)
    assert list(runs) == ["constant", "step", "cosine"]
    assert runs["constant"].losses[0] == runs["cosine"].losses[0]  # same start, same first batch
    np.testing.assert_allclose(runs["constant"].lr, 0.05)
    assert runs["step"].lr[0] == 0.05 and runs["step"].lr[-1] == pytest.approx(0.0005)
    assert runs["cosine"].lr[-1] < 0.001 and not runs["cosine"].diverged
    assert all(0 <= r.test_acc <= 1 for r in runs.values())
    fig = plot_schedules(runs)
    assert fig.axes[1].get_yscale() == "log" and len(fig.legends[0].get_texts()) == 3


def test_compare_schedules_marks_a_diverged_run(data) -> None:
    x, t = data
    runs = compare_schedules(lambda: MultiLayerNet(8, [16], 4, seed=1), lambda: SGD(lr=1e6),
                             {"constant": None}, x, t, x, t, 20, 32, progress=False)
    assert runs["constant"].diverged and np.isnan(runs["constant"].test_acc)
    assert "diverged" in plot_schedules(runs).legends[0].get_texts()[0].get_text()


def test_data_loss_leaves_out_the_penalty(data) -> None:
    x, t = data
    net = MultiLayerNet(8, [16], 4, weight_decay_lambda=0.5, seed=1)
    loss = data_loss(net, x, t, batch_size=7)  # batches of unequal size are weighted correctly
    assert loss == pytest.approx(softmax_cross_entropy(net.predict(x), t))
    assert net.loss(x, t) > loss + 0.1
    with pytest.raises(ValueError):
        data_loss(net, x, t[:5])


def test_summarise_runs_measures_each_network(data) -> None:
    x, t = data
    makers = {"plain": lambda: MultiLayerNetExtend(8, [16], 4, seed=1),
              "decay": lambda: MultiLayerNetExtend(8, [16], 4, weight_decay_lambda=0.1, seed=1)}
    runs = train_runs(makers, x[:80], t[:80], x[80:], t[80:], epochs=3, optimizer_param={"lr": 0.1}, progress=False)
    summary = summarise_runs(runs, x[80:], t[80:], x, t)
    for label, s in summary.items():
        net = runs[label].network
        assert s.val_acc == pytest.approx(net.accuracy(x[80:], t[80:]))
        assert s.test_acc == pytest.approx(net.accuracy(x, t))
        assert s.val_loss == pytest.approx(data_loss(net, x[80:], t[80:]))
        assert s.train_acc == runs[label].history.train_acc[-1]
    fig = plot_weight_decay_sweep(list(summary.values()), (0.0, 0.1))
    assert [tk.get_text() for tk in fig.axes[0].get_xticklabels()] == ["0", "0.1"]
    with pytest.raises(ValueError):
        plot_weight_decay_sweep(list(summary.values()), (0.0,))


def test_stability_figure_marks_each_border() -> None:
    fig = plot_stability(0.9, marks={"here": 3.0})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["SGD: converges for ηλ < 2", "Momentum: converges for ηλ < 3.8",
                      "Nesterov: converges for ηλ < 1.36"]
    assert any("here" in t.get_text() for t in fig.axes[0].texts)


def test_dropout_ensemble_agrees_more_with_more_masks(data) -> None:
    x, t = data
    net = MultiLayerNetExtend(8, [32, 32], 4, use_dropout=True, dropout_ratio=0.3, seed=2)
    counts, dist, agree = dropout_ensemble(net, x, counts=(1, 8, 64))
    assert list(counts) == [1, 8, 64]
    assert dist[-1] < dist[0] and agree[-1] >= agree[0]
    assert plot_dropout_ensemble(counts, agree).axes[0].get_xscale() == "log"


def test_validation_split_is_disjoint_and_shuffled() -> None:
    x = np.arange(100)[:, None]
    t = np.arange(100)
    (xa, ta), (xb, tb) = validation_split(x, t, 0.2, seed=0)
    assert len(xa) == 80 and len(xb) == 20
    assert set(ta) | set(tb) == set(range(100)) and not set(ta) & set(tb)
    assert list(tb) != list(range(80, 100))
    with pytest.raises(ValueError):
        validation_split(x, t, 1.5)


def test_log_uniform_covers_decades_evenly() -> None:
    s = log_uniform(1e-6, 1e-2, 40_000, rng=0)
    share = np.histogram(np.log10(s), bins=4, range=(-6, -2))[0] / s.size
    assert np.all(np.abs(share - 0.25) < 0.02)
    with pytest.raises(ValueError):
        log_uniform(0, 1)


def test_random_search_narrows_around_the_best() -> None:
    def objective(p):  # best at lr = 1e-2, indifferent to wd
        return 1 - abs(np.log10(p["lr"]) + 2) / 10, 1.0

    trials = random_search(objective, {"lr": (1e-5, 1), "wd": (1e-6, 1e-2)}, 40, seed=0, progress=False)
    best = best_trials(trials, 5)
    assert best[0].val == max(tr.val for tr in trials)
    lo, hi = narrow_space(trials, 5)["lr"]
    assert lo < 1e-2 < hi and hi / lo < 1e3


def test_search_counts_divergence_and_plots_it() -> None:
    def objective(p):
        if p["lr"] > 0.1:
            raise FloatingPointError("diverged")
        return 0.5, 0.6

    trials = random_search(objective, {"lr": (1e-3, 1), "weight_decay": (1e-6, 1e-2)}, 20, progress=False)
    assert any(tr.diverged for tr in trials) and any(not tr.diverged for tr in trials)
    fig = plot_search([trials], narrow_space(trials))
    assert fig.axes[0].get_xscale() == "log"
    with pytest.raises(ValueError):
        narrow_space([Trial({"lr": 1.0}, float("nan"))])


def test_network_objective_returns_accuracies(data) -> None:
    x, t = data
    objective = network_objective(x[:90], t[:90], x[90:], t[90:], hidden_size_list=(16,), epochs=2)
    val, train = objective({"lr": 0.1, "weight_decay": 1e-4})
    assert 0 <= val <= 1 and 0 <= train <= 1


def test_unit_weights_figure() -> None:
    W = np.random.default_rng(0).standard_normal((784, 10))
    fig = plot_unit_weights({"a": W, "b": np.zeros((784, 10))}, units=4)
    assert len(fig.axes) == 8


def test_every_chapter5_figure_reads_on_a_projector(data) -> None:
    """Text of at least 11 points at the size JupyterLab shows each figure (issue 16 §4)."""
    x, t = data
    curves = {n: np.linspace(2, 0.1, 300) for n in ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam")}
    runs = train_runs({"plain": lambda: MultiLayerNetExtend(8, [16], 4, seed=1)}, x, t, x, t, epochs=2,
                      progress=False)
    grid = {(w, bn): runs["plain"] for w in (1.0, 0.3, 0.1, 0.03, 0.01, 0.001) for bn in (False, True)}
    sched = compare_schedules(lambda: MultiLayerNet(8, [16], 4, seed=1), lambda: Momentum(lr=0.05),
                              {"constant": None, "cosine": cosine}, x, t, x, t, 20, 32, progress=False)
    trials = [Trial({"lr": 10.0 ** -k, "weight_decay": 1e-4}, 0.5) for k in range(5)]
    figures = {
        "loss curves": plot_loss_curves(curves),
        "stability": plot_stability(0.9, {"a mark": 1.0}),
        "schedules": plot_schedules(sched),
        "unit weights": plot_unit_weights({"a": np.ones((784, 6)), "b": np.zeros((784, 6))}),
        "batch norm grid": plot_batchnorm_grid(grid),
        "gap": plot_train_test_gap({"a": runs["plain"], "b": runs["plain"], "c": runs["plain"]}),
        "sweep": plot_weight_decay_sweep([RunSummary(1.0, 0.7, 0.9, 0.7)] * 4, (0, 0.01, 0.03, 0.1)),
        "ensemble": plot_dropout_ensemble([1, 2, 4], [0.8, 0.9, 0.95]),
        "search": plot_search([trials, trials[:2]], {"lr": (1e-3, 1e-1), "weight_decay": (1e-5, 1e-3)}),
    }
    for name, fig in figures.items():
        assert legibility_problems(fig) == [], (name, legibility_problems(fig))
        assert fig.get_figwidth() * fig.dpi <= 900, name  # shown unshrunk in JupyterLab
