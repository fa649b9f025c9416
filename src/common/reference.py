"""The textbook layers, written as the chapters show them: the versions to read.

Chapter 6 builds convolution and pooling on im2col, and chapter 5 follows batch
normalisation's backward pass along its three paths (directly, through the
mean, through the variance). This module keeps those versions, short and
plain, to be read beside the chapters: im2col as its loop, the layers as the
book writes them, and batch norm as its computational graph walked node by node. The networks use the fast layers of :mod:`common.layers`; each fast
layer's docstring names its reference here and says what it changes and why,
and ``tests/test_fast_paths.py`` checks that both give the same outputs and
gradients (strides, padding, sizes that do not divide, ties, float32).

Same interface as the fast layers (``forward``/``backward``, gradients in
``dW``/``db`` or ``dgamma``/``dbeta``) and the same fixes of the classic
book's traps (``dout`` is never modified, max pooling pads with -inf, batch
norm uses eps = 1e-7), but none of the speed-ups: no scratch buffers, no
transposed layout, no strided views.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from common.im2col import col2im, conv_output_size, filter_offsets
from common.layers import BN_EPS

__all__ = ["im2col", "col2im", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout",
           "Convolution", "Pooling", "BatchNormalization"]


def im2col(
    input_data: NDArray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0
) -> NDArray:
    """Copy every patch a filter sees into one row of a matrix: a loop over the filter offsets.

    Returns shape ``(N*out_h*out_w, C*filter_h*filter_w)``: one row per output
    position (ordered n, then y, then x), one column per filter weight (ordered
    c, then dy, then dx, which is ``W.reshape(FN, -1)``'s order). Zero padding
    comes first. The loop runs over the ``filter_h * filter_w`` offsets, each
    copying one strided slice of every image at once. (:func:`col2im`, its
    adjoint, is the loop of :mod:`common.im2col`.) Introduced in chapter 6,
    Convolutional neural networks.
    """
    if input_data.ndim != 4:
        raise ValueError(f"im2col expects images of shape (N, C, H, W), got {input_data.shape}")
    n, c, h, w = input_data.shape
    out_h = conv_output_size(h, filter_h, stride, pad)
    out_w = conv_output_size(w, filter_w, stride, pad)
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)])

    # col[n, c, dy, dx, i, j] = img[n, c, dy + stride*i, dx + stride*j]
    col = np.empty((n, c, filter_h, filter_w, out_h, out_w), dtype=input_data.dtype)
    for dy, dx, rows, cols in filter_offsets(filter_h, filter_w, stride, out_h, out_w):
        col[:, :, dy, dx] = img[:, :, rows, cols]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


class Relu:
    """ReLU from its formulas (chapter 5): zero where x ≤ 0, and the same mask routes dout back.

    The plain version ``make bench`` times against :class:`common.layers.Relu`.
    """

    def forward(self, x: NDArray) -> NDArray:
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout: NDArray) -> NDArray:
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    """Sigmoid from its formulas (chapter 5): y = 1 / (1 + exp(-x)), dx = dout · y · (1 - y).

    The plain version ``make bench`` times against :class:`common.layers.Sigmoid`.
    """

    def forward(self, x: NDArray) -> NDArray:
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout: NDArray) -> NDArray:
        return dout * (1.0 - self.out) * self.out


class Affine:
    """Affine from its formulas (chapter 5): y = x·W + b; dx = dout·Wᵀ, dW = xᵀ·dout, db = Σ dout.

    The plain version ``make bench`` times against :class:`common.layers.Affine`.
    """

    def __init__(self, W: NDArray, b: NDArray) -> None:
        self.W, self.b = W, b

    def forward(self, x: NDArray) -> NDArray:
        self.shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout: NDArray) -> NDArray:
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(self.shape)


class SoftmaxWithLoss:
    """Softmax and cross-entropy from their formulas (chapter 5); backward (y - t) / N.

    Labels are class indices. The plain version ``make bench`` times against
    :class:`common.layers.SoftmaxWithLoss`.
    """

    def forward(self, x: NDArray, t: NDArray) -> float:
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        self.y = e / e.sum(axis=1, keepdims=True)
        self.t = t
        n = x.shape[0]
        return float(-np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n)

    def backward(self, dout: float = 1) -> NDArray:
        n = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx * (dout / n)


class Dropout:
    """Inverted dropout from its formulas (chapter 5): keep with probability 1 - p, scale by 1 / (1 - p).

    The plain version ``make bench`` times against :class:`common.layers.Dropout`.
    """

    def __init__(self, dropout_ratio: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        self.p, self.rng = dropout_ratio, np.random.default_rng(rng)

    def forward(self, x: NDArray) -> NDArray:
        self.mask = self.rng.random(x.shape) > self.p
        return x * self.mask / (1 - self.p)

    def backward(self, dout: NDArray) -> NDArray:
        return dout * self.mask / (1 - self.p)


class Convolution:
    """Convolution as the chapter computes it: im2col rows, one matrix product, col2im backward.

    ``W`` is (FN, C, FH, FW), ``b`` is (FN,). Forward: ``out = im2col(x) @
    W.reshape(FN, -1).T + b``, one row per output position, then reshaped to
    (N, FN, OH, OW). Backward, with the upstream gradient as rows like those of
    ``im2col(x)``: ``dW = col.T @ dout``, ``db = dout.sum(0)``, ``dx =
    col2im(dout @ W_col.T)``. Introduced in chapter 6, Convolutional neural networks.
    """

    def __init__(self, W: NDArray, b: NDArray, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.x_shape: tuple[int, ...] | None = None
        self.col: NDArray | None = None  # im2col(x): (N*OH*OW, C*FH*FW)
        self.col_W: NDArray | None = None  # the filters as columns: (C*FH*FW, FN)
        self.dW: NDArray | None = None
        self.db: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        out_h = conv_output_size(h, fh, self.stride, self.pad)
        out_w = conv_output_size(w, fw, self.stride, self.pad)

        self.x_shape = x.shape
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = self.col @ self.col_W + self.b  # (N*OH*OW, FN): one row per output position
        return out.reshape(n, out_h, out_w, fn).transpose(0, 3, 1, 2)

    def backward(self, dout: NDArray) -> NDArray:
        fn, c, fh, fw = self.W.shape
        rows = dout.transpose(0, 2, 3, 1).reshape(-1, fn)  # the layout of forward's product
        self.db = rows.sum(axis=0)
        self.dW = (self.col.T @ rows).T.reshape(fn, c, fh, fw)
        dcol = rows @ self.col_W.T
        return col2im(dcol, self.x_shape, fh, fw, self.stride, self.pad)


class Pooling:
    """Pooling as the chapter computes it: im2col, one window per row, max (with argmax) or mean.

    Max pooling pads with -inf, so padding never wins, and records per window
    which position won (``arg_max``, the first one if tied); backward puts each
    gradient there and folds the rows back with col2im. Average pooling pads
    with zeros that count in the mean (PyTorch's default) and spreads the
    gradient evenly. Introduced in chapter 6, Convolutional neural networks.
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0,
                 mode: Literal["max", "avg"] = "max") -> None:
        self.pool_h, self.pool_w, self.stride, self.pad, self.mode = pool_h, pool_w, stride, pad, mode
        self.x_shape: tuple[int, ...] | None = None
        self.arg_max: NDArray | None = None  # per window, the position of its maximum

    def forward(self, x: NDArray) -> NDArray:
        n, c, h, w = x.shape
        p = self.pad
        out_h = conv_output_size(h, self.pool_h, self.stride, p)
        out_w = conv_output_size(w, self.pool_w, self.stride, p)

        fill = -np.inf if self.mode == "max" else 0
        xp = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)], constant_values=fill)
        col = im2col(xp, self.pool_h, self.pool_w, self.stride)
        col = col.reshape(-1, self.pool_h * self.pool_w)  # one row per window, ordered (n, y, x, c)
        if self.mode == "max":
            self.arg_max = np.argmax(col, axis=1)
            out = col[np.arange(len(col)), self.arg_max]
        else:
            out = col.mean(axis=1)
        self.x_shape = x.shape
        return out.reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout: NDArray) -> NDArray:
        n, c, h, w = self.x_shape
        p, size = self.pad, self.pool_h * self.pool_w
        per_window = dout.transpose(0, 2, 3, 1).ravel()  # in the order of forward's rows
        if self.mode == "max":
            dcol = np.zeros((per_window.size, size), dtype=dout.dtype)
            dcol[np.arange(per_window.size), self.arg_max] = per_window
        else:
            dcol = np.repeat(per_window[:, np.newaxis] / size, size, axis=1)
        padded_shape = (n, c, h + 2 * p, w + 2 * p)
        dxp = col2im(dcol.reshape(-1, c * size), padded_shape, self.pool_h, self.pool_w, self.stride)
        return dxp[:, :, p:p + h, p:p + w]


