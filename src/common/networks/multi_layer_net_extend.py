"""MultiLayerNetExtend: MultiLayerNet with optional batch normalisation and dropout."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from common.layers import BatchNormalization, Dropout
from common.networks.multi_layer_net import MultiLayerNet

__all__ = ["MultiLayerNetExtend"]


class MultiLayerNetExtend(MultiLayerNet):
    """Affine → [BatchNorm] → activation → [Dropout], repeated, then Affine → softmax.

    Introduced in chapter 5, Training techniques, for the batch-norm and
    dropout experiments. With ``use_batchnorm`` each hidden layer gets
    ``gamma{i}`` (ones) and ``beta{i}`` (zeros) as trainable parameters, and
    running statistics that :meth:`save_params` stores too. With
    ``use_dropout`` each hidden activation is followed by inverted dropout of
    ``dropout_ratio``; its masks come from a generator seeded by ``seed``.
    Pass ``train_flg=True`` to :meth:`loss`/:meth:`predict` for training
    behaviour; :meth:`gradient` does so by default.
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
        self.use_dropout = bool(use_dropout)
        self.dropout_ratio = float(dropout_ratio)
        self.use_batchnorm = bool(use_batchnorm)
        if self.use_dropout and not 0 <= self.dropout_ratio < 1:
            raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio!r}")
        super().__init__(
            input_size, hidden_size_list, output_size, activation=activation,
            weight_init_std=weight_init_std, weight_decay_lambda=weight_decay_lambda,
            seed=seed, dtype=dtype,
        )

    def _add_hidden_extras(self, i: int, n_out: int, rng: np.random.Generator) -> None:
        if not self.use_batchnorm:
            return
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

    def _add_after_activation(self, i: int, rng: np.random.Generator) -> None:
        if self.use_dropout:
            self.layers[f"Dropout{i}"] = Dropout(self.dropout_ratio, rng=rng.spawn(1)[0])
