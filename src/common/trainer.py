"""Trainer: the mini-batch training loop, written once for every experiment.

Introduced in chapter 4, Backpropagation (first full MNIST training), and used
for every experiment of chapters 5 and 6. One epoch is one pass over the
training set in a freshly shuffled order (seeded, so a run can be repeated
exactly); after each epoch the network is evaluated on the training and test
sets. Progress shows as one ``tqdm`` bar, never a print per iteration, and
``live_plot=True`` redraws a loss/accuracy figure in the notebook after each
epoch. :func:`plot_history` draws the same figure from a finished history.
"""

from __future__ import annotations

import inspect
import io
import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from common.optimizers import Optimizer, get_optimizer

__all__ = ["Trainer", "TrainingHistory", "plot_history"]


@dataclass
class TrainingHistory:
    """What a training run recorded, for curves and for checking claims in the text.

    Introduced in chapter 4, Backpropagation.

    - ``train_loss``: the mini-batch loss of every iteration (before its update);
    - ``train_acc``, ``test_acc``: accuracy (fraction in [0, 1]) after each
      epoch, on the training and test sets (or on their first
      ``evaluate_sample_num_per_epoch`` samples);
    - ``epoch_time``: seconds each epoch took, evaluation included;
    - ``iters_per_epoch``: mini-batches per epoch, to put iterations on an epoch axis;
    - ``final_test_acc``: accuracy on the *whole* test set after the last epoch.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    iters_per_epoch: int = 0
    final_test_acc: float | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_acc)

    def as_dict(self) -> dict[str, Any]:
        """The history as a plain dict (e.g. to save with ``np.savez``)."""
        return asdict(self)


def _history_fields(history: TrainingHistory | Mapping[str, Any]) -> TrainingHistory:
    if isinstance(history, TrainingHistory):
        return history
    if isinstance(history, Mapping):
        known = {k: history[k] for k in TrainingHistory.__dataclass_fields__ if k in history}
        missing = {"train_loss", "train_acc", "test_acc"} - set(known)
        if missing:
            raise ValueError(f"history is missing {sorted(missing)}; pass what Trainer.train() returned")
        return TrainingHistory(**known)
    raise TypeError(f"history must be a TrainingHistory or a dict, got {type(history).__name__}")


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or values.size < window:
        return values
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")


def plot_history(
    history: TrainingHistory | Mapping[str, Any],
    ax: Sequence[Axes] | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the loss curve (left) and train/test accuracy per epoch (right); return the figure.

    ``ax`` is ``None`` for a new figure, or a pair of axes ``(loss_ax, acc_ax)``
    to draw on. The loss axis is in epochs, with the raw mini-batch loss faint
    and its moving average over about a fifth of an epoch on top. Introduced in
    chapter 4, Backpropagation.
    """
    h = _history_fields(history)
    if ax is None:
        import matplotlib.pyplot as plt

        fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    else:
        try:
            loss_ax, acc_ax = ax
        except (TypeError, ValueError):
            raise ValueError("ax must be None or a pair of axes (loss_ax, acc_ax)") from None
        fig = loss_ax.figure

    loss = np.asarray(h.train_loss, dtype=float)
    per_epoch = h.iters_per_epoch or max(1, math.ceil(loss.size / max(1, len(h.train_acc))))
    x_loss = np.arange(1, loss.size + 1) / per_epoch
    loss_ax.plot(x_loss, loss, color="tab:blue", alpha=0.3, linewidth=0.8, label="mini-batch")
    window = max(1, per_epoch // 5)
    smooth = _moving_average(loss, window)
    if smooth is not loss:
        loss_ax.plot(x_loss[window - 1:], smooth, color="tab:blue", linewidth=1.8,
                     label=f"moving average ({window} iterations)")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("cross-entropy loss (nats)")
    loss_ax.set_title("Training loss")
    if loss.size:
        loss_ax.legend(loc="upper right")
    loss_ax.grid(alpha=0.3)

    epochs = np.arange(1, len(h.train_acc) + 1)
    acc_ax.plot(epochs, 100 * np.asarray(h.train_acc, dtype=float), "o-", label="train")
    acc_ax.plot(epochs, 100 * np.asarray(h.test_acc, dtype=float), "s--", label="test")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy (%)")
    acc_ax.set_title("Accuracy after each epoch")
    if epochs.size:
        acc_ax.set_xlim(0.5, epochs[-1] + 0.5)
        acc_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        acc_ax.legend(loc="lower right")
    acc_ax.grid(alpha=0.3)

    if title is None:
        title = f"Training history: {len(epochs)} epoch{'s' if len(epochs) != 1 else ''}"
        if h.test_acc:
            title += f", test accuracy {100 * h.test_acc[-1]:.2f} %"
    fig.suptitle(title)
    return fig


class _LivePlot:
    """Redraws the history figure in one notebook output, via a display handle."""

    def __init__(self) -> None:
        self.handle = None
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython is a dependency of jupyterlab
            get_ipython = None  # type: ignore[assignment]
        self.enabled = get_ipython is not None and get_ipython() is not None
        if not self.enabled:
            warnings.warn("live_plot=True needs IPython or Jupyter; no live figure is drawn",
                          stacklevel=3)
            return
        self.fig = Figure(figsize=(10, 3.8), layout="constrained")
        self.axes = self.fig.subplots(1, 2)

    def update(self, history: TrainingHistory) -> None:
        if not self.enabled:
            return
        from IPython.display import Image, display

        for a in self.axes:
            a.clear()
        plot_history(history, ax=self.axes)
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=90)
        image = Image(data=buffer.getvalue(), format="png")
        if self.handle is None:
            self.handle = display(image, display_id=True)
        else:
            self.handle.update(image)


