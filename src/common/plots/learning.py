"""Figures of chapter 3, Learning from data: differencing error, loss against one weight, learning curves.

Each function draws what a measurement of :mod:`common.lessons.diagnostics` (or a
training loop) returned, in the course style whatever the notebook has set, on
``ax`` when given, otherwise on a new figure, and returns the ``Figure``.
Introduced in chapter 3, Learning from data.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory
from numpy.typing import ArrayLike, NDArray

from common.plots.style import COURSE_RC, OKABE_ITO

__all__ = ["plot_difference_errors", "plot_sweep", "plot_learning_curve"]

ERROR_FLOOR = 1e-17
"""Errors of exactly 0 (a lucky cancellation) are drawn at this value on the log scale."""

_BLUE, _VERMILION, _GREY = OKABE_ITO[0], OKABE_ITO[5], "#5f6b78"


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def plot_difference_errors(errors: Mapping[str, NDArray], what: str = "", ax: Axes | None = None,
                           default_h: float = 1e-4) -> Figure:
    """Log-log plot of the forward and central difference errors against ``h``, with slopes h and h² for reference.

    ``errors`` is what :func:`common.lessons.diagnostics.difference_errors`
    returns; ``default_h`` is marked by a dashed line (the step
    :func:`common.gradient.numerical_diff` uses). Introduced in chapter 3,
    Learning from data.
    """
    with mpl.rc_context(COURSE_RC):
        fig, ax = _axes(ax, (9.0, 5.2))
        h = np.asarray(errors["h"], dtype=float)
        fwd = np.maximum(errors["forward"], ERROR_FLOOR)
        cen = np.maximum(errors["central"], ERROR_FLOOR)
        ax.loglog(h, fwd, "o-", ms=5, lw=1.6, color=_VERMILION, label="forward difference (f(x+h) − f(x)) / h")
        ax.loglog(h, cen, "s-", ms=5, lw=1.6, color=_BLUE, label="central difference (f(x+h) − f(x−h)) / 2h")
        big = h >= 1e-3
        if np.any(big):  # reference slopes, anchored on the right where truncation dominates
            k = np.flatnonzero(big)[-1]
            ax.loglog(h[big], 10 * fwd[k] * h[big] / h[k], ":", color=_VERMILION, lw=2,
                      label="slope 1 (error ∝ h), for reference")
            ax.loglog(h[big], 10 * cen[k] * (h[big] / h[k]) ** 2, "--", color=_BLUE, lw=1.6,
                      label="slope 2 (error ∝ h²), for reference")
        ax.axvline(default_h, color=_GREY, lw=1, ls="--")
        # the label sits inside the axes, left of the line, in the empty band above both curves
        ax.text(default_h / 1.3, 0.97, f"h = {default_h:g}, the default →", ha="right", va="top",
                color=_GREY, transform=blended_transform_factory(ax.transData, ax.transAxes))
        ax.set_xlabel("step h (log scale)")
        ax.set_ylabel("absolute error of the derivative\n(log scale)")
        ax.set_title("Error of the numerical derivative" + (f" of {what}" if what else "")
                     + ":\ntruncation error on the right, rounding error on the left")
        ax.legend(loc="lower left", fontsize=11)
        ax.grid(alpha=0.3, which="major")
    return fig


def plot_sweep(result: Mapping[str, NDArray], name: str = "the weight", mark: float | None = None,
               ax: Axes | None = None) -> Figure:
    """Accuracy (a staircase) and loss (a smooth curve) against one parameter, from :func:`~common.lessons.diagnostics.sweep_parameter`.

    ``mark`` draws a dotted line at one value, e.g. the trained value of the weight.
    Introduced in chapter 3, Learning from data.
    """
    with mpl.rc_context(COURSE_RC):
        fig, ax = _axes(ax, (9.0, 4.8))
        v = result["value"]
        ax.step(v, 100 * np.asarray(result["accuracy"]), where="mid", color=_BLUE, lw=2,
                label="accuracy (left axis)")
        ax.set_xlabel(f"value of {name}")
        ax.set_ylabel("accuracy (%)", color=_BLUE)
        ax2 = ax.twinx()
        ax2.plot(v, result["loss"], "--", color=_VERMILION, lw=2.2, label="cross-entropy loss (right axis)")
        ax2.set_ylabel("loss (nats)", color=_VERMILION)
        if mark is not None:
            ax.axvline(mark, color=_GREY, ls=":", lw=1.6, label="trained value")
        lines = ax.get_lines() + ax2.get_lines()
        ax.legend(lines, [line.get_label() for line in lines], loc="center", fontsize=11, framealpha=0.95)
        ax.set_title(f"Moving {name}:\nthe loss changes smoothly, the accuracy in steps")
        ax.grid(alpha=0.3)
    return fig


def plot_learning_curve(
    steps: ArrayLike,
    loss: ArrayLike,
    eval_steps: ArrayLike,
    train_acc: ArrayLike,
    test_acc: ArrayLike,
    title: str = "Learning curve",
) -> Figure:
    """Mini-batch loss per step (left) and train/test accuracy at the evaluation steps (right).

    For training loops counted in steps rather than epochs (chapter 3's
    numerical-gradient run). Introduced in chapter 3, Learning from data.
    """
    with mpl.rc_context(COURSE_RC):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.9), layout="constrained")
        ax1.plot(steps, loss, "o-", ms=4, lw=1.4, color=_BLUE)
        ax1.set_xlabel("step (one mini-batch each)")
        ax1.set_ylabel("mini-batch loss (nats)")
        ax1.set_title("Training loss")
        ax1.grid(alpha=0.3)
        ax2.plot(eval_steps, 100 * np.asarray(train_acc, float), "o-", color=_BLUE, label="train")
        ax2.plot(eval_steps, 100 * np.asarray(test_acc, float), "s--", color=_VERMILION, label="test")
        ax2.set_xlabel("step")
        ax2.set_ylabel("accuracy (%)")
        ax2.set_title("Accuracy")
        ax2.legend(loc="lower right")
        ax2.grid(alpha=0.3)
        for ax in (ax1, ax2):  # steps are whole numbers
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        fig.suptitle(title)
    return fig
