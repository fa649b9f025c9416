"""The static figures of chapter 5: loss and accuracy curves, stability, schedules, sweeps, search.

Each function takes the results of :mod:`common.lessons.comparisons`,
:mod:`common.lessons.quadratic_stability` or :mod:`common.lessons.hyperparams`
and returns one ``Figure`` with a title and labelled axes, so a notebook cell
is one line: ``_ = plot_loss_curves(curves)``. Every figure is drawn in the
course style (:func:`~common.plots.style.in_course_style`): at most 9 inches
wide at 100 dpi, text of at least 11 points, Okabe–Ito colours, and a second
cue (line style or marker) wherever colour tells two things apart.
Introduced in chapter 5, Training techniques.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from common.lessons.comparisons import Run, RunSummary, ScheduleRun
from common.lessons.hyperparams import Trial
from common.lessons.quadratic_stability import METHODS, convergence_rate, stability_limit
from common.plots.style import MARKERS, OKABE_ITO, in_course_style
from common.util import smooth_curve

__all__ = [
    "OPTIMIZER_STYLES",
    "plot_loss_curves",
    "plot_stability",
    "plot_schedules",
    "plot_unit_weights",
    "plot_batchnorm_grid",
    "plot_train_test_gap",
    "plot_weight_decay_sweep",
    "plot_dropout_ensemble",
    "plot_search",
]

_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)))

OPTIMIZER_STYLES: dict[str, dict[str, object]] = {
    name: {"color": OKABE_ITO[k], "marker": MARKERS[k], "linestyle": _LINESTYLES[k]}
    for k, name in enumerate(("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"))
}
"""One colour, marker and line style per optimiser, the same in every figure and widget of chapter 5."""


def _style(name: str, k: int, styles: Mapping[str, Mapping[str, object]] | None) -> dict[str, object]:
    """The style of curve ``k`` called ``name``: given, an optimiser's, or the k-th of the course cycle."""
    if styles is not None and name in styles:
        return dict(styles[name])
    if name in OPTIMIZER_STYLES:
        return dict(OPTIMIZER_STYLES[name])
    return {"color": OKABE_ITO[k % 6], "marker": MARKERS[k % len(MARKERS)],
            "linestyle": _LINESTYLES[k % len(_LINESTYLES)]}


