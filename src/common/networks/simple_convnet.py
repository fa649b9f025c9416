"""SimpleConvNet: one convolution, one pooling, two affine layers (chapter 6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import DTypeLike

from common.im2col import conv_output_size
from common.initializers import as_rng, init_weights, weight_scale
from common.layers import Affine, Convolution, Pooling, Relu
from common.networks._conv_utils import check_input_dim, image_hint
from common.networks.base import Network, _positive_int

__all__ = ["SimpleConvNet"]

DEFAULT_CONV_PARAM: dict[str, int] = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}


class SimpleConvNet(Network):
    """Conv → ReLU → MaxPool(2×2, stride 2) → Affine → ReLU → Affine → softmax.

    Introduced in chapter 6, Convolutional neural networks; ≈99 % on MNIST after
    a few epochs. Input is a batch of images (N, C, H, W) with
    ``input_dim = (C, H, W)``. ``conv_param`` sets ``filter_num``,
    ``filter_size``, ``pad`` and ``stride`` (missing keys take the defaults
    30, 5, 0, 1). Parameters: ``W1`` (filter_num, C, fs, fs), ``b1``; ``W2``
    (filter_num·PH·PW, hidden_size), ``b2``; ``W3`` (hidden_size, output_size),
    ``b3``. ``weight_init_std`` is a number (default 0.01) or ``'relu'``/``'he'``,
    ``'sigmoid'``/``'xavier'``.
    """

    def __init__(
        self,
        input_dim: Sequence[int] = (1, 28, 28),
        conv_param: Mapping[str, int] | None = None,
        hidden_size: int = 100,
        output_size: int = 10,
        weight_init_std: float | str = 0.01,
        seed: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
        weight_decay_lambda: float = 0.0,
    ) -> None:
        super().__init__(dtype, weight_decay_lambda)
        c, h, w = check_input_dim(input_dim)
        unknown = set(conv_param or {}) - set(DEFAULT_CONV_PARAM)
        if unknown:
            raise ValueError(
                f"unknown conv_param keys {sorted(unknown)}; allowed: {sorted(DEFAULT_CONV_PARAM)}"
            )
        cp = {**DEFAULT_CONV_PARAM, **(conv_param or {})}
        filter_num = _positive_int(cp["filter_num"], "filter_num")
        fs = _positive_int(cp["filter_size"], "filter_size")
        stride = _positive_int(cp["stride"], "stride")
        pad = int(cp["pad"])
        if pad < 0:
            raise ValueError(f"pad must be >= 0, got {pad}")
        hidden_size = _positive_int(hidden_size, "hidden_size")
        output_size = _positive_int(output_size, "output_size")
        self.input_shape = (c, h, w)
        self.output_size = output_size
        self.conv_param = cp

        conv_h = conv_output_size(h, fs, stride, pad, where="SimpleConvNet convolution (height)")
        conv_w = conv_output_size(w, fs, stride, pad, where="SimpleConvNet convolution (width)")
        pool_h = conv_output_size(conv_h, 2, 2, 0, where="SimpleConvNet 2x2 pooling (height)")
        pool_w = conv_output_size(conv_w, 2, 2, 0, where="SimpleConvNet 2x2 pooling (width)")
        flat = filter_num * pool_h * pool_w

        rng = as_rng(seed)
        p = self.params
        p["W1"] = init_weights((filter_num, c, fs, fs), weight_scale(weight_init_std, c * fs * fs), rng, self.dtype)
        p["b1"] = np.zeros(filter_num, dtype=self.dtype)
        p["W2"] = init_weights((flat, hidden_size), weight_scale(weight_init_std, flat), rng, self.dtype)
        p["b2"] = np.zeros(hidden_size, dtype=self.dtype)
        p["W3"] = init_weights((hidden_size, output_size), weight_scale(weight_init_std, hidden_size), rng, self.dtype)
        p["b3"] = np.zeros(output_size, dtype=self.dtype)

        # input_grad=False: the images need no gradient, so backward skips dx (the costliest part)
        self.layers["Conv1"] = Convolution(p["W1"], p["b1"], stride=stride, pad=pad, input_grad=False)
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(p["W2"], p["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(p["W3"], p["b3"])
        self._grad_sources = {
            "W1": ("Conv1", "dW"), "b1": ("Conv1", "db"),
            "W2": ("Affine1", "dW"), "b2": ("Affine1", "db"),
            "W3": ("Affine2", "dW"), "b3": ("Affine2", "db"),
        }
        self._decayed = ("W1", "W2", "W3")

    def _input_hint(self, x: np.ndarray) -> str:
        return image_hint(x, self.input_shape)
