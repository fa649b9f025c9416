"""Fully-connected networks of any depth, for the experiments of chapter 5.

:class:`MultiLayerNet` stacks Affine → activation layers, optionally with batch
normalisation and dropout; :class:`MultiLayerNetExtend` is the classic book's
name for the same network with those options (it also accepts the book's
spelling ``dropout_ration``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from common.initializers import as_rng, init_weights, weight_scale
from common.layers import Affine, BatchNormalization, Dropout
from common.networks.base import Network, _positive_int

__all__ = ["MultiLayerNet", "MultiLayerNetExtend"]


def _sizes(hidden_size_list: Sequence[int]) -> list[int]:
    if isinstance(hidden_size_list, (int, np.integer)):
        raise ValueError(
            f"hidden_size_list must be a list of layer sizes, got the number {hidden_size_list}; "
            f"write [{hidden_size_list}] for one hidden layer"
        )
    return [_positive_int(h, "each hidden size") for h in hidden_size_list]


class MultiLayerNet(Network):
    """(Affine → [BatchNorm] → activation → [Dropout]) × len(hidden_size_list), then Affine → softmax.

    Introduced in chapter 5, Training techniques, to compare initialisations,
    optimisers, weight decay, batch norm and dropout. ``activation`` is
    ``'relu'``, ``'sigmoid'`` or ``'tanh'``; ``weight_init_std`` is a number or
    ``'relu'``/``'he'`` (sqrt(2/n)) or ``'sigmoid'``/``'xavier'`` (sqrt(1/n)).
    ``weight_decay_lambda`` adds ``λ/2 ΣW²`` over all weight matrices to the
    loss (and ``λW`` to their gradients). Parameters ``W1``, ``b1``, …,
    ``W{L}``, ``b{L}`` with ``L = len(hidden_size_list) + 1``.

    With ``use_batchnorm`` each hidden layer gets ``gamma{i}`` (ones) and
    ``beta{i}`` (zeros) as trainable parameters, and running statistics that
    :meth:`save_params` stores too. With ``use_dropout`` each hidden activation
    is followed by inverted dropout of ``dropout_ratio``; its masks come from a
    generator seeded by ``seed``. Pass ``train_flg=True`` to
    :meth:`loss`/:meth:`predict` for training behaviour; :meth:`gradient` does
    so by default.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: Sequence[int],
        output_size: int,
        activation: str = "relu",
        weight_init_std: float | str = "relu",
        weight_decay_lambda: float = 0.0,
        use_dropout: bool = False,
        dropout_ratio: float = 0.5,
        use_batchnorm: bool = False,
        seed: np.random.Generator | int | None = 0,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__(dtype, weight_decay_lambda)
        self.input_size = _positive_int(input_size, "input_size")
        self.hidden_size_list = _sizes(hidden_size_list)
        self.output_size = _positive_int(output_size, "output_size")
        self.input_shape = (self.input_size,)
        self.activation = activation
        self.use_dropout = bool(use_dropout)
        self.dropout_ratio = float(dropout_ratio)
        self.use_batchnorm = bool(use_batchnorm)
        if self.use_dropout and not 0 <= self.dropout_ratio < 1:
            raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio!r}")
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
            if i > self.hidden_layer_num:
                break  # the output layer: softmax follows, in last_layer
            if self.use_batchnorm:
                self._add_batchnorm(i, n_out)
            self.layers[f"{act.__name__}{i}"] = act()
            if self.use_dropout:
                self.layers[f"Dropout{i}"] = Dropout(self.dropout_ratio, rng=rng.spawn(1)[0])
        self._decayed = tuple(f"W{i}" for i in range(1, len(sizes)))

    def _add_batchnorm(self, i: int, n_out: int) -> None:
        gamma = np.ones(n_out, dtype=self.dtype)
        beta = np.zeros(n_out, dtype=self.dtype)
        self.params[f"gamma{i}"], self.params[f"beta{i}"] = gamma, beta
        self.layers[f"BatchNorm{i}"] = BatchNormalization(
            gamma, beta,
            running_mean=np.zeros(n_out, dtype=self.dtype),
            running_var=np.ones(n_out, dtype=self.dtype),
        )
        self._grad_sources[f"gamma{i}"] = (f"BatchNorm{i}", "dgamma")
        self._grad_sources[f"beta{i}"] = (f"BatchNorm{i}", "dbeta")

    def _input_hint(self, x: np.ndarray) -> str:
        if x.ndim > 2 and x.shape[0] > 0 and x.size == x.shape[0] * self.input_size:
            return "flatten each sample first: x.reshape(len(x), -1)"
        return super()._input_hint(x)


class MultiLayerNetExtend(MultiLayerNet):
    """:class:`MultiLayerNet` under the classic book's name for it with batch norm and dropout.

    Same arguments, in the same order (``use_dropout``, ``dropout_ratio``,
    ``use_batchnorm`` after ``weight_decay_lambda``). The book spells the
    dropout keyword ``dropout_ration``; that spelling is accepted too, so its
    scripts run unchanged. Introduced in chapter 5, Training techniques.
    """

    def __init__(self, *args, dropout_ration: float | None = None, **kwargs) -> None:
        if dropout_ration is not None:
            if "dropout_ratio" in kwargs:
                raise ValueError("pass dropout_ratio or the book's dropout_ration, not both")
            kwargs["dropout_ratio"] = dropout_ration
        super().__init__(*args, **kwargs)
