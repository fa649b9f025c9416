"""Layers with ``forward`` and ``backward``: the building blocks of every network.

Each layer remembers what its forward pass needs for the backward pass.
``backward(dout)`` takes the gradient of the loss with respect to the layer's
output and returns the gradient with respect to its input; gradients of the
layer's own parameters are stored on the layer (``dW``, ``db``, ``dgamma``,
``dbeta``) for the optimiser to read.

The API is the one of the classic "Deep Learning from Scratch" book, so what a
reader knows carries over, minus its traps: ``backward`` never writes into
``dout``; dropout is inverted (scaled at training time); batch normalisation
uses eps = 1e-7 and starts its running variance at 1; pooling accounts for
padding. Layers keep the dtype of their input and parameters (float32 stays
float32).

Introduced in chapter 4 (Backpropagation): MulLayer, AddLayer, Relu, Sigmoid,
Tanh, Affine, SoftmaxWithLoss. Chapter 5 (Training techniques): Dropout,
BatchNormalization. Chapter 6 (CNNs): Convolution, Pooling.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.functions import _as_batch, log_softmax, sigmoid
from common.im2col import col2im, conv_output_size, im2col

__all__ = [
    "MulLayer",
    "AddLayer",
    "Relu",
    "Sigmoid",
    "Tanh",
    "Affine",
    "SoftmaxWithLoss",
    "Dropout",
    "BatchNormalization",
    "Convolution",
    "Pooling",
]

BN_EPS: float = 1e-7
"""Added to the variance in :class:`BatchNormalization` before the square root."""


# ------------------------------------------------------------ computational graph
class MulLayer:
    """Multiply node ``x * y``: backward swaps the inputs (d(xy)/dx = y).

    Used for the apple-shopping example. Introduced in chapter 4, Backpropagation.
    """

    def __init__(self) -> None:
        self.x: ArrayLike | None = None
        self.y: ArrayLike | None = None

    def forward(self, x: ArrayLike, y: ArrayLike) -> ArrayLike:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
        """Return ``(dx, dy) = (dout * y, dout * x)``."""
        return dout * self.y, dout * self.x


class AddLayer:
    """Add node ``x + y``: backward passes the gradient unchanged to both inputs.

    Introduced in chapter 4, Backpropagation.
    """

    def forward(self, x: ArrayLike, y: ArrayLike) -> ArrayLike:
        return x + y

    def backward(self, dout: ArrayLike) -> tuple[ArrayLike, ArrayLike]:
        """Return ``(dx, dy) = (dout, dout)`` as two separate copies."""
        return dout * 1, dout * 1


# -------------------------------------------------------------------- activations
class Relu:
    """ReLU layer: passes the gradient where the input was positive, blocks it elsewhere.

    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self) -> None:
        self.mask: NDArray[np.bool_] | None = None  # True where x <= 0

    def forward(self, x: NDArray) -> NDArray:
        self.mask = x <= 0
        return np.where(self.mask, 0, x)

    def backward(self, dout: NDArray) -> NDArray:
        return np.where(self.mask, 0, dout)


class Sigmoid:
    """Sigmoid layer; its backward reuses the output: ``dout * y * (1 - y)``.

    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self) -> None:
        self.out: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: NDArray) -> NDArray:
        return dout * (1 - self.out) * self.out


class Tanh:
    """Tanh layer; its backward reuses the output: ``dout * (1 - y**2)``.

    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self) -> None:
        self.out: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: NDArray) -> NDArray:
        return dout * (1 - self.out * self.out)