def _check_pair(x: Any, t: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or x.shape[0] != t.shape[0]:
        raise ValueError(
            f"x_{what} and t_{what} must have one row per sample, with the same count; "
            f"got shapes {x.shape} and {t.shape}"
        )
    if x.shape[0] == 0:
        raise ValueError(f"x_{what} is empty: pass at least one sample")
    return x, t


class Trainer:
    """Train a network with mini-batches and an optimiser, evaluating after each epoch.

    Introduced in chapter 4, Backpropagation. ``network`` needs ``params``,
    ``gradient(x, t)``, ``loss(x, t)`` and ``accuracy(x, t)`` (every network in
    :mod:`common.networks` has them). ``optimizer`` is a name for
    :func:`~common.optimizers.get_optimizer` (with ``optimizer_param``,
    default ``{'lr': 0.01}``) or an optimiser object. Each epoch visits every
    training sample once, in an order shuffled by a generator seeded with
    ``seed`` (the last mini-batch may be smaller); ``mini_batch_size`` larger
    than the training set is reduced to it. ``evaluate_sample_num_per_epoch``
    limits the per-epoch evaluation to the first samples (faster); the final
    test accuracy always uses the whole test set. :meth:`train` returns a
    :class:`TrainingHistory`, also kept in ``self.history``.
    """

    def __init__(
        self,
        network: Any,
        x_train: np.ndarray,
        t_train: np.ndarray,
        x_test: np.ndarray,
        t_test: np.ndarray,
        epochs: int = 20,
        mini_batch_size: int = 100,
        optimizer: str | Optimizer = "sgd",
        optimizer_param: Mapping[str, float] | None = None,
        evaluate_sample_num_per_epoch: int | None = None,
        seed: np.random.Generator | int | None = 0,
        progress: bool = True,
        live_plot: bool = False,
    ) -> None:
        self.network = network
        self.x_train, self.t_train = _check_pair(x_train, t_train, "train")
        self.x_test, self.t_test = _check_pair(x_test, t_test, "test")
        for name, value in (("epochs", epochs), ("mini_batch_size", mini_batch_size)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.epochs = int(epochs)
        self.batch_size = min(int(mini_batch_size), self.x_train.shape[0])
        if evaluate_sample_num_per_epoch is not None and (
            isinstance(evaluate_sample_num_per_epoch, bool) or int(evaluate_sample_num_per_epoch) < 1
        ):
            raise ValueError(
                f"evaluate_sample_num_per_epoch must be None or a positive integer, "
                f"got {evaluate_sample_num_per_epoch!r}"
            )
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch

        if isinstance(optimizer, str):
            self.optimizer = get_optimizer(optimizer, **dict(optimizer_param or {"lr": 0.01}))
        elif hasattr(optimizer, "update"):
            if optimizer_param:
                raise ValueError("optimizer_param is only used with an optimizer name; "
                                 "set the parameters on the optimizer object instead")
            self.optimizer = optimizer
        else:
            raise TypeError(f"optimizer must be a name such as 'adam' or an optimiser object, got {optimizer!r}")

        self.rng = np.random.default_rng(seed)
        self.progress = bool(progress)
        self.live_plot = bool(live_plot)
        self.iters_per_epoch = math.ceil(self.x_train.shape[0] / self.batch_size)
        self.history = TrainingHistory(iters_per_epoch=self.iters_per_epoch)

    def train_step(self, x_batch: np.ndarray, t_batch: np.ndarray) -> float:
        """One iteration: gradients by backprop, one optimiser update; returns the batch loss.

        Introduced in chapter 4, Backpropagation.
        """
        grads = self.network.gradient(x_batch, t_batch)
        loss = getattr(self.network, "last_loss", None)
        self.optimizer.update(self.network.params, grads)
        if loss is None:  # a network without last_loss: measure after the update
            loss = self.network.loss(x_batch, t_batch)
        return float(loss)

    def _evaluate(self) -> tuple[float, float]:
        n = self.evaluate_sample_num_per_epoch
        xtr, ttr, xte, tte = self.x_train, self.t_train, self.x_test, self.t_test
        if n is not None:
            xtr, ttr, xte, tte = xtr[:n], ttr[:n], xte[:n], tte[:n]
        return self._accuracy(xtr, ttr), self._accuracy(xte, tte)

    def _accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        if "batch_size" in inspect.signature(self.network.accuracy).parameters:
            return float(self.network.accuracy(x, t, batch_size=self.batch_size))
        return float(self.network.accuracy(x, t))  # a learner's network without batch_size

    def train(self) -> TrainingHistory:
        """Run ``epochs`` epochs and return the history (appended to on a second call).

        Introduced in chapter 4, Backpropagation.
        """
        from tqdm.auto import tqdm

        history = self.history
        live = _LivePlot() if self.live_plot else None
        n = self.x_train.shape[0]
        bar = tqdm(total=self.epochs * self.iters_per_epoch, desc="training", unit="batch",
                   disable=not self.progress, leave=True)
        try:
            for epoch in range(1, self.epochs + 1):
                start = time.perf_counter()
                order = self.rng.permutation(n)
                for i in range(self.iters_per_epoch):
                    idx = order[i * self.batch_size:(i + 1) * self.batch_size]
                    loss = self.train_step(self.x_train[idx], self.t_train[idx])
                    if not math.isfinite(loss):
                        raise FloatingPointError(
                            f"the loss became {loss} at epoch {epoch}, iteration {i + 1}: "
                            "the learning rate is probably too large"
                        )
                    history.train_loss.append(loss)
                    bar.set_postfix(epoch=f"{epoch}/{self.epochs}", loss=f"{loss:.4f}", refresh=False)
                    bar.update(1)
                train_acc, test_acc = self._evaluate()
                history.train_acc.append(train_acc)
                history.test_acc.append(test_acc)
                history.epoch_time.append(time.perf_counter() - start)
                bar.set_postfix(epoch=f"{epoch}/{self.epochs}", loss=f"{loss:.4f}",
                                train_acc=f"{train_acc:.4f}", test_acc=f"{test_acc:.4f}")
                if live is not None:
                    live.update(history)
        finally:
            bar.close()
        if self.evaluate_sample_num_per_epoch is None or self.evaluate_sample_num_per_epoch >= len(self.x_test):
            history.final_test_acc = history.test_acc[-1]
        else:
            history.final_test_acc = self._accuracy(self.x_test, self.t_test)
        return history
