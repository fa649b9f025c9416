"""Tests for common.trainer: the one training loop, its hooks, the book's keywords, divergence, its figure."""

from __future__ import annotations

import io
import math
import re
from functools import partial

import matplotlib
import matplotlib.image

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from common.augmentation import random_shift  # noqa: E402
from common.datasets import load_mnist  # noqa: E402
from common.networks import MultiLayerNet, MultiLayerNetExtend, TwoLayerNet  # noqa: E402
from common.optimizers import SGD, Adam  # noqa: E402
from common.plots.history import LiveCurve, plot_history  # noqa: E402
from common.plots.style import legibility_problems  # noqa: E402
from common.schedules import cosine, step_decay, warmup  # noqa: E402
from common.trainer import Callback, Trainer, TrainingDiverged, TrainingHistory  # noqa: E402


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


class Recorder(Callback):
    """Writes down every event, with the iteration it happened at."""

    def __init__(self, log: list, name: str = "") -> None:
        self.log, self.name = log, name

    def on_step(self, trainer):
        self.log.append((self.name, "step", trainer.iteration))

    def on_evaluate(self, trainer):
        self.log.append((self.name, "evaluate", trainer.iteration))

    def on_end(self, trainer):
        self.log.append((self.name, "end", trainer.iteration))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sample():
    return load_mnist(sample=True)


# ----------------------------------------------------------------- the basic loop
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
    assert len(history.train_loss) == len(history.lr) == 3 * 5
    assert len(history.train_acc) == len(history.test_acc) == len(history.epoch_time) == 3
    assert history.eval_iter == [5, 10, 15]
    assert history.epochs == 3 and trainer.iteration == 15
    assert all(t > 0 for t in history.epoch_time) and history.seconds >= sum(history.epoch_time)
    assert all(0 <= a <= 1 for a in history.train_acc + history.test_acc)
    d = history.as_dict()
    assert set(d) >= {"train_loss", "train_acc", "test_acc", "eval_iter", "epoch_time", "iters_per_epoch"}


def test_same_seed_same_history_other_seed_other_order():
    a = _trainer(seed=3).train()
    b = _trainer(seed=3).train()
    c = _trainer(seed=4).train()
    assert a.train_loss == b.train_loss
    assert a.train_acc == b.train_acc and a.test_acc == b.test_acc
    assert a.train_loss != c.train_loss


def test_same_seed_same_history_with_every_hook():
    def run():
        net = MultiLayerNetExtend(2, [16], 3, use_dropout=True, dropout_ratio=0.2, use_batchnorm=True)
        return _trainer(network=net, epochs=3, sampling="random", lr_schedule=warmup,
                        augment=lambda x, rng: x + 0.1 * rng.standard_normal(x.shape), evaluate_every=4,
                        seed=7).train()

    a, b = run(), run()
    assert a.train_loss == b.train_loss and a.lr == b.lr
    assert a.train_acc == b.train_acc and a.test_acc == b.test_acc and a.eval_iter == b.eval_iter


def test_second_call_continues_and_appends():
    trainer = _trainer(epochs=2)
    trainer.train()
    history = trainer.train()
    assert history.epochs == 4
    assert len(history.train_loss) == 4 * history.iters_per_epoch
    assert history.eval_iter == [k * history.iters_per_epoch for k in (1, 2, 3, 4)]


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


def test_float32_stays_float32_through_every_hook():
    x, t = X_TRAIN.astype(np.float32), T_TRAIN
    seen = []

    class Spy(TwoLayerNet):
        def gradient(self, x, t, train_flg=True):
            seen.append(x.dtype)
            return super().gradient(x, t, train_flg)

    net = Spy(2, 16, 3, weight_init_std="he", dtype=np.float32)
    Trainer(net, x, t, x, t, epochs=2, mini_batch_size=32, optimizer="adam", optimizer_param={"lr": 0.01},
            lr_schedule=cosine, augment=lambda xb, rng: xb[::-1].copy(), progress=False).train()
    assert set(seen) == {np.dtype(np.float32)}
    assert all(p.dtype == np.float32 for p in net.params.values())


