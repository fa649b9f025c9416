"""Compare widget frames by their pixels: PNG bytes change with matplotlib, Pillow and zlib versions."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def pixels(png: bytes | memoryview) -> np.ndarray:
    """The RGB pixels of a PNG, as integers 0-255."""
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB"), dtype=np.int16)


def assert_same_picture(a: bytes | memoryview, b: bytes | memoryview, context: object = "",
                        tolerance: int = 8, max_fraction: float = 1e-4) -> None:
    """Same size, and at most ``max_fraction`` of the pixels differ by more than ``tolerance`` (of 255).

    Loose enough for anti-aliasing that differs between versions, tight enough to see a stale
    patch: a wrong frame of the chapter 6 explorer differed in 0.4 % to 17 % of its pixels.
    """
    pa, pb = pixels(a), pixels(b)
    assert pa.shape == pb.shape, (context, pa.shape, pb.shape)
    off = float(np.mean(np.abs(pa - pb).max(axis=-1) > tolerance))
    assert off <= max_fraction, (context, f"{off:.3%} of the pixels differ")
