"""TwoLayerNet: one hidden layer, the network trained in chapters 3 and 4."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from common.initializers import as_rng, init_weights, weight_scale
from common.layers import Affine
from common.networks.base import Network, _positive_int

__all__ = ["TwoLayerNet"]


class TwoLayerNet(Network):
    """Affine → ReLU → Affine → softmax: the smallest network that learns MNIST well (~97 %).

    Introduced in chapter 3, Learning from data (trained with numerical gradients)
    and chapter 4, Backpropagation (trained with :meth:`gradient`). Parameters
    ``W1`` (input_size, hidden_size), ``b1``, ``W2`` (hidden_size, output_size),
    ``b2``. ``weight_init_std`` is a number (0.01, the classic choice) or a name
    (``'relu'``/``'he'``, ``'sigmoid'``/``'xavier'``; see chapter 5).
    ``activation='sigmoid'`` gives the chapter 3 variant. ``seed`` fixes the
    initial weights; ``dtype=np.float32`` halves memory and speeds up training.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float | str = 0.01,
        seed: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
        activation: str = "relu",
    ) -> None:
        super().__init__(dtype)
        input_size = _positive_int(input_size, "input_size")
        hidden_size = _positive_int(hidden_size, "hidden_size")
        output_size = _positive_int(output_size, "output_size")
        act = self._activation(activation)
        rng = as_rng(seed)
        self.input_shape = (input_size,)
        self.output_size = output_size

        p = self.params
        p["W1"] = init_weights((input_size, hidden_size), weight_scale(weight_init_std, input_size), rng, self.dtype)
        p["b1"] = np.zeros(hidden_size, dtype=self.dtype)
        p["W2"] = init_weights((hidden_size, output_size), weight_scale(weight_init_std, hidden_size), rng, self.dtype)
        p["b2"] = np.zeros(output_size, dtype=self.dtype)

        self.layers["Affine1"] = Affine(p["W1"], p["b1"])
        self.layers[f"{act.__name__}1"] = act()
        self.layers["Affine2"] = Affine(p["W2"], p["b2"])
        self._grad_sources = {
            "W1": ("Affine1", "dW"), "b1": ("Affine1", "db"),
            "W2": ("Affine2", "dW"), "b2": ("Affine2", "db"),
        }
        self._decayed = ("W1", "W2")

    def _input_hint(self, x: np.ndarray) -> str:
        if x.ndim > 2 and x.shape[0] > 0 and x.size == x.shape[0] * self.input_shape[0]:
            return "flatten each sample first: x.reshape(len(x), -1)"
        return super()._input_hint(x)