@in_course_style
def plot_loss_curves(
    curves: Mapping[str, ArrayLike],
    title: str = "Training loss",
    window: int = 50,
    styles: Mapping[str, Mapping[str, object]] | None = None,
    ymax: float | None = None,
) -> Figure:
    """Mini-batch loss against iteration, one smoothed line per curve, the raw values faint behind.

    The legend (below the axes, never over the curves) gives each curve's mean
    over its last 100 iterations; a curve with NaN at the end (a diverged run)
    stops there and its entry says so. ``styles`` maps a name to matplotlib
    line properties (colour, line style, marker); optimiser names get
    :data:`OPTIMIZER_STYLES`. Introduced in chapter 5, Training techniques.
    """
    fig, ax = plt.subplots(figsize=(9.0, 5.4), layout="constrained")
    top = 0.0
    for k, (name, values) in enumerate(curves.items()):
        v = np.asarray(values, dtype=float)
        st = _style(name, k, styles)
        it = np.arange(1, v.size + 1)
        thin = max(1, v.size // 250)  # the faint raw curve: enough points to show the noise
        ax.plot(it[::thin], v[::thin], color=st["color"], alpha=0.15, lw=0.7)
        s = smooth_curve(v, window)
        finite = np.isfinite(v)
        label = name if finite.all() else f"{name} (diverged at iteration {int(np.argmin(finite)) + 1})"
        if finite.any():
            tail = v[finite][-100:]
            label += f": {tail.mean():.3f}"
            top = max(top, float(np.nanmax(s)))
        ax.plot(it, s, lw=2.2, label=label, markevery=max(1, v.size // 8), ms=7, **st)
    ax.set_ylim(0, ymax if ymax is not None else top * 1.05 or 1)
    ax.set_xlabel("iteration (mini-batch)")
    ax.set_ylabel("cross-entropy loss (nats)")
    ax.set_title(f"{title}\nthick: moving average over {window} iterations; faint: each mini-batch")
    ax.grid(alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=min(3, max(1, len(curves))),
               title="mean loss of the last 100 iterations", title_fontsize=12)
    return fig


@in_course_style
def plot_stability(
    alpha: float = 0.9,
    marks: Mapping[str, float] | None = None,
    h_max: float = 4.4,
) -> Figure:
    """How fast SGD, Momentum and Nesterov converge on a quadratic, against ``h = ηλ``.

    One line per method: the spectral radius of its step
    (:func:`~common.lessons.quadratic_stability.convergence_rate`), 1 being the
    border between converging and blowing up, each method's stability limit
    marked where its curve crosses it. ``marks`` draws labelled vertical lines
    at chosen values of ``h`` (e.g. a surface's curvature times a learning
    rate). Introduced in chapter 5, Training techniques.
    """
    fig, ax = plt.subplots(figsize=(9.0, 5.0), layout="constrained")
    h = np.linspace(0.0, h_max, 881)
    for k, method in enumerate(METHODS):
        st = _style(method, k, None)
        rate = convergence_rate(method, h, alpha if method != "SGD" else 0.0)
        limit = stability_limit(method, alpha if method != "SGD" else 0.0)
        ax.plot(h, np.minimum(rate, 2.0), color=st["color"], linestyle=st["linestyle"], lw=2.4,
                label=f"{method}: converges for ηλ < {limit:.3g}")
        ax.plot([limit], [1.0], linestyle="none", marker=st["marker"], color=st["color"], ms=10,
                mec="black", zorder=5)
    ax.axhline(1.0, color="black", lw=1.0)
    ax.text(2.2, 1.03, "above this line: blows up", ha="left", va="bottom", fontsize=12)
    for k, (label, value) in enumerate((marks or {}).items()):
        ax.axvline(value, color="#555555", lw=1.2, linestyle=":")
        ax.text(value, 0.04 + 0.11 * k, f" {label}", ha="left", va="bottom", fontsize=12, color="#333333",
                bbox=dict(fc="white", ec="none", alpha=0.8, pad=1))
    ax.set_xlim(0, h_max)
    ax.set_ylim(0, 1.6)
    ax.set_xlabel("ηλ: learning rate × curvature")
    ax.set_ylabel("spectral radius ρ:\ndistance shrinks by ρ per step")
    ax.set_title(f"SGD, Momentum and Nesterov on a quadratic (α = {alpha:g})")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return fig


@in_course_style
def plot_schedules(runs: Mapping[str, ScheduleRun], window: int = 50) -> Figure:
    """Learning-rate schedules side by side: the rate (left) and the smoothed loss (right) per iteration.

    ``runs`` comes from :func:`~common.lessons.comparisons.compare_schedules`;
    the legend gives each run's test accuracy. Introduced in chapter 5.
    """
    fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(9.0, 5.2), layout="constrained",
                                         gridspec_kw={"width_ratios": [1, 1.5]})
    for k, (name, run) in enumerate(runs.items()):
        st = _style(name, k, None)
        it = np.arange(1, run.losses.size + 1)
        every = max(1, run.losses.size // 8)
        ax_lr.plot(it, run.lr, lw=2.2, markevery=every, **st)
        acc = "diverged" if run.diverged else f"test {100 * run.test_acc:.1f} %"
        ax_loss.plot(it, smooth_curve(run.losses, window), lw=2.2, markevery=every,
                     label=f"{name}: {acc}", **st)
    ax_lr.set_xlabel("iteration")
    ax_lr.set_ylabel("learning rate η")
    ax_lr.set_title("The schedules")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("loss (nats), moving average")
    ax_loss.set_yscale("log")
    ax_loss.set_title(f"Training loss ({window}-iteration average)")
    for ax in (ax_lr, ax_loss):
        ax.grid(alpha=0.3, which="both")
    fig.legend(*ax_loss.get_legend_handles_labels(), loc="outside lower center", ncol=2)
    return fig


@in_course_style
def plot_unit_weights(
    weights: Mapping[str, np.ndarray],
    units: int = 6,
) -> Figure:
    """The incoming weights of the first hidden units, as 28×28 pictures, one row per network.

    ``weights`` maps a label to a first-layer weight matrix of shape (784, H).
    Identical pictures in a row mean identical units. Each row has its own
    colour scale (red positive, blue negative). Introduced in chapter 5.
    """
    rows = len(weights)
    fig, axes = plt.subplots(rows, units, figsize=(9.0, 1.75 * rows + 1.0), squeeze=False,
                             layout="constrained")
    for r, (label, W) in enumerate(weights.items()):
        W = np.asarray(W, dtype=float)
        scale = max(float(np.abs(W[:, :units]).max()), 1e-12)
        for c in range(units):
            ax = axes[r, c]
            ax.imshow(W[:, c].reshape(28, 28), cmap="RdBu_r", vmin=-scale, vmax=scale)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"unit {c + 1}")
        axes[r, 0].set_ylabel(label, fontsize=12)
    fig.suptitle("Incoming weights of hidden units 1–6 after training\n"
                 "(one 28×28 picture per unit; red > 0 > blue)")
    return fig


def _accuracy_line(ax, run: Run, style: dict[str, object], label: str, which: str = "train_acc") -> None:
    acc = 100 * np.asarray(getattr(run.history, which), dtype=float)
    if run.diverged and acc.size == 0:
        ax.plot([], [], label=f"{label}: diverged", **style)
        ax.text(0.5, 0.5, "without BN:\ndiverged", transform=ax.transAxes, ha="center", va="center",
                color=style["color"], fontsize=12, weight="bold")
        return
    epochs = np.arange(1, acc.size + 1)
    ax.plot(epochs, acc, lw=2.2, ms=5, markevery=max(1, acc.size // 5),
            label=label + (" (diverged)" if run.diverged else ""), **style)


_WITH, _WITHOUT = ({"color": OKABE_ITO[5], "linestyle": "-", "marker": "o"},
                   {"color": OKABE_ITO[0], "linestyle": "--", "marker": "s"})


@in_course_style
def plot_batchnorm_grid(runs: Mapping[tuple[float, bool], Run]) -> Figure:
    """Training accuracy per epoch with and without batch norm, one panel per weight scale (two rows).

    ``runs`` maps ``(weight_std, use_batchnorm)`` to a :class:`~common.lessons.comparisons.Run`.
    Introduced in chapter 5, Training techniques.
    """
    scales = sorted({w for w, _ in runs}, reverse=True)
    cols = min(3, len(scales))
    rows = -(-len(scales) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(9.0, 2.7 * rows + 1.2), sharey=True, sharex=True,
                             squeeze=False, layout="constrained")
    for ax, w in zip(axes.ravel(), scales):
        if (w, False) in runs:
            _accuracy_line(ax, runs[(w, False)], _WITHOUT, "without BN")
        if (w, True) in runs:
            _accuracy_line(ax, runs[(w, True)], _WITH, "with BN")
        ax.set_title(f"weight std {w:g}")
        ax.set_ylim(0, 104)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(scales):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel("training\naccuracy (%)")
    handles = [Line2D([], [], lw=2.2, label="with batch norm", **_WITH),
               Line2D([], [], lw=2.2, label="without batch norm", **_WITHOUT)]
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    fig.suptitle("Batch normalisation: the same network from six starting weight scales")
    return fig


@in_course_style
def plot_train_test_gap(
    runs: Mapping[str, Run],
    title: str = "Overfitting: training and test accuracy",
    held_out: str = "test",
) -> Figure:
    """Training (solid) and held-out (dashed) accuracy per epoch for each run, on one axes.

    ``held_out`` names what the history's ``test_acc`` was measured on (the
    test set, or a validation set). The legend, below the axes, gives each
    run's final gap between the two. Introduced in chapter 5, Training techniques.
    """
    fig, ax = plt.subplots(figsize=(9.0, 5.6), layout="constrained")
    for k, (label, run) in enumerate(runs.items()):
        st = _style(label, k, None)
        colour, marker = st["color"], st["marker"]
        h = run.history
        train, test = 100 * np.asarray(h.train_acc), 100 * np.asarray(h.test_acc)
        per_epoch = max(1, h.iters_per_epoch)
        epochs = (np.asarray(h.eval_iter, dtype=float) / per_epoch if len(h.eval_iter) == train.size
                  else np.arange(1, train.size + 1))
        every = max(1, train.size // 6)
        gap = f"gap {train[-1] - test[-1]:.0f} points" if train.size else "diverged"
        ax.plot(epochs, train, "-", color=colour, marker=marker, markevery=every, lw=2.2,
                label=f"{label}: training ({gap})")
        ax.plot(epochs, test, "--", color=colour, marker=marker, markevery=every, mfc="white", lw=2.0,
                label=f"{label}: {held_out}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 102)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=2)
    return fig


@in_course_style
def plot_weight_decay_sweep(summaries: Sequence[RunSummary], lambdas: Sequence[float]) -> Figure:
    """Accuracy (left) and validation loss (right) against the weight-decay strength λ.

    ``summaries`` holds one :class:`~common.lessons.comparisons.RunSummary` per
    λ, in the order of ``lambdas``; the λ with the lowest validation loss is
    ringed. λ = 0 sits at the left of an axis whose ticks are the values
    tried. Introduced in chapter 5, Training techniques.
    """
    rows = list(summaries)
    if len(rows) != len(lambdas) or not rows:
        raise ValueError(f"need one summary per λ, got {len(rows)} summaries for {len(lambdas)} values of λ")
    pos = np.arange(len(rows))
    fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(9.0, 4.6), layout="constrained")
    train = [100 * r.train_acc for r in rows]
    val = [100 * r.val_acc for r in rows]
    loss = [r.val_loss for r in rows]
    ax_acc.plot(pos, train, "-o", color=OKABE_ITO[0], lw=2.2, ms=8, label="training images")
    ax_acc.plot(pos, val, "--s", color=OKABE_ITO[5], lw=2.2, ms=8, label="validation images")
    for p_, v in zip(pos, val):
        ax_acc.annotate(f"{v:.1f}", (p_, v), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=12)
    ax_loss.plot(pos, loss, "--s", color=OKABE_ITO[5], lw=2.2, ms=8)
    for p_, v in zip(pos, loss):
        ax_loss.annotate(f"{v:.3f}", (p_, v), xytext=(0, 14), textcoords="offset points", ha="center", fontsize=12)
    best = int(np.nanargmin(loss))
    ax_loss.plot([pos[best]], [loss[best]], "o", ms=20, mfc="none", mec="black", mew=1.5)
    ax_loss.annotate("lowest", (pos[best], loss[best]), xytext=(0, -20), textcoords="offset points",
                     ha="center", va="top", fontsize=12)
    for ax in (ax_acc, ax_loss):
        ax.set_xticks(pos, [f"{lam:g}" for lam in lambdas])
        ax.set_xlim(-0.4, len(rows) - 0.6)
        ax.set_xlabel("weight decay λ")
        ax.grid(alpha=0.3)
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_title("Accuracy after training")
    ax_acc.legend(loc="center left")
    ax_acc.set_ylim(min(val) - 8, 104)
    ax_loss.set_ylabel("cross-entropy (nats)")
    ax_loss.set_title("Validation loss")
    ax_loss.set_ylim(0, max(loss) * 1.15)
    return fig


@in_course_style
def plot_dropout_ensemble(
    counts: ArrayLike,
    agreement: ArrayLike,
) -> Figure:
    """How often the average of ``n`` random dropout networks picks the test-mode network's class.

    ``counts`` and ``agreement`` come from
    :func:`~common.lessons.comparisons.dropout_ensemble`. Introduced in chapter 5.
    """
    n = np.asarray(counts, dtype=float)
    a = 100 * np.asarray(agreement, dtype=float)
    fig, ax = plt.subplots(figsize=(8.0, 4.6), layout="constrained")
    ax.semilogx(n, a, "o-", color=OKABE_ITO[3], lw=2.2, ms=8)
    for xi, yi in zip(n, a):
        ax.annotate(f"{yi:.0f}", (xi, yi), xytext=(0, 9), textcoords="offset points", ha="center",
                    fontsize=12)
    ax.set_xticks(n)
    ax.set_xticklabels([f"{int(v)}" for v in n])
    ax.minorticks_off()
    ax.set_ylim(min(50.0, float(a.min()) - 5), 104)
    ax.set_xlabel("number of random dropout networks averaged (log scale)")
    ax.set_ylabel("same class as test mode\n(% of inputs)")
    ax.set_title("Dropout as an ensemble: the average of many thinned\n"
                 "networks approaches the single test-mode network")
    ax.grid(alpha=0.3, which="major")
    return fig


@in_course_style
def plot_search(
    rounds: Sequence[Sequence[Trial]],
    narrowed: Mapping[str, tuple[float, float]] | None = None,
    names: tuple[str, str] = ("lr", "weight_decay"),
    labels: tuple[str, str] = ("learning rate η", "weight decay λ"),
) -> Figure:
    """Validation accuracy against each hyperparameter (log scale), one panel per hyperparameter.

    ``rounds`` are the trials of successive searches (drawn with different
    markers); ``narrowed`` (optional) is shaded: the range the next round
    searched. Diverged trials are drawn as crosses at 0 %. Introduced in
    chapter 5, Training techniques.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 4.9), sharey=True, layout="constrained")
    markers = [("o", OKABE_ITO[0], "round 1 (wide range)"), ("s", OKABE_ITO[5], "round 2 (narrowed)"),
               ("^", OKABE_ITO[2], "round 3")]
    for ax, name, label in zip(axes, names, labels):
        if narrowed is not None and name in narrowed:
            lo, hi = narrowed[name]
            ax.axvspan(lo, hi, color=OKABE_ITO[5], alpha=0.08, label="narrowed range")
        for r, trials in enumerate(rounds):
            marker, colour, text = markers[r % len(markers)]
            ok = [tr for tr in trials if not tr.diverged]
            bad = [tr for tr in trials if tr.diverged]
            ax.scatter([tr.params[name] for tr in ok], [100 * tr.val for tr in ok], marker=marker,
                       s=50, color=colour, alpha=0.85, label=text)
            if bad:
                ax.scatter([tr.params[name] for tr in bad], [0] * len(bad), marker="x", s=60,
                           color=colour, label=f"{text}: diverged")
        ax.set_xscale("log")
        ax.set_xlabel(f"{label} (log scale)")
        ax.grid(alpha=0.3, which="major")
    axes[0].set_ylabel("validation accuracy (%)")
    axes[0].set_ylim(-3, 100)
    handles, texts = axes[1].get_legend_handles_labels()
    fig.legend(handles, texts, loc="outside lower center", ncol=2)
    fig.suptitle("Random search: each point is one short training run,\njudged on the validation set")
    return fig
