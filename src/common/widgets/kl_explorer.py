"""Figures and the KL-divergence explorer of the appendix, Information theory.

:class:`KLView` draws a distribution ``p`` (fixed, two humps) and a bell ``q``
(mean and width from sliders) side by side with the two divergences
``KL(p‖q)`` and ``KL(q‖p)`` as curves over q's mean, so the asymmetry is
visible at a glance. :func:`kl_explorer` wires two sliders to it; the numbers
come from :mod:`common.lessons.information`, which the tests cover. The other
functions draw the appendix's static figures. Introduced in the appendix.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from common.lessons.information import (
    binary_entropy,
    bimodal,
    cross_entropy,
    discretized_gaussian,
    entropy,
    fit_gaussian_by_kl,
    kl_divergence,
)
from common.plots.appendix import power_of_ten_ticks
from common.plots.style import OKABE_ITO
from common.translation import _

__all__ = [
    "KL_MEANS",
    "kl_curves",
    "KLView",
    "draw_kl",
    "kl_explorer",
    "draw_binary_entropy",
    "draw_kl_fits",
]

P_COLOUR, Q_COLOUR = OKABE_ITO[0], OKABE_ITO[1]
FWD_COLOUR, REV_COLOUR = OKABE_ITO[7], OKABE_ITO[5]
FIGSIZE = (9.0, 4.2)
"""Width that JupyterLab shows unscaled at 100 dpi, so the text keeps its size."""
KL_MEANS = np.linspace(0, 30, 121)
"""The means of q over which the widget draws the two KL curves."""
_KL_YLIM = (0.2, 40.0)


def kl_curves(p: ArrayLike, std: float, means: ArrayLike = KL_MEANS) -> tuple[np.ndarray, np.ndarray]:
    """``KL(p‖q_m)`` and ``KL(q_m‖p)`` for bells ``q_m`` of width ``std`` at each mean ``m``.

    Introduced in the appendix, Information theory (the explorer's right panel).
    """
    p = np.asarray(p, dtype=float)
    qs = np.array([discretized_gaussian(m, std, len(p)) for m in np.asarray(means, dtype=float)])
    ps = np.broadcast_to(p, qs.shape)
    return np.asarray(kl_divergence(ps, qs)), np.asarray(kl_divergence(qs, ps))


class KLView:
    """The explorer's figure, built once; :meth:`update` moves the bell, curves, markers and one text.

    What a slider does not change (the data's bars, H(p), titles, legends) is drawn
    once, so that a redraw renders little text: text is what costs most per frame.
    Introduced in the appendix, Information theory.
    """

    def __init__(self, fig: Figure, p: ArrayLike | None = None) -> None:
        self.fig = fig
        self.p = bimodal() if p is None else np.asarray(p, dtype=float)
        self._curves: dict[float, tuple[np.ndarray, np.ndarray]] = {}  # kl_curves by width of q
        k = np.arange(len(self.p))
        self.left, self.right = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=(1, 1)))
        left, right = self.left, self.right
        left.bar(k, self.p, width=0.7, color=P_COLOUR, alpha=0.85, label=f"p (the data), H(p) = {entropy(self.p):.3f}")
        (self.q_line,) = left.plot(k, np.zeros_like(self.p), "o-", color=Q_COLOUR, lw=2, ms=5, label="q (the model)")
        left.set_xlim(-1, len(self.p))
        left.set_ylim(0, 0.5)
        left.set_xlabel("outcome k")
        left.set_ylabel("probability")
        left.legend(loc="upper center", fontsize=11, frameon=False)
        self.numbers = left.text(0.5, 0.8, "", transform=left.transAxes, ha="center", va="top",
                                 fontsize=11, family="DejaVu Sans Mono")
        (self.fwd,) = right.plot([], [], color=FWD_COLOUR, lw=2, label="KL(p‖q): q covers p")
        (self.rev,) = right.plot([], [], color=REV_COLOUR, lw=2, ls="--", label="KL(q‖p): q avoids p ≈ 0")
        (self.fwd_dot,) = right.plot([], [], "o", color=FWD_COLOUR, ms=8)
        (self.rev_dot,) = right.plot([], [], "s", color=REV_COLOUR, ms=8)
        right.set_yscale("log")
        right.set_xlim(KL_MEANS[0], KL_MEANS[-1])
        right.set_ylim(*_KL_YLIM)
        power_of_ten_ticks(right.yaxis)
        right.set_xlabel("mean of q (outcome index)")
        right.set_ylabel("divergence (nats, log scale)")
        right.legend(loc="upper center", fontsize=11, frameon=False)
        right.grid(alpha=0.3, which="major")
        right.set_title("Both divergences as q slides", fontsize=12)
        left.set_title("A bell q against two humps p", fontsize=12)

    def update(self, mean: float, std: float) -> str:
        """Redraw for a bell ``q`` of this mean and width; return the text shown with the numbers."""
        q = discretized_gaussian(mean, std, len(self.p))
        self.q_line.set_ydata(np.minimum(q, 0.5))
        if std not in self._curves:  # the curves depend on the width only: the mean slider reuses them
            self._curves[std] = kl_curves(self.p, std)
        fwd, rev = self._curves[std]
        lo, hi = _KL_YLIM
        self.fwd.set_data(KL_MEANS, np.clip(fwd, lo, hi))
        self.rev.set_data(KL_MEANS, np.clip(rev, lo, hi))
        kf, kr = float(kl_divergence(self.p, q)), float(kl_divergence(q, self.p))
        self.fwd_dot.set_data([mean], [np.clip(kf, lo, hi)])
        self.rev_dot.set_data([mean], [np.clip(kr, lo, hi)])
        text = (f"q: mean {mean:.1f}, width {std:.2f}\n"
                f"KL(p‖q) = {kf:.3f}  KL(q‖p) = {kr:.3f}\n"
                f"H(p,q) = {cross_entropy(self.p, q):.3f} = H(p) + KL(p‖q)")
        self.numbers.set_text(text)
        return text

    def dynamic_artists(self) -> list:
        """What changes when a slider moves (for the blitting renderer)."""
        return [self.q_line, self.fwd, self.rev, self.fwd_dot, self.rev_dot, self.numbers]


def _new_figure(dpi: int = 100) -> Figure:
    return Figure(figsize=FIGSIZE, dpi=dpi, layout="constrained")


def draw_kl(mean: float = 12.0, std: float = 3.0, p: ArrayLike | None = None) -> Figure:
    """Static figure of the explorer at one setting (its default state, for the book). Appendix."""
    fig = plt.figure(figsize=FIGSIZE, layout="constrained")
    KLView(fig, p).update(mean, std)
    return fig


def kl_explorer(mean: float = 12.0, std: float = 3.0, dpi: int = 100):
    """Sliders for the mean (0–30) and width (1–8) of ``q``; the figure redraws live.

    Returns an ``ipywidgets.VBox`` with ``sliders``, ``image``, ``view`` and
    ``renderer`` attributes for tests. Introduced in the appendix.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    fig = _new_figure(dpi)
    view = KLView(fig)
    view.update(mean, std)
    renderer = BlitRenderer(fig, view.dynamic_artists)
    image = w.Image(value=renderer.png(), format="png")
    sliders = {
        "mean": w.FloatSlider(value=mean, min=0, max=30, step=0.5, description=_("mean of q"),
                              continuous_update=True, style={"description_width": "80px"}),
        "std": w.FloatSlider(value=std, min=1, max=8, step=0.25, description=_("width of q"),
                             continuous_update=True, style={"description_width": "80px"}),
    }

    def redraw(_change: object = None) -> None:
        view.update(sliders["mean"].value, sliders["std"].value)
        image.value = renderer.png()

    for s in sliders.values():
        s.observe(redraw, names="value")
    box = w.VBox([w.HBox(list(sliders.values())), image])
    box.sliders, box.image, box.view, box.renderer = sliders, image, view, renderer
    return box


def draw_binary_entropy() -> Figure:
    """The entropy of a coin, in bits, against its probability of heads. Appendix."""
    p = np.linspace(0, 1, 401)
    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    ax.plot(p, binary_entropy(p), color=P_COLOUR, lw=2.5)
    for x in (0.5, 0.9):
        h = float(binary_entropy(x))
        ax.plot([x], [h], "o", color=Q_COLOUR, ms=9)
        ax.annotate(f"p = {x}: H = {h:.3f} bit", (x, h), xytext=(0, -34) if x == 0.5 else (-12, 0),
                    textcoords="offset points", fontsize=12, ha="center" if x == 0.5 else "right")
    ax.set_xlabel("probability of heads, p")
    ax.set_ylabel("entropy H (bits)")
    ax.set_ylim(0, 1.08)
    ax.grid(alpha=0.3)
    ax.set_title("A coin is most uncertain when fair,\nnot uncertain at all when fixed")
    return fig


def draw_kl_fits(p: ArrayLike | None = None) -> Figure:
    """The best bell for a two-humped ``p`` under KL(p‖q) (covers both) and KL(q‖p) (picks one). Appendix."""
    p = bimodal() if p is None else np.asarray(p, dtype=float)
    means, stds = np.arange(0, len(p), 0.5), np.arange(1, 15.01, 0.25)
    fits = {d: fit_gaussian_by_kl(p, d, means, stds) for d in ("forward", "reverse")}
    k = np.arange(len(p))
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.4), layout="constrained", sharey=True)
    labels = {"forward": "minimise KL(p‖q):\nq covers both humps",
              "reverse": "minimise KL(q‖p):\nq settles on one hump"}
    for ax, (direction, (m, s, kl)) in zip(axes, fits.items()):
        ax.bar(k, p, color=P_COLOUR, alpha=0.8, label="p (the data)")
        ax.plot(k, discretized_gaussian(m, s, len(p)), "o-", color=Q_COLOUR, lw=2, ms=5,
                label=f"best q: mean {m:g}, width {s:g}")
        ax.set_title(f"{labels[direction]} ({kl:.3f} nats)", fontsize=13)
        ax.set_xlabel("outcome k")
        ax.legend(fontsize=11, loc="upper center", frameon=False)
        ax.set_ylim(0, 0.32)
    axes[0].set_ylabel("probability")
    fig.suptitle("One bell for two humps: the direction of KL decides the fit")
    return fig
