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
padding; output sizes round down like the book's and PyTorch's. Layers keep the
dtype of their input and parameters (float32 stays float32).

NaN and infinity. Every layer propagates them as IEEE arithmetic does: a NaN or
inf in the input gives NaN or inf in the outputs it reaches (max pooling and
ReLU included: a NaN is never "lost" to a comparison), except where the maths
has a finite limit (``sigmoid(inf) = 1``, ``tanh(-inf) = -1``, ``max(-inf, 0) =
0``), and ``SoftmaxWithLoss`` returns a NaN or infinite loss rather than
raising, so the training loop (:class:`common.trainer.Trainer`) stops with the
step, the loss and the learning rate. The layers do not scan their activations:
``np.isfinite`` over the forward activations of one SimpleConvNet step (batch
100, 4 million values) took 1.6 ms where the whole step took 112 ms on the same
busy machine, and as much again for the backward pass, on every step of every
network; one scalar loss per step catches the same failures, at most one step
later. The exception is state that outlives the step: ``BatchNormalization``
checks its batch mean and variance (one number per feature, nothing to pay for)
and refuses to fold a non-finite one into its running statistics, with a
``RuntimeWarning`` naming the layer; otherwise a single bad batch would make
every later test-mode prediction NaN for good (``np.errstate(invalid="raise")``
turns the warning into ``FloatingPointError``, ``"ignore"`` silences it; the
running statistics are protected either way). Targets given to
``SoftmaxWithLoss`` that are not finite raise ``ValueError``.

Convolution, Pooling and BatchNormalization are written for speed here; the
versions the chapters derive, which they are tested against, are in
:mod:`common.reference`, and each fast layer's docstring says what it changes.

Introduced in chapter 4 (Backpropagation): MulLayer, AddLayer, Relu, Sigmoid,
Tanh, Affine, SoftmaxWithLoss. Chapter 5 (Training techniques): Dropout,
BatchNormalization. Chapter 6 (CNNs): Convolution, Pooling. Chapter 7 (Deep
learning): ResidualBlock.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.functions import _as_batch
from common.im2col import col2im_t, conv_output_size, filter_offsets, im2col_t

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
    "ResidualBlock",
]

BN_EPS: float = 1e-7
"""Added to the variance in :class:`BatchNormalization` before the square root."""


# ----------------------------------------------------------- helpers of the layers
def _after_forward(
    saved: str, same_shape: bool = False, out_shape: str | None = None
) -> Callable[[Callable], Callable]:
    """Guard a ``backward``: a clear error instead of a NumPy one, or a silently wrong answer.

    ``backward`` uses what ``forward`` stored in the attribute ``saved``; before
    any forward pass that is None. With ``same_shape``, ``dout`` must have the
    shape of that stored array (the layer's output shape), because an
    element-wise backward would otherwise broadcast a wrong ``dout`` without
    complaint; ``out_shape`` instead names the attribute in which ``forward``
    stored its output's shape.
    """

    def wrap(backward: Callable) -> Callable:
        @functools.wraps(backward)
        def checked(self, dout=1, *args, **kwargs):
            stored = getattr(self, saved, None)
            name = type(self).__name__
            if stored is None:
                raise RuntimeError(
                    f"{name}.backward needs a forward pass first: forward stores what backward uses"
                )
            expected = getattr(self, out_shape) if out_shape else np.shape(stored) if same_shape else None
            if expected is not None and np.shape(dout) != tuple(expected):
                raise ValueError(
                    f"{name}.backward expected dout of shape {tuple(expected)}, the shape of the "
                    f"layer's output in the last forward pass; got {np.shape(dout)}"
                )
            return backward(self, dout, *args, **kwargs)

        return checked

    return wrap


def _scratch(buffer: NDArray | None, shape: tuple[int, ...], dtype: np.dtype) -> NDArray:
    """``buffer`` again if it has this shape and dtype, else a new uninitialised array.

    For the big arrays a layer keeps to itself (never returned): fresh memory
    from the operating system on every call costs page faults, about a fifth
    of a SimpleConvNet training step on the test machine.
    """
    if buffer is not None and buffer.shape == shape and buffer.dtype == dtype:
        return buffer
    return np.empty(shape, dtype=dtype)


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


