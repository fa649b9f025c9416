"""Static figures of the appendix: mutual information, no free lunch, GANs, recurrent memory, one-shot learning.

Each function computes nothing new: it draws results of the tested functions in
:mod:`common.lessons.information`, :mod:`common.lessons.no_free_lunch`,
:mod:`common.lessons.gan`, :mod:`common.lessons.recurrent` and
:mod:`common.lessons.one_shot`, and returns the ``Figure``. Sizes fit JupyterLab's
output area (at most 9 inches at 100 dpi, so nothing is shrunk) and text stays at
11 pt or more; colours are Okabe and Ito's, and a second cue (marker, line style or
hatching) separates whatever colour separates. Introduced in the appendix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from numpy.typing import ArrayLike

from common.lessons.gan import ToyGANRun, gan_curve, generator_losses, optimal_discriminator
from common.lessons.information import discretized_gaussian, js_divergence
from common.lessons.recurrent import DistractorMemory, PulseMemory
from common.plots.style import MARKERS, OKABE_ITO

__all__ = ["power_of_ten_ticks", "draw_pixel_information", "draw_nfl", "draw_gan_toy", "draw_generator_losses",
           "draw_unrolled_rnn", "draw_pulse_memory", "draw_distractor_memory", "draw_one_shot"]

BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, _, BLACK = OKABE_ITO
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SMALL = 11  # the smallest text on any figure of the appendix, in points
_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten_ticks(axis, every: int = 1) -> None:
    """Label a log axis 10⁰, 10⁻³, … in plain text (no mathtext parsing, several times faster to draw).

    ``every`` keeps one decade label in that many. Introduced in the appendix.
    """
    axis.set_major_locator(LogLocator(base=10.0, subs=(1.0,), numticks=100))
    axis.set_major_formatter(FuncFormatter(
        lambda v, _: "" if v <= 0 or round(np.log10(v)) % every else f"10{str(round(np.log10(v))).translate(_SUPER)}"))
    axis.set_minor_formatter(NullFormatter())


def draw_pixel_information(information: ArrayLike, label_entropy: float) -> Figure:
    """A 28×28 map of ``I(pixel on; label)`` in bits, with a colour bar. Appendix, Information theory."""
    info = np.asarray(information, dtype=float)
    if info.size != 784:
        raise ValueError(f"need one value per MNIST pixel (784), got {info.size}")
    fig, ax = plt.subplots(figsize=(6.4, 5.0), layout="constrained")
    image = ax.imshow(info.reshape(28, 28), cmap="viridis", vmin=0)
    best = int(np.argmax(info))
    ax.plot(best % 28, best // 28, marker="o", ms=14, mfc="none", mec="white", mew=2)
    ax.annotate(f"most informative:\n{info[best]:.3f} bit", (best % 28, best // 28), xytext=(1, 25),
                color="white", fontsize=SMALL, arrowprops=dict(arrowstyle="-", color="white"))
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label("I(pixel on; label) (bits)")
    ax.set_xlabel("pixel column")
    ax.set_ylabel("pixel row")
    ax.set_title(f"What one pixel tells about the digit\n(the label itself carries {label_entropy:.2f} bits)")
    return fig


def draw_nfl(summary: Mapping[str, Mapping[str, Fraction]]) -> Figure:
    """Bars of each learner's mean off-training-set accuracy, over all tasks and over separable ones."""
    names = list(summary)
    y = np.arange(len(names))
    every = [float(summary[n]["all tasks"]) for n in names]
    separable = [float(summary[n]["separable tasks"]) for n in names]
    fig, ax = plt.subplots(figsize=(9, 4.6), layout="constrained")
    ax.barh(y - 0.2, every, height=0.38, color=BLUE, label="over all 256 tasks")
    ax.barh(y + 0.2, separable, height=0.38, color=ORANGE, hatch="//", edgecolor="white",
            label="over the 104 linearly separable tasks")
    for yy, v in zip(y, every):
        ax.text(v + 0.01, yy - 0.2, f"{v:.3f}", va="center", fontsize=SMALL)
    for yy, v in zip(y, separable):
        ax.text(v + 0.01, yy + 0.2, f"{v:.3f}", va="center", fontsize=SMALL)
    ax.axvline(0.5, color=BLACK, lw=1, ls=":")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 0.8)
    ax.set_xlabel("mean accuracy on the 4 unseen inputs (fraction correct)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=2, frameon=False)
    ax.set_title("Over all tasks every learner scores exactly 1/2;\n"
                 "an assumption about the tasks (separable) lets some win")
    return fig


def draw_gan_toy(p_data: ArrayLike, p_g: ArrayLike, std: float, means: ArrayLike) -> Figure:
    """Top: data, generator and the best discriminator D*. Bottom: max_D V against the generator's mean."""
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    k = np.arange(len(p_data))
    d_star = optimal_discriminator(p_data, p_g)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.8), layout="constrained")
    top.bar(k - 0.2, p_data, width=0.4, color=BLUE, label="p_data (real)")
    top.bar(k + 0.2, p_g, width=0.4, color=ORANGE, hatch="//", edgecolor="white", label="p_g (generated)")
    twin = top.twinx()
    twin.plot(k, d_star, "-", color=BLACK, lw=2, label="D*(x) = p_data / (p_data + p_g)")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("D*(x): probability 'real'")
    top.set_xlabel("outcome x")
    top.set_ylabel("probability")
    top.set_ylim(0, 1.7 * max(p_data.max(), p_g.max()))
    h1, l1 = top.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    top.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=SMALL, frameon=False)
    top.set_title("The best discriminator for a fixed generator")
    means = np.asarray(means, dtype=float)
    bottom.plot(means, gan_curve(p_data, std, means), color=BLACK, lw=2.5, label="max over D of V(D, G)")
    js = [float(js_divergence(p_data, discretized_gaussian(m, std, len(p_data)))) for m in means]
    bottom.plot(means, 2 * np.array(js) - np.log(4), ":", color=ORANGE, lw=3,
                label="2·JS(p_data‖p_g) − log 4 (the same curve)")
    bottom.axhline(-np.log(4), color=GREEN, ls="--", label="−log 4: generator matches the data")
    bottom.set_xlabel("mean of the generator's bell (outcome)")
    bottom.set_ylabel("V (nats)")
    bottom.legend(fontsize=SMALL, loc="center left", frameon=False)
    bottom.set_title("What the generator minimises: lowest at p_g = p_data, flat far away")
    return fig


