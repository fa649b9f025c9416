"""Fast PNG rendering for widgets: redraw only the artists that move.

Introduced in chapter 2, Neural networks, for the activation and MNIST
explorers. A full matplotlib draw spends most of its time on tick labels and
titles that a slider never changes. :class:`BlitRenderer` draws the figure once
without its moving ("dynamic") artists, keeps that picture, and for each later
frame pastes it back and draws only the dynamic artists on top. When the axes
limits change, the kept picture is out of date and it draws everything again.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Callable, Sequence

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from PIL import Image

__all__ = ["BlitRenderer", "canvas_png"]


def canvas_png(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The pixels already drawn on an Agg canvas, as PNG bytes (nothing is drawn again).

    The one PNG encoder of the widgets; a low ``compress_level`` keeps a slider
    step fast at the price of a slightly larger image. An opaque picture (the
    usual case) is written without its alpha channel, which encodes about a
    third faster. Introduced in chapter 2, Neural networks.
    """
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    if image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=compress_level)
    return buffer.getvalue()


class BlitRenderer:
    """Turn ``fig`` into PNG bytes, reusing the static background between frames.

    Introduced in chapter 2, Neural networks. ``dynamic`` returns the artists
    that change from frame to frame (lines, images, bars, titles); they are
    marked animated, so use this renderer only on a figure made for a widget,
    not on the static figure shown in the book. The kept picture is redrawn
    whenever ``layout_key()`` changes; by default that is the axes' limits and
    visibility, the things a background shows that may change.

    With ``keep`` > 1 the last ``keep`` pictures are kept, one per layout key, so
    that going back to an earlier layout (a menu of surfaces or activations)
    pastes its picture instead of drawing everything again. Use it only when the
    layout key determines everything the background shows.
    """

    def __init__(
        self,
        fig: Figure,
        dynamic: Callable[[], Sequence[Artist]],
        layout_key: Callable[[], tuple] | None = None,
        keep: int = 1,
    ) -> None:
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.dynamic = dynamic
        self.layout_key = layout_key or self._layout_key
        self.keep = max(1, int(keep))
        self._backgrounds: OrderedDict[tuple, object] = OrderedDict()
        self.full_draws = 0
        """How many frames needed a full draw (the rest were blitted); tests read it."""

    def _layout_key(self) -> tuple:
        return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_visible()) for ax in self.fig.axes)

    def invalidate(self) -> None:
        """Forget the kept pictures: the next frame draws everything (after a change the key misses)."""
        self._backgrounds.clear()

    def prepare(self) -> None:
        """Draw and keep the background of the figure's current layout, unless it is kept already.

        A widget calls this once per layout it offers (each surface of a menu), so that a
        learner's first visit to a layout costs a paste instead of a full draw.
        """
        self._background()

    def _background(self) -> object:
        key = self.layout_key()
        background = self._backgrounds.get(key)
        if background is not None:
            self._backgrounds.move_to_end(key)
            return background
        artists = list(self.dynamic())
        for artist in artists:
            artist.set_animated(True)
        # matplotlib before 3.9 still draws animated images with their axes: hide them
        # while the background is drawn, or an old frame's image stays in every later one.
        images = [a for a in artists if isinstance(a, AxesImage) and a.get_visible()]
        for image in images:
            image.set_visible(False)
        self.canvas.draw()
        for image in images:
            image.set_visible(True)
        background = self._backgrounds[key] = self.canvas.copy_from_bbox(self.fig.bbox)
        while len(self._backgrounds) > self.keep:
            self._backgrounds.popitem(last=False)
        self.full_draws += 1
        return background

    def png(self, compress_level: int = 1) -> bytes:
        """Draw the current state of the figure and return it as PNG bytes."""
        self.canvas.restore_region(self._background())
        artists = list(self.dynamic())
        renderer = self.canvas.get_renderer()
        for artist in artists:
            if artist.get_visible():
                artist.draw(renderer)
        return canvas_png(self.canvas, compress_level)
