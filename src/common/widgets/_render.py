"""Fast PNG rendering for widgets: redraw only the artists that move.

Introduced in chapter 2, Neural networks, for the activation and MNIST
explorers. A full matplotlib draw spends most of its time on tick labels and
titles that a slider never changes. :class:`BlitRenderer` draws the figure once
without its moving ("dynamic") artists, keeps that picture, and for each later
frame pastes it back and draws only the dynamic artists on top. When the axes
limits change, the kept picture is out of date and it draws everything again.

What is left per frame is mostly text (titles, legends, numbers that change with
a slider): matplotlib lays out every string and rasterises every glyph again on
each draw. :class:`GlyphCache` keeps both, keyed by everything that decides their
pixels, so a frame pastes the same glyph bitmaps through the same Agg call and
the picture is identical to the byte.
"""

from __future__ import annotations

import functools
import math
import struct
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib import ft2font
from matplotlib.artist import Artist
from matplotlib.backends import backend_agg
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from PIL import Image

__all__ = ["BlitRenderer", "GlyphCache", "GlyphCachingCanvas", "canvas_png"]


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def canvas_png(canvas: FigureCanvasAgg, compress_level: int = 1) -> bytes:
    """The pixels already drawn on an Agg canvas, as PNG bytes (nothing is drawn again).

    The one PNG encoder of the widgets; a low ``compress_level`` keeps a slider
    step fast at the price of a slightly larger image. An opaque picture (the
    usual case) is written without its alpha channel. The rows are stored
    unfiltered and deflated with :mod:`zlib`: Pillow's encoder tries every PNG
    filter on every row first, which on a widget's flat line art cost more than
    the compression (frames 35-45 % faster to encode, about as small).
    Introduced in chapter 2, Neural networks.
    """
    pixels = np.asarray(canvas.buffer_rgba())
    colour_type = 6                                         # RGBA
    if pixels[..., 3].min() == 255:                         # RGB: Pillow drops the alpha bytes 3x faster than numpy
        height, width = pixels.shape[:2]
        rgb = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1).convert("RGB")
        pixels, colour_type = np.asarray(rgb), 2
    height, width, channels = pixels.shape
    rows = np.zeros((height, width * channels + 1), dtype=np.uint8)   # each row starts with filter 0: none
    rows[:, 1:] = pixels.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"".join([_PNG_SIGNATURE, _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows, compress_level)), _png_chunk(b"IEND", b"")])


