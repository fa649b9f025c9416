"""The static figures of chapter 5's experiments: loss curves, accuracy curves, search results.

Each function takes the results of :mod:`common.lessons.comparisons` or
:mod:`common.lessons.hyperparams` and returns one ``Figure`` with a title and labelled
axes, so a notebook cell is one line: ``_ = plot_loss_curves(curves)``.
Introduced in chapter 5, Training techniques.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from common.lessons.comparisons import Run
from common.util import smooth_curve
from common.lessons.hyperparams import Trial

__all__ = [
    "plot_loss_curves",
    "plot_unit_weights",
    "plot_batchnorm_grid",
    "plot_train_test_gap",
    "plot_dropout_ensemble",
    "plot_search",
]

_CYCLE = ["#1f77b4", "#ff7f0e", "#8c564b", "#2ca02c", "#9467bd", "#d62728", "#7f7f7f", "#17becf"]


def plot_loss_curves(
    curves: Mapping[str, ArrayLike],
    title: str = "Training loss",
    window: int = 50,
    colours: Mapping[str, str] | None = None,
    ymax: float | None = None,
    dpi: int = 80,
) -> Figure:
    """Mini-batch loss against iteration, one smoothed line per curve, the raw values faint behind.

    A curve with NaN at the end (a diverged run) stops there and its legend
    entry says "diverged". Introduced in chapter 5, Training techniques.
    """
    fig, ax = plt.subplots(figsize=(8.0, 4.4), dpi=dpi, layout="constrained")
    top = 0.0
    for k, (name, values) in enumerate(curves.items()):
        v = np.asarray(values, dtype=float)
        colour = (colours or {}).get(name, _CYCLE[k % len(_CYCLE)])
        it = np.arange(1, v.size + 1)
        thin = max(1, v.size // 250)  # the faint raw curve: enough points to show the noise
        ax.plot(it[::thin], v[::thin], color=colour, alpha=0.15, lw=0.7)
        s = smooth_curve(v, window)
        finite = np.isfinite(v)
        label = name if finite.all() else f"{name} (diverged at iteration {int(np.argmin(finite)) + 1})"
        if finite.any():
            tail = v[finite][-100:]
            label += f": mean of the last {tail.size} = {tail.mean():.3f}"
            top = max(top, float(np.nanmax(s)))
        ax.plot(it, s, color=colour, lw=2, label=label)
    ax.set_ylim(0, ymax if ymax is not None else top * 1.05 or 1)
    ax.set_xlabel("iteration (mini-batch)")
    ax.set_ylabel("cross-entropy loss (nats)")
    ax.set_title(f"{title}\n(thick: moving average over {window} iterations; faint: each mini-batch)",
                 fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="best")
    return fig


def plot_unit_weights(
    weights: Mapping[str, np.ndarray],
    units: int = 6,
    dpi: int = 80,
) -> Figure:
    """The incoming weights of the first hidden units, as 28×28 pictures, one row per network.

    ``weights`` maps a label to a first-layer weight matrix of shape (784, H).
    Identical pictures in a row mean identical units. Each row has its own
    colour scale (red positive, blue negative). Introduced in chapter 5.
    """
    rows = len(weights)
    fig, axes = plt.subplots(rows, units, figsize=(1.35 * units + 1.6, 1.55 * rows + 0.5), dpi=dpi,
                             squeeze=False, layout="constrained")
    for r, (label, W) in enumerate(weights.items()):
        W = np.asarray(W, dtype=float)
        scale = max(float(np.abs(W[:, :units]).max()), 1e-12)
        for c in range(units):
            ax = axes[r, c]
            ax.imshow(W[:, c].reshape(28, 28), cmap="RdBu_r", vmin=-scale, vmax=scale)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"hidden unit {c + 1}", fontsize=9)
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle("Incoming weights of the first hidden units after training "
                 "(one 28×28 picture per unit; red > 0 > blue)", fontsize=11)
    return fig


def _accuracy_line(ax, run: Run, colour: str, style: str, label: str, which: str = "train_acc") -> None:
    acc = 100 * np.asarray(getattr(run.history, which), dtype=float)
    if run.diverged and acc.size == 0:
        ax.plot([], [], style, color=colour, label=f"{label}: diverged")
        ax.text(0.5, 0.5, f"{label}:\ndiverged", transform=ax.transAxes, ha="center", va="center",
                color=colour, fontsize=9, weight="bold")
        return
    epochs = np.arange(1, acc.size + 1)
    ax.plot(epochs, acc, style, color=colour, lw=1.8, ms=3,
            label=label + (" (diverged)" if run.diverged else ""))


def plot_batchnorm_grid(
    runs: Mapping[tuple[float, bool], Run],
    dpi: int = 80,
) -> Figure:
    """Training accuracy per epoch with and without batch norm, one small panel per weight scale.

    ``runs`` maps ``(weight_std, use_batchnorm)`` to a :class:`~common.lessons.comparisons.Run`.
    Introduced in chapter 5, Training techniques.
    """
    scales = sorted({w for w, _ in runs}, reverse=True)
    fig, axes = plt.subplots(1, len(scales), figsize=(2.1 * len(scales) + 0.6, 3.5), dpi=dpi,
                             sharey=True, squeeze=False, layout="constrained")
    for ax, w in zip(axes[0], scales):
        if (w, False) in runs:
            _accuracy_line(ax, runs[(w, False)], "#7f7f7f", "--", "without BN")
        if (w, True) in runs:
            _accuracy_line(ax, runs[(w, True)], "#d62728", "-", "with BN")
        ax.set_title(f"weight std {w:g}", fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_ylim(0, 102)
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("training accuracy (%)")
    handles = [plt.Line2D([], [], color="#d62728", lw=1.8, label="with batch norm"),
               plt.Line2D([], [], color="#7f7f7f", ls="--", lw=1.8, label="without batch norm")]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=9, frameon=False)
    fig.suptitle("Batch normalisation: the same network from six starting weight scales", fontsize=11)
    return fig


def plot_train_test_gap(
    runs: Mapping[str, Run],
    title: str = "Overfitting: training and test accuracy",
    colours: Mapping[str, str] | None = None,
    dpi: int = 80,
) -> Figure:
    """Training (solid) and test (dashed) accuracy per epoch for each run, on one axes.

    The legend gives each run's final gap between the two. Introduced in
    chapter 5, Training techniques.
    """
    fig, ax = plt.subplots(figsize=(8.4, 4.6), dpi=dpi, layout="constrained")
    for k, (label, run) in enumerate(runs.items()):
        colour = (colours or {}).get(label, _CYCLE[k % len(_CYCLE)])
        h = run.history
        train, test = 100 * np.asarray(h.train_acc), 100 * np.asarray(h.test_acc)
        epochs = np.arange(1, train.size + 1)
        gap = f"gap {train[-1] - test[-1]:.0f} points" if train.size else "diverged"
        ax.plot(epochs, train, "-", color=colour, lw=1.8, label=f"{label}: train ({gap})")
        ax.plot(epochs, test, "--", color=colour, lw=1.5, label=f"{label}: test")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 102)
    ax.set_title(title, fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8.5, loc="lower right", ncol=2)
    return fig


def plot_dropout_ensemble(
    counts: ArrayLike,
    agreement: ArrayLike,
    dpi: int = 80,
) -> Figure:
    """How often the average of ``n`` random dropout networks picks the test-mode network's class.

    ``counts`` and ``agreement`` come from
    :func:`~common.lessons.comparisons.dropout_ensemble`. Introduced in chapter 5.
    """
    n = np.asarray(counts, dtype=float)
    a = 100 * np.asarray(agreement, dtype=float)
    fig, ax = plt.subplots(figsize=(6.6, 3.8), dpi=dpi, layout="constrained")
    ax.semilogx(n, a, "o-", color="#9467bd", lw=1.8)
    for xi, yi in zip(n, a):
        ax.annotate(f"{yi:.0f}", (xi, yi), xytext=(0, 7), textcoords="offset points", ha="center",
                    fontsize=8)
    ax.set_xticks(n)
    ax.set_xticklabels([f"{int(v)}" for v in n])
    ax.set_ylim(min(50.0, float(a.min()) - 5), 102)
    ax.set_xlabel("number of random dropout networks averaged (log scale)")
    ax.set_ylabel("same class as test mode (% of inputs)")
    ax.set_title("Dropout as an ensemble: the average of many thinned networks\n"
                 "converges towards the single test-mode network", fontsize=11)
    ax.grid(alpha=0.3, which="both")
    return fig


def plot_search(
    rounds: Sequence[Sequence[Trial]],
    narrowed: Mapping[str, tuple[float, float]] | None = None,
    names: tuple[str, str] = ("lr", "weight_decay"),
    labels: tuple[str, str] = ("learning rate η", "weight decay λ"),
    dpi: int = 80,
) -> Figure:
    """Validation accuracy against each hyperparameter (log scale), one panel per hyperparameter.

    ``rounds`` are the trials of successive searches (drawn with different
    markers); ``narrowed`` (optional) is shaded: the range the next round
    searched. Diverged trials are drawn as crosses at 0 %. Introduced in
    chapter 5, Training techniques.
    """
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.2), dpi=dpi, sharey=True, layout="constrained")
    markers = [("o", "#1f77b4", "round 1 (wide range)"), ("s", "#d62728", "round 2 (narrowed)"),
               ("^", "#2ca02c", "round 3")]
    for ax, name, label in zip(axes, names, labels):
        if narrowed is not None and name in narrowed:
            lo, hi = narrowed[name]
            ax.axvspan(lo, hi, color="#d62728", alpha=0.08, label="narrowed range")
        for r, trials in enumerate(rounds):
            marker, colour, text = markers[r % len(markers)]
            ok = [tr for tr in trials if not tr.diverged]
            bad = [tr for tr in trials if tr.diverged]
            ax.scatter([tr.params[name] for tr in ok], [100 * tr.val for tr in ok], marker=marker,
                       s=28, color=colour, alpha=0.8, label=text)
            if bad:
                ax.scatter([tr.params[name] for tr in bad], [0] * len(bad), marker="x", s=30,
                           color=colour, label=f"{text}: diverged")
        ax.set_xscale("log")
        ax.set_xlabel(f"{label} (log scale)")
        ax.grid(alpha=0.3, which="major")
    axes[0].set_ylabel("validation accuracy (%)")
    axes[0].set_ylim(-3, 100)
    axes[1].legend(fontsize=8.5, loc="lower left")
    fig.suptitle("Random search: each point is one short training run, judged on the validation set",
                 fontsize=11)
    return fig