# ------------------------------------------------------------------------ affine
class Affine:
    """Fully-connected layer ``x @ W + b`` for a batch; ``W`` has shape (inputs, outputs).

    Input of any shape (N, ...) is flattened to (N, features), so images can be
    fed directly; ``backward`` returns ``dx`` in the original shape. Backward is
    ``dx = dout @ W.T``, ``dW = x.T @ dout``, ``db = dout.sum(0)``.
    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self, W: NDArray, b: NDArray) -> None:
        self.W = W
        self.b = b
        self.x: NDArray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self.dW: NDArray | None = None
        self.db: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        n_in = self.W.shape[0]
        features = int(np.prod(x.shape[1:])) if x.ndim >= 2 else None
        if features != n_in:
            if x.size == n_in:
                hint = "it looks like one sample without a batch axis: use x.reshape(1, -1)"
            elif x.ndim >= 2 and x.shape[0] == n_in:
                hint = "the batch must be axis 0: did you mean x.T?"
            else:
                hint = "check that this layer's input size matches the previous layer's output"
            raise ValueError(
                f"Affine expected input with {n_in} features per sample (batch on axis 0), "
                f"got shape {x.shape}: {hint}"
            )
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout: NDArray) -> NDArray:
        dx = dout @ self.W.T
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dx.reshape(self.original_x_shape)


# -------------------------------------------------------------------------- loss
class SoftmaxWithLoss:
    """Softmax followed by cross-entropy, as one layer, because together the gradient is simple.

    ``forward(x, t)`` takes scores ``x`` (N, K) and targets ``t`` either one-hot
    (N, K) or integer labels (N,), stores the probabilities in ``self.y`` and
    returns the mean loss, computed stably from log-softmax. ``backward``
    returns ``dout * (y - t) / N``. Introduced in chapter 4, Backpropagation.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: NDArray | None = None  # softmax probabilities, (N, K)
        self.t: NDArray | None = None  # targets, one-hot (N, K) or labels (N,)
        self._x_shape: tuple[int, ...] = ()

    def forward(self, x: NDArray, t: ArrayLike) -> float:
        self._x_shape = x.shape
        logp, t = _as_batch(log_softmax(x), t)
        n = logp.shape[0]
        self.y, self.t = np.exp(logp), t
        if t.shape == logp.shape:
            self.loss = float(-np.sum(t * logp) / n)
        else:
            self.loss = float(-np.sum(logp[np.arange(n), t]) / n)
        return self.loss

    def backward(self, dout: float = 1) -> NDArray:
        n = self.y.shape[0]
        if self.t.shape == self.y.shape:
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[np.arange(n), self.t] -= 1
        return (dx * (dout / n)).reshape(self._x_shape)


# ---------------------------------------------------------------- regularisation
class Dropout:
    """Inverted dropout: at training time zero each unit with probability ``dropout_ratio``.

    Kept units are scaled by ``1 / (1 - dropout_ratio)`` so the expected output
    equals the input; at test time the layer is the identity, with nothing to
    rescale. (The classic book scales at test time instead.) ``rng`` is a
    ``numpy.random.Generator`` or a seed, for reproducible masks.
    Introduced in chapter 5, Training techniques.
    """

    def __init__(self, dropout_ratio: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio}")
        self.dropout_ratio = dropout_ratio
        self.rng = np.random.default_rng(rng)
        self.mask: NDArray[np.bool_] | None = None  # True for kept units; None after a test pass

    def forward(self, x: NDArray, train_flg: bool = True) -> NDArray:
        if not train_flg:
            self.mask = None
            return x
        self.mask = self.rng.random(x.shape) >= self.dropout_ratio
        return x * self.mask * (1 / (1 - self.dropout_ratio))

    def backward(self, dout: NDArray) -> NDArray:
        if self.mask is None:
            return dout * 1
        return dout * self.mask * (1 / (1 - self.dropout_ratio))