class GlyphCache:
    """Layouts of strings and bitmaps of glyphs, kept across frames of one widget's canvas.

    Introduced in chapter 2, Neural networks, for the widgets' text. Matplotlib's Agg
    renderer (3.11 and later) lays out a string, then for each glyph places the font at the
    glyph's position in 1/64 pixel, rasterises it and blends the bitmap into the picture. A
    glyph's bitmap depends on its font, size, resolution, angle and the position's fraction
    of a pixel only; the whole pixels just move it. This cache renders each such glyph once
    and afterwards blends the kept bitmap with the same call at the same place, so a cached
    frame is identical to an uncached one (a test compares them). With an older matplotlib,
    whose renderer works differently, :meth:`install` does nothing.
    """

    def __init__(self, layouts: int = 2000, glyphs: int = 20000) -> None:
        # bounds: a layout is ~100 bytes per character, a glyph bitmap a few hundred bytes
        self.limits = {"layouts": layouts, "glyphs": glyphs}
        self._layouts: OrderedDict[tuple, list] = OrderedDict()
        self._glyphs: OrderedDict[tuple, tuple] = OrderedDict()
        self.hits = self.misses = 0
        """Glyphs pasted from the cache and glyphs rasterised; tests read them."""

    @staticmethod
    def supported() -> bool:
        """Whether the cache is on: this matplotlib has the private calls it repeats (3.11 and
        later) and, checked once per process on a sample of text, a cached frame equals its own."""
        return _glyph_cache_matches_agg()

    def install(self, renderer: RendererAgg) -> None:
        """Make ``renderer`` draw plain text through this cache (math and TeX text pass through)."""
        if self.supported():
            self._install(renderer)

    def _install(self, renderer: RendererAgg) -> None:
        if getattr(renderer, "_glyph_cache", None) is self:
            return
        plain = renderer.draw_text

        def draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath:
                return plain(gc, x, y, s, prop, angle, ismath, mtext)
            self._draw(renderer, gc, x, y, self._layout(renderer, s, prop, mtext), angle)

        renderer.draw_text = draw_text
        renderer._glyph_cache = self

    def _keep(self, table: OrderedDict, key: tuple, value: object, limit: int) -> None:
        table[key] = value
        if len(table) > limit:
            table.popitem(last=False)

    def _layout(self, renderer: RendererAgg, s: str, prop, mtext) -> list:
        """The glyphs of ``s`` as (font, size, index, x, y) in pixels from the text's origin."""
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = backend_agg.get_hinting_flag()
        key = (s, mpl.rcParams["text.hinting_factor"], tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
               prop.get_stretch(), prop.get_size_in_points(), prop.get_file(), renderer.dpi, flags,
               None if features is None else tuple(features), language)
        glyphs = self._layouts.get(key)
        if glyphs is None:
            font = renderer._prepare_font(prop)
            size = prop.get_size_in_points()
            glyphs = [(item.ft_object, size, item.glyph_index, item.x, item.y)
                      for item in font._layout(s, flags=flags, features=features, language=language)]
            self._keep(self._layouts, key, glyphs, self.limits["layouts"])
        return glyphs

    def _draw(self, renderer: RendererAgg, gc, x: float, y: float, glyphs: list, angle: float) -> None:
        """What Agg's ``_draw_text_glyphs_and_boxes`` does for plain text, with kept bitmaps."""
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        flags = backend_agg.get_hinting_flag()
        antialiased = gc.get_antialiased()
        height = renderer.height
        for font, size, index, dx, dy in glyphs:  # dy is upwards
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (height - y + dx * sin + dy * cos))   # FreeType's y is upwards
            key = (font, size, renderer.dpi, index, angle, px & 63, py & 63, antialiased, flags)
            glyph = self._glyphs.get(key)
            if glyph is None:
                self.misses += 1
                font.set_size(size, renderer.dpi)
                matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
                font._set_transform(matrix, [px & 63, py & 63])
                bitmap = font._render_glyph(
                    index, flags, ft2font.RenderMode.NORMAL if antialiased else ft2font.RenderMode.MONO)
                buffer = np.array(bitmap.buffer, copy=True)
                if not antialiased:
                    buffer *= 0xff
                glyph = (buffer, bitmap.left, bitmap.top)
                self._keep(self._glyphs, key, glyph, self.limits["glyphs"])
            else:
                self.hits += 1
            buffer, left, top = glyph
            # draw_text_image's y is downwards and at the bitmap's bottom; whole pixels only move it
            renderer._renderer.draw_text_image(
                buffer, left + (px >> 6), int(height) - (top + (py >> 6)) + buffer.shape[0], 0, gc)


@functools.cache
def _glyph_cache_matches_agg() -> bool:
    """Draw a sample of text twice through a fresh :class:`GlyphCache` and once plainly.

    The cache repeats private matplotlib calls; should a release change them, this turns
    the cache off (a slower frame) instead of drawing different text or raising.
    """
    if not (hasattr(RendererAgg, "_draw_text_glyphs_and_boxes") and hasattr(backend_agg, "get_hinting_flag")):
        return False

    def sample(cache: GlyphCache | None) -> list[np.ndarray]:
        fig = Figure(figsize=(2.0, 1.0), dpi=72)
        fig.text(0.05, 0.6, "Ag η = 0.25, β₂", fontsize=11, alpha=0.8)
        fig.text(0.4, 0.1, "Wy 7", fontsize=13, rotation=30, weight="bold", color="tab:blue")
        canvas = FigureCanvasAgg(fig)
        if cache is not None:
            cache._install(canvas.get_renderer())
        frames = []
        for _ in range(2):  # the second frame pastes kept glyphs
            canvas.draw()
            frames.append(np.array(canvas.buffer_rgba()))
        return frames

    try:
        plain, cached = sample(None), sample(GlyphCache())
    except (AttributeError, TypeError, ValueError, RuntimeError):
        return False
    return all(np.array_equal(plain[0], frame) for frame in cached)


class GlyphCachingCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer draws text through a :class:`GlyphCache` (a new one unless given).

    For widgets that draw their frames themselves; chapter 2 introduces it with :class:`BlitRenderer`.
    """

    def __init__(self, figure: Figure, glyphs: GlyphCache | None = None) -> None:
        super().__init__(figure)
        self.glyphs = GlyphCache() if glyphs is None else glyphs

    def get_renderer(self):
        renderer = super().get_renderer()
        self.glyphs.install(renderer)
        return renderer


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
        self.glyphs = GlyphCache()
        self.canvas = GlyphCachingCanvas(fig, self.glyphs)
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