class BatchNormalization:
    """Batch normalisation as its computational graph, one node at a time, forward and back.

    Forward: ``mu = mean(x)``, ``xc = x - mu``, ``var = mean(xc**2)``, ``std =
    sqrt(var + eps)``, ``xn = xc / std``, ``out = gamma * xn + beta``, with the
    statistics over the batch (training) or the running averages (test).
    Backward walks the same nodes in reverse (``dxn``, ``dxc``, ``dstd``,
    ``dvar``, ``dmu``): the three paths of chapter 5's chain rule, directly,
    through the variance and through the mean. 4-D input (N, C, H, W) is normalised per channel: every
    pixel of every image is one sample of its channel. Running statistics start
    at mean 0 and variance 1 unless given. Introduced in chapter 5, Training techniques.
    """

    def __init__(self, gamma: NDArray, beta: NDArray, momentum: float = 0.9,
                 running_mean: NDArray | None = None, running_var: NDArray | None = None) -> None:
        self.gamma, self.beta, self.momentum = gamma, beta, momentum
        self.running_mean, self.running_var = running_mean, running_var
        self.input_shape: tuple[int, ...] | None = None
        self.train_flg, self.batch_size = True, 0
        self.xc = self.std = self.xn = None  # the graph's nodes that backward needs
        self.dgamma = self.dbeta = None

    @staticmethod
    def _rows(a: NDArray) -> NDArray:
        """(N, D) as it is; (N, C, H, W) as (N*H*W, C), one row per pixel."""
        return a.transpose(0, 2, 3, 1).reshape(-1, a.shape[1]) if a.ndim == 4 else a

    def _back_to_input_shape(self, rows: NDArray) -> NDArray:
        if len(self.input_shape) == 2:
            return rows
        n, c, h, w = self.input_shape
        return rows.reshape(n, h, w, c).transpose(0, 3, 1, 2)

    def forward(self, x: NDArray, train_flg: bool = True) -> NDArray:
        self.input_shape, self.train_flg = x.shape, train_flg
        x = self._rows(x)
        d = x.shape[1]
        if self.running_mean is None:
            self.running_mean = np.zeros(d, dtype=x.dtype)
        if self.running_var is None:
            self.running_var = np.ones(d, dtype=x.dtype)

        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc**2, axis=0)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            xc = x - self.running_mean
            var = self.running_var
        std = np.sqrt(var + BN_EPS)
        xn = xc / std
        self.batch_size, self.xc, self.std, self.xn = x.shape[0], xc, std, xn
        return self._back_to_input_shape(self.gamma * xn + self.beta)

    def backward(self, dout: NDArray) -> NDArray:
        dout = self._rows(dout)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        if not self.train_flg:  # the running statistics are constants
            return self._back_to_input_shape(dxc)
        dstd = -np.sum(dxn * self.xc / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc = dxc + (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size
        return self._back_to_input_shape(dx)