def _valid_labels(x: NDArray, t: ArrayLike) -> NDArray | None:
    """``t`` if it already is integer labels (N,) in range for scores ``x`` of shape (N, K), else None.

    The fast path of :class:`SoftmaxWithLoss`: one reduction checks both ends (seen
    as unsigned, a negative label is huge). Anything else goes through
    ``common.functions._as_batch``, which converts it or says what is wrong.
    """
    if (isinstance(t, np.ndarray) and t.ndim == 1 and x.ndim == 2 and t.shape[0] == x.shape[0]
            and t.dtype.kind in "iu" and t.size
            and int(t.view(t.dtype.str.replace("i", "u")).max()) < x.shape[1]):
        return t
    return None


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

    @_after_forward("x")
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

    ``mask`` is True where the input was <= 0 (the classic book's convention).
    The layer stores its complement (where the gradient passes), so backward is
    one multiplication. Introduced in chapter 4, Backpropagation.
    """

    def __init__(self) -> None:
        self.keep: NDArray[np.bool_] | None = None  # True where x > 0: the gradient passes

    @property
    def mask(self) -> NDArray[np.bool_] | None:
        """True where the input was <= 0, i.e. where the gradient is blocked."""
        return None if self.keep is None else ~self.keep

    def forward(self, x: NDArray) -> NDArray:
        self.keep = np.greater(x, 0, out=_scratch(self.keep, np.shape(x), np.dtype(bool)))
        # max(x, 0) against zeros of one sample's shape: NumPy's vectorised loop for two arrays
        # is about 3x faster than for an array and the scalar 0 (same result, dtype kept)
        return np.maximum(x, np.zeros(x.shape[1:], dtype=x.dtype))

    @_after_forward("keep", same_shape=True)
    def backward(self, dout: NDArray) -> NDArray:
        return dout * self.keep


class Sigmoid:
    """Sigmoid layer; its backward reuses the output: ``dout * y * (1 - y)``.

    Forward computes :func:`common.functions.sigmoid` bit for bit (the committed
    weights are checked by their SHA-256): ``e = exp(-|x|)``, never overflowing,
    then ``1 / (1 + e)`` where ``x >= 0`` and ``e / (1 + e)`` elsewhere. It works
    in place, in the output and two scratch arrays the layer keeps, where the
    function makes ten new arrays; backward makes one instead of two. The
    plain ``1 / (1 + exp(-x))`` is still cheaper (one exp and three passes, not
    six), but it overflows for x < -88 in float32 and rounds differently for
    x < 0.
    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self) -> None:
        self.out: NDArray | None = None
        self._denominator: NDArray | None = None  # scratch: 1 + e
        self._positive: NDArray[np.bool_] | None = None  # scratch: x >= 0

    def forward(self, x: NDArray) -> NDArray:
        x = np.asarray(x)
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
        out = np.abs(x)
        np.negative(out, out=out)
        np.exp(out, out=out)  # e = exp(-|x|), in (0, 1]
        d = self._denominator = np.add(out, 1, out=_scratch(self._denominator, out.shape, out.dtype))
        positive = self._positive = np.greater_equal(x, 0, out=_scratch(self._positive, x.shape, np.dtype(bool)))
        # the numerator, 1 where x >= 0 and e elsewhere, as max(e, x >= 0) because e <= 1 (and a NaN
        # stays NaN): a masked copy (np.where, copyto(where=)) costs ten times more
        np.maximum(out, positive, out=out)
        np.divide(out, d, out=out)
        self.out = out
        return out

    @_after_forward("out", same_shape=True)
    def backward(self, dout: NDArray) -> NDArray:
        dx = np.subtract(1, self.out)
        if np.result_type(dout, dx) != dx.dtype:  # e.g. float64 dout into a float32 layer: promote as before
            return dout * dx * self.out
        np.multiply(dout, dx, out=dx)
        dx *= self.out
        return dx