# ------------------------------------------------------------------ schedules
def test_schedule_values():
    assert cosine(0.1, 0, 100) == pytest.approx(0.1)
    assert cosine(0.1, 50, 100) == pytest.approx(0.05)
    assert cosine(0.1, 100, 100) == pytest.approx(0.0)
    assert [step_decay(1.0, s, 100) for s in (0, 49, 50, 74, 75, 99)] == pytest.approx(
        [1, 1, 0.1, 0.1, 0.01, 0.01])
    assert step_decay(1.0, 60, 100, milestones=(0.6,), factor=0.5) == pytest.approx(0.5)
    ramp = [warmup(1.0, s, 100, fraction=0.1) for s in range(10)]
    assert ramp == pytest.approx(np.arange(1, 11) / 10)
    assert warmup(1.0, 10, 100, fraction=0.1) == pytest.approx(1.0)  # the cosine starts at lr0
    assert warmup(1.0, 55, 100, fraction=0.1) == pytest.approx(cosine(1.0, 45, 90))
    for bad in ((0.1, 101, 100), (0.1, -1, 100), (0.1, 0, 0)):
        with pytest.raises(ValueError, match="step"):
            cosine(*bad)


def test_trainer_follows_the_schedule_and_restores_the_rate():
    trainer = _trainer(epochs=3, optimizer="sgd", optimizer_param={"lr": 0.2}, lr_schedule=cosine)
    history = trainer.train()
    total = 3 * history.iters_per_epoch
    assert history.lr == pytest.approx([cosine(0.2, s, total) for s in range(total)])
    assert trainer.optimizer.lr == 0.2  # the next run starts from the same rate
    flat = _trainer(epochs=1).train()
    assert set(flat.lr) == {0.1}


def test_a_schedule_with_settings_and_a_bad_schedule():
    halving = partial(step_decay, milestones=(0.5,), factor=0.5)
    history = _trainer(epochs=2, optimizer_param={"lr": 0.2}, lr_schedule=halving).train()
    half = len(history.lr) // 2
    assert set(history.lr[:half]) == {0.2} and set(history.lr[half:]) == {0.1}
    with pytest.raises(ValueError, match="lr_schedule returned"):
        _trainer(lr_schedule=lambda lr0, step, total: float("nan")).train()
    with pytest.raises(TypeError, match="lr_schedule"):
        _trainer(lr_schedule=0.1)


# --------------------------------------------------------------- augmentation
def test_augmentation_changes_training_batches_only():
    trained_on, evaluated_on = [], []

    class Spy(TwoLayerNet):
        def gradient(self, x, t, train_flg=True):
            trained_on.append(x.copy())
            return super().gradient(x, t, train_flg)

        def accuracy(self, x, t, batch_size=100):
            evaluated_on.append(x.copy())
            return super().accuracy(x, t, batch_size)

    def flip(x, rng):
        return -x

    trainer = _trainer(network=Spy(2, 16, 3), epochs=1, augment=flip, seed=0)
    trainer.train()
    order = np.random.default_rng(0).permutation(len(X_TRAIN))
    np.testing.assert_array_equal(trained_on[0], -X_TRAIN[order[:32]])
    np.testing.assert_array_equal(evaluated_on[0], X_TRAIN)  # accuracy on the data as given
    np.testing.assert_array_equal(evaluated_on[1], X_TEST)
    np.testing.assert_array_equal(trainer.x_train, X_TRAIN)  # the stored data never changes
    with pytest.raises(ValueError, match="same shape"):
        _trainer(augment=lambda x, rng: x[:1]).train()


