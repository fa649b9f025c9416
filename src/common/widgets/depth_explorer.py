"""Every channel of any layer of the deep network, for any test digit (chapter 7).

:class:`DepthView` shows the input digit with the receptive field of the
chosen layer drawn around the position where that layer responds most
strongly, a mosaic of *all* the layer's feature maps (16, 32 or 64 of them,
one colour scale for the layer), and the network's class probabilities. The
numbers come from :func:`common.lessons.feature_maps.layer_outputs` and
:func:`common.lessons.receptive_field.network_receptive_fields`, which the
tests cover. :func:`depth_widget` adds a slider over the test images and a
menu of layers; it renders through :class:`~common.widgets._render.BlitRenderer`
so a change costs one forward pass and one partial redraw. Introduced in
chapter 7, Deep learning.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from common.functions import softmax
from common.layers import Pooling, Relu
from common.lessons.feature_maps import layer_outputs
from common.lessons.receptive_field import network_receptive_fields
from common.plots.style import COURSE_RC, OKABE_ITO
from common.translation import _

__all__ = ["depth_layers", "DepthView", "draw_depth_view", "depth_widget"]

BLUE, VERMILLION = OKABE_ITO[0], OKABE_ITO[5]
FIGSIZE = (9.0, 3.9)  # 900 × 390 pixels at 100 dpi: JupyterLab shows it unscaled
MOSAIC, GAP = 261, 3  # the mosaic image is always 261 × 261 pixels: 8 × 8 cells of 30, 6 × 6 of 41 or 4 × 4 of 63
MAX_MAPS = 64


def depth_layers(net: Any) -> list[str]:
    """The layers worth looking at: the output of every ReLU after a convolution, and of every pooling.

    Introduced in chapter 7, Deep learning.
    """
    names, seen_conv = [], False
    for name, layer in net.layers.items():
        if type(layer).__name__ == "Convolution":
            seen_conv = True
        if seen_conv and isinstance(layer, (Relu, Pooling)):
            names.append(name)
        if type(layer).__name__ == "Affine":
            break
    if not names:
        raise ValueError("depth_layers needs a convolutional network (Convolution, Relu and Pooling layers)")
    return names


def _fields(net: Any) -> dict[str, int]:
    """Receptive field (pixels) of every layer's output: a ReLU or batch norm has its convolution's."""
    steps = {s.name: s.field for s in network_receptive_fields(net)}
    fields, current = {}, 1
    for name in net.layers:
        current = steps.get(name, current)
        fields[name] = current
    return fields


class DepthView:
    """Input with receptive field, a fixed 8 × 8 mosaic of feature maps, and the prediction, updated in place.

    Introduced in chapter 7, Deep learning.
    """

    def __init__(self, fig: Figure, n_classes: int = 10) -> None:
        with plt.rc_context(COURSE_RC):  # font sizes are fixed when the texts are made
            self._build(fig, n_classes)

    def _build(self, fig: Figure, n_classes: int) -> None:
        self.fig = fig
        outer = fig.add_gridspec(1, 3, width_ratios=(1.0, 1.35, 1.0), wspace=0.12)
        self.input_ax = fig.add_subplot(outer[0, 0])
        self.input_image = self.input_ax.imshow(np.zeros((28, 28)), cmap="gray_r", vmin=0, vmax=1)
        self.input_ax.set_xticks([0, 14, 27])
        self.input_ax.set_yticks([0, 14, 27])
        self.input_ax.set_xlabel("column")
        self.input_ax.set_ylabel("row")
        self.input_ax.set_xlim(-0.5, 27.5)
        self.input_ax.set_ylim(27.5, -0.5)
        self.field = Rectangle((0, 0), 1, 1, fill=False, edgecolor=VERMILLION, linewidth=2.5, linestyle="--")
        self.input_ax.add_patch(self.field)
        self.input_title = self.input_ax.set_title("", fontsize=13)

        self.grid_ax = fig.add_subplot(outer[0, 1])
        self.grid_ax.set_axis_off()
        # the mosaic is coloured here (RGBA) rather than by imshow: a plain RGBA image redraws fastest
        self.cmap = plt.get_cmap("magma_r")
        self.mosaic = np.ones((MOSAIC, MOSAIC, 4))
        self.map_image = self.grid_ax.imshow(self.mosaic, interpolation="nearest",
                                             extent=(-0.5, MOSAIC - 0.5, MOSAIC - 0.5, -0.5))
        self.grid_ax.set_xlim(-0.5, MOSAIC - 0.5)
        self.grid_ax.set_ylim(MOSAIC - 0.5, -0.5)
        self.grid_ax.set_title("all maps (dark = strong)", fontsize=13)

        self.bar_ax = fig.add_subplot(outer[0, 2])
        self.bars = self.bar_ax.barh(np.arange(n_classes), np.zeros(n_classes), color=BLUE)
        self.bar_ax.set_yticks(np.arange(n_classes))
        self.bar_ax.invert_yaxis()
        self.bar_ax.set_xlim(0, 1)
        self.bar_ax.set_xticks([0, 0.5, 1])
        self.bar_ax.set_xlabel("probability")
        self.bar_ax.set_ylabel("class")
        self.bar_title = self.bar_ax.set_title("", fontsize=13)
        self.title = fig.suptitle("", fontsize=14)

    def update(self, net: Any, outputs: dict[str, np.ndarray], image: ArrayLike, layer: str,
               label: int | None = None, index: int | None = None, fields: dict[str, int] | None = None) -> str:
        """Show every channel of ``outputs[layer]`` for one image; return the title."""
        if layer not in outputs:
            raise ValueError(f"no layer {layer!r}; choose one of {list(outputs)}")
        maps = np.asarray(outputs[layer], dtype=np.float64)[0]
        if maps.ndim != 3:
            raise ValueError(f"layer {layer} gives shape {maps.shape[1:]}, not feature maps (channels, height, width)")
        c, h, w = maps.shape
        if c > MAX_MAPS:
            raise ValueError(f"this view shows at most {MAX_MAPS} channels, layer {layer} has {c}")
        if not np.all(np.isfinite(maps)):
            raise ValueError(f"layer {layer} produced NaN or infinite values for this image")
        scale = float(maps.max()) or 1.0
        grid = next(g for g in (4, 6, 8) if g * g >= c)
        cell = (MOSAIC + GAP) // grid - GAP
        step = cell + GAP
        rows_at, cols_at = (np.arange(cell) * h) // cell, (np.arange(cell) * w) // cell
        cells = self.cmap(maps[:, rows_at][:, :, cols_at] / scale)  # (c, cell, cell, 4), nearest-neighbour resampled
        self.mosaic[...] = 1.0  # white gutters and empty cells
        for k in range(c):
            r, col = divmod(k, grid)
            self.mosaic[r * step:r * step + cell, col * step:col * step + cell] = cells[k]
        self.map_image.set_data(self.mosaic)

        img = np.asarray(image, dtype=np.float64).reshape(28, 28)
        self.input_image.set_data(img)
        fields = fields if fields is not None else _fields(net)
        rf = fields.get(layer, 1)
        strongest = np.unravel_index(int(np.argmax(maps.max(axis=0))), (h, w))
        centre_y, centre_x = ((np.array(strongest) + 0.5) * 28 / np.array([h, w])) - 0.5
        left, top = max(-0.5, centre_x - rf / 2), max(-0.5, centre_y - rf / 2)  # clipped to the image
        right, bottom = min(27.5, centre_x + rf / 2), min(27.5, centre_y + rf / 2)
        self.field.set_bounds(left, top, right - left, bottom - top)

        probs = softmax(np.asarray(list(outputs.values())[-1], dtype=np.float64)[0])
        predicted = int(np.argmax(probs))
        for k, (bar, p) in enumerate(zip(self.bars, probs)):
            bar.set_width(float(p))
            # the face only: set_color would give each bar an edge, and the edges of the bars near
            # probability 0 drew a dashed line at x = 0
            bar.set_facecolor(VERMILLION if k == predicted else BLUE)
        where = f"image {index}" if index is not None else "input"
        self.input_title.set_text(where + (f", label {label}" if label is not None else ""))
        self.bar_title.set_text(f"says {predicted} ({100 * probs[predicted]:.1f} %)")
        seen = "the whole image" if rf >= 28 else f"{rf} × {rf} pixels (dashed)"
        title = f"{layer}: {c} maps of {h} × {w}; a unit sees {seen}"
        self.title.set_text(title)
        return title

    def dynamic_artists(self) -> list:
        return [self.input_image, self.field, self.map_image, *self.bars, self.input_title, self.bar_title,
                self.title]


def _layout(fig: Figure) -> None:
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.82)


def draw_depth_view(net: Any, x: ArrayLike, label: int | None = None, index: int | None = None,
                    layer: str = "Relu2") -> Figure:
    """Static figure of the widget's view (for the book): every map of ``layer`` for image ``x``. Chapter 7."""
    x = np.asarray(x).reshape(1, 1, 28, 28)
    fig = plt.figure(figsize=FIGSIZE, dpi=100, layout="none")
    view = DepthView(fig)
    view.update(net, layer_outputs(net, x), x, layer, label, index)
    _layout(fig)
    return fig


