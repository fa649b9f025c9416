"""Static figures of the appendix: no free lunch, the GAN toy, recurrent memory, one-shot learning.

Each function computes nothing new: it draws results of the tested functions in
:mod:`common.lessons.no_free_lunch`, :mod:`common.lessons.gan`, :mod:`common.lessons.recurrent` and
:mod:`common.lessons.one_shot`, and returns the ``Figure``. Introduced in the appendix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from numpy.typing import ArrayLike

from common.lessons.gan import gan_value, optimal_discriminator
from common.lessons.information import discretized_gaussian, js_divergence
from common.lessons.recurrent import PulseMemory

__all__ = ["draw_nfl", "gan_curve", "draw_gan_toy", "draw_pulse_memory", "draw_unrolled_rnn",
           "draw_one_shot"]

BLUE, ORANGE, GREEN, DARK = "#2f6aa3", "#d9541e", "#3a8a3a", "#1f2a36"
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def draw_nfl(summary: Mapping[str, Mapping[str, Fraction]]) -> Figure:
    """Bars of each learner's mean off-training-set accuracy, over all tasks and over separable ones."""
    names = list(summary)
    y = np.arange(len(names))
    every = [float(summary[n]["all tasks"]) for n in names]
    separable = [float(summary[n]["separable tasks"]) for n in names]
    fig, ax = plt.subplots(figsize=(8.5, 3.6), layout="constrained")
    ax.barh(y - 0.2, every, height=0.38, color=BLUE, label="averaged over all 256 tasks")
    ax.barh(y + 0.2, separable, height=0.38, color=ORANGE,
            label="averaged over the 104 linearly separable tasks")
    for yy, v in zip(y, separable):
        ax.text(v + 0.01, yy + 0.2, f"{v:.3f}", va="center", fontsize=9)
    for yy, v in zip(y, every):
        ax.text(v + 0.01, yy - 0.2, f"{v:.3f}", va="center", fontsize=9)
    ax.axvline(0.5, color=DARK, lw=1, ls=":")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 0.8)
    ax.set_xlabel("mean accuracy on the 4 unseen inputs (fraction correct)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=9,
               frameon=False)
    ax.set_title("No free lunch: over all tasks every learner scores exactly 1/2;\n"
                 "an assumption about the tasks (here: separable) is what lets one win")
    return fig


def gan_curve(p_data: ArrayLike, std: float, means: ArrayLike) -> np.ndarray:
    """``max_D V(D, G)`` for generators that output a bell of width ``std`` at each mean. Appendix."""
    p_data = np.asarray(p_data, dtype=float)
    values = []
    for m in np.asarray(means, dtype=float):
        p_g = discretized_gaussian(m, std, len(p_data))
        values.append(gan_value(optimal_discriminator(p_data, p_g), p_data, p_g))
    return np.array(values)


def draw_gan_toy(p_data: ArrayLike, p_g: ArrayLike, std: float, means: ArrayLike) -> Figure:
    """Left: data, generator and the best discriminator D*. Right: max_D V against the generator's mean."""
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    k = np.arange(len(p_data))
    d_star = optimal_discriminator(p_data, p_g)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.8), layout="constrained")
    left.bar(k - 0.2, p_data, width=0.4, color=BLUE, label="p_data (real)")
    left.bar(k + 0.2, p_g, width=0.4, color=ORANGE, label="p_g (generated)")
    twin = left.twinx()
    twin.plot(k, d_star, "-", color=DARK, lw=2, label="D*(x) = p_data / (p_data + p_g)")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("D*(x): probability 'real'")
    left.set_xlabel("outcome x")
    left.set_ylabel("probability")
    left.set_ylim(0, 1.6 * max(p_data.max(), p_g.max()))
    h1, l1 = left.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    left.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8.5, frameon=False)
    left.set_title("The best discriminator for a fixed generator", fontsize=10)
    means = np.asarray(means, dtype=float)
    right.plot(means, gan_curve(p_data, std, means), color=DARK, lw=2, label="max over D of V(D, G)")
    right.axhline(-np.log(4), color=GREEN, ls="--", label="−log 4 (generator matches the data)")
    js = [float(js_divergence(p_data, discretized_gaussian(m, std, len(p_data)))) for m in means]
    right.plot(means, 2 * np.array(js) - np.log(4), ":", color=ORANGE, lw=2.5,
               label="2·JS(p_data‖p_g) − log 4 (same curve)")
    right.set_xlabel("mean of the generator's bell")
    right.set_ylabel("V (nats)")
    right.legend(fontsize=8.5, loc="lower left", frameon=False)
    right.set_title("What the generator minimises: lowest at p_g = p_data", fontsize=10)
    fig.suptitle("The GAN objective on a toy world of 31 outcomes, computed exactly")
    return fig


