"""How many bits does a trained network need? Inference in float64, float32 and float16.

Introduced in chapter 7, Deep learning (the book's half-precision experiment).
A float32 number has a 24-bit significand (about 7 decimal digits), float16
only 11 (about 3 digits) and a largest value of 65,504. Two ways to run a
network in half precision are measured here:

- :func:`labels_float16_storage`: every weight and every layer's output is
  *rounded* to float16, the arithmetic in between is float32. That is what
  GPUs do with "mixed precision": tensor cores multiply float16 numbers and
  accumulate the sums in float32. It runs at float32 speed here.
- :func:`labels_float16_arithmetic`: the layers compute in float16 throughout,
  as the classic book's experiment does. NumPy has no fast float16 matrix
  product on a CPU (the BLAS library has none), so this is very slow and is
  meant for a few images.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from common.layers import BatchNormalization, Dropout

__all__ = [
    "predict_labels",
    "labels_float16_storage",
    "labels_float16_arithmetic",
    "cast_network",
]


def _forward(net: Any, x: NDArray, after: Callable[[NDArray], NDArray] | None = None) -> NDArray:
    """Inference through ``net.layers`` (dropout off, batch norm on running statistics)."""
    out = x if after is None else after(x)
    for layer in net.layers.values():
        if isinstance(layer, (Dropout, BatchNormalization)):
            out = layer.forward(out, False)
        else:
            out = layer.forward(out)
        if after is not None:
            out = after(out)
    return out


def _check(net: Any, x: ArrayLike, batch_size: int) -> NDArray:
    if not hasattr(net, "layers") or not hasattr(net, "_check_x"):
        raise ValueError("expected a course network (common.networks) with .layers")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    x = np.asarray(x)
    if x.ndim < 1 or len(x) == 0:
        raise ValueError("need at least one image")
    if not np.all(np.isfinite(x)):
        raise ValueError("the images contain NaN or infinite values")
    return x


def predict_labels(net: Any, x: ArrayLike, batch_size: int = 500) -> NDArray[np.int64]:
    """The predicted class of every image, in the network's own dtype, ``batch_size`` images at a time.

    Introduced in chapter 7, Deep learning.
    """
    x = _check(net, x, batch_size)
    return np.concatenate([np.argmax(net.predict(x[i:i + batch_size]), axis=1)
                           for i in range(0, len(x), batch_size)])


def _half(a: NDArray) -> NDArray:
    """Round to the nearest float16 and back: the value a float16 memory would hold (±inf beyond its range)."""
    with np.errstate(over="ignore"):
        return a.astype(np.float16).astype(a.dtype)


def labels_float16_storage(net: Any, x: ArrayLike, batch_size: int = 500) -> NDArray[np.int64]:
    """Predicted classes when every weight and every activation is stored in float16 (arithmetic in float32).

    Works on a copy of the network's weights: ``net`` itself is unchanged
    afterwards. A value beyond float16's range (65,504) would become infinite
    and is reported as an error. Introduced in chapter 7, Deep learning.
    """
    x = _check(net, x, batch_size)
    half = copy.deepcopy(net)  # the copy's layers share its params, as in the original
    for array in half.params.values():
        array[...] = _half(array)
    for layer in half.layers.values():
        if isinstance(layer, BatchNormalization):
            layer.running_mean, layer.running_var = _half(layer.running_mean), _half(layer.running_var)

    def store(a: NDArray) -> NDArray:
        h = _half(a)
        if not np.all(np.isfinite(h)):
            raise FloatingPointError("an activation exceeded float16's range (65,504)")
        return h

    xs = half._check_x(x)
    return np.concatenate([np.argmax(_forward(half, xs[i:i + batch_size], store), axis=1)
                           for i in range(0, len(xs), batch_size)])


def cast_network(net: Any, dtype: DTypeLike) -> Any:
    """A copy of ``net`` whose weights, running statistics and computations are in ``dtype``.

    Use :meth:`~common.networks.base.Network.load_params` for float32 and
    float64 (the networks accept those); this also allows float16, for
    :func:`labels_float16_arithmetic`. Introduced in chapter 7, Deep learning.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"cast_network needs a floating dtype, got {dtype}")
    other = copy.deepcopy(net)
    swap = {id(a): a.astype(dtype) for a in other.params.values()}
    for key, array in other.params.items():
        other.params[key] = swap[id(array)]
    for layer in other.layers.values():
        for attr, value in vars(layer).items():
            if isinstance(value, np.ndarray) and id(value) in swap:
                setattr(layer, attr, swap[id(value)])
            elif isinstance(layer, BatchNormalization) and attr.startswith("running_") and value is not None:
                setattr(layer, attr, value.astype(dtype))
    other.dtype = dtype
    return other


def labels_float16_arithmetic(net: Any, x: ArrayLike, batch_size: int = 25) -> NDArray[np.int64]:
    """Predicted classes with every layer computing in float16 (slow on a CPU: use a few images).

    Introduced in chapter 7, Deep learning.
    """
    x = _check(net, x, batch_size)
    half = cast_network(net, np.float16)
    xs = np.asarray(x, dtype=np.float16).reshape((-1, *net.input_shape))
    return np.concatenate([np.argmax(_forward(half, xs[i:i + batch_size]), axis=1)
                           for i in range(0, len(xs), batch_size)])
