"""im2col / col2im: turn a convolution into one matrix product.

``im2col`` copies every receptive field (the patch a filter sees at one output
position) into one row of a matrix; the convolution is then a single GEMM with
the filters laid out as columns. ``col2im`` is its adjoint: it sends each row
back to where the patch came from, adding where patches overlap, which is what
the backward pass needs. Introduced in chapter 6, Convolutional neural networks.

The loops below run over filter offsets (at most ``filter_h * filter_w``
iterations); every pixel of every image is handled by one vectorised slice.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["conv_output_size", "im2col", "col2im"]


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """Output length ``(input_size + 2*pad - filter_size) / stride + 1`` along one axis.

    Raises ``ValueError`` when the filter does not fit or the stride does not
    divide evenly, instead of silently dropping the last rows as floor division
    would. Introduced in chapter 6, Convolutional neural networks.
    """
    if stride < 1 or pad < 0 or filter_size < 1:
        raise ValueError(
            f"need stride >= 1, pad >= 0 and filter_size >= 1, got stride={stride}, "
            f"pad={pad}, filter_size={filter_size}"
        )
    span = input_size + 2 * pad - filter_size
    if span < 0:
        raise ValueError(
            f"a filter of size {filter_size} does not fit in an input of size {input_size} "
            f"padded by {pad} (padded size {input_size + 2 * pad}); use a smaller filter or more padding"
        )
    if span % stride:
        raise ValueError(
            f"(input {input_size} + 2*pad {pad} - filter {filter_size}) = {span} is not divisible "
            f"by stride {stride}, so the filter would not cover the input evenly; "
            "change the padding or the stride"
        )
    return span // stride + 1


def _output_hw(
    shape: tuple[int, ...], filter_h: int, filter_w: int, stride: int, pad: int
) -> tuple[int, int]:
    """(out_h, out_w) for a batch of images of ``shape``, checking that it is (N, C, H, W)."""
    if len(shape) != 4:
        raise ValueError(
            f"expected a batch of images of shape (N, C, H, W), got shape {shape}; "
            "add the missing axes, e.g. x.reshape(1, 1, H, W) for one grey image"
        )
    _, _, h, w = shape
    return conv_output_size(h, filter_h, stride, pad), conv_output_size(w, filter_w, stride, pad)


def im2col(
    input_data: NDArray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0
) -> NDArray:
    """Unfold a batch of images (N, C, H, W) into a matrix of patches.

    Returns shape ``(N * out_h * out_w, C * filter_h * filter_w)``: one row per
    output position (ordered n, then y, then x), one column per filter weight
    (ordered c, then dy, then dx, which is ``W.reshape(FN, -1)``'s order). Zero
    padding is applied first. The layout is the classic book's, so its pictures
    still apply. Keeps the input dtype. Introduced in chapter 6, Convolutional
    neural networks.
    """
    out_h, out_w = _output_hw(input_data.shape, filter_h, filter_w, stride, pad)
    n, c = input_data.shape[:2]
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)]) if pad else input_data

    # col[n, c, dy, dx, i, j] = img[n, c, dy + stride*i, dx + stride*j]
    col = np.empty((n, c, filter_h, filter_w, out_h, out_w), dtype=input_data.dtype)
    for dy in range(filter_h):
        y_end = dy + stride * out_h
        for dx in range(filter_w):
            x_end = dx + stride * out_w
            col[:, :, dy, dx] = img[:, :, dy:y_end:stride, dx:x_end:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def col2im(
    col: NDArray,
    input_shape: tuple[int, int, int, int],
    filter_h: int,
    filter_w: int,
    stride: int = 1,
    pad: int = 0,
) -> NDArray:
    """Fold a patch matrix back into images of ``input_shape``, adding overlaps.

    The adjoint (transpose) of :func:`im2col`: ``<im2col(x), y> == <x, col2im(y)>``
    for any ``x`` and ``y``. Not its inverse: a pixel that appears in k patches
    receives the sum of k values. That sum is exactly the gradient a
    convolution's backward pass needs. Introduced in chapter 6, Convolutional
    neural networks.
    """
    out_h, out_w = _output_hw(tuple(input_shape), filter_h, filter_w, stride, pad)
    n, c, h, w = input_shape
    expected = (n * out_h * out_w, c * filter_h * filter_w)
    if col.shape != expected:
        raise ValueError(
            f"col2im expected a matrix of shape {expected} for input {tuple(input_shape)}, "
            f"filter {filter_h}x{filter_w}, stride {stride}, pad {pad}; got {col.shape}"
        )
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    for dy in range(filter_h):
        y_end = dy + stride * out_h
        for dx in range(filter_w):
            x_end = dx + stride * out_w
            img[:, :, dy:y_end:stride, dx:x_end:stride] += col[:, :, dy, dx]
    return img[:, :, pad:pad + h, pad:pad + w]
