"""The convolution-arithmetic explorer of chapter 6: input size, filter, padding and stride.

:class:`ConvArithmeticView` draws the padded input grid with the current filter
window, and the output grid with the cell that window produces; a title gives
``OH = (H + 2P − F) / S + 1`` with the numbers filled in, and a caption explains
combinations that do not work (a filter larger than the padded input; a stride
that does not divide ``H + 2P − F``, whose unreachable rows are painted red).
The numbers come from :func:`common.lessons.conv_arithmetic.conv_geometry`, which never
raises and is unit-tested. :func:`conv_arithmetic_widget` adds sliders and a
play button. Introduced in chapter 6, Convolutional neural networks.
"""

from __future__ import annotations

import textwrap
from collections import OrderedDict

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from common.lessons.conv_arithmetic import ConvGeometry, conv_geometry, coverage, window_origin
from common.translation import _

__all__ = ["LIMITS", "ConvArithmeticView", "draw_conv_arithmetic", "conv_arithmetic_widget"]

LIMITS = {"H": (2, 12), "F": (1, 7), "P": (0, 3), "S": (1, 4)}
"""Slider ranges of the widget (the view itself accepts any values)."""

PAD, INPUT, UNUSED, OUT, ORANGE, DARK = "#e4e4e4", "#dce9f6", "#f2a7a7", "#d8eed8", "#d9541e", "#1f2a36"


def _grid_segments(n: int) -> list:
    ticks = np.arange(n + 1) - 0.5
    lo, hi = -0.5, n - 0.5
    return [[(t, lo), (t, hi)] for t in ticks] + [[(lo, t), (hi, t)] for t in ticks]


