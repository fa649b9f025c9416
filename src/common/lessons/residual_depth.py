"""Plain against residual networks as depth grows: gradient flow at initialisation and short training.

Introduced in chapter 7, Deep learning. :class:`DepthStack` is a narrow fully
connected network for MNIST (784 → width → … → width → 10, ReLU) with
``depth`` weight layers in all. It comes in three kinds that differ *only*
in the shortcuts and in how the last layer of each branch starts:

- ``"plain"``: ``Affine → ReLU`` repeated, He initialisation;
- ``"residual"``: the hidden layers grouped in pairs into
  :class:`~common.layers.ResidualBlock` s, ``ReLU(x + W₂·ReLU(W₁·x))``, with the
  same He initialisation: each block *adds* its branch's output to the
  signal, so the signal (and the gradient) grows with every block;
- ``"residual_zero"``: the same blocks with the branch's last layer starting
  at zero, so every block starts as the identity (the practice of
  Goyal et al. 2017 and Zhang et al. 2019; in ResNets the last batch norm's
  γ starts at zero).

:func:`input_gradient_norms` measures how large the gradient of the loss is
at the input of each weight layer; :func:`depth_experiment` trains each kind
at several depths with :class:`~common.trainer.Trainer` and reports the
training loss it reaches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from common.initializers import he_std
from common.layers import Affine, Relu, ResidualBlock
from common.networks.base import Network
from common.trainer import Trainer

__all__ = ["KINDS", "DepthStack", "input_gradient_norms", "depth_experiment"]

Kind = Literal["plain", "residual", "residual_zero"]
KINDS: dict[str, str] = {
    "plain": "plain",
    "residual": "residual, He init everywhere",
    "residual_zero": "residual, each branch starts at 0",
}
"""The three kinds of :class:`DepthStack`, with a label for figures."""


class DepthStack(Network):
    """A ``depth``-layer fully connected ReLU network of constant ``width``, plain or residual.

    ``depth`` counts the weight layers: the input layer (784 → width), the
    ``depth − 2`` hidden layers (width → width, in blocks of two for the
    residual kinds, so ``depth`` must then be even) and the output layer
    (width → 10). Introduced in chapter 7, Deep learning.
    """

    def __init__(self, depth: int, width: int = 32, kind: Kind = "plain", input_size: int = 784,
                 output_size: int = 10, seed: int | np.random.Generator = 0,
                 dtype: DTypeLike = np.float32) -> None:
        super().__init__(dtype)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")
        if not isinstance(depth, (int, np.integer)) or depth < 2:
            raise ValueError(f"depth must be an integer of at least 2 (input and output layers), got {depth!r}")
        if kind != "plain" and depth % 2:
            raise ValueError(f"a residual DepthStack groups its hidden layers in pairs: depth must be even, got {depth}")
        self.input_shape, self.output_size = (int(input_size),), int(output_size)
        self.depth, self.width, self.kind = int(depth), int(width), kind
        rng = np.random.default_rng(seed)
        self._param_layers: dict[str, tuple[Affine, str]] = {}
        self._weight_layer_of: list[str] = []  # top-level layer name of every weight layer, input to output

        def affine(n_in: int, n_out: int, zero: bool = False) -> Affine:
            i = len(self._param_layers) // 2 + 1
            W = np.zeros((n_in, n_out), self.dtype) if zero else \
                (rng.standard_normal((n_in, n_out)) * he_std(n_in)).astype(self.dtype)
            layer = Affine(W, np.zeros(n_out, self.dtype))
            self.params[f"W{i}"], self.params[f"b{i}"] = layer.W, layer.b
            self._param_layers[f"W{i}"], self._param_layers[f"b{i}"] = (layer, "dW"), (layer, "db")
            return layer

        self.layers["Affine1"] = affine(input_size, width)
        self._weight_layer_of.append("Affine1")
        self.layers["Relu1"] = Relu()
        hidden = depth - 2
        if kind == "plain":
            for i in range(2, hidden + 2):
                self.layers[f"Affine{i}"] = affine(width, width)
                self._weight_layer_of.append(f"Affine{i}")
                self.layers[f"Relu{i}"] = Relu()
        else:
            for j in range(1, hidden // 2 + 1):
                branch = [affine(width, width), Relu(), affine(width, width, zero=kind == "residual_zero")]
                self.layers[f"Block{j}"] = ResidualBlock(branch)
                self._weight_layer_of += [f"Block{j}", f"Block{j}"]
                self.layers[f"BlockRelu{j}"] = Relu()
        self.layers["AffineOut"] = affine(width, output_size)
        self._weight_layer_of.append("AffineOut")
        self._decayed = tuple(k for k in self.params if k.startswith("W"))

    def gradient(self, x: ArrayLike, t: ArrayLike, train_flg: bool = True) -> dict[str, NDArray]:
        """Backprop as :meth:`Network.gradient`, reading the gradients from the layers inside the blocks too.

        Also keeps, in ``self.input_grads``, the gradient that arrives at the
        input of every top-level layer. Introduced in chapter 7.
        """
        self.last_loss = self.loss(x, t, train_flg=train_flg)
        dout = self.last_layer.backward(1)
        self.input_grads: dict[str, NDArray] = {}
        for name, layer in reversed(self.layers.items()):
            dout = layer.backward(dout)
            self.input_grads[name] = dout
        return {key: getattr(layer, attr) for key, (layer, attr) in self._param_layers.items()}

    def __repr__(self) -> str:
        return f"DepthStack(depth={self.depth}, width={self.width}, kind={self.kind!r}; " \
               f"{sum(p.size for p in self.params.values()):,} parameters)"


def input_gradient_norms(net: DepthStack, x: ArrayLike, t: ArrayLike) -> tuple[NDArray, NDArray]:
    """Root-mean-square gradient of the loss with respect to every hidden representation, at the current weights.

    Returns ``(after_layer, rms)``: for each hidden representation, the
    number of weight layers below it (1 … depth − 1) and the RMS over the
    batch and the features of ∂L/∂(representation), i.e. of the gradient that
    arrives at the input of the next weight layer or block. A plain network
    has one after every layer; a residual one after the input layer and after
    every block of two. Introduced in chapter 7, Deep learning.
    """
    net.gradient(x, t)
    positions, rms, below = [], [], 0
    for name in dict.fromkeys(net._weight_layer_of):  # top-level weight layers, input to output, once each
        if below:
            g = net.input_grads[name]
            positions.append(below)
            rms.append(float(np.sqrt(np.mean(np.square(g, dtype=np.float64)))))
        below += net._weight_layer_of.count(name)
    return np.array(positions), np.array(rms)


def depth_experiment(
    x: ArrayLike,
    t: ArrayLike,
    depths: Sequence[int] = (4, 8, 16, 32),
    kinds: Sequence[str] = tuple(KINDS),
    width: int = 32,
    epochs: int = 10,
    lr: float = 1e-3,
    seed: int = 0,
) -> dict[str, dict[int, float]]:
    """Train every kind at every depth on ``(x, t)``; return the mean training loss of the last epoch.

    Each run: a fresh :class:`DepthStack` (seeded), :class:`~common.trainer.Trainer`
    with Adam at ``lr``, mini-batches of 100, ``epochs`` epochs, the same
    shuffling for every run. The loss is the mean over the last epoch's
    mini-batches, the quantity the optimiser works on. A run whose loss turns
    infinite or NaN is recorded as ``inf``. Introduced in chapter 7.
    """
    x, t = np.asarray(x), np.asarray(t)
    results: dict[str, dict[int, float]] = {}
    for kind in kinds:
        results[kind] = {}
        for depth in depths:
            net = DepthStack(depth, width, kind, input_size=x.shape[1], seed=seed)
            trainer = Trainer(net, x, t, x[:100], t[:100], epochs=epochs, mini_batch_size=100,
                              optimizer="adam", optimizer_param={"lr": lr},
                              evaluate_sample_num_per_epoch=100, seed=seed, progress=False)
            try:
                history = trainer.train()
            except FloatingPointError:
                results[kind][depth] = float("inf")
                continue
            last = history.train_loss[-trainer.iters_per_epoch:]
            results[kind][depth] = float(np.mean(last))
    return results
