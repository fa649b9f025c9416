"""From classifying one digit to reading a row of them: a classifier slid along a strip.

Introduced in chapter 7, Deep learning, as the one application the chapter
can compute on MNIST. :func:`digit_strip` pastes test digits side by side
into one wide image; :func:`slide_classifier` runs a trained 28 × 28
classifier on every 28-pixel-wide window of it and returns the class
probabilities at each position. Where a window is centred on a digit the
right class wins; in between, the classifier, which never saw a "no digit"
image, still answers, often confidently. Detectors and segmentation networks
are trained with boxes or per-pixel labels for exactly that reason, and
compute all windows at once by convolution instead of one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.functions import softmax

__all__ = ["digit_strip", "slide_classifier", "strip_digits"]


def digit_strip(images: ArrayLike, gap: int = 6) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Paste 28 × 28 ``images`` left to right with ``gap`` blank columns between and around them.

    Returns the (28, W) strip and the column where each digit's centre lies.
    Introduced in chapter 7, Deep learning.
    """
    imgs = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28)
    if len(imgs) == 0:
        raise ValueError("need at least one image for a strip")
    if not isinstance(gap, (int, np.integer)) or gap < 0:
        raise ValueError(f"gap must be a non-negative integer, got {gap!r}")
    width = len(imgs) * (28 + gap) + gap
    strip = np.zeros((28, width), dtype=np.float32)
    centres = []
    for i, img in enumerate(imgs):
        left = gap + i * (28 + gap)
        strip[:, left:left + 28] = img
        centres.append(left + 14)
    return strip, np.array(centres)


def slide_classifier(net: Any, strip: ArrayLike, stride: int = 1,
                     batch_size: int = 256) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Class probabilities of every 28-pixel window of a (28, W) ``strip``, ``stride`` pixels apart.

    Returns the centre column of each window and the (windows, classes)
    softmax outputs of ``net`` (inference mode). Introduced in chapter 7.
    """
    s = np.asarray(strip)
    if s.ndim != 2 or s.shape[0] != 28 or s.shape[1] < 28:
        raise ValueError(f"strip must be 28 pixels high and at least 28 wide, got shape {s.shape}")
    if not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    lefts = np.arange(0, s.shape[1] - 28 + 1, stride)
    windows = np.lib.stride_tricks.sliding_window_view(s, 28, axis=1)[:, lefts]  # (28, n, 28)
    batch = np.ascontiguousarray(windows.transpose(1, 0, 2))[:, np.newaxis]  # (n, 1, 28, 28)
    scores = np.concatenate([net.predict(batch[i:i + batch_size]) for i in range(0, len(batch), batch_size)])
    return lefts + 14, softmax(scores.astype(np.float64))


def strip_digits(x: ArrayLike, t: ArrayLike, digits: Sequence[int]) -> NDArray:
    """The first image of each class in ``digits`` (in that order) from images ``x`` with labels ``t``.

    Introduced in chapter 7, Deep learning.
    """
    t = np.asarray(t)
    picked = []
    for d in digits:
        where = np.flatnonzero(t == d)
        if len(where) == 0:
            raise ValueError(f"no image of class {d} among the {len(t)} labels")
        picked.append(np.asarray(x)[where[0]])
    return np.stack(picked)
