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

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from common.plots.style import COURSE_RC, OKABE_ITO
from common.trainer import Callback, Trainer, TrainingHistory
from common.util import smooth_curve

__all__ = ["plot_history", "LiveCurve"]

_LOSS, _TRAIN, _TEST = OKABE_ITO[0], OKABE_ITO[0], OKABE_ITO[5]  # blue, blue, vermilion (plus markers)
_SIZE = (9.0, 3.8)  # inches: 900 pixels wide at the course's 100 dpi, JupyterLab's output width


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
    with mpl.rc_context(COURSE_RC):  # projector-sized text whether or not the notebook set the style
        if ax is None:
            import matplotlib.pyplot as plt

            fig, axes = plt.subplots(1, 2, figsize=_SIZE, layout="constrained")
        else:
            try:
                loss_ax, acc_ax = ax
            except (TypeError, ValueError):
                raise ValueError("ax must be None or a pair of axes (loss_ax, acc_ax)") from None
            fig, axes = loss_ax.figure, (loss_ax, acc_ax)
        _draw_history(h, fig, *axes, title)
    return fig


def _draw_history(h: TrainingHistory, fig: Figure, loss_ax: Axes, acc_ax: Axes, title: str | None) -> None:
    loss = np.asarray(h.train_loss, dtype=float)
    per_epoch = h.iters_per_epoch or max(1, -(-loss.size // max(1, len(h.train_acc))))
    x_loss = np.arange(1, loss.size + 1) / per_epoch
    window = max(1, per_epoch // 5)
    loss_ax.plot(x_loss, loss, color=_LOSS, alpha=0.3, linewidth=0.8, label="each mini-batch")
    if window > 1:
        loss_ax.plot(x_loss, smooth_curve(loss, window), color=_LOSS, linewidth=2,
                     label=f"moving average ({window} iterations)")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("cross-entropy loss (nats)")
    loss_ax.set_title("Training loss")
    if loss.size:
        loss_ax.legend(loc="upper right")
    loss_ax.grid(alpha=0.3)

    evaluated = np.asarray(h.eval_iter, dtype=float) if len(h.eval_iter) == len(h.train_acc) else \
        per_epoch * np.arange(1, len(h.train_acc) + 1, dtype=float)  # an older history: once per epoch
    x_acc = evaluated / per_epoch
    acc_ax.plot(x_acc, 100 * np.asarray(h.train_acc, dtype=float), "o-", color=_TRAIN, label="train")
    acc_ax.plot(x_acc, 100 * np.asarray(h.test_acc, dtype=float), "s--", color=_TEST, label="test")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy (%)")
    acc_ax.set_title("Accuracy at each evaluation")
    if x_acc.size:
        acc_ax.set_xlim(0, max(x_acc[-1], x_loss[-1] if x_loss.size else 0) + 0.5)
        acc_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        acc_ax.legend(loc="lower right")
    acc_ax.grid(alpha=0.3)

    if title is None:
        epochs = h.epochs
        title = f"Training history: {epochs} epoch{'s' if epochs != 1 else ''}"
        if h.test_acc:
            title += f", test accuracy {100 * h.test_acc[-1]:.2f} %"
    fig.suptitle(title)


class LiveCurve(Callback):
    """A trainer callback: the :func:`plot_history` figure, redrawn in place after each evaluation.

    Pass it to the trainer, ``Trainer(..., callbacks=[LiveCurve()])``. The
    figure is one image output of the notebook cell, replaced on each update
    (through an IPython display handle), so a long run shows one growing curve,
    not a pile of figures. Outside IPython it warns once and draws nothing.
    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self, title: str | None = None) -> None:
        self.title = title
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
        with mpl.rc_context(COURSE_RC):
            self.fig = Figure(figsize=_SIZE, layout="constrained")  # not pyplot's: nothing left open
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

        with mpl.rc_context(COURSE_RC):
            for a in self.axes:
                a.clear()
            plot_history(trainer.history, ax=self.axes, title=self.title)
            buffer = io.BytesIO()
            self.fig.savefig(buffer, format="png")
        image = Image(data=buffer.getvalue(), format="png")
        if self.handle is None:
            self.handle = display(image, display_id=True)
        else:
            self.handle.update(image)
        self._drawn_at = trainer.iteration