def draw_pulse_memory(pm: PulseMemory) -> Figure:
    """Left: the state after a single input pulse. Right: how strongly step 0 still matters (log scale)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.6), layout="constrained")
    left.plot(pm.steps, pm.rnn_h, "o-", color=ORANGE, ms=3.5, label="plain RNN: hidden state h")
    left.plot(pm.steps, pm.lstm_c, "s-", color=BLUE, ms=3.5, label="LSTM: cell state c")
    left.set_xlabel("time step t (the input is 1 at t = 0, then 0)")
    left.set_ylabel("state value")
    left.legend(fontsize=9, frameon=False)
    left.grid(alpha=0.3)
    left.set_title("Remembering one pulse", fontsize=10)
    right.semilogy(pm.steps, pm.rnn_sensitivity, "o-", color=ORANGE, ms=3.5, label="RNN: |∂hₜ / ∂h₀|")
    right.semilogy(pm.steps, pm.lstm_sensitivity, "s-", color=BLUE, ms=3.5, label="LSTM: |∂cₜ / ∂c₀|")
    right.set_xlabel("time step t")
    right.set_ylabel("sensitivity to step 0 (log scale)")
    right.legend(fontsize=9, frameon=False)
    right.grid(alpha=0.3, which="both")
    right.set_title("How much step 0 still moves step t: the gradient's path", fontsize=10)
    fig.suptitle("A plain RNN forgets geometrically; the LSTM's forget gate keeps the cell state")
    return fig


def draw_unrolled_rnn(steps: int = 4) -> Figure:
    """Diagram: one RNN cell applied at every step, passing the hidden state along. Appendix."""
    fig, ax = plt.subplots(figsize=(9, 2.9), layout="constrained")
    for t in range(steps):
        x0 = 1.0 + 2.2 * t
        ax.add_patch(FancyBboxPatch((x0 - 0.55, -0.4), 1.1, 0.8, boxstyle="round,pad=0.05",
                                    fc="#eef3f9", ec=DARK, lw=1.3))
        ax.text(x0, 0, "tanh(x Wx\n + h Wh + b)", ha="center", va="center", fontsize=8.5)
        ax.add_patch(FancyArrowPatch((x0, -1.3), (x0, -0.45), arrowstyle="-|>", mutation_scale=12, color=DARK))
        ax.text(x0, -1.5, f"x{str(t + 1).translate(_SUB)}", ha="center", va="top", fontsize=11)
        ax.add_patch(FancyArrowPatch((x0, 0.45), (x0, 1.25), arrowstyle="-|>", mutation_scale=12, color=DARK))
        ax.text(x0, 1.35, f"h{str(t + 1).translate(_SUB)}", ha="center", va="bottom", fontsize=11)
        ax.add_patch(FancyArrowPatch((x0 - 1.65, 0), (x0 - 0.6, 0), arrowstyle="-|>", mutation_scale=12,
                                     color=ORANGE, lw=1.8))
        ax.text(x0 - 1.1, 0.12, f"h{str(t).translate(_SUB)}", ha="center", va="bottom", fontsize=10, color=ORANGE)
    ax.text(1.0 + 2.2 * steps - 1.0, 0, "…", fontsize=16, va="center")
    ax.set_xlim(-0.8, 2.2 * steps + 0.4)
    ax.set_ylim(-2.1, 2.0)
    ax.axis("off")
    ax.set_title("An RNN unrolled over time: the same weights at every step, the state h passed along")
    return fig


def draw_one_shot(images: ArrayLike, labels: Sequence[int], scores: Mapping[str, float],
                  chance: float) -> Figure:
    """Left: a one-shot support set (one image per class). Right: accuracy of each embedding.

    Introduced in the appendix, A look ahead.
    """
    images = np.asarray(images).reshape(len(labels), 28, 28)
    fig = plt.figure(figsize=(10.5, 3.4), layout="constrained")
    grid = fig.add_gridspec(2, len(labels) + 6)
    for i, (img, lab) in enumerate(zip(images, labels)):
        ax = fig.add_subplot(grid[0, i])
        ax.imshow(img, cmap="gray_r")
        ax.set_title(f"class {lab}", fontsize=9)
        ax.axis("off")
    note = fig.add_subplot(grid[1, :len(labels)])
    note.axis("off")
    note.text(0.5, 0.6, "a support set: one example per class;\n"
              "a query gets the label of the nearest example", ha="center", va="center", fontsize=9.5)
    bar_ax = fig.add_subplot(grid[:, len(labels) + 1:])
    names = list(scores)
    y = np.arange(len(names))
    colours = [BLUE if "pixel" in n else ORANGE for n in names]
    bar_ax.barh(y, [100 * scores[n] for n in names], color=colours)
    for yy, n in zip(y, names):
        bar_ax.text(100 * scores[n] + 1, yy, f"{100 * scores[n]:.1f} %", va="center", fontsize=9)
    bar_ax.axvline(100 * chance, color="grey", ls=":", label=f"chance ({100 * chance:.0f} %)")
    bar_ax.set_yticks(y, names, fontsize=9)
    bar_ax.invert_yaxis()
    bar_ax.set_xlim(0, 110)
    bar_ax.set_xlabel("one-shot accuracy (%)")
    bar_ax.legend(fontsize=8.5, loc="lower right")
    fig.suptitle("One-shot classification by nearest example: the embedding decides")
    return fig
