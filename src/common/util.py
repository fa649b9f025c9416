"""Small helpers under the classic book's module name ``common.util``.

:func:`smooth_curve` (loss curves) and :func:`shuffle_dataset` live here, where
the book keeps them. ``im2col``, ``col2im`` and ``conv_output_size`` are the
functions of :mod:`common.im2col` under the same names and argument order as
the book's (aliases, not copies), so ``from common.util import im2col`` works
in its scripts; ``conv_output_size`` returns a whole number, rounded down.
Introduced in chapter 5, Training techniques (smoothing, shuffling) and
chapter 6, Convolutional neural networks (im2col).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.im2col import col2im, conv_output_size, im2col

__all__ = ["smooth_curve", "shuffle_dataset", "im2col", "col2im", "conv_output_size"]


def smooth_curve(values: ArrayLike, window: int = 20) -> NDArray[np.float64]:
    """Moving average over the last ``window`` values, with the same length as the input.

    For drawing a noisy mini-batch loss curve against the same x values. The
    first points average over what exists so far, so the curve starts at the
    first loss instead of ``window`` iterations late. A NaN or infinite value
    (a diverged run's missing tail) stays NaN and is left out of its
    neighbours' averages. (The classic book smooths with a centred Kaiser
    window of 11 instead; the purpose is the same.) Introduced in chapter 5,
    Training techniques.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"smooth_curve expects a 1-D sequence of values, got shape {v.shape}")
    window = max(1, int(window))
    if v.size == 0 or window == 1:
        return v.copy()
    csum = np.cumsum(np.where(np.isfinite(v), v, 0.0))
    out = np.empty_like(v)
    head = min(window, v.size)
    out[:head] = csum[:head] / np.arange(1, head + 1)
    if v.size > window:
        out[window:] = (csum[window:] - csum[:-window]) / window
    out[~np.isfinite(v)] = np.nan
    return out


def shuffle_dataset(
    x: ArrayLike, t: ArrayLike, rng: np.random.Generator | int | None = None
) -> tuple[NDArray, NDArray]:
    """The samples of ``x`` and their labels ``t`` in one random order (the same for both).

    Works for any number of axes (flattened or (N, C, H, W) images). ``rng``
    is a ``numpy.random.Generator`` or a seed; without it the order differs
    from run to run, as in the classic book. Returns new arrays and leaves the
    inputs as they were. Introduced in chapter 5, Training techniques (to split
    off a validation set).
    """
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or len(x) != len(t):
        raise ValueError(
            f"shuffle_dataset needs as many labels as samples along axis 0, got x of shape "
            f"{x.shape} and t of shape {t.shape}"
        )
    order = np.random.default_rng(rng).permutation(len(x))
    return x[order], t[order]
