"""DeepConvNet: a small VGG-style network, the deepest model of chapter 6."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from common.im2col import conv_output_size
from common.initializers import as_rng, init_weights, weight_scale
from common.layers import Affine, BatchNormalization, Convolution, Dropout, Pooling, Relu
from common.networks._conv_utils import check_input_dim, image_hint
from common.networks.base import Network, _positive_int

__all__ = ["DeepConvNet"]


class DeepConvNet(Network):
    """A VGG-like stack of 3×3 convolutions for MNIST, aiming at ≥ 99.4 % test accuracy.

    Introduced in chapter 6, Convolutional neural networks, to show what depth
    buys. With the defaults, on (1, 28, 28) images::

        block 1: Conv 3×3, 16 → [BN] → ReLU → Conv 3×3, 16 → [BN] → ReLU → MaxPool   28 → 14
        block 2: Conv 3×3, 32 → [BN] → ReLU → Conv 3×3, 32 → [BN] → ReLU → MaxPool   14 → 7
        block 3: Conv 3×3, 64 → [BN] → ReLU → Conv 3×3, 64 → [BN] → ReLU → MaxPool    7 → 4
        Affine 64·4·4 → 50 → ReLU → Dropout(0.5) → Affine 50 → 10 → softmax

    Every convolution has stride 1 and padding 1, so it keeps the image size;
    each block ends with one max pooling of stride 2. A pool sees 2×2 windows
    when the size is even and 3×3 windows with padding 1 when it is odd (7 → 4),
    so no border row is dropped. ``filter_nums`` lists the filters of every
    convolution (an even number of entries: two convolutions per block).
    Weights use He initialisation (``weight_init_std='he'``), biases start at 0.
    ``use_batchnorm=True`` puts spatial batch normalisation (``gamma{i}``,
    ``beta{i}``) after each convolution. It costs about 10 % more time per step
    and helped little in a short run on the 5,000-image MNIST sample (Adam,
    lr 0.001: 96.0 % against 95.5 % test after 4 epochs), so it is off by default.

    Parameters: ``W1``…``W6``/``b1``…``b6`` (convolutions), ``W7``/``b7``
    (hidden affine), ``W8``/``b8`` (output affine), and ``gamma1``… ``beta6``
    with batch norm.
    """

    def __init__(
        self,
        input_dim: Sequence[int] = (1, 28, 28),
        filter_nums: Sequence[int] = (16, 16, 32, 32, 64, 64),
        hidden_size: int = 50,
        output_size: int = 10,
        dropout_ratio: float = 0.5,
        use_batchnorm: bool = False,
        weight_init_std: float | str = "he",
        weight_decay_lambda: float = 0.0,
        seed: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__(dtype, weight_decay_lambda)
        c, h, w = check_input_dim(input_dim)
        filters = [_positive_int(f, "each entry of filter_nums") for f in filter_nums]
        if not filters or len(filters) % 2:
            raise ValueError(
                f"filter_nums needs an even, non-zero number of entries (two convolutions per "
                f"block), got {list(filter_nums)}"
            )
        hidden_size = _positive_int(hidden_size, "hidden_size")
        output_size = _positive_int(output_size, "output_size")
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio!r}")
        self.input_shape = (c, h, w)
        self.output_size = output_size
        self.filter_nums = tuple(filters)
        self.hidden_size = hidden_size
        self.dropout_ratio = float(dropout_ratio)
        self.use_batchnorm = bool(use_batchnorm)

        rng = as_rng(seed)
        p = self.params
        channels = c
        n_conv = len(filters)
        for i, fn in enumerate(filters, start=1):
            n_in = channels * 3 * 3
            p[f"W{i}"] = init_weights((fn, channels, 3, 3), weight_scale(weight_init_std, n_in), rng, self.dtype)
            p[f"b{i}"] = np.zeros(fn, dtype=self.dtype)
            # the first layer gets the images, which need no gradient: skip its dx
            self.layers[f"Conv{i}"] = Convolution(p[f"W{i}"], p[f"b{i}"], stride=1, pad=1, input_grad=i > 1)
            self._grad_sources[f"W{i}"] = (f"Conv{i}", "dW")
            self._grad_sources[f"b{i}"] = (f"Conv{i}", "db")
            if self.use_batchnorm:
                p[f"gamma{i}"] = np.ones(fn, dtype=self.dtype)
                p[f"beta{i}"] = np.zeros(fn, dtype=self.dtype)
                self.layers[f"BatchNorm{i}"] = BatchNormalization(
                    p[f"gamma{i}"], p[f"beta{i}"],
                    running_mean=np.zeros(fn, dtype=self.dtype),
                    running_var=np.ones(fn, dtype=self.dtype),
                )
                self._grad_sources[f"gamma{i}"] = (f"BatchNorm{i}", "dgamma")
                self._grad_sources[f"beta{i}"] = (f"BatchNorm{i}", "dbeta")
            self.layers[f"Relu{i}"] = Relu()
            channels = fn
            if i % 2 == 0:
                block = i // 2
                window_h, pad_h = (2, 0) if h % 2 == 0 else (3, 1)
                window_w, pad_w = (2, 0) if w % 2 == 0 else (3, 1)
                if (window_h, pad_h) != (window_w, pad_w):
                    raise ValueError(
                        f"DeepConvNet block {block} gets {h}x{w} feature maps: one side is odd and "
                        "the other even, which one pooling cannot halve; use square images"
                    )
                if h < 2 or w < 2:
                    raise ValueError(
                        f"DeepConvNet block {block} gets {h}x{w} feature maps, too small to pool; "
                        f"use larger images or fewer blocks (fewer entries in filter_nums)"
                    )
                h = conv_output_size(h, window_h, 2, pad_h, where=f"DeepConvNet pooling of block {block}")
                w = conv_output_size(w, window_w, 2, pad_w, where=f"DeepConvNet pooling of block {block}")
                self.layers[f"Pool{block}"] = Pooling(window_h, window_w, stride=2, pad=pad_h)

        flat = channels * h * w
        i_hidden, i_out = n_conv + 1, n_conv + 2
        p[f"W{i_hidden}"] = init_weights((flat, hidden_size), weight_scale(weight_init_std, flat), rng, self.dtype)
        p[f"b{i_hidden}"] = np.zeros(hidden_size, dtype=self.dtype)
        p[f"W{i_out}"] = init_weights(
            (hidden_size, output_size), weight_scale(weight_init_std, hidden_size), rng, self.dtype
        )
        p[f"b{i_out}"] = np.zeros(output_size, dtype=self.dtype)
        self.layers["Affine1"] = Affine(p[f"W{i_hidden}"], p[f"b{i_hidden}"])
        self.layers[f"Relu{i_hidden}"] = Relu()
        if self.dropout_ratio > 0:
            self.layers["Dropout1"] = Dropout(self.dropout_ratio, rng=rng.spawn(1)[0])
        self.layers["Affine2"] = Affine(p[f"W{i_out}"], p[f"b{i_out}"])
        for key, layer in ((i_hidden, "Affine1"), (i_out, "Affine2")):
            self._grad_sources[f"W{key}"] = (layer, "dW")
            self._grad_sources[f"b{key}"] = (layer, "db")
        self._decayed = tuple(k for k in p if k.startswith("W"))

    def _input_hint(self, x: np.ndarray) -> str:
        return image_hint(x, self.input_shape)
