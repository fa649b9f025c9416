"""A digit's feature maps through a CNN's first layers, and the prediction (chapter 6).

:class:`FeatureMapView` shows the input image, the maps of one layer
(``Conv1``, ``Relu1`` or ``Pool1`` of :class:`~common.networks.SimpleConvNet`)
as a numbered grid on one colour scale (with a colour bar), and the predicted
class probabilities. The numbers come from
:func:`common.lessons.feature_maps.layer_outputs`, which the tests cover.
:func:`feature_map_widget` adds an image slider and layer buttons.
Introduced in chapter 6, Convolutional neural networks.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from common.lessons.feature_maps import layer_outputs, map_grid_shape
from common.functions import softmax
from common.translation import _

__all__ = ["MAP_LAYERS", "FeatureMapView", "draw_feature_maps", "feature_map_widget"]

MAP_LAYERS: dict[str, str] = {
    "Conv1": "after the convolution",
    "Relu1": "after ReLU (negatives set to 0)",
    "Pool1": "after 2 × 2 max pooling",
}
"""The layers the widget can show, with a caption for each."""

BLUE, ORANGE = "#0072B2", "#D55E00"
FIGSIZE = (9.0, 5.8)


class FeatureMapView:
    """Input digit, a numbered grid of maps with a colour bar, and a probability bar chart, updated in place.

    Map ``k`` is the output of filter ``k`` (``W1[k]``, numbered the same way in
    the filter figures). All maps share one colour scale, −1 … 1 times the
    largest |value| of the layer (the title gives it), so a brighter map
    responds more strongly. Introduced in chapter 6, Convolutional neural networks.
    """

    def __init__(self, fig: Figure, n_maps: int = 30, n_classes: int = 10) -> None:
        self.fig = fig
        rows, cols = map_grid_shape(n_maps, 6)
        self.input_ax = fig.add_axes((0.03, 0.52, 0.2, 0.32))
        self.input_image = self.input_ax.imshow(np.zeros((28, 28)), cmap="gray_r", vmin=0, vmax=1)
        self.input_ax.set_axis_off()   # no frame: the image is repainted over it in the widget
        self.input_title = self.input_ax.set_title("", fontsize=12)
        # One image holds all maps (a mosaic with blank gutters) rather than one axes per map:
        # a redraw then resamples a single image instead of n_maps of them.
        self.grid_ax = fig.add_axes((0.26, 0.05, 0.58, 0.81))
        self.grid_ax.set_axis_off()
        self.rows, self.cols, self.cell = rows, cols, 24
        self.step_x, self.step_y = self.cell + 3, self.cell + 9      # room above each map for its number
        size = (rows * self.step_y, cols * self.step_x - 3)
        self.mosaic = np.ma.array(np.zeros(size), mask=True)
        self.map_image = self.grid_ax.imshow(self.mosaic, cmap="RdBu_r", vmin=-1, vmax=1,
                                             interpolation="nearest",
                                             extent=(-0.5, size[1] - 0.5, size[0] - 0.5, -0.5))
        frames = []
        for k in range(n_maps):
            r, c = divmod(k, cols)
            x0, y0 = c * self.step_x - 0.5, r * self.step_y + 9 - 0.5
            frames.append(Rectangle((x0, y0), self.cell, self.cell))
            self.grid_ax.text(x0 + self.cell / 2, y0 - 0.8, str(k), ha="center", va="bottom", fontsize=11)
        self.frames = self.grid_ax.add_collection(PatchCollection(frames, facecolor="none", edgecolor="black",
                                                                  linewidth=0.8, zorder=3))
        self.grid_ax.set_xlim(-0.5, size[1] - 0.5)
        self.grid_ax.set_ylim(size[0] + 0.5, -0.5)     # a little room: the last frames are not clipped
        cax = fig.add_axes((0.86, 0.14, 0.018, 0.6))
        bar = fig.colorbar(self.map_image, cax=cax, ticks=[-1, 0, 1])
        bar.ax.set_yticklabels(["−max", "0", "+max"])
        bar.set_label("value; max in the title", fontsize=11)
        self.bar_ax = fig.add_axes((0.08, 0.12, 0.13, 0.32))
        self.bars = self.bar_ax.barh(np.arange(n_classes), np.zeros(n_classes), color=BLUE)
        self.bar_ax.set_yticks(np.arange(n_classes))
        self.bar_ax.invert_yaxis()
        self.bar_ax.set_xlim(0, 1)
        self.bar_ax.set_xticks([0, 1])
        self.bar_ax.set_xlabel("probability")
        self.bar_ax.set_ylabel("class")
        self.bar_ax.tick_params(labelsize=11)
        self.title = fig.suptitle("", fontsize=12.5, y=0.985)
        self.n_maps = n_maps

    def update(self, outputs: dict[str, np.ndarray], image: ArrayLike, layer: str = "Conv1",
               label: int | None = None, index: int | None = None) -> str:
        """Show ``outputs[layer]`` (one image's maps) and the softmax of the last output; return the title."""
        if layer not in outputs:
            raise ValueError(f"no layer {layer!r}; choose one of {list(outputs)}")
        maps = np.asarray(outputs[layer])[0]
        if len(maps) != self.n_maps:
            raise ValueError(f"this view shows {self.n_maps} maps, layer {layer} has {len(maps)}")
        scale = float(np.abs(maps).max()) or 1.0
        self.mosaic[...] = np.ma.masked
        n = self.cell
        h, w_ = maps.shape[1:]
        # nearest-neighbour resampling: every layer fills the same square, the axes never rescale
        rows_at, cols_at = (np.arange(n) * h) // n, (np.arange(n) * w_) // n
        for k, m in enumerate(maps):
            r, c = divmod(k, self.cols)
            top, left = r * self.step_y + 9, c * self.step_x
            self.mosaic[top:top + n, left:left + n] = m[np.ix_(rows_at, cols_at)] / scale
        self.map_image.set_data(self.mosaic)
        self.input_image.set_data(np.asarray(image).reshape(28, 28))
        probs = softmax(np.asarray(list(outputs.values())[-1])[0])
        predicted = int(np.argmax(probs))
        for k, (bar, p) in enumerate(zip(self.bars, probs)):
            bar.set_width(float(p))
            bar.set_color(ORANGE if k == predicted else BLUE)
        where = f"test image {index}" if index is not None else "input"
        self.input_title.set_text(where + (f"\nlabel {label}" if label is not None else ""))
        title = (f"{layer}, {MAP_LAYERS.get(layer, '')}: {len(maps)} maps of {h} × {w_}, max |value| {scale:.2f}\n"
                 f"map k comes from filter k; predicted {predicted} ({100 * probs[predicted]:.1f} %)")
        self.title.set_text(title)
        return title

    def dynamic_artists(self) -> list:
        return [self.input_image, self.map_image, self.frames, *self.bars, self.input_title, self.title]


def draw_feature_maps(net: Any, x: ArrayLike, label: int | None = None, index: int | None = None,
                      layer: str = "Conv1") -> Figure:
    """Static figure of one image's maps at ``layer`` (the widget's default view, for the book). Chapter 6."""
    x = np.asarray(x).reshape(1, 1, 28, 28)
    outputs = layer_outputs(net, x)
    fig = plt.figure(figsize=FIGSIZE, layout="none")
    view = FeatureMapView(fig, n_maps=outputs[layer].shape[1])
    view.update(outputs, x, layer, label, index)
    return fig


def feature_map_widget(net: Any, x: ArrayLike, t: ArrayLike, index: int = 0, layer: str = "Conv1", dpi: int = 80):
    """An image slider over ``x`` (labels ``t``) and buttons for the layer; the figure redraws live.

    Returns an ``ipywidgets.VBox`` with ``slider``, ``buttons``, ``image``,
    ``view`` and ``renderer`` attributes. Introduced in chapter 6.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    x = np.asarray(x).reshape(-1, 1, 28, 28)
    t = np.asarray(t)
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    first = layer_outputs(net, x[index:index + 1])
    fig = Figure(figsize=FIGSIZE, dpi=dpi, layout="none")
    view = FeatureMapView(fig, n_maps=first[layer].shape[1])
    cache: dict[int, dict] = {index: first}

    def outputs_of(i: int) -> dict:
        if i not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[i] = layer_outputs(net, x[i:i + 1])
        return cache[i]

    view.update(first, x[index], layer, int(labels[index]), index)
    renderer = BlitRenderer(fig, view.dynamic_artists)
    image = w.Image(value=renderer.png(), format="png")
    slider = w.IntSlider(value=index, min=0, max=len(x) - 1, description=_("test image"), continuous_update=True)
    buttons = w.ToggleButtons(options=list(MAP_LAYERS), value=layer, description=_("layer"))

    frames: OrderedDict[tuple[int, str], bytes] = OrderedDict({(index, layer): image.value})  # going back is instant

    def redraw(_change: object = None) -> None:
        i, name = slider.value, buttons.value
        view.update(outputs_of(i), x[i], name, int(labels[i]), i)
        if (i, name) in frames:
            frames.move_to_end((i, name))
        else:
            frames[(i, name)] = renderer.png()
            if len(frames) > 64:
                frames.popitem(last=False)
        image.value = frames[(i, name)]

    slider.observe(redraw, names="value")
    buttons.observe(redraw, names="value")
    box = w.VBox([w.HBox([slider, buttons]), image])
    box.slider, box.buttons, box.image, box.view, box.renderer = slider, buttons, image, view, renderer
    return box
