"""One MNIST digit through a trained network: every layer's activations and the softmax.

Introduced in chapter 2, Neural networks. The learner picks a test image; the
figure shows the 784 input pixels, each hidden layer as a strip of coloured
cells (one per unit) and the ten class probabilities.

- :func:`layer_activations` and :func:`misclassified` -- pure computation;
- :func:`new_forward_figure` / :func:`draw_forward` -- drawing, updated in place;
- :func:`mnist_forward_explorer` -- the ipywidgets glue used in the notebook.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from common.functions import softmax
from common.layers import BatchNormalization, Dropout, Relu, Sigmoid, Tanh
from common.translation import _

__all__ = [
    "layer_activations",
    "misclassified",
    "new_forward_figure",
    "draw_forward",
    "dynamic_artists",
    "plot_forward",
    "mnist_forward_explorer",
]

_ACTIVATION_LAYERS = (Relu, Sigmoid, Tanh)
_RIGHT, _WRONG, _OTHER = "#0072B2", "#D55E00", "#b9c7d6"  # Okabe-Ito blue and vermillion; wrong bars hatched


def layer_activations(net: Any, x: ArrayLike) -> list[np.ndarray]:
    """Feed one sample through ``net``; return ``[input, hidden 1, …, hidden L, softmax]``.

    Introduced in chapter 2, Neural networks. ``net`` is a network from
    :mod:`common.networks` (it has ``layers``); ``x`` is one sample, flat (784,),
    as an image (28, 28) or as a batch of one. Each returned array is 1-D: the
    flattened input, the output of each activation layer, and the softmax of the
    final scores (which sum to 1).
    """
    layers = getattr(net, "layers", None)
    if layers is None:
        raise TypeError(f"expected a network from common.networks (with .layers), got {type(net).__name__}")
    x = np.asarray(x)
    size = int(np.prod(getattr(net, "input_shape", (x.size,))))
    if x.size != size:
        raise ValueError(f"layer_activations expected one sample of {size} values, got shape {x.shape}: "
                         "pass a single image, e.g. x_test[i]")
    out = x.reshape((1, *getattr(net, "input_shape", (size,)))).astype(getattr(net, "dtype", float), copy=False)
    acts = [out.reshape(-1).copy()]
    for layer in layers.values():
        out = layer.forward(out, False) if isinstance(layer, (Dropout, BatchNormalization)) else layer.forward(out)
        if isinstance(layer, _ACTIVATION_LAYERS):
            acts.append(out.reshape(-1).copy())
    acts.append(softmax(out.reshape(-1)))
    return acts


def misclassified(net: Any, x: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Indices of the samples in ``x`` whose predicted class differs from the label ``t``.

    Introduced in chapter 2, Neural networks (the explorer's "mistakes only" view).
    ``t`` holds labels or one-hot rows.
    """
    t = np.asarray(t)
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    predicted = np.concatenate([net.predict(x[i:i + 1000]).argmax(axis=1) for i in range(0, len(x), 1000)]
                               ) if len(x) else np.zeros(0, dtype=int)
    return np.flatnonzero(predicted != labels)