def test_random_shift_moves_each_image_within_bounds():
    rng = np.random.default_rng(0)
    x = np.zeros((50, 1, 9, 9), dtype=np.float32)
    x[:, 0, 4, 4] = 1  # one bright pixel in the centre
    shifted = random_shift(x, rng, max_shift=2)
    assert shifted.shape == x.shape and shifted.dtype == x.dtype
    _, where = np.nonzero(shifted[:, 0].reshape(50, -1) == 1)
    ys, xs = where // 9, where % 9
    assert np.all(np.abs(ys - 4) <= 2) and np.all(np.abs(xs - 4) <= 2)
    assert len(set(zip(ys.tolist(), xs.tolist()))) > 5  # each image gets its own shift
    np.testing.assert_array_equal(shifted.sum(axis=(1, 2, 3)), 1)  # nothing lost inside the padding
    flat = random_shift(x.reshape(50, 81), np.random.default_rng(0), max_shift=2)
    np.testing.assert_array_equal(flat, shifted.reshape(50, 81))  # flattened square images work too
    assert random_shift(x, rng, max_shift=0) is x
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        random_shift(x[:, 0], rng)
    with pytest.raises(ValueError, match="square"):
        random_shift(np.zeros((2, 10)), rng)
    with pytest.raises(ValueError, match="max_shift"):
        random_shift(x, rng, max_shift=-1)


# ------------------------------------------------------ sampling and cadence
def test_random_sampling_for_an_exact_number_of_iterations():
    batches = []

    class Spy(TwoLayerNet):
        def gradient(self, x, t, train_flg=True):
            batches.append(x.copy())
            return super().gradient(x, t, train_flg)

    history = _trainer(network=Spy(2, 16, 3), iterations=25, sampling="random", evaluate_every=None).train()
    assert len(history.train_loss) == 25 and history.train_acc == [] and history.final_test_acc is None
    rows = {tuple(r) for r in X_TRAIN}
    for b in batches:
        assert b.shape == (32, 2) and len({tuple(r) for r in b}) == 32  # full size, no sample twice
        assert {tuple(r) for r in b} <= rows
    with pytest.raises(ValueError, match="sampling"):
        _trainer(sampling="sequential")


@pytest.mark.parametrize(
    "every, expected",
    [("epoch", [10, 20, 30]), (7, [7, 14, 21, 28]), ("end", [30]), (None, [])],
)
def test_evaluation_cadence(every, expected):
    trainer = _trainer(epochs=3, mini_batch_size=30, evaluate_every=every)  # 10 iterations per epoch
    history = trainer.train()
    assert history.eval_iter == expected
    assert len(history.train_acc) == len(history.test_acc) == len(expected)
    if every is None:
        assert history.final_test_acc is None
    else:
        assert history.final_test_acc == pytest.approx(trainer.network.accuracy(X_TEST, T_TEST))


def test_training_without_a_test_set():
    net = TwoLayerNet(2, 8, 3)
    history = Trainer(net, X_TRAIN, T_TRAIN, epochs=1, evaluate_every=None, progress=False).train()
    assert len(history.train_loss) == 3
    with pytest.raises(ValueError, match="evaluate_every=None"):
        Trainer(net, X_TRAIN, T_TRAIN)


# ------------------------------------------------------------------ callbacks
def test_callbacks_are_called_in_order():
    log = []
    _trainer(epochs=2, mini_batch_size=100, callbacks=[Recorder(log, "a"), Recorder(log, "b")]).train()
    steps = [e for e in log if e[0] == "a"]
    assert steps == [("a", "step", 1), ("a", "step", 2), ("a", "step", 3), ("a", "evaluate", 3),
                     ("a", "step", 4), ("a", "step", 5), ("a", "step", 6), ("a", "evaluate", 6),
                     ("a", "end", 6)]
    assert [e for e in log if e[0] == "b"] == [("b",) + e[1:] for e in steps]
    assert log[0][0] == "a" and log[1][0] == "b"  # each event reaches the callbacks in list order


