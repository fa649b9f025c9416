"""What every network in ``common.networks`` shares: predict, loss, accuracy, gradients, I/O.

Introduced in chapter 4, Backpropagation. A network is an ordered dict of layers
(``self.layers``) followed by a :class:`~common.layers.SoftmaxWithLoss`
(``self.last_layer``), plus a dict of parameters (``self.params``: ``'W1'``,
``'b1'``, ...) whose arrays are *the same objects* the layers hold. Optimisers
update those arrays in place, so the layers see the change without being told.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from common.gradient import numerical_gradient as _numerical_gradient
from common.layers import BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from common.params import load_params as _load_npz
from common.params import save_params as _save_npz

__all__ = ["Network"]


def _float_dtype(dtype: DTypeLike) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class Network:
    """Base class: subclasses fill ``params``, ``layers`` and the bookkeeping below.

    Introduced in chapter 4, Backpropagation. Subclasses set, in ``__init__``:

    - ``input_shape``: shape of one sample, e.g. ``(784,)`` or ``(1, 28, 28)``;
    - ``output_size``: number of classes;
    - ``params``: parameter arrays by name, in ``dtype``;
    - ``layers``: the layers in order; ``last_layer``: a ``SoftmaxWithLoss``;
    - ``_grad_sources``: for each parameter name, the layer name and the
      attribute holding its gradient after ``backward`` (``('Affine1', 'dW')``);
    - ``_decayed``: names of the weights that weight decay applies to.
    """

    input_shape: tuple[int, ...]
    output_size: int

    def __init__(self, dtype: DTypeLike = np.float64, weight_decay_lambda: float = 0.0) -> None:
        self.dtype = _float_dtype(dtype)
        lam = float(weight_decay_lambda)
        if not np.isfinite(lam) or lam < 0:
            raise ValueError(f"weight_decay_lambda must be a finite number >= 0, got {weight_decay_lambda!r}")
        self.weight_decay_lambda = lam
        self.params: dict[str, NDArray] = {}
        self.layers: OrderedDict[str, Any] = OrderedDict()
        self.last_layer = SoftmaxWithLoss()
        self._grad_sources: dict[str, tuple[str, str]] = {}
        self._decayed: tuple[str, ...] = ()
        self.last_loss: float | None = None

    # ----------------------------------------------------------------- checking
    def _input_hint(self, x: np.ndarray) -> str:
        """What to do about a wrongly shaped input (subclasses may refine)."""
        per_sample = int(np.prod(self.input_shape))
        target = ", ".join(str(s) for s in self.input_shape)
        if x.shape == self.input_shape:
            return "that is one sample without the batch axis: use x[np.newaxis] for a batch of 1"
        if x.ndim >= 1 and x.shape[0] > 0 and x.size == x.shape[0] * per_sample:
            return f"the sizes match, only the layout differs: reshape with x.reshape(-1, {target})"
        return (
            f"each sample must have {per_sample} values; build the network with the size of "
            "your data or feed the data it was built for"
        )

    def _check_x(self, x: ArrayLike) -> NDArray:
        x = np.asarray(x)
        if x.ndim != 1 + len(self.input_shape) or x.shape[1:] != self.input_shape:
            expected = "(N, " + ", ".join(str(s) for s in self.input_shape) + ")"
            raise ValueError(
                f"{type(self).__name__} expected input of shape {expected}, "
                f"got {x.shape}: {self._input_hint(x)}"
            )
        return x.astype(self.dtype, copy=False)

    def _check_t(self, t: ArrayLike, n: int) -> np.ndarray:
        t = np.asarray(t)
        if t.shape == (n, 1) and self.output_size > 1 and np.issubdtype(t.dtype, np.integer):
            t = t.reshape(n)  # labels in a column, as the classic book's chapter 7 passes them
        if t.shape == (n,) and np.issubdtype(t.dtype, np.integer):
            return t
        if t.shape == (n, self.output_size):
            return t
        raise ValueError(
            f"{type(self).__name__} expected targets as integer labels of shape ({n},) (or ({n}, 1)) or "
            f"one-hot rows of shape ({n}, {self.output_size}) for {n} inputs, got shape "
            f"{t.shape} and dtype {t.dtype}"
            + ("; convert float labels with t.astype(int)" if t.shape == (n,) else "")
        )

    # ---------------------------------------------------------------- inference
    def predict(self, x: ArrayLike, train_flg: bool = False) -> NDArray:
        """Class scores (before softmax) for a batch ``x``; ``train_flg`` switches dropout/BN to training.

        Introduced in chapter 2, Neural networks (forward pass).
        """
        out = self._check_x(x)
        for layer in self.layers.values():
            if isinstance(layer, (Dropout, BatchNormalization)):
                out = layer.forward(out, train_flg)
            else:
                out = layer.forward(out)
        return out

    def _decay_term(self) -> float:
        if not self.weight_decay_lambda:
            return 0.0
        total = sum(float(np.sum(self.params[k] * self.params[k])) for k in self._decayed)
        return 0.5 * self.weight_decay_lambda * total

    def loss(self, x: ArrayLike, t: ArrayLike, train_flg: bool = False) -> float:
        """Mean cross-entropy of the batch, plus ``λ/2 ΣW²`` when weight decay is on.

        Introduced in chapter 3, Learning from data (weight decay in chapter 5).
        """
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        y = self.predict(x, train_flg)
        return self.last_layer.forward(y, t) + self._decay_term()

    def accuracy(self, x: ArrayLike, t: ArrayLike, batch_size: int = 100) -> float:
        """Fraction of samples whose highest score is the true class (labels or one-hot ``t``).

        Works through ``x`` in batches of ``batch_size`` to keep memory small.
        Introduced in chapter 2, Neural networks.
        """
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])
        batch_size = _positive_int(batch_size, "batch_size")
        labels = np.argmax(t, axis=1) if t.ndim == 2 else t
        if x.shape[0] == 0:
            raise ValueError("accuracy of an empty batch is undefined: pass at least one sample")
        correct = 0
        for start in range(0, x.shape[0], batch_size):
            y = self.predict(x[start:start + batch_size], train_flg=False)
            correct += int(np.sum(np.argmax(y, axis=1) == labels[start:start + batch_size]))
        return correct / x.shape[0]

    # ---------------------------------------------------------------- gradients
    def gradient(self, x: ArrayLike, t: ArrayLike, train_flg: bool = True) -> dict[str, NDArray]:
        """Gradients of the loss for every parameter, by backpropagation.

        Runs one forward pass in training mode (dropout and batch-norm active,
        unless ``train_flg=False``), then the layers' ``backward`` in reverse
        order. The loss of that forward pass is kept in ``self.last_loss``.
        Introduced in chapter 4, Backpropagation.
        """
        self.last_loss = self.loss(x, t, train_flg=train_flg)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for key, (layer_name, attr) in self._grad_sources.items():
            grads[key] = getattr(self.layers[layer_name], attr)
        if self.weight_decay_lambda:
            for key in self._decayed:
                grads[key] = grads[key] + self.weight_decay_lambda * self.params[key]
        return grads

    def numerical_gradient(
        self, x: ArrayLike, t: ArrayLike, train_flg: bool = True, h: float = 1e-4
    ) -> dict[str, NDArray]:
        """Gradients by central differences: slow, but an independent check of :meth:`gradient`.

        Introduced in chapter 3, Learning from data; used in chapter 4 to check backprop.
        Use float64: float32 has too few digits for the finite difference. The
        error shrinks like ``h**2`` until rounding takes over; batch norm over a
        tiny batch is strongly curved and checks better with ``h=1e-5``.
        """
        x = self._check_x(x)
        t = self._check_t(t, x.shape[0])

        def loss_of(_: NDArray) -> float:
            return self.loss(x, t, train_flg=train_flg)

        return {key: _numerical_gradient(loss_of, self.params[key], h) for key in self.params}

    # ---------------------------------------------------------------------- I/O
    def _buffers(self) -> dict[str, NDArray]:
        """Non-trained state saved with the weights (batch-norm running statistics)."""
        out = {}
        for name, layer in self.layers.items():
            if isinstance(layer, BatchNormalization):
                for attr in ("running_mean", "running_var"):
                    value = getattr(layer, attr)
                    if value is not None:
                        out[f"{name}.{attr}"] = value
        return out

    def _set_buffer(self, key: str, value: NDArray) -> None:
        name, attr = key.split(".", 1)
        setattr(self.layers[name], attr, value.astype(self.dtype))

    def save_params(self, path: str | os.PathLike[str]) -> Path:
        """Save the parameters (and batch-norm running statistics) to an ``.npz`` file.

        Introduced in chapter 2, Neural networks. Returns the path written.
        """
        return _save_npz({**self.params, **self._buffers()}, path)

    def load_params(self, path: str | os.PathLike[str]) -> None:
        """Load parameters saved by :meth:`save_params` into this network, in place.

        Batch-norm running statistics are loaded too, since inference needs them.
        Names and shapes must match this network exactly, otherwise a ``ValueError``
        says what differs; values are cast to the network's dtype.
        Introduced in chapter 2, Neural networks.
        """
        loaded = _load_npz(path)
        expected = {k: v.shape for k, v in self.params.items()}
        expected.update({k: v.shape for k, v in self._buffers().items()})
        missing = [k for k in expected if k not in loaded]
        unexpected = [k for k in loaded if k not in expected]
        if missing or unexpected:
            raise ValueError(
                f"{path} does not fit this {type(self).__name__}: "
                + (f"missing {missing}" if missing else "")
                + ("; " if missing and unexpected else "")
                + (f"unexpected {unexpected}" if unexpected else "")
                + ". Was it saved from a network of another kind or with other options?"
            )
        wrong = [
            f"{k}: expected {expected[k]}, file has {loaded[k].shape}"
            for k in loaded
            if loaded[k].shape != expected[k]
        ]
        if wrong:
            raise ValueError(
                f"{path} has parameters of other shapes than this {type(self).__name__} ("
                + "; ".join(wrong)
                + "). Build the network with the sizes it was saved with."
            )
        bad = [k for k in loaded if not np.issubdtype(loaded[k].dtype, np.floating)]
        if bad:
            raise ValueError(f"{path} holds non-float arrays for {bad}; expected float weights")
        for key in self.params:
            self.params[key][...] = loaded[key]  # in place: the layers hold these arrays
        for key in loaded:
            if key not in self.params:
                self._set_buffer(key, loaded[key])

    # ------------------------------------------------------------------ helpers
    def __repr__(self) -> str:
        layers = " -> ".join(self.layers) + " -> SoftmaxWithLoss"
        n = sum(p.size for p in self.params.values())
        return f"{type(self).__name__}({layers}; {n:,} parameters, {self.dtype})"

    @staticmethod
    def _activation(name: str) -> type:
        """The activation layer class for ``'relu'``, ``'sigmoid'`` or ``'tanh'``."""
        table = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}
        key = name.strip().lower() if isinstance(name, str) else None
        if key not in table:
            raise ValueError(f"activation must be 'relu', 'sigmoid' or 'tanh', got {name!r}")
        return table[key]
