"""Tests for common.trainer: the training loop, its history and its figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from common.networks import MultiLayerNetExtend, TwoLayerNet  # noqa: E402
from common.optimizers import Adam  # noqa: E402
from common.trainer import Trainer, TrainingHistory, plot_history  # noqa: E402


def _blobs(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated Gaussian clouds in the plane, labels 0, 1, 2."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    x = np.concatenate([c + 0.8 * rng.standard_normal((n_per_class, 2)) for c in centres])
    t = np.repeat(np.arange(3), n_per_class)
    return x, t


X_TRAIN, T_TRAIN = _blobs(100, seed=0)  # 300 samples
X_TEST, T_TEST = _blobs(50, seed=1)  # 150 samples


def _trainer(**kw) -> Trainer:
    net = kw.pop("network", None) or TwoLayerNet(2, 16, 3, weight_init_std="he")
    settings = dict(epochs=8, mini_batch_size=32, optimizer="sgd", optimizer_param={"lr": 0.1},
                    progress=False)
    settings.update(kw)
    return Trainer(net, X_TRAIN, T_TRAIN, X_TEST, T_TEST, **settings)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_training_learns_a_separable_problem():
    history = _trainer().train()
    per_epoch = history.iters_per_epoch
    first = np.mean(history.train_loss[:per_epoch])
    last = np.mean(history.train_loss[-per_epoch:])
    assert last < 0.3 * first, (first, last)
    assert history.train_acc[-1] >= 0.97
    assert history.test_acc[-1] >= 0.97
    assert history.final_test_acc == history.test_acc[-1]


def test_history_lengths():
    trainer = _trainer(epochs=3, mini_batch_size=64)
    history = trainer.train()
    assert isinstance(history, TrainingHistory)
    assert history is trainer.history
    assert history.iters_per_epoch == 5  # ceil(300 / 64): the last batch holds 44 samples
    assert len(history.train_loss) == 3 * 5
    assert len(history.train_acc) == len(history.test_acc) == len(history.epoch_time) == 3
    assert history.epochs == 3
    assert all(t > 0 for t in history.epoch_time)
    assert all(0 <= a <= 1 for a in history.train_acc + history.test_acc)
    d = history.as_dict()
    assert set(d) >= {"train_loss", "train_acc", "test_acc", "epoch_time", "iters_per_epoch"}


def test_same_seed_same_history_other_seed_other_order():
    a = _trainer(seed=3).train()
    b = _trainer(seed=3).train()
    c = _trainer(seed=4).train()
    assert a.train_loss == b.train_loss
    assert a.train_acc == b.train_acc and a.test_acc == b.test_acc
    assert a.train_loss != c.train_loss


def test_training_with_dropout_is_repeatable():
    def run():
        net = MultiLayerNetExtend(2, [16], 3, use_dropout=True, dropout_ratio=0.2, use_batchnorm=True)
        return _trainer(network=net, epochs=2).train()

    assert run().train_loss == run().train_loss


def test_second_call_continues_and_appends():
    trainer = _trainer(epochs=2)
    trainer.train()
    history = trainer.train()
    assert history.epochs == 4
    assert len(history.train_loss) == 4 * history.iters_per_epoch


def test_partial_evaluation_and_full_final_test_accuracy():
    trainer = _trainer(epochs=2, evaluate_sample_num_per_epoch=20)
    history = trainer.train()
    assert all(round(20 * a) == pytest.approx(20 * a) for a in history.test_acc)
    assert history.final_test_acc == pytest.approx(trainer.network.accuracy(X_TEST, T_TEST))


def test_optimizer_object_and_large_batch():
    net = TwoLayerNet(2, 16, 3, weight_init_std="he")
    trainer = Trainer(net, X_TRAIN, T_TRAIN, X_TEST, T_TEST, epochs=30, mini_batch_size=10_000,
                      optimizer=Adam(lr=0.05), progress=False)
    assert trainer.batch_size == 300
    history = trainer.train()
    assert history.iters_per_epoch == 1
    assert history.test_acc[-1] >= 0.95


def test_one_hot_targets_work():
    net = TwoLayerNet(2, 16, 3, weight_init_std="he")
    eye = np.eye(3)
    history = Trainer(net, X_TRAIN, eye[T_TRAIN], X_TEST, eye[T_TEST], epochs=3, mini_batch_size=32,
                      optimizer="adam", optimizer_param={"lr": 0.05}, progress=False).train()
    assert history.test_acc[-1] >= 0.95


@pytest.mark.parametrize(
    "kw, error, match",
    [
        ({"optimizer": "adamw"}, ValueError, "unknown optimizer"),
        ({"optimizer": Adam(), "optimizer_param": {"lr": 1.0}}, ValueError, "optimizer_param"),
        ({"optimizer": 42}, TypeError, "optimizer"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"mini_batch_size": 2.5}, ValueError, "mini_batch_size"),
        ({"evaluate_sample_num_per_epoch": 0}, ValueError, "evaluate_sample_num_per_epoch"),
    ],
)
def test_bad_settings(kw, error, match):
    with pytest.raises(error, match=match):
        _trainer(**kw)


def test_mismatched_data():
    net = TwoLayerNet(2, 4, 3)
    with pytest.raises(ValueError, match="same count"):
        Trainer(net, X_TRAIN, T_TRAIN[:-1], X_TEST, T_TEST)
    with pytest.raises(ValueError, match="empty"):
        Trainer(net, X_TRAIN[:0], T_TRAIN[:0], X_TEST, T_TEST)


def test_progress_bar_only_when_asked(capsys):
    _trainer(epochs=1, progress=False).train()
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    _trainer(epochs=1, progress=True).train()
    out = capsys.readouterr()
    assert out.out == ""
    assert "training" in out.err and "test_acc" in out.err
    assert out.err.count("\n") <= 3  # one bar, not a line per iteration


def test_divergence_is_reported():
    class Exploding(TwoLayerNet):
        def gradient(self, x, t, train_flg=True):
            grads = super().gradient(x, t, train_flg)
            self.last_loss = float("nan")
            return grads

    with pytest.raises(FloatingPointError, match="learning rate"):
        _trainer(network=Exploding(2, 4, 3), epochs=1).train()


# -------------------------------------------------------------------- figures
def _history() -> TrainingHistory:
    return _trainer(epochs=3).train()


def test_plot_history_has_titles_and_labels():
    history = _history()
    fig = plot_history(history)
    assert fig._suptitle is not None and "3 epochs" in fig._suptitle.get_text()
    loss_ax, acc_ax = fig.axes
    for ax in (loss_ax, acc_ax):
        assert ax.get_title() and ax.get_xlabel() == "epoch" and ax.get_ylabel()
    assert "%" in acc_ax.get_ylabel()
    # raw loss per iteration (plus its moving average) on an epoch axis
    raw = loss_ax.lines[0].get_xydata()
    assert raw.shape == (len(history.train_loss), 2)
    assert raw[-1, 0] == pytest.approx(3.0)
    np.testing.assert_allclose(acc_ax.lines[1].get_ydata(), 100 * np.array(history.test_acc))


def test_plot_history_accepts_a_dict_and_axes():
    history = _history()
    fig, axes = plt.subplots(1, 2)
    assert plot_history(history.as_dict(), ax=axes, title="Mine") is fig
    assert fig._suptitle.get_text() == "Mine"
    with pytest.raises(ValueError, match="pair of axes"):
        plot_history(history, ax=axes[0])
    with pytest.raises(ValueError, match="missing"):
        plot_history({"train_loss": [1.0]})


def test_live_plot_outside_a_notebook_warns_and_trains():
    with pytest.warns(UserWarning, match="live_plot"):
        history = _trainer(epochs=2, live_plot=True).train()
    assert history.epochs == 2


def test_live_plot_updates_one_display(monkeypatch):
    import IPython
    import IPython.display

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", obj))

    def fake_display(obj, display_id=None):
        shown.append(("display", obj))
        return Handle()

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", fake_display)
    _trainer(epochs=3, live_plot=True).train()
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    png = shown[-1][1].data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.get_fignums() == []  # the live figure is not left in pyplot