def test_callbacks_see_the_history_and_the_end_of_a_failed_run():
    seen, log = [], []

    class Watch(Callback):
        def on_step(self, trainer):
            seen.append((trainer.iteration, len(trainer.history.train_loss), trainer.optimizer.lr))

    _trainer(epochs=1, mini_batch_size=100, optimizer_param={"lr": 0.3}, callbacks=[Watch()]).train()
    assert seen == [(1, 1, 0.3), (2, 2, 0.3), (3, 3, 0.3)]

    class Exploding(TwoLayerNet):
        def gradient(self, x, t, train_flg=True):
            grads = super().gradient(x, t, train_flg)
            if self.calls == 2:
                self.last_loss = float("inf")
            self.calls += 1
            return grads

    net = Exploding(2, 4, 3)
    net.calls = 0
    with pytest.raises(TrainingDiverged):
        _trainer(network=net, callbacks=[Recorder(log)]).train()
    assert log[-1] == ("", "end", 2)  # told about the end even when training stops


def test_a_function_is_not_a_callback():
    with pytest.raises(TypeError, match="on_step"):
        _trainer(callbacks=[print])


# ------------------------------------------------------------- book keywords
def test_the_books_positional_order_and_lists(capsys):
    net = TwoLayerNet(2, 16, 3, weight_init_std="he")
    trainer = Trainer(net, X_TRAIN, T_TRAIN, X_TEST, T_TEST, 3, 100, "Adam", {"lr": 0.05}, 50, True,
                      progress=False)
    trainer.train()
    assert trainer.epochs == 3 and trainer.batch_size == 100 and isinstance(trainer.optimizer, Adam)
    assert trainer.evaluate_sample_num_per_epoch == 50 and trainer.verbose
    assert trainer.train_loss_list is trainer.history.train_loss and len(trainer.train_loss_list) == 9
    assert trainer.train_acc_list is trainer.history.train_acc and len(trainer.train_acc_list) == 3
    assert trainer.test_acc_list is trainer.history.test_acc
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4  # one per evaluation and the final test accuracy, not one per iteration
    assert "test acc" in lines[0] and lines[-1].startswith("final test accuracy")


def test_the_books_defaults():
    trainer = Trainer(TwoLayerNet(2, 4, 3), X_TRAIN, T_TRAIN, X_TEST, T_TEST)
    assert trainer.epochs == 20 and trainer.batch_size == 100
    assert isinstance(trainer.optimizer, SGD) and trainer.optimizer.lr == 0.01
    assert trainer.evaluate_sample_num_per_epoch is None and not trainer.verbose


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kw, error, match",
    [
        ({"optimizer": "adamw"}, ValueError, "unknown optimizer"),
        ({"optimizer": Adam(), "optimizer_param": {"lr": 1.0}}, ValueError, "optimizer_param"),
        ({"optimizer": 42}, TypeError, "optimizer"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"iterations": 0}, ValueError, "iterations"),
        ({"mini_batch_size": 2.5}, ValueError, "mini_batch_size"),
        ({"evaluate_sample_num_per_epoch": 0}, ValueError, "evaluate_sample_num_per_epoch"),
        ({"evaluate_every": 0}, ValueError, "evaluate_every"),
        ({"evaluate_every": "often"}, ValueError, "evaluate_every"),
        ({"augment": "shift"}, TypeError, "augment"),
        ({"divergence_factor": 1.0}, ValueError, "divergence_factor"),
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


# ---------------------------------------------------------------- divergence
def test_nan_loss_stops_with_the_step_the_loss_and_the_learning_rate():
    class Exploding(TwoLayerNet):
        def gradient(self, x, t, train_flg=True):
            grads = super().gradient(x, t, train_flg)
            self.last_loss = float("nan")
            return grads

    with pytest.raises(TrainingDiverged, match=r"iteration 1 \(epoch 1/1\): the loss nan is not a number, "
                                               r"with learning rate 0\.1"):
        _trainer(network=Exploding(2, 4, 3), epochs=1).train()
    assert issubclass(TrainingDiverged, FloatingPointError)


def test_a_finite_explosion_stops_too_unless_switched_off():
    class Growing(TwoLayerNet):
        """Reports a loss that grows tenfold each step: finite, but clearly diverging."""

        def gradient(self, x, t, train_flg=True):
            grads = super().gradient(x, t, train_flg)
            self.last_loss = 2.0 * 10.0 ** self.calls if self.calls < 20 else float("inf")
            self.calls += 1
            return grads

    net = Growing(2, 4, 3)
    net.calls = 0
    with pytest.raises(TrainingDiverged, match=r"iteration 3 .*the loss 200 exceeds 10 times its first value 2,"):
        _trainer(network=net).train()
    net.calls = 0
    with pytest.raises(TrainingDiverged, match="infinite"):  # only NaN and infinity count now
        _trainer(network=net, divergence_factor=None).train()
    assert net.calls == 21  # ... which came much later