def depth_widget(net: Any, x: ArrayLike, t: ArrayLike, index: int = 0, layer: str | None = None, dpi: int = 100):
    """A slider over the test images ``x`` (labels ``t``) and a menu of layers; the view redraws live.

    Returns an ``ipywidgets.VBox`` with ``slider``, ``menu``, ``image``,
    ``view`` and ``renderer`` attributes (for tests). Introduced in chapter 7.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    x = np.asarray(x).reshape(-1, 1, 28, 28)
    t = np.asarray(t)
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    if len(x) != len(labels) or len(x) == 0:
        raise ValueError(f"need as many labels as images (at least one), got {len(x)} images and {len(labels)} labels")
    names = depth_layers(net)
    layer = names[1] if layer is None and len(names) > 1 else (layer or names[0])
    if layer not in names:
        raise ValueError(f"layer must be one of {names}, got {layer!r}")
    if not 0 <= index < len(x):
        raise ValueError(f"index must be in 0 … {len(x) - 1}, got {index}")
    fields = _fields(net)
    fig = Figure(figsize=FIGSIZE, dpi=dpi, layout="none")
    view = DepthView(fig)
    _layout(fig)
    cache: OrderedDict[int, dict] = OrderedDict()

    def outputs_of(i: int) -> dict:
        if i in cache:
            cache.move_to_end(i)
        else:
            cache[i] = layer_outputs(net, x[i:i + 1])
            if len(cache) > 128:
                cache.popitem(last=False)
        return cache[i]

    view.update(net, outputs_of(index), x[index], layer, int(labels[index]), index, fields)
    renderer = BlitRenderer(fig, view.dynamic_artists)
    image = w.Image(value=renderer.png(), format="png")
    slider = w.IntSlider(value=index, min=0, max=len(x) - 1, description=_("test image"),
                         continuous_update=True)
    menu = w.Dropdown(options=names, value=layer, description=_("layer"))
    frames: OrderedDict[tuple[int, str], bytes] = OrderedDict({(index, layer): image.value})

    def redraw(_change: object = None) -> None:
        i, name = slider.value, menu.value
        key = (i, name)
        if key in frames:
            frames.move_to_end(key)
        else:
            view.update(net, outputs_of(i), x[i], name, int(labels[i]), i, fields)
            frames[key] = renderer.png()
            if len(frames) > 64:
                frames.popitem(last=False)
        image.value = frames[key]

    slider.observe(redraw, names="value")
    menu.observe(redraw, names="value")
    box = w.VBox([w.HBox([slider, menu]), image])
    box.slider, box.menu, box.image, box.view, box.renderer = slider, menu, image, view, renderer
    return box