class ConvArithmeticView:
    """The explorer's figure, built once; :meth:`update` changes data, colours and texts in place.

    Introduced in chapter 6, Convolutional neural networks.
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.left = fig.add_axes((0.04, 0.33, 0.42, 0.55))
        self.right = fig.add_axes((0.56, 0.33, 0.40, 0.55))
        self.in_image = self.left.imshow(np.zeros((1, 1, 4)), interpolation="nearest")
        self.in_grid = LineCollection([], colors="#8a9aaa", linewidths=0.6)
        self.left.add_collection(self.in_grid)
        self.window = Rectangle((0, 0), 1, 1, fc=to_rgba(ORANGE, 0.3), ec=ORANGE, lw=3, zorder=3)
        self.left.add_patch(self.window)
        self.out_image = self.right.imshow(np.zeros((1, 1, 4)), interpolation="nearest")
        self.out_grid = LineCollection([], colors="#7a9a7a", linewidths=0.6)
        self.right.add_collection(self.out_grid)
        self.no_output = self.right.text(0.5, 0.5, "no output:\nthe filter does not fit", ha="center",
                                         va="center", transform=self.right.transAxes, fontsize=13,
                                         color=ORANGE, visible=False)
        for ax in (self.left, self.right):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_aspect("equal")
            ax.set_frame_on(False)
        # plain texts, not axis labels: an axis label cannot be left out of the kept background
        self.left_label = self.left.text(0.5, -0.02, "", transform=self.left.transAxes, ha="center", va="top",
                                         fontsize=12)
        self.right_label = self.right.text(0.5, -0.02, "", transform=self.right.transAxes, ha="center", va="top",
                                           fontsize=12)
        self.title = fig.suptitle("", fontsize=12.5, y=0.985)
        self.caption = fig.text(0.5, 0.015, "", ha="center", va="bottom", fontsize=11.5, wrap=False)
        fig.legend(handles=[Patch(fc=INPUT, ec="#8a9aaa", label="input"),
                            Patch(fc=PAD, ec="#8a9aaa", label="zero padding"),
                            Patch(fc=UNUSED, ec="#8a9aaa", label="never reached by the filter"),
                            Patch(fc=to_rgba(ORANGE, 0.3), ec=ORANGE, lw=2, label="filter window"),
                            Patch(fc=OUT, ec="#7a9a7a", label="output cell"),
                            Patch(fc=to_rgba(ORANGE, 0.75), ec="#7a9a7a", label="its output")],
                   loc="center", bbox_to_anchor=(0.5, 0.175), ncol=3, fontsize=11.5,
                   frameon=False, handlelength=1.2, columnspacing=1.5)
        self.geometry: ConvGeometry | None = None

    def update(self, H: int, F: int, P: int, S: int, position: int = 0) -> ConvGeometry:
        """Redraw for input size ``H``, filter ``F``, padding ``P``, stride ``S`` (square); return the geometry."""
        g = conv_geometry(H, F, P, S)
        self.geometry = g
        n = max(g.padded, 1)
        colours = np.empty((n, n, 4))
        colours[:] = to_rgba(PAD)
        if g.valid:
            inside = slice(g.pad, g.pad + g.input_size)
            colours[inside, inside] = to_rgba(INPUT)
            if g.fits and g.unused:
                covered = coverage(g) > 0
                colours[~covered] = to_rgba(UNUSED)
        self.in_image.set_data(colours)
        self.in_image.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        self.in_grid.set_segments(_grid_segments(n))
        self.left.set_xlim(-0.6, n - 0.4)
        self.left.set_ylim(n - 0.4, -0.6)
        origin = window_origin(g, position)
        m = g.out_size
        if origin is None:
            self.window.set_visible(False)
            self.out_image.set_visible(False)
            self.out_grid.set_segments([])
            self.no_output.set_visible(True)
            self.right.set_xlim(-0.5, 0.5)
            self.right.set_ylim(0.5, -0.5)
            self.right_label.set_text("output: none")
            where = ""
        else:
            index = int(np.clip(position, 0, m * m - 1))
            i, j = divmod(index, m)
            self.window.set_visible(True)
            self.window.set_xy((origin[1] - 0.5, origin[0] - 0.5))
            self.window.set_width(g.filter_size)
            self.window.set_height(g.filter_size)
            out = np.empty((m, m, 4))
            out[:] = to_rgba(OUT)
            out[i, j] = to_rgba(ORANGE, 0.75)
            self.out_image.set_visible(True)
            self.out_image.set_data(out)
            self.out_image.set_extent((-0.5, m - 0.5, m - 0.5, -0.5))
            self.out_grid.set_segments(_grid_segments(m))
            self.no_output.set_visible(False)
            self.right.set_xlim(-0.6, m - 0.4)
            self.right.set_ylim(m - 0.4, -0.6)
            self.right_label.set_text(f"output: {m} × {m}\nthe orange cell is output ({i}, {j})")
            where = (f"window: rows {origin[0]}–{origin[0] + g.filter_size - 1}, "
                     f"columns {origin[1]}–{origin[1] + g.filter_size - 1}")
        self.left_label.set_text(f"padded input: H + 2P = {g.input_size} + 2·{g.pad} = {g.padded}"
                                 + (f"\n{where}" if where else ""))
        self.title.set_text(f"H = {g.input_size}, F = {g.filter_size}, P = {g.pad}, S = {g.stride}:\n{g.formula}")
        keep = g.message.replace("OH = ", "OH\u00a0=\u00a0")          # never break inside "OH = 3"
        self.caption.set_text("\n".join(textwrap.wrap(keep, 100)))
        return g

    def key(self) -> tuple:
        """The sizes shown (H, F, P, S as the geometry read them): with the position, a frame's cache key."""
        g = self.geometry
        return (g.input_size, g.filter_size, g.pad, g.stride) if g else ()

    def moving_artists(self) -> list:
        """What changes when only the window position moves."""
        return [self.window, self.out_image, self.out_grid, self.left_label, self.right_label]

    def dynamic_artists(self) -> list:
        """Everything a slider can change: all but the legend. The axes have no frame or ticks and
        stay square, so new limits move nothing that is kept in the background."""
        return [self.in_image, self.in_grid, *self.moving_artists(), self.no_output, self.title, self.caption]