# -------------------------------------------------------------------------- drawing
def _activation_limits(net: Any) -> tuple[float, float] | None:
    name = str(getattr(net, "activation", "")).lower()
    return {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(name)


def new_forward_figure(n_hidden: int = 2, figsize: tuple[float, float] = (9.0, 4.2), dpi: int = 80) -> Figure:
    """A figure laid out for :func:`draw_forward`: image, ``n_hidden`` strips, softmax bars.

    Introduced in chapter 2, Neural networks. Not attached to pyplot, so the
    widget can redraw it without a second copy appearing.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="none")
    outer = fig.add_gridspec(1, 3, width_ratios=[1.0, 2.2, 1.6], left=0.02, right=0.98,
                             top=0.78, bottom=0.15, wspace=0.3)
    fig.add_subplot(outer[0])
    middle = outer[1].subgridspec(n_hidden + 1, 1, height_ratios=[1.0] * n_hidden + [0.3], hspace=2.0)
    for i in range(n_hidden + 1):
        fig.add_subplot(middle[i])
    fig.add_subplot(outer[2])
    fig._forward_layout = n_hidden  # type: ignore[attr-defined]
    return fig


def draw_forward(
    fig: Figure,
    acts: list[np.ndarray],
    label: int | None = None,
    index: int | None = None,
    limits: tuple[float, float] | None = (0.0, 1.0),
    activation: str = "sigmoid",
) -> Figure:
    """Draw (or redraw in place) the output of :func:`layer_activations` on ``fig``.

    Introduced in chapter 2, Neural networks. ``label`` is the true digit (the
    bar of a wrong prediction turns red), ``index`` the image's position in its
    set, ``limits`` the colour range of the strips (``None``: from the data).
    """
    n_hidden = len(acts) - 2
    if getattr(fig, "_forward_layout", None) != n_hidden:
        raise ValueError(f"figure was laid out for {getattr(fig, '_forward_layout', None)} hidden layers, "
                         f"got {n_hidden}: make it with new_forward_figure({n_hidden})")
    axes = fig.axes
    ax_img, strips, ax_cbar, ax_bar = axes[0], axes[1:1 + n_hidden], axes[1 + n_hidden], axes[-1]
    image, hidden, probs = acts[0], acts[1:-1], acts[-1]
    side = int(round(np.sqrt(image.size)))
    picture = image.reshape(side, side) if side * side == image.size else image.reshape(1, -1)
    lo, hi = limits if limits is not None else (min(0.0, *(float(h.min()) for h in hidden)),
                                                max(1e-12, *(float(h.max()) for h in hidden)))
    predicted = int(np.argmax(probs))
    colours = [_OTHER] * probs.size
    colours[predicted] = _RIGHT if label is None or predicted == label else _WRONG

    state: dict[str, Any] | None = getattr(fig, "_forward_artists", None)
    if state is None:
        img = ax_img.imshow(picture, cmap="gray_r", vmin=0, vmax=max(1.0, float(image.max())))
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        ims = []
        for k, (ax, h) in enumerate(zip(strips, hidden), start=1):
            ims.append(ax.imshow(h[None, :], aspect="auto", cmap="viridis", vmin=lo, vmax=hi,
                                 interpolation="nearest", extent=(-0.5, h.size - 0.5, 0, 1)))
            ax.set_yticks([])
            ax.set_title(f"hidden layer {k}: {h.size} {activation} units", fontsize=11)
            ax.set_xlabel("unit index", fontsize=11, labelpad=1)
            ax.tick_params(labelsize=11)
        cbar = fig.colorbar(ims[0], cax=ax_cbar, orientation="horizontal")
        cbar.set_label("activation (output of the unit)", fontsize=11)
        ax_cbar.tick_params(labelsize=11)
        bars = ax_bar.bar(np.arange(probs.size), probs, color=colours)
        ax_bar.set_xticks(np.arange(probs.size))
        ax_bar.set_ylim(0, 1.12)
        ax_bar.set_yticks(np.linspace(0, 1, 6))
        ax_bar.tick_params(labelsize=11)
        ax_bar.set_xlabel("digit class", fontsize=11)
        ax_bar.set_ylabel("probability", fontsize=11)
        ax_bar.set_title("softmax output", fontsize=11)
        ax_bar.grid(axis="y", alpha=0.3)
        title = fig.suptitle("", fontsize=13, y=0.97)
        truth_mark = ax_bar.text(0, 0, "true", ha="center", va="bottom", fontsize=11, color="0.2")
        state = {"img": img, "ims": ims, "bars": bars, "title": title, "truth": truth_mark,
                 "img_title": ax_img.set_title("", fontsize=11)}
        fig._forward_artists = state  # type: ignore[attr-defined]
    state["img"].set_data(picture)
    for im, h in zip(state["ims"], hidden):
        im.set_data(h[None, :])
        im.set_clim(lo, hi)
    for bar, p, c in zip(state["bars"], probs, colours):
        bar.set_height(float(p))
        bar.set_color(c)
        bar.set_hatch("//" if c == _WRONG else "")
        bar.set_edgecolor("white" if c == _WRONG else c)
    state["truth"].set_visible(label is not None)
    if label is not None:
        state["truth"].set_position((label, float(probs[label]) + 0.015))
    where = f"test image #{index}" if index is not None else "input"
    state["img_title"].set_text(f"{where}\n({image.size} pixels)")
    verdict = "" if label is None else (" ✓ right" if predicted == label else " ✗ wrong")
    truth = "" if label is None else f"true label {label}, "
    state["title"].set_text(f"{truth}network says {predicted} with probability {probs[predicted]:.2f}{verdict}")
    state["title"].set_color("black" if label is None or predicted == label else _WRONG)
    return fig


def dynamic_artists(fig: Figure) -> list:
    """The artists :func:`draw_forward` changes between frames (for fast redraws).

    Introduced in chapter 2, Neural networks.
    """
    state = fig._forward_artists  # type: ignore[attr-defined]
    n_hidden = len(state["ims"])
    frames = [spine for ax in fig.axes[:1 + n_hidden] for spine in ax.spines.values()]  # images cover them
    return [state["img"], *state["ims"], *frames, *state["bars"], state["title"], state["truth"],
            state["img_title"]]


def plot_forward(net: Any, x: ArrayLike, label: int | None = None, index: int | None = None,
                 dpi: int = 100) -> Figure:
    """Static figure of one digit's forward pass: :func:`layer_activations` + :func:`draw_forward`.

    Introduced in chapter 2, Neural networks (the explorer's default state, for the book).
    """
    acts = layer_activations(net, x)
    fig = new_forward_figure(len(acts) - 2, dpi=dpi)
    return draw_forward(fig, acts, label, index, _activation_limits(net), str(getattr(net, "activation", "hidden")))


# ---------------------------------------------------------------------------- widget
def mnist_forward_explorer(net: Any, x: ArrayLike, t: ArrayLike, index: int = 0):
    """Slider over the images of ``x`` (labels ``t``) and the live forward-pass figure.

    Introduced in chapter 2, Neural networks. A toggle restricts the slider to
    the images the network gets wrong. Each change calls :func:`layer_activations`
    and :func:`draw_forward` on one persistent figure, shown as a PNG in an
    ``ipywidgets.Image`` (only the changing artists are repainted). Returns an
    ``ipywidgets.VBox``.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    x, t = np.asarray(x), np.asarray(t)
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    everything = np.arange(len(x))
    mistakes = misclassified(net, x, labels)
    show = w.ToggleButtons(options=[(_("all {n} images").format(n=len(x)), "all"),
                                    (_("only the {n} mistakes").format(n=len(mistakes)), "wrong")],
                           value="all", description=_("show"))
    slider = w.IntSlider(value=int(np.clip(index, 0, len(x) - 1)), min=0, max=len(x) - 1,
                         description=_("image"), continuous_update=True)
    limits, activation = _activation_limits(net), str(getattr(net, "activation", "hidden"))
    first = layer_activations(net, x[slider.value])
    fig = new_forward_figure(len(first) - 2)
    draw_forward(fig, first, int(labels[slider.value]), slider.value, limits, activation)
    renderer = BlitRenderer(fig, lambda: dynamic_artists(fig))
    image = w.Image(value=renderer.png(), format="png")

    def chosen() -> np.ndarray:
        return mistakes if show.value == "wrong" and len(mistakes) else everything

    def redraw(_change: object = None) -> None:
        i = int(chosen()[min(slider.value, len(chosen()) - 1)])
        draw_forward(fig, layer_activations(net, x[i]), int(labels[i]), i, limits, activation)
        image.value = renderer.png()

    def switch(_change: object) -> None:
        with slider.hold_trait_notifications():
            slider.value = 0
            slider.max = max(len(chosen()) - 1, 0)
            slider.description = "mistake" if chosen() is mistakes else "image"
        redraw()

    slider.observe(redraw, names="value")
    show.observe(switch, names="value")
    box = w.VBox([w.HBox([slider, show]), image])
    box.figure, box.renderer = fig, renderer  # for tests and for saving the current view
    return box
