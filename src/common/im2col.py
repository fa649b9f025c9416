"""im2col / col2im: turn a convolution into one matrix product.

``im2col`` copies every receptive field (the patch a filter sees at one output
position) into one row of a matrix; the convolution is then a single GEMM with
the filters laid out as columns. ``col2im`` is its adjoint: it sends each row
back to where the patch came from, adding where patches overlap, which is what
the backward pass needs. Introduced in chapter 6, Convolutional neural networks.

The textbook version the CNN chapter shows, a loop over the ``filter_h *
filter_w`` filter offsets, is :func:`common.reference.im2col`. :func:`im2col`
here gives the same matrix without a Python loop: NumPy's
``sliding_window_view`` *views* every patch without copying (it only changes
strides), and one ``reshape`` makes the copy. :func:`col2im` is already the
loop over filter offsets, so the reference uses it as it is.

:func:`im2col_t` builds the transpose of the same matrix directly,
``(C*filter_h*filter_w, N*out_h*out_w)``: one column per output position. That
is what :class:`~common.layers.Convolution` uses, because the convolution of the
whole batch is then ``W.reshape(FN, -1) @ im2col_t(x)``, a single matrix
product, and BLAS can spread one large product over every CPU core (a product
per image, or per row of the classic layout, is too small to share).
:func:`col2im_t` is its adjoint, as ``col2im`` is ``im2col``'s.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

__all__ = [
    "conv_output_size",
    "filter_offsets",
    "im2col",
    "col2im",
    "im2col_t",
    "col2im_t",
]


def conv_output_size(
    input_size: int, filter_size: int, stride: int = 1, pad: int = 0, *,
    ceil_mode: bool = False, where: str = "",
) -> int:
    """Output length ``floor((input_size + 2*pad - filter_size) / stride) + 1`` along one axis.

    The one output-size formula of the library: convolution, pooling, im2col,
    the networks and the lessons all call it. When ``stride`` does not divide
    ``input_size + 2*pad - filter_size``, the last window would stick out of
    the padded input, so it is left out and the last few rows are never read:
    the result is rounded down, as in the classic book and in PyTorch (a 7x7
    input, filter 2, stride 2, pad 1 gives 4x4). ``ceil_mode=True`` rounds up
    instead, as Caffe's pooling did (GoogLeNet) and PyTorch's ``ceil_mode``
    does: the last window may overhang, but must start inside the input or
    its left padding. Raises ``ValueError`` when no window fits (output < 1)
    or a setting is not a whole number in range (stride >= 1, pad >= 0, sizes
    >= 1); ``where`` names the layer in that message. Introduced in chapter 6,
    Convolutional neural networks.
    """
    prefix = f"{where}: " if where else ""
    values = {"input_size": input_size, "filter_size": filter_size, "stride": stride, "pad": pad}
    for name, value in values.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{prefix}{name} must be a whole number, got {value!r}")
    if stride < 1 or pad < 0 or filter_size < 1 or input_size < 1:
        raise ValueError(
            f"{prefix}need input_size >= 1, filter_size >= 1, stride >= 1 and pad >= 0, got "
            f"input_size={input_size}, filter_size={filter_size}, stride={stride}, pad={pad}"
        )
    span = input_size + 2 * pad - filter_size
    if span < 0:
        raise ValueError(
            f"{prefix}a filter of size {filter_size} does not fit in an input of size {input_size} "
            f"padded by {pad} (padded size {input_size + 2 * pad}), so there would be no output; "
            "use a smaller filter or more padding"
        )
    if not ceil_mode:
        return int(span // stride + 1)
    out = -(-span // stride) + 1
    if (out - 1) * stride >= input_size + pad:  # the last window would start in the right padding
        out -= 1
    return int(out)


def filter_offsets(
    filter_h: int, filter_w: int, stride: int, out_h: int, out_w: int
) -> Iterator[tuple[int, int, slice, slice]]:
    """For each offset ``(dy, dx)`` inside the filter, the slices that pick it from every window.

    ``img[:, :, rows, cols]`` with ``rows = slice(dy, dy + stride*out_h, stride)``
    (and ``cols`` alike) holds the pixel at offset (dy, dx) of all ``out_h x
    out_w`` windows at once, so a loop over the ``filter_h * filter_w`` offsets
    visits every window: the loop of the textbook im2col, of :func:`col2im` and
    of :class:`~common.layers.Pooling`. Introduced in chapter 6, Convolutional
    neural networks.
    """
    for dy in range(filter_h):
        rows = slice(dy, dy + stride * out_h, stride)
        for dx in range(filter_w):
            yield dy, dx, rows, slice(dx, dx + stride * out_w, stride)


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


def _pad(x: NDArray, pad: int) -> NDArray:
    return np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)]) if pad else x


def _windows(
    input_data: NDArray, filter_h: int, filter_w: int, stride: int, pad: int
) -> NDArray:
    """A view ``win[n, c, i, j, dy, dx] = padded[n, c, stride*i + dy, stride*j + dx]`` (no copy)."""
    _output_hw(input_data.shape, filter_h, filter_w, stride, pad)  # validates the shapes
    win = sliding_window_view(_pad(input_data, pad), (filter_h, filter_w), axis=(2, 3))
    return win[:, :, ::stride, ::stride]


def im2col(
    input_data: NDArray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0
) -> NDArray:
    """Unfold a batch of images (N, C, H, W) into a matrix of patches, without a Python loop.

    Returns exactly what the textbook loop :func:`common.reference.im2col`
    returns: shape ``(N * out_h * out_w, C * filter_h * filter_w)``, one row per
    output position (ordered n, then y, then x), one column per filter weight
    (ordered c, then dy, then dx, which is ``W.reshape(FN, -1)``'s order), the
    classic book's layout. It builds it from ``sliding_window_view``, a strided
    view of every patch, copied once by the final ``reshape``. Zero padding is
    applied first; output sizes round down (:func:`conv_output_size`). Keeps
    the input dtype. Introduced in chapter 6, Convolutional neural networks.
    """
    n, c = input_data.shape[:2] if input_data.ndim == 4 else (0, 0)
    win = _windows(input_data, filter_h, filter_w, stride, pad)  # (N, C, OH, OW, FH, FW)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, c * filter_h * filter_w)


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
    convolution's backward pass needs. It loops over the filter offsets, as
    the chapter does, one strided slice per offset (:func:`filter_offsets`).
    Introduced in chapter 6, Convolutional neural networks.
    """
    n, c, out_h, out_w = _patch_grid(input_shape, filter_h, filter_w, stride, pad)
    expected = (n * out_h * out_w, c * filter_h * filter_w)
    _check_patches("col2im", "a matrix", col, expected, input_shape, filter_h, filter_w, stride, pad)
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    return _add_patches(col, input_shape, stride, pad)


def _patch_grid(
    input_shape: tuple[int, ...], filter_h: int, filter_w: int, stride: int, pad: int
) -> tuple[int, int, int, int]:
    """``(N, C, out_h, out_w)`` for images of ``input_shape`` (validated)."""
    out_h, out_w = _output_hw(tuple(input_shape), filter_h, filter_w, stride, pad)
    return input_shape[0], input_shape[1], out_h, out_w


def _check_patches(
    name: str, what: str, patches: NDArray, expected: tuple[int, int], input_shape: tuple[int, ...],
    filter_h: int, filter_w: int, stride: int, pad: int,
) -> None:
    if patches.shape != expected:
        raise ValueError(
            f"{name} expected {what} of shape {expected} for input {tuple(input_shape)}, "
            f"filter {filter_h}x{filter_w}, stride {stride}, pad {pad}; got {patches.shape}"
        )


def _add_patches(col: NDArray, input_shape: tuple[int, ...], stride: int, pad: int) -> NDArray:
    """Sum ``col[n, c, dy, dx, i, j]`` into ``img[n, c, dy + stride*i, dx + stride*j]``, unpadded."""
    n, c, h, w = input_shape
    _, _, filter_h, filter_w, out_h, out_w = col.shape
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    for dy, dx, rows, cols in filter_offsets(filter_h, filter_w, stride, out_h, out_w):
        img[:, :, rows, cols] += col[:, :, dy, dx]
    return img[:, :, pad:pad + h, pad:pad + w]


def im2col_t(input_data: NDArray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0,
             out: NDArray | None = None) -> NDArray:
    """``im2col(x).T`` built directly: shape ``(C*filter_h*filter_w, N*out_h*out_w)``.

    Column ``n*out_h*out_w + i*out_w + j`` is the patch at output position
    (i, j) of image n, ordered (c, dy, dx) from top to bottom, so
    ``W.reshape(FN, -1) @ im2col_t(x)`` convolves the whole batch in one
    matrix product, giving (FN, N*out_h*out_w). ``out``, a C-contiguous array
    of that shape (the first rows of a bigger one, say), receives the result
    instead of a new array. Used by :class:`~common.layers.Convolution`.
    Introduced in chapter 6, Convolutional neural networks.
    """
    n, c = input_data.shape[:2] if input_data.ndim == 4 else (0, 0)
    win = _windows(input_data, filter_h, filter_w, stride, pad)  # (N, C, OH, OW, FH, FW)
    out_h, out_w = win.shape[2:4]
    shape = (c * filter_h * filter_w, n * out_h * out_w)
    if out is None:
        out = np.empty(shape, dtype=input_data.dtype)
    elif out.shape != shape or not out.flags.c_contiguous:
        raise ValueError(
            f"im2col_t needs out to be a C-contiguous array of shape {shape}, "
            f"got shape {out.shape}{'' if out.flags.c_contiguous else ', not contiguous'}"
        )
    # out[(c, dy, dx), (n, i, j)] = win[n, c, i, j, dy, dx]: one copy through a transposed view
    out.reshape(c, filter_h, filter_w, n, out_h, out_w)[...] = win.transpose(1, 4, 5, 0, 2, 3)
    return out


def col2im_t(cols: NDArray, input_shape: tuple[int, int, int, int], filter_h: int, filter_w: int,
             stride: int = 1, pad: int = 0) -> NDArray:
    """The adjoint of :func:`im2col_t`: add every column back to the pixels its patch came from.

    ``cols`` has shape ``(C*filter_h*filter_w, N*out_h*out_w)``; returns images
    of ``input_shape``. Equal to ``col2im(cols.T, ...)``; a convolution's ``dx``
    is ``col2im_t(W.reshape(FN, -1).T @ dout)``. Introduced in chapter 6,
    Convolutional neural networks.
    """
    n, c, out_h, out_w = _patch_grid(input_shape, filter_h, filter_w, stride, pad)
    expected = (c * filter_h * filter_w, n * out_h * out_w)
    _check_patches("col2im_t", "columns", cols, expected, input_shape, filter_h, filter_w, stride, pad)
    cols = cols.reshape(c, filter_h, filter_w, n, out_h, out_w).transpose(3, 0, 1, 2, 4, 5)
    return _add_patches(cols, input_shape, stride, pad)