FIGSIZE = (9.0, 6.0)


def _figure(dpi: int | None = None) -> Figure:
    return Figure(figsize=FIGSIZE, dpi=dpi or 80, layout="none")


def draw_conv_arithmetic(H: int = 7, F: int = 3, P: int = 1, S: int = 2, position: int = 5) -> Figure:
    """Static figure of the explorer at one setting (its default state, or an invalid case). Chapter 6."""
    fig = plt.figure(figsize=FIGSIZE, layout="none")
    ConvArithmeticView(fig).update(H, F, P, S, position)
    return fig


def conv_arithmetic_widget(H: int = 7, F: int = 3, P: int = 1, S: int = 2, position: int = 5, dpi: int = 80):
    """Sliders for H, F, P, S and the window position (with a play button); the figure redraws live.

    Returns an ``ipywidgets.VBox`` with ``sliders``, ``image``, ``view`` and
    ``renderer`` attributes, for tests. Introduced in chapter 6.
    """
    import ipywidgets as w

    from common.widgets._render import BlitRenderer

    fig = _figure(dpi)
    view = ConvArithmeticView(fig)
    view.update(H, F, P, S, position)
    # the legend is drawn once and kept: only the figure's size can make that picture stale
    renderer = BlitRenderer(view.fig, view.dynamic_artists,
                            layout_key=lambda: (tuple(view.fig.get_size_inches()), view.fig.dpi))
    frames: OrderedDict[tuple, bytes] = OrderedDict()   # recent PNGs by (H, F, P, S, position)
    image = w.Image(value=renderer.png(), format="png")
    style = {"description_width": "95px"}
    layout = w.Layout(width="300px")
    names = {"H": _("input size H"), "F": _("filter size F"), "P": _("padding P"), "S": _("stride S")}
    values = {"H": H, "F": F, "P": P, "S": S}
    sliders = {k: w.IntSlider(value=values[k], min=lo, max=hi, description=names[k], style=style,
                              layout=layout, continuous_update=True)
               for k, (lo, hi) in LIMITS.items()}
    m = max(view.geometry.out_size, 1)
    sliders["position"] = w.IntSlider(value=min(position, m * m - 1), min=0, max=m * m - 1,
                                      description=_("window"), style=style, layout=layout)
    play = w.Play(value=sliders["position"].value, min=0, max=m * m - 1, interval=500, description=_("play"))
    w.jslink((play, "value"), (sliders["position"], "value"))
    busy = {"on": False}
    frames[(*view.key(), sliders["position"].value)] = image.value

    def redraw(_change: object = None) -> None:
        if busy["on"]:
            return
        g = view.update(sliders["H"].value, sliders["F"].value, sliders["P"].value, sliders["S"].value,
                        sliders["position"].value)
        top = max(g.out_size * g.out_size - 1, 0)
        if sliders["position"].max != top:
            busy["on"] = True
            try:
                sliders["position"].max = play.max = top
                sliders["position"].value = min(sliders["position"].value, top)
            finally:
                busy["on"] = False
            view.update(sliders["H"].value, sliders["F"].value, sliders["P"].value, sliders["S"].value,
                        sliders["position"].value)
        key = (*view.key(), sliders["position"].value)
        if key in frames:             # a setting seen before (going back and forth): reuse its PNG
            frames.move_to_end(key)
        else:
            frames[key] = renderer.png()
            if len(frames) > 128:
                frames.popitem(last=False)
        image.value = frames[key]

    for s in sliders.values():
        s.observe(redraw, names="value")
    controls = w.VBox([w.HBox([sliders["H"], sliders["F"]]), w.HBox([sliders["P"], sliders["S"]]),
                       w.HBox([sliders["position"], play])])
    box = w.VBox([controls, image])
    box.sliders, box.image, box.view, box.renderer, box.play = sliders, image, view, renderer, play
    return box