class Tanh:
    """Tanh layer; its backward reuses the output: ``dout * (1 - y**2)``.

    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self) -> None:
        self.out: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        self.out = np.tanh(x)
        return self.out

    @_after_forward("out", same_shape=True)
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
        out = self.x @ self.W
        if np.result_type(out, self.b) != out.dtype:  # mixed dtypes: promote as NumPy does
            return out + self.b
        out += self.b  # in place: one array of the output's size instead of two
        return out

    @_after_forward("x")
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
        x = np.asarray(x)
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
        self._x_shape = x.shape
        labels = _valid_labels(x, t)
        if labels is None:  # one-hot targets, one sample, or anything else: the full checks
            x, labels = _as_batch(x, t)
        t = labels
        n = x.shape[0]
        # log-softmax as common.functions.log_softmax computes it (same numbers, in place):
        # logp = (x - max) - log(sum(exp(x - max))), then y = exp(logp)
        logp = x - x.max(axis=-1, keepdims=True)
        y = np.exp(logp)
        logp -= np.log(y.sum(axis=-1, keepdims=True))
        np.exp(logp, out=y)
        self.y, self.t = y, t
        if t.shape == logp.shape:
            self.loss = float(-np.sum(t * logp) / n)
        else:
            self._rows = np.arange(n)
            self.loss = float(-np.sum(logp[self._rows, t]) / n)
        return self.loss

    @_after_forward("y")
    def backward(self, dout: float = 1) -> NDArray:
        n = self.y.shape[0]
        if self.t.shape == self.y.shape:
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[self._rows, self.t] -= 1
        dx *= dout / n
        return dx.reshape(self._x_shape)


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
        self._uniform: NDArray[np.float64] | None = None  # scratch for the random draws
        self._scaled: NDArray | None = None  # mask / (1 - dropout_ratio), in the input's dtype

    def forward(self, x: NDArray, train_flg: bool = True) -> NDArray:
        if not train_flg:
            self.mask = None
            return x
        # the same uniforms as rng.random(x.shape), drawn into a kept buffer; the mask is new each
        # time (a caller may keep it), and kept units are scaled by one multiply with a scaled mask
        self._uniform = _scratch(self._uniform, x.shape, np.dtype(np.float64))
        self.rng.random(out=self._uniform)
        self.mask = self._uniform >= self.dropout_ratio
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        self._scaled = np.multiply(self.mask, 1 / (1 - self.dropout_ratio), dtype=dtype)
        return x * self._scaled

    def backward(self, dout: NDArray) -> NDArray:
        if self.mask is None:  # after a test pass (or none): the identity
            return dout * 1
        if np.shape(dout) != self.mask.shape:
            raise ValueError(
                f"Dropout.backward expected dout of shape {self.mask.shape}, the shape of the "
                f"layer's output in the last forward pass; got {np.shape(dout)}"
            )
        return dout * self._scaled


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

    Reference: :class:`common.reference.BatchNormalization` (the computational
    graph, node by node). This one uses the closed form chapter 5 arrives at,
    ``dx = (dxn - mean(dxn) - xn * mean(dxn * xn)) / std``: fewer passes over
    the data, and 4-D statistics over axes (0, 2, 3) with no transpose.
    Introduced in chapter 5, Training techniques.
    """

    def __init__(self, gamma: NDArray, beta: NDArray, momentum: float = 0.9,
                 running_mean: NDArray | None = None, running_var: NDArray | None = None) -> None:
        self.gamma, self.beta = gamma, beta  # scale and shift, trained
        self.momentum = momentum
        self.running_mean, self.running_var = running_mean, running_var  # used in test mode
        self.input_shape: tuple[int, ...] | None = None
        self.dgamma: NDArray | None = None
        self.dbeta: NDArray | None = None

    def _axes(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Axes the statistics run over, and the shape that broadcasts a per-channel vector."""
        if len(self.input_shape) == 4:
            return (0, 2, 3), (1, -1, 1, 1)  # per channel, over N, H and W: no transpose needed
        return (0,), (1, -1)

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
        axes, shape = self._axes()
        if self.running_mean is None:
            self.running_mean = np.zeros(d, dtype=x.dtype)
        if self.running_var is None:
            self.running_var = np.ones(d, dtype=x.dtype)

        self.train_flg = train_flg
        if train_flg:
            mu = x.mean(axis=axes, keepdims=True)
            xc = x - mu
            var = np.mean(xc * xc, axis=axes, keepdims=True)
            self._update_running_statistics(mu.reshape(d), var.reshape(d))
        else:
            xc = x - self.running_mean.reshape(shape)
            var = self.running_var.reshape(shape)
        self.std = np.sqrt(var + BN_EPS)
        self.xn = xc / self.std
        out = self.xn * self.gamma.reshape(shape)
        out += self.beta.reshape(shape)
        return out

    def _update_running_statistics(self, mu: NDArray, var: NDArray) -> None:
        """Fold the batch's statistics into the running ones, unless one of them is NaN or inf.

        A non-finite batch mean or variance means the batch (or the layer's
        input, after an exploding step) holds NaN or inf; averaged in, it would
        make the running statistics, and so every later test-mode output, NaN
        for good. They are left unchanged instead, and the layer says so the way
        NumPy reports an invalid operation (``np.errstate(invalid=...)``): a
        ``RuntimeWarning`` by default, ``FloatingPointError`` under ``"raise"``,
        nothing under ``"ignore"`` (as in chapter 5's runs that are meant to
        diverge). The forward output still carries the NaN, so the loss shows it.
        """
        bad = ~(np.isfinite(mu) & np.isfinite(var))
        if bad.any():
            what = "channel" if len(self.input_shape) == 4 else "feature"
            where = np.flatnonzero(bad)
            shown = ", ".join(map(str, where[:5])) + (", ..." if where.size > 5 else "")
            message = (
                f"BatchNormalization: the batch mean or variance of {where.size} of {bad.size} {what}s "
                f"({what} {shown}) is NaN or infinite, so the input holds NaN or inf values; the running "
                "mean and variance were left unchanged (test-mode outputs are unaffected)")
            mode = np.geterr()["invalid"]
            if mode == "raise":
                raise FloatingPointError(message)
            if mode != "ignore":
                warnings.warn(message + ", and this batch's output is not finite", RuntimeWarning, stacklevel=3)
            return
        m = self.momentum
        self.running_mean = m * self.running_mean + (1 - m) * mu
        self.running_var = m * self.running_var + (1 - m) * var

    @_after_forward("xn", same_shape=True)
    def backward(self, dout: NDArray) -> NDArray:
        axes, shape = self._axes()
        self.dbeta = dout.sum(axis=axes)
        self.dgamma = np.sum(self.xn * dout, axis=axes)
        dxn = dout * self.gamma.reshape(shape)
        if self.train_flg:
            # mean and variance depend on x too; this is the compact form of that chain rule
            dx = dxn - dxn.mean(axis=axes, keepdims=True)
            dx -= self.xn * np.mean(dxn * self.xn, axis=axes, keepdims=True)
            dx /= self.std
            return dx
        return dxn / self.std


# --------------------------------------------------------------------------- CNN
class Convolution:
    """2-D convolution (cross-correlation, as in every framework) of a batch of images.

    ``W`` has shape (FN, C, FH, FW): FN filters over C input channels; ``b``
    has shape (FN,). Forward maps (N, C, H, W) to (N, FN, OH, OW) with
    ``OH = floor((H + 2*pad - FH) / stride) + 1`` (:func:`~common.im2col.conv_output_size`:
    when the stride does not divide, the last rows that no window reaches are left out).

    Reference: :class:`common.reference.Convolution` (im2col rows, one product,
    col2im). This one computes the transposed product ``W_col @ im2col_t(x)``
    with the bias folded in as a row of ones, reuses its big arrays, and for
    stride 1 and at least half as many input channels as filters gets ``dx`` by
    a second convolution (:meth:`_dx_by_convolution`):
    one large matrix product per batch that BLAS spreads over every core, and
    no fresh memory or scattered additions per call. ``input_grad=False`` skips
    ``dx`` (``backward`` returns ``None``): a first layer's input is data.
    Introduced in chapter 6, Convolutional neural networks.
    """

    def __init__(
        self, W: NDArray, b: NDArray, stride: int = 1, pad: int = 0, input_grad: bool = True
    ) -> None:
        if W.ndim != 4:
            raise ValueError(f"Convolution weights must have shape (FN, C, FH, FW), got {W.shape}")
        if b.shape != (W.shape[0],):
            raise ValueError(
                f"Convolution bias must have shape ({W.shape[0]},), one per filter, got {b.shape}"
            )
        self.W, self.b = W, b
        self.stride, self.pad = stride, pad
        self.input_grad = input_grad
        self.x_shape: tuple[int, ...] | None = None
        self.cols: NDArray | None = None  # im2col_t(x) plus a row of ones: (C*FH*FW + 1, N*OH*OW)
        self._out: NDArray | None = None  # scratch: the forward product before the transpose
        self._delta: NDArray | None = None  # scratch: dout as (FN, N*OH*OW)
        self._dcols: NDArray | None = None  # scratch: im2col_t of the padded dout (dx by convolution)
        self.dW: NDArray | None = None
        self.db: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        fn, c, fh, fw = self.W.shape
        _check_images(x, c, "Convolution")
        n, _, h, w = x.shape
        out_h = conv_output_size(h, fh, self.stride, self.pad, where="Convolution (height)")
        out_w = conv_output_size(w, fw, self.stride, self.pad, where="Convolution (width)")
        k = c * fh * fw

        self.x_shape = x.shape
        self.cols = _scratch(self.cols, (k + 1, n * out_h * out_w), x.dtype)
        im2col_t(x, fh, fw, self.stride, self.pad, out=self.cols[:k])
        self.cols[k] = 1  # the input the bias multiplies
        w_col = np.concatenate([self.W.reshape(fn, k), self.b[:, np.newaxis]], axis=1)  # (FN, k + 1)
        dtype = np.result_type(w_col, self.cols)
        self._out = _scratch(self._out, (fn, n * out_h * out_w), dtype)
        np.matmul(w_col, self.cols, out=self._out)  # the whole batch in one GEMM: (FN, N*OH*OW)
        # channels first again, always as a copy: the scratch is overwritten by the next call
        return self._out.reshape(fn, n, out_h, out_w).transpose(1, 0, 2, 3).copy()

    @_after_forward("x_shape")
    def backward(self, dout: NDArray) -> NDArray | None:
        fn, c, fh, fw = self.W.shape
        n = self.x_shape[0]
        k = c * fh * fw
        self._delta = _scratch(self._delta, (fn, dout.size // fn), dout.dtype)
        np.copyto(self._delta.reshape(fn, n, -1), dout.reshape(n, fn, -1).transpose(1, 0, 2))
        delta = self._delta  # dout as (FN, N*OH*OW), the layout of forward's product
        grad = delta @ self.cols.T  # (FN, k + 1): the filters' gradient, then the bias's
        self.dW = grad[:, :k].reshape(fn, c, fh, fw)
        self.db = grad[:, k].copy()
        if not self.input_grad:
            return None
        # The second convolution copies FN*FH*FW values per input pixel, col2im_t scatters
        # C*FH*FW per output pixel: with few input channels (a 1 -> 30 layer) col2im_t is
        # about 10x faster, from about C = FN/2 up the convolution wins (make bench, A/B).
        if self.stride == 1 and fh == fw and self.pad < fh and fn <= 2 * c:
            return self._dx_by_convolution(delta)
        return col2im_t(self.W.reshape(fn, k).T @ delta, self.x_shape, fh, fw, self.stride, self.pad)

    def _dx_by_convolution(self, delta: NDArray) -> NDArray:
        """``dx`` of a stride-1 convolution, computed as another convolution.

        ``delta`` is the upstream gradient as (FN, N*OH*OW). Each input pixel
        collects it from every output its filter window touched, weighted by
        the filter seen from the other side: that is a convolution of the
        gradient (padded by ``FH - 1 - pad``) with the filters flipped in space
        and with input and output channels swapped. Same result as
        ``col2im_t(W_col.T @ delta)``, which the tests check, but one matrix
        product replaces the ``FH*FW`` scattered additions of ``col2im_t``.
        """
        fn, c, fh, fw = self.W.shape
        n, _, h, w = self.x_shape
        out_h, out_w = h + 2 * self.pad - fh + 1, w + 2 * self.pad - fw + 1
        flipped = self.W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(c, -1)  # (C, FN*FH*FW)
        images = delta.reshape(fn, n, out_h, out_w).transpose(1, 0, 2, 3)  # (N, FN, OH, OW), a view
        self._dcols = _scratch(self._dcols, (fn * fh * fw, n * h * w), delta.dtype)
        dx = flipped @ im2col_t(images, fh, fw, 1, fh - 1 - self.pad, out=self._dcols)  # (C, N*H*W)
        return np.ascontiguousarray(dx.reshape(c, n, h, w).transpose(1, 0, 2, 3))


class Pooling:
    """Max or average pooling over ``pool_h x pool_w`` windows, channel by channel.

    No parameters; the number of channels is unchanged. The output size uses
    the same formula as convolution, padding included and rounded down. Max
    pooling pads with -inf (padding never wins) and its backward sends each
    gradient to the position of the window's maximum (the first one if tied);
    average pooling pads with zeros that count in the average (as PyTorch's
    default) and spreads the gradient evenly. Padding may be at most half the
    window.

    Reference: :class:`common.reference.Pooling` (im2col, then an argmax per
    row). This one never builds the patch matrix: ``x[:, :, dy::stride,
    dx::stride]`` holds position (dy, dx) of every window, so the maximum is a
    running ``np.maximum`` over ``pool_h * pool_w`` slices (gathered into
    contiguous blocks first when the windows tile the image), and ``arg``
    records the winner as the reference's ``arg_max`` does: no copy of every window.
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
        self.pool_h, self.pool_w = pool_h, pool_w
        self.stride, self.pad = stride, pad
        self.mode = mode
        self.x_shape: tuple[int, ...] | None = None
        self.out_shape: tuple[int, ...] | None = None
        # max pooling: for each window, the position (dy * pool_w + dx) of its first maximum
        self.arg: NDArray[np.unsignedinteger] | None = None

    def _window_slices(self, out_h: int, out_w: int):
        """For each position (dy, dx) inside a window, the index that picks it from every window."""
        for _, _, rows, cols in filter_offsets(self.pool_h, self.pool_w, self.stride, out_h, out_w):
            yield slice(None), slice(None), rows, cols

    def forward(self, x: NDArray) -> NDArray:
        _check_images(x, None, "Pooling")
        p = self.pad
        out_h = conv_output_size(x.shape[2], self.pool_h, self.stride, p, where="Pooling (height)")
        out_w = conv_output_size(x.shape[3], self.pool_w, self.stride, p, where="Pooling (width)")
        self.x_shape = x.shape
        self.out_shape = (*x.shape[:2], out_h, out_w)

        fill = -np.inf if self.mode == "max" else 0
        xp = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)], constant_values=fill) if p else x
        if self.stride == self.pool_h == self.pool_w:
            # the windows tile the image: one copy puts each position (dy, dx) of every window
            # in its own contiguous block, so the comparisons below run on contiguous memory;
            # rows and columns after the last window (sizes that do not divide) are left out
            n, c = x.shape[:2]
            s = self.stride
            tiled = xp[:, :, :out_h * s, :out_w * s].reshape(n, c, out_h, s, out_w, s)
            first, *rest = tiled.transpose(3, 5, 0, 1, 2, 4).reshape(s * s, n, c, out_h, out_w)
        else:
            first, *rest = (xp[where] for where in self._window_slices(out_h, out_w))
        out = first.copy()
        if self.mode == "avg":
            for candidate in rest:
                out += candidate
            out /= self.pool_h * self.pool_w
            return out
        arg = np.zeros(out.shape, dtype=np.min_scalar_type(len(rest)))
        for k, candidate in enumerate(rest, start=1):
            wins = candidate > out  # strictly greater: a tie keeps the earlier position
            np.maximum(out, candidate, out=out)
            np.maximum(arg, wins * arg.dtype.type(k), out=arg)  # same as arg[wins] = k, k > any earlier
        self.arg = arg
        return out

    @_after_forward("x_shape", out_shape="out_shape")
    def backward(self, dout: NDArray) -> NDArray:
        n, c, h, w = self.x_shape
        p, s = self.pad, self.stride
        out_h, out_w = self.out_shape[2:]
        # when the windows tile the image, each pixel is in at most one window: assign, don't add;
        # and when they also reach the last row and column, every pixel is assigned once
        tiles = s == self.pool_h == self.pool_w
        covered = tiles and out_h * s == h + 2 * p and out_w * s == w + 2 * p
        dxp = (np.empty if covered else np.zeros)((n, c, h + 2 * p, w + 2 * p), dtype=dout.dtype)
        slices = self._window_slices(out_h, out_w)
        if self.mode == "max":
            for k, where in enumerate(slices):
                if tiles:
                    np.multiply(dout, self.arg == k, out=dxp[where])  # written in place, no temporary
                else:
                    dxp[where] += dout * (self.arg == k)
        else:
            share = dout / (self.pool_h * self.pool_w)
            for where in slices:
                if tiles:
                    dxp[where] = share
                else:
                    dxp[where] += share
        return dxp[:, :, p:p + h, p:p + w]


