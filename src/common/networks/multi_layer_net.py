"""MultiLayerNet: a fully-connected network of any depth, for the experiments of chapter 5."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from common.initializers import as_rng, init_weights, weight_scale
from common.layers import Affine
from common.networks.base import Network, _positive_int

__all__ = ["MultiLayerNet"]


def _sizes(hidden_size_list: Sequence[int]) -> list[int]:
    if isinstance(hidden_size_list, (int, np.integer)):
        raise ValueError(
            f"hidden_size_list must be a list of layer sizes, got the number {hidden_size_list}; "
            f"write [{hidden_size_list}] for one hidden layer"
        )
    return [_positive_int(h, "each hidden size") for h in hidden_size_list]


class MultiLayerNet(Network):
    """(Affine → activation) × len(hidden_size_list), then Affine → softmax.

    Introduced in chapter 5, Training techniques, to compare initialisations,
    optimisers and weight decay. ``activation`` is ``'relu'``, ``'sigmoid'`` or
    ``'tanh'``; ``weight_init_std`` is a number or ``'relu'``/``'he'`` (sqrt(2/n))
    or ``'sigmoid'``/``'xavier'`` (sqrt(1/n)). ``weight_decay_lambda`` adds
    ``λ/2 ΣW²`` over all weight matrices to the loss (and ``λW`` to their
    gradients). Parameters ``W1``, ``b1``, …, ``W{L}``, ``b{L}`` with
    ``L = len(hidden_size_list) + 1``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: Sequence[int],
        output_size: int,
        activation: str = "relu",
        weight_init_std: float | str = "relu",
        weight_decay_lambda: float = 0.0,
        seed: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__(dtype, weight_decay_lambda)
        self.input_size = _positive_int(input_size, "input_size")
        self.hidden_size_list = _sizes(hidden_size_list)
        self.output_size = _positive_int(output_size, "output_size")
        self.input_shape = (self.input_size,)
        self.activation = activation
        act = self._activation(activation)
        rng = as_rng(seed)

        sizes = [self.input_size, *self.hidden_size_list, self.output_size]
        self.hidden_layer_num = len(self.hidden_size_list)
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            W = init_weights((n_in, n_out), weight_scale(weight_init_std, n_in), rng, self.dtype)
            b = np.zeros(n_out, dtype=self.dtype)
            self.params[f"W{i}"], self.params[f"b{i}"] = W, b
            self.layers[f"Affine{i}"] = Affine(W, b)
            self._grad_sources[f"W{i}"] = (f"Affine{i}", "dW")
            self._grad_sources[f"b{i}"] = (f"Affine{i}", "db")
            if i <= self.hidden_layer_num:
                self._add_hidden_extras(i, n_out, rng)
                self.layers[f"{act.__name__}{i}"] = act()
                self._add_after_activation(i, rng)
        self._decayed = tuple(f"W{i}" for i in range(1, len(sizes)))

    # hooks for MultiLayerNetExtend
    def _add_hidden_extras(self, i: int, n_out: int, rng: np.random.Generator) -> None:
        """Layers between the i-th Affine and its activation (none here)."""

    def _add_after_activation(self, i: int, rng: np.random.Generator) -> None:
        """Layers after the i-th activation (none here)."""

    def _input_hint(self, x: np.ndarray) -> str:
        if x.ndim > 2 and x.shape[0] > 0 and x.size == x.shape[0] * self.input_size:
            return "flatten each sample first: x.reshape(len(x), -1)"
        return super()._input_hint(x)