class BatchNormalization:
    """Normalise each feature over the batch, then scale by ``gamma`` and shift by ``beta``.

    2-D input (N, D): statistics per feature, ``gamma`` and ``beta`` of shape
    (D,). 4-D input (N, C, H, W): *spatial* batch norm, statistics per channel
    over N, H and W, ``gamma`` and ``beta`` of shape (C,), as in the BN paper and
    PyTorch's ``BatchNorm2d`` (the classic book instead normalises each of the
    C*H*W activations separately). In training mode (``train_flg=True``) the
    batch mean and (biased) variance are used and the running statistics are
    updated as ``running = momentum * running + (1 - momentum) * batch``; in
    test mode the running statistics are used. eps = 1e-7. If not given, the
    running mean starts at 0 and the running variance at 1.
    Introduced in chapter 5, Training techniques.
    """

    def __init__(
        self,
        gamma: NDArray,
        beta: NDArray,
        momentum: float = 0.9,
        running_mean: NDArray | None = None,
        running_var: NDArray | None = None,
    ) -> None:
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.input_shape: tuple[int, ...] | None = None
        self.dgamma: NDArray | None = None
        self.dbeta: NDArray | None = None

    def _to_2d(self, x: NDArray) -> NDArray:
        """(N, D) stays; (N, C, H, W) becomes (N*H*W, C) so each channel is one column."""
        if x.ndim == 4:
            return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])
        return x

    def _from_2d(self, y: NDArray) -> NDArray:
        if len(self.input_shape) == 4:
            n, c, h, w = self.input_shape
            return y.reshape(n, h, w, c).transpose(0, 3, 1, 2)
        return y

    def forward(self, x: NDArray, train_flg: bool = True) -> NDArray:
        if x.ndim not in (2, 4):
            raise ValueError(
                f"BatchNormalization expects (N, D) or (N, C, H, W) input, got shape {x.shape}"
            )
        d = x.shape[1]
        if self.gamma.shape != (d,) or self.beta.shape != (d,):
            what = "channels" if x.ndim == 4 else "features"
            raise ValueError(
                f"BatchNormalization got input {x.shape} with {d} {what}, so gamma and beta "
                f"need shape ({d},); got {self.gamma.shape} and {self.beta.shape}"
            )
        self.input_shape = x.shape
        x2 = self._to_2d(x)
        if self.running_mean is None:
            self.running_mean = np.zeros(d, dtype=x.dtype)
        if self.running_var is None:
            self.running_var = np.ones(d, dtype=x.dtype)

        self.train_flg = train_flg
        if train_flg:
            mu = x2.mean(axis=0)
            xc = x2 - mu
            var = np.mean(xc * xc, axis=0)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            xc = x2 - self.running_mean
            var = self.running_var
        self.std = np.sqrt(var + BN_EPS)
        self.xn = xc / self.std
        return self._from_2d(self.gamma * self.xn + self.beta)

    def backward(self, dout: NDArray) -> NDArray:
        dout2 = self._to_2d(dout)
        self.dbeta = dout2.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout2, axis=0)
        dxn = self.gamma * dout2
        if self.train_flg:
            # mean and variance depend on x too; this is the compact form of that chain rule
            dx = (dxn - dxn.mean(axis=0) - self.xn * np.mean(dxn * self.xn, axis=0)) / self.std
        else:
            dx = dxn / self.std
        return self._from_2d(dx)


# --------------------------------------------------------------------------- CNN
def _check_images(x: NDArray, channels: int | None, layer: str) -> None:
    """Raise a helpful ValueError unless ``x`` is (N, channels, H, W) (any C if ``channels`` is None)."""
    if x.ndim == 4 and channels in (None, x.shape[1]):
        return
    c = "C" if channels is None else channels
    if x.ndim == 4:
        hint = f"it has {x.shape[1]} channels on axis 1; images must be (N, C, H, W), channels first"
    elif x.ndim == 3:
        hint = "add a batch axis, e.g. x[np.newaxis] for one image"
    elif x.ndim == 2:
        hint = f"flattened images must be reshaped first, e.g. x.reshape(-1, {c}, H, W)"
    else:
        hint = "reshape it to (N, C, H, W)"
    raise ValueError(f"{layer} expected images of shape (N, {c}, H, W), got {x.shape}: {hint}")