# --------------------------------------------------------------- deep networks
class ResidualBlock:
    """``out = F(x) + x``: a branch of layers with a shortcut around it (He et al., 2015).

    ``branch`` is a list of layers applied in order (for example ``Affine``,
    ``Relu``, ``Affine``, or ``Convolution``, ``BatchNormalization``, ``Relu``,
    ``Convolution``); its output must have the shape of its input. The
    shortcut is the identity, or ``shortcut``, a layer that changes the shape
    to match (a 1×1 convolution with stride 2 in ResNet, an ``Affine`` here).
    Backward adds the two paths: ``dx = F.backward(dout) + dout`` (or the
    shortcut's backward instead of ``dout``). The ``+ dout`` is the point:
    however small the branch's gradient, the block passes the upstream gradient
    on unchanged, so a deep stack of blocks keeps a path along which gradients
    do not shrink.

    ``forward(x, train_flg)`` hands ``train_flg`` to the ``Dropout``,
    ``BatchNormalization`` and nested ``ResidualBlock`` layers of the branch;
    a block that contains any of them refuses to guess the mode, so
    ``train_flg`` must then be given. Introduced in chapter 7, Deep learning.
    """

    def __init__(self, branch: list, shortcut: object | None = None) -> None:
        if not branch or not all(hasattr(layer, "forward") and hasattr(layer, "backward") for layer in branch):
            raise ValueError("ResidualBlock needs a non-empty list of layers with forward and backward")
        self.branch = list(branch)
        self.shortcut = shortcut
        self.out_shape: tuple[int, ...] | None = None

    def _modal(self, layer: object) -> bool:
        return isinstance(layer, (Dropout, BatchNormalization, ResidualBlock))

    def forward(self, x: NDArray, train_flg: bool | None = None) -> NDArray:
        modal = [type(layer).__name__ for layer in self.branch if self._modal(layer)]
        if self._modal(self.shortcut):
            modal.append(type(self.shortcut).__name__)
        if modal and train_flg is None:
            raise ValueError(
                f"ResidualBlock contains {', '.join(modal)}, which behave differently in training and "
                "at test time: call forward(x, train_flg=True or False)"
            )
        out = x
        for layer in self.branch:
            out = layer.forward(out, train_flg) if self._modal(layer) else layer.forward(out)
        if self.shortcut is None:
            skip = x
        else:
            skip = (self.shortcut.forward(x, train_flg) if self._modal(self.shortcut)
                    else self.shortcut.forward(x))
        if out.shape != skip.shape:
            what = "the input" if self.shortcut is None else "the shortcut's output"
            raise ValueError(
                f"ResidualBlock: the branch maps {x.shape} to {out.shape}, which cannot be added to "
                f"{what} of shape {skip.shape}; keep the branch shape-preserving or pass a shortcut "
                "layer that produces the branch's shape"
            )
        self.out_shape = out.shape
        return out + skip

    @_after_forward("out_shape", out_shape="out_shape")
    def backward(self, dout: NDArray) -> NDArray:
        d = dout
        for layer in reversed(self.branch):
            d = layer.backward(d)
        dskip = dout if self.shortcut is None else self.shortcut.backward(dout)
        return d + dskip  # a new array: dout itself is never written to