def draw_generator_losses(runs: Sequence[ToyGANRun]) -> Figure:
    """Left: the generator's two losses against the discriminator's logit for a fake. Right: the toy GAN's
    generator under each loss."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.4), layout="constrained")
    a = np.linspace(-6, 6, 241)
    styles = {"saturating": (VERMILLION, "--", "s"), "non-saturating": (BLUE, "-", "o")}
    labels = {"saturating": "saturating: log(1 − D)", "non-saturating": "non-saturating: −log D"}
    for name, loss in generator_losses(a).items():
        colour, ls, _ = styles[name]
        left.plot(a, loss, ls=ls, color=colour, lw=2.5, label=labels[name])
    rejects = np.log(0.1 / 0.9)  # D = 0.1
    left.axvspan(a[0], rejects, color="0.88", zorder=0)
    left.text((a[0] + rejects) / 2, -2.6, "D(G(z)) < 0.1:\nD rejects\nthe fake", ha="center", va="center",
              fontsize=SMALL)
    left.set_xlabel("discriminator's logit a for a fake (D = σ(a))")
    left.set_ylabel("generator's loss (nats)")
    left.legend(loc="lower left", fontsize=SMALL, frameon=False)
    left.set_title("Two losses, one goal: raise a")
    for run in runs:
        colour, ls, marker = styles[run.loss]
        right.plot(np.arange(1, len(run.theta) + 1), run.theta, ls=ls, color=colour, marker=marker,
                   markevery=max(1, len(run.theta) // 8), label=run.loss)
    if runs:
        right.axhline(runs[0].data_mean, color=BLACK, ls=":", label="mean of the data")
    right.set_xlabel("generator step")
    right.set_ylabel("generator's shift θ")
    right.legend(loc="center right", fontsize=SMALL, frameon=False)
    right.set_title("A 1-D GAN, same start")
    return fig


def draw_unrolled_rnn(steps: int = 4) -> Figure:
    """Diagram: one RNN cell applied at every step, passing the hidden state along. Appendix."""
    fig, ax = plt.subplots(figsize=(9, 3.3), layout="constrained")
    for t in range(steps):
        x0 = 1.0 + 2.2 * t
        ax.add_patch(FancyBboxPatch((x0 - 0.7, -0.45), 1.4, 0.9, boxstyle="round,pad=0.05",
                                    fc="#e8f1f8", ec=BLACK, lw=1.3))
        ax.text(x0, 0, "tanh(x Wx\n + h Wh + b)", ha="center", va="center", fontsize=SMALL)
        ax.add_patch(FancyArrowPatch((x0, -1.3), (x0, -0.5), arrowstyle="-|>", mutation_scale=14, color=BLACK))
        ax.text(x0, -1.45, f"x{str(t + 1).translate(_SUB)}", ha="center", va="top", fontsize=13)
        ax.add_patch(FancyArrowPatch((x0, 0.5), (x0, 1.25), arrowstyle="-|>", mutation_scale=14, color=BLACK))
        ax.text(x0, 1.35, f"h{str(t + 1).translate(_SUB)}", ha="center", va="bottom", fontsize=13)
        ax.add_patch(FancyArrowPatch((x0 - 1.5, 0), (x0 - 0.75, 0), arrowstyle="-|>", mutation_scale=14,
                                     color=ORANGE, lw=2))
        ax.text(x0 - 1.1, 0.12, f"h{str(t).translate(_SUB)}", ha="center", va="bottom", fontsize=13, color=BLACK)
    ax.text(1.0 + 2.2 * steps - 1.0, 0, "…", fontsize=18, va="center")
    ax.set_xlim(-0.8, 2.2 * steps + 0.4)
    ax.set_ylim(-2.2, 2.1)
    ax.axis("off")
    ax.set_title("An RNN unrolled over time:\nthe same weights at every step, the state h passed along")
    return fig


def _model_style(i: int, name: str) -> dict:
    colour = BLUE if name == "LSTM" else (VERMILLION, ORANGE, PURPLE, SKY)[i % 4]
    return dict(color=colour, marker="o" if name == "LSTM" else MARKERS[1 + i % 4], ms=5,
                ls="-" if name == "LSTM" else ("--", "-.", ":", "--")[i % 4])


def _memory_panels(fig: Figure, steps: np.ndarray, top: Mapping[str, np.ndarray],
                   sensitivity: Mapping[str, np.ndarray], top_label: str) -> tuple:
    left, right = fig.subplots(1, 2)
    every = max(1, len(steps) // 10)
    for i, name in enumerate(top):
        style = _model_style(i, name)
        left.plot(steps, top[name], label=name, markevery=every, **style)
        right.semilogy(steps, np.maximum(sensitivity[name], 1e-30), markevery=every, **style)
    left.set_xlabel("steps since the pulse")
    left.set_ylabel(top_label)
    left.grid(alpha=0.3)
    right.set_xlabel("steps since the pulse")
    right.set_ylabel("|∂ state_t / ∂ state_0| (log)")
    power_of_ten_ticks(right.yaxis, every=3)
    right.grid(alpha=0.3, which="major")
    right.set_title("How far a gradient reaches back")
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower center", ncol=len(top), frameon=False)
    return left, right


def draw_pulse_memory(pm: PulseMemory) -> Figure:
    """Left: the memory state after a single pulse, per network. Right: its sensitivity to step 0 (log)."""
    fig = plt.figure(figsize=(9, 4.4), layout="constrained")
    left, _ = _memory_panels(fig, pm.steps, pm.state, pm.sensitivity, "state (RNN: h, LSTM: cell c)")
    left.set_title("One pulse, then silence")
    return fig


def draw_distractor_memory(dm: DistractorMemory) -> Figure:
    """Left: how often the pulse's sign is still recalled among distractors. Right: median sensitivity (log)."""
    fig = plt.figure(figsize=(9, 4.4), layout="constrained")
    left, _ = _memory_panels(fig, dm.steps, dm.recall, dm.sensitivity, "sign of the pulse recalled (fraction)")
    left.axhline(0.5, color=BLACK, lw=1, ls=":")
    left.text(dm.steps[-1], 0.48, "chance", ha="right", va="top", fontsize=SMALL)
    left.set_ylim(0.4, 1.03)
    left.set_title(f"One pulse, then distractors of ±{dm.distractor:g}")
    return fig


