"""Gradient checking in practice: one layer at a time, and the three ways a check misleads.

A gradient check compares backprop with central differences (:mod:`common.gradient`).
:func:`layer_gradient_check` checks a single layer, which tells *where* a bug
is when a whole network's check only says *that* one exists.
:func:`dropout_check` shows why dropout must be off during a check (every loss
evaluation draws new masks), and :func:`weight_decay_check` why regularisation
should be off too (its large, correct gradient hides a wrong data gradient).
Introduced in chapter 4, Backpropagation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.gradient import gradient_check, numerical_gradient, relative_error
from common.layers import Affine
from common.networks import MultiLayerNet

__all__ = ["PARAMETER_GRADIENTS", "layer_gradient_check", "dropout_check", "weight_decay_check"]

PARAMETER_GRADIENTS: dict[str, str] = {"W": "dW", "b": "db", "gamma": "dgamma", "beta": "dbeta"}
"""A layer's parameter attributes and the attributes its ``backward`` stores their gradients in."""


def layer_gradient_check(layer: Any, x: ArrayLike, seed: int = 0, h: float = 1e-4) -> dict[str, float]:
    """Largest relative error of one layer's ``backward`` against central differences, per input and parameter.

    The check uses the scalar L = Σ forward(x) ⊙ g for a fixed random g: its
    gradient with respect to the layer's output is g, so ``backward(g)`` must
    return ∂L/∂x, and the layer must store ∂L/∂W in ``dW`` and so on (see
    :data:`PARAMETER_GRADIENTS`). Returns ``{"x": …, "W": …, "b": …}`` for the
    parameters the layer has. The layer's forward must not be random (dropout
    off) and its arrays should be float64. Introduced in chapter 4, Backpropagation.
    """
    x = np.array(x, dtype=np.float64)  # a copy: the check nudges its entries
    if x.size == 0:
        raise ValueError("layer_gradient_check needs a non-empty input x")
    out = np.asarray(layer.forward(x.copy()))
    g = np.random.default_rng(seed).standard_normal(out.shape)
    dx = layer.backward(g.copy())
    if np.shape(dx) != x.shape:
        return {"x": float("inf")}  # a wrong shape is as wrong as it gets
    analytic = {"x": np.asarray(dx, dtype=np.float64)}
    params = {name: getattr(layer, name) for name in PARAMETER_GRADIENTS
              if isinstance(getattr(layer, name, None), np.ndarray)}
    for name, value in params.items():
        analytic[name] = np.asarray(getattr(layer, PARAMETER_GRADIENTS[name]), dtype=np.float64)

    def projected(_: NDArray) -> float:  # reads x and the parameters as numerical_gradient nudges them
        return float(np.sum(np.asarray(layer.forward(x.copy())) * g))

    numeric = {name: numerical_gradient(projected, value, h) for name, value in {"x": x, **params}.items()}
    return {name: relative_error(analytic[name], numeric[name]) if analytic[name].shape == numeric[name].shape
            else float("inf") for name in analytic}


def _data(seed: int, n: int = 5, features: int = 6, classes: int = 3) -> tuple[NDArray, NDArray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)), rng.integers(0, classes, size=n)


def dropout_check(train_flg: bool, seed: int = 0, dropout_ratio: float = 0.3) -> dict[str, float]:
    """Gradient check of a small ReLU network with dropout (6-8-3, five samples), in training mode or not.

    In training mode every call of the loss draws new dropout masks, so the
    central differences compare losses of different networks and the check
    fails although backprop is right; with ``train_flg=False`` dropout is the
    identity and the check passes. Introduced in chapter 4, Backpropagation.
    """
    net = MultiLayerNet(6, [8], 3, use_dropout=True, dropout_ratio=dropout_ratio, seed=seed)
    x, t = _data(seed)
    return gradient_check(net.gradient(x, t, train_flg=train_flg), net.numerical_gradient(x, t, train_flg=train_flg))


class _AffineAveragedTwice(Affine):
    """An Affine layer whose dW divides by the batch size a second time: a planted bug."""

    def backward(self, dout: NDArray) -> NDArray:
        dx = super().backward(dout)
        self.dW = self.dW / dout.shape[0]
        return dx


def weight_decay_check(lambdas: Iterable[float], seed: int = 0, fit_steps: int = 200) -> dict[float, float]:
    """Relative error of ∂L/∂W1 for a network with a planted bug in W1's data gradient, for each weight decay λ.

    A small ReLU network (6-8-3) first fits its five samples (``fit_steps`` of
    plain gradient descent, no weight decay), as a network does part-way
    through training: its data gradients are now small. Then the bug is planted
    (the first layer's dW is divided by the batch size once more) and the
    network is checked with each λ. Weight decay adds the same, correct λ·W1 to
    the backprop and the numerical gradient; as it outweighs the data gradient
    the relative error shrinks, and the bug hides. Check with λ = 0 first.
    Introduced in chapter 4, Backpropagation.
    """
    x, t = _data(seed)
    fitted = MultiLayerNet(6, [8], 3, seed=seed)
    for _ in range(fit_steps):
        grads = fitted.gradient(x, t)
        for key, value in fitted.params.items():
            value -= 0.5 * grads[key]
    errors = {}
    for lam in lambdas:
        net = MultiLayerNet(6, [8], 3, weight_decay_lambda=float(lam), seed=seed)
        for key, value in net.params.items():
            value[...] = fitted.params[key]
        net.layers["Affine1"] = _AffineAveragedTwice(net.params["W1"], net.params["b1"])
        errors[lam] = relative_error(net.gradient(x, t)["W1"], net.numerical_gradient(x, t)["W1"])
    return errors