class Convolution:
    """2-D convolution (cross-correlation, as in every framework) of a batch of images.

    ``W`` has shape (FN, C, FH, FW): FN filters over C input channels; ``b``
    has shape (FN,). Forward maps (N, C, H, W) to (N, FN, OH, OW) with
    ``OH = (H + 2*pad - FH) / stride + 1``, by unfolding the input with
    :func:`~common.im2col.im2col` and doing one matrix product. Backward:
    ``dW = col.T @ dout``, ``db = dout`` summed per filter,
    ``dx = col2im(dout @ W)``. Introduced in chapter 6, Convolutional neural networks.
    """

    def __init__(self, W: NDArray, b: NDArray, stride: int = 1, pad: int = 0) -> None:
        if W.ndim != 4:
            raise ValueError(f"Convolution weights must have shape (FN, C, FH, FW), got {W.shape}")
        if b.shape != (W.shape[0],):
            raise ValueError(
                f"Convolution bias must have shape ({W.shape[0]},), one per filter, got {b.shape}"
            )
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.x: NDArray | None = None
        self.col: NDArray | None = None
        self.col_W: NDArray | None = None
        self.dW: NDArray | None = None
        self.db: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        fn, c, fh, fw = self.W.shape
        _check_images(x, c, "Convolution")
        n, _, h, w = x.shape
        out_h = conv_output_size(h, fh, self.stride, self.pad)
        out_w = conv_output_size(w, fw, self.stride, self.pad)

        self.x = x
        self.col = im2col(x, fh, fw, self.stride, self.pad)  # (N*OH*OW, C*FH*FW)
        self.col_W = self.W.reshape(fn, -1).T  # (C*FH*FW, FN)
        out = self.col @ self.col_W + self.b  # the one GEMM: (N*OH*OW, FN)
        return out.reshape(n, out_h, out_w, fn).transpose(0, 3, 1, 2)

    def backward(self, dout: NDArray) -> NDArray:
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)  # a new name, not a write
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).T.reshape(fn, c, fh, fw)
        dcol = dout @ self.col_W.T
        return col2im(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    """Max or average pooling over ``pool_h x pool_w`` windows, channel by channel.

    No parameters; the number of channels is unchanged. The output size uses
    the same formula as convolution, padding included. Max pooling pads with
    -inf (padding never wins) and its backward sends each gradient to the
    position of the window's maximum (the first one if tied); average pooling
    pads with zeros that count in the average (as PyTorch's default) and
    spreads the gradient evenly. Padding may be at most half the window.
    Introduced in chapter 6, Convolutional neural networks.
    """

    def __init__(
        self,
        pool_h: int,
        pool_w: int,
        stride: int = 1,
        pad: int = 0,
        mode: Literal["max", "avg"] = "max",
    ) -> None:
        if mode not in ("max", "avg"):
            raise ValueError(f"Pooling mode must be 'max' or 'avg', got {mode!r}")
        if pad > pool_h // 2 or pad > pool_w // 2:
            raise ValueError(
                f"Pooling padding {pad} is more than half the {pool_h}x{pool_w} window, "
                "so some windows would hold only padding; use a smaller pad"
            )
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.mode = mode
        self.x: NDArray | None = None
        self.arg_max: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        _check_images(x, None, "Pooling")
        n, c, h, w = x.shape
        p = self.pad
        out_h = conv_output_size(h, self.pool_h, self.stride, p)
        out_w = conv_output_size(w, self.pool_w, self.stride, p)
        self.x = x

        fill = -np.inf if self.mode == "max" else 0
        xp = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)], constant_values=fill) if p else x
        # one row per (n, y, x, channel), one column per window position
        col = im2col(xp, self.pool_h, self.pool_w, self.stride).reshape(-1, self.pool_h * self.pool_w)
        if self.mode == "max":
            self.arg_max = np.argmax(col, axis=1)
            out = col[np.arange(col.shape[0]), self.arg_max]
        else:
            out = col.mean(axis=1)
        return out.reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout: NDArray) -> NDArray:
        n, c, h, w = self.x.shape
        p = self.pad
        window = self.pool_h * self.pool_w
        flat = dout.transpose(0, 2, 3, 1).ravel()  # (n, y, x, channel) order, as in forward
        if self.mode == "max":
            dcol = np.zeros((flat.size, window), dtype=dout.dtype)
            dcol[np.arange(flat.size), self.arg_max] = flat
        else:
            dcol = np.repeat(flat[:, np.newaxis] / window, window, axis=1)
        padded_shape = (n, c, h + 2 * p, w + 2 * p)
        dx = col2im(dcol.reshape(-1, c * window), padded_shape, self.pool_h, self.pool_w, self.stride)
        return dx[:, :, p:p + h, p:p + w]