def draw_one_shot(images: ArrayLike, labels: Sequence[int], scores: Mapping[str, float],
                  chance: float) -> Figure:
    """Top: a one-shot support set (one image per class). Bottom: accuracy of each way of comparing.

    Introduced in the appendix, A look ahead.
    """
    images = np.asarray(images).reshape(len(labels), 28, 28)
    fig = plt.figure(figsize=(9, 5.6), layout="constrained")
    grid = fig.add_gridspec(2, len(labels), height_ratios=(1, 1.7))
    for i, (img, lab) in enumerate(zip(images, labels)):
        ax = fig.add_subplot(grid[0, i])
        ax.imshow(img, cmap="gray_r")
        ax.set_title(f"class {lab}", fontsize=12)
        ax.axis("off")
    bar_ax = fig.add_subplot(grid[1, :])
    names = list(scores)
    y = np.arange(len(names))
    pixel = ["pixel" in n for n in names]
    bar_ax.barh(y, [100 * scores[n] for n in names], color=[BLUE if p else ORANGE for p in pixel],
                hatch=None, edgecolor="white")
    for bar, p in zip(bar_ax.patches, pixel):
        bar.set_hatch("" if p else "//")
    for yy, n in zip(y, names):
        bar_ax.text(100 * scores[n] + 1, yy, f"{100 * scores[n]:.1f} %", va="center", fontsize=SMALL)
    bar_ax.axvline(100 * chance, color=BLACK, ls=":", label=f"chance ({100 * chance:.0f} %)")
    bar_ax.set_yticks(y, names)
    bar_ax.invert_yaxis()
    bar_ax.set_xlim(0, 112)
    bar_ax.set_xlabel("one-shot accuracy (%)")
    bar_ax.legend(fontsize=SMALL, loc="lower right")
    fig.suptitle("A support set (one example per class); a query takes the label of the nearest")
    return fig
