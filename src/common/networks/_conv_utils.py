"""Shape bookkeeping shared by the convolutional networks (chapter 6)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from common.networks.base import _positive_int


def check_input_dim(input_dim: Sequence[int]) -> tuple[int, int, int]:
    """Validate ``(C, H, W)`` and return it as a tuple of ints."""
    try:
        dims = tuple(input_dim)
    except TypeError:
        dims = ()
    if len(dims) != 3:
        raise ValueError(
            f"input_dim must be (channels, height, width), e.g. (1, 28, 28) for MNIST, got {input_dim!r}"
        )
    return tuple(_positive_int(d, "each entry of input_dim") for d in dims)  # type: ignore[return-value]


def image_hint(x: np.ndarray, input_shape: tuple[int, int, int]) -> str:
    """Tell a learner how to turn ``x`` into (N, C, H, W) images."""
    c, h, w = input_shape
    per_sample = c * h * w
    if x.shape == input_shape:
        return "that is one image without the batch axis: use x[np.newaxis] for a batch of 1"
    if x.ndim >= 1 and x.shape[0] > 0 and x.size == x.shape[0] * per_sample:
        return (
            f"the images are stored in another layout (e.g. flattened); reshape with "
            f"x.reshape(-1, {c}, {h}, {w})"
        )
    return (
        f"this network was built for {c}x{h}x{w} images; pass input_dim=(C, H, W) "
        "of your data when you build it"
    )
