"""Data augmentation: new training images from old ones, a different variant every time.

Introduced in chapter 6, Convolutional neural networks. A digit moved by a
pixel is still the same digit, so shifting each training image by a random
amount each time it is used gives the network "new" images every epoch and
makes memorising the training set harder. An augmentation is any function
``augment(x_batch, rng) -> x_batch`` of the same shape;
:class:`~common.trainer.Trainer` applies it to every training mini-batch and
never to the images it evaluates on (``augment=random_shift``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

__all__ = ["random_shift"]


def random_shift(x: NDArray, rng: np.random.Generator, *, max_shift: int = 1) -> NDArray:
    """Shift each image of a batch by up to ``max_shift`` pixels each way, filling with 0.

    ``x`` is a batch of images ``(N, C, H, W)``, or of flattened square
    grey images ``(N, H·W)`` such as MNIST's ``(N, 784)``; the result has the
    same shape and dtype. Each image gets its own shift, drawn from ``rng``.
    ``functools.partial(random_shift, max_shift=2)`` shifts by up to 2 pixels.
    Introduced in chapter 6, Convolutional neural networks.
    """
    if isinstance(max_shift, bool) or not isinstance(max_shift, (int, np.integer)) or max_shift < 0:
        raise ValueError(f"max_shift must be an integer >= 0, got {max_shift!r}")
    if x.ndim == 2:
        side = math.isqrt(x.shape[1])
        if side * side != x.shape[1]:
            raise ValueError(f"random_shift expects images (N, C, H, W) or flattened square images "
                             f"(N, H*W), got {x.shape}: reshape to (N, C, H, W) first")
        return random_shift(x.reshape(-1, 1, side, side), rng, max_shift=max_shift).reshape(x.shape)
    if x.ndim != 4:
        raise ValueError(f"random_shift expects images of shape (N, C, H, W), got {x.shape}")
    if max_shift == 0:
        return x
    n, _, h, w = x.shape
    m = int(max_shift)
    padded = np.pad(x, [(0, 0), (0, 0), (m, m), (m, m)])
    # every (h, w) crop of the padded images, as a view; pick one crop per image
    crops = sliding_window_view(padded, (h, w), axis=(2, 3))  # (N, C, 2m+1, 2m+1, H, W)
    dy, dx = rng.integers(0, 2 * m + 1, size=(2, n))
    return crops[np.arange(n), :, dy, dx]