MODELS = {
    "TwoLayerNet": lambda: TwoLayerNet(784, 50, 10),
    "MultiLayerNet ReLU": lambda: MultiLayerNet(784, [100, 100, 100], 10, activation="relu"),
    "MultiLayerNet sigmoid": lambda: MultiLayerNet(784, [100, 100, 100], 10, activation="sigmoid"),
    "MultiLayerNetExtend batch norm": lambda: MultiLayerNetExtend(784, [100, 100, 100], 10, use_batchnorm=True),
}


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_run_with_learning_rate_1e3_stops_with_a_clear_message(model, optimizer, sample):
    (x, t), (xt, tt) = sample
    trainer = Trainer(MODELS[model](), x, t, xt, tt, epochs=2, optimizer=optimizer,
                      optimizer_param={"lr": 1e3}, progress=False)
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged) as err:
        trainer.train()
    message = str(err.value)
    assert re.search(r"at iteration \d+ \(epoch 1/2\): the loss \S+ ", message), message
    assert "with learning rate 1000" in message and "lower the learning rate" in message
    loss = float(message.split("the loss ")[1].split()[0])
    assert not math.isfinite(loss) or loss > 10 * trainer.history.train_loss[0]


def test_no_false_alarm_on_a_normal_run_of_the_sample(sample):
    (x, t), (xt, tt) = sample
    for make in MODELS.values():
        history = Trainer(make(), x[:2000], t[:2000], epochs=1, optimizer="adam", optimizer_param={"lr": 0.001},
                          evaluate_every=None, progress=False).train()
        assert max(history.train_loss) < 3 * history.train_loss[0]


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
    np.testing.assert_allclose(acc_ax.lines[1].get_xdata(), [1, 2, 3])
    assert legibility_problems(fig) == []


def test_plot_history_puts_accuracy_where_it_was_measured():
    history = _trainer(epochs=2, mini_batch_size=30, evaluate_every=5).train()  # 10 iterations per epoch
    fig = plot_history(history)
    np.testing.assert_allclose(fig.axes[1].lines[0].get_xdata(), [0.5, 1, 1.5, 2])


def test_plot_history_accepts_a_dict_and_axes():
    history = _history()
    fig, axes = plt.subplots(1, 2)
    assert plot_history(history.as_dict(), ax=axes, title="Mine") is fig
    assert fig._suptitle.get_text() == "Mine"
    with pytest.raises(ValueError, match="pair of axes"):
        plot_history(history, ax=axes[0])
    with pytest.raises(ValueError, match="missing"):
        plot_history({"train_loss": [1.0]})


def test_live_curve_outside_a_notebook_warns_and_trains():
    with pytest.warns(UserWarning, match="LiveCurve"):
        live = LiveCurve()
    history = _trainer(epochs=2, callbacks=[live]).train()
    assert history.epochs == 2


def test_live_curve_updates_one_display(monkeypatch):
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
    live_curve = LiveCurve()
    _trainer(epochs=3, callbacks=[live_curve]).train()
    assert legibility_problems(live_curve.fig) == []
    assert [kind for kind, _ in shown] == ["display", "update", "update"]  # once per epoch, none at the end
    png = shown[-1][1].data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    live = matplotlib.image.imread(io.BytesIO(png))
    assert live.shape[1] <= 900  # shown at full size in JupyterLab, so its text is as legible as the static one
    assert plt.get_fignums() == []  # the live figure is not left in pyplot
    shown.clear()
    _trainer(epochs=3, evaluate_every=None, callbacks=[LiveCurve()]).train()
    assert [kind for kind, _ in shown] == ["display"]  # nothing evaluated: the loss curve at the end
