"""The training history as a figure: loss per iteration, accuracy per evaluation, live or after the run.

Introduced in chapter 4, Backpropagation. :func:`plot_history` draws what a
:class:`~common.trainer.Trainer` recorded; :class:`LiveCurve` is a trainer
callback that redraws the same figure in the notebook while training runs
(``Trainer(..., callbacks=[LiveCurve()])``).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from common.lessons.comparisons import smooth
from common.trainer import Callback, Trainer, TrainingHistory

__all__ = ["plot_history", "LiveCurve"]

_LOSS, _TRAIN, _TEST = "#0072B2", "#0072B2", "#D55E00"  # Okabe-Ito blue and vermilion


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


def plot_history(
    history: TrainingHistory | Mapping[str, Any],
    ax: Sequence[Axes] | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the loss curve (left) and train/test accuracy (right) on an epoch axis; return the figure.

    ``ax`` is ``None`` for a new figure, or a pair of axes ``(loss_ax, acc_ax)``
    to draw on. The raw mini-batch loss is drawn faint, its moving average over
    about a fifth of an epoch on top; accuracy is marked where it was measured.
    Introduced in chapter 4, Backpropagation.
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
    per_epoch = h.iters_per_epoch or max(1, -(-loss.size // max(1, len(h.train_acc))))
    x_loss = np.arange(1, loss.size + 1) / per_epoch
    window = max(1, per_epoch // 5)
    loss_ax.plot(x_loss, loss, color=_LOSS, alpha=0.3, linewidth=0.8, label="each mini-batch")
    if window > 1:
        loss_ax.plot(x_loss, smooth(loss, window), color=_LOSS, linewidth=2,
                     label=f"moving average ({window} iterations)")
    loss_ax.set_xlabel("epoch", fontsize=12)
    loss_ax.set_ylabel("cross-entropy loss (nats)", fontsize=12)
    loss_ax.set_title("Training loss", fontsize=12)
    if loss.size:
        loss_ax.legend(loc="upper right", fontsize=11)
    loss_ax.grid(alpha=0.3)

    evaluated = np.asarray(h.eval_iter, dtype=float) if len(h.eval_iter) == len(h.train_acc) else \
        per_epoch * np.arange(1, len(h.train_acc) + 1, dtype=float)  # an older history: once per epoch
    x_acc = evaluated / per_epoch
    acc_ax.plot(x_acc, 100 * np.asarray(h.train_acc, dtype=float), "o-", color=_TRAIN, label="train")
    acc_ax.plot(x_acc, 100 * np.asarray(h.test_acc, dtype=float), "s--", color=_TEST, label="test")
    acc_ax.set_xlabel("epoch", fontsize=12)
    acc_ax.set_ylabel("accuracy (%)", fontsize=12)
    acc_ax.set_title("Accuracy at each evaluation", fontsize=12)
    if x_acc.size:
        acc_ax.set_xlim(0, max(x_acc[-1], x_loss[-1] if x_loss.size else 0) + 0.5)
        acc_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        acc_ax.legend(loc="lower right", fontsize=11)
    acc_ax.grid(alpha=0.3)
    for a in (loss_ax, acc_ax):
        a.tick_params(labelsize=11)

    if title is None:
        epochs = h.epochs
        title = f"Training history: {epochs} epoch{'s' if epochs != 1 else ''}"
        if h.test_acc:
            title += f", test accuracy {100 * h.test_acc[-1]:.2f} %"
    fig.suptitle(title, fontsize=13)
    return fig


class LiveCurve(Callback):
    """A trainer callback: the :func:`plot_history` figure, redrawn in place after each evaluation.

    Pass it to the trainer, ``Trainer(..., callbacks=[LiveCurve()])``. The
    figure is one image output of the notebook cell, replaced on each update
    (through an IPython display handle), so a long run shows one growing curve,
    not a pile of figures. Outside IPython it warns once and draws nothing.
    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self, title: str | None = None, dpi: int = 90) -> None:
        self.title, self.dpi = title, dpi
        self.handle = None
        self._drawn_at = 0
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython is a dependency of jupyterlab
            get_ipython = None  # type: ignore[assignment]
        self.enabled = get_ipython is not None and get_ipython() is not None
        if not self.enabled:
            warnings.warn("LiveCurve needs IPython or Jupyter; no live figure is drawn", stacklevel=2)
            return
        self.fig = Figure(figsize=(10, 3.8), layout="constrained")  # not pyplot's: nothing left open
        self.axes = self.fig.subplots(1, 2)

    def on_evaluate(self, trainer: Trainer) -> None:
        self._draw(trainer)

    def on_end(self, trainer: Trainer) -> None:
        if trainer.iteration != self._drawn_at:  # steps since the last evaluation: show them too
            self._draw(trainer)

    def _draw(self, trainer: Trainer) -> None:
        if not self.enabled:
            return
        from IPython.display import Image, display

        for a in self.axes:
            a.clear()
        plot_history(trainer.history, ax=self.axes, title=self.title)
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=self.dpi)
        image = Image(data=buffer.getvalue(), format="png")
        if self.handle is None:
            self.handle = display(image, display_id=True)
        else:
            self.handle.update(image)
        self._drawn_at = trainer.iteration
