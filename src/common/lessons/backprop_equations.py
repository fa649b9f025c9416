"""Backpropagation as four matrix equations, and the same gradients from the layer objects.

Chapter 4 teaches backprop twice: as layers with ``forward``/``backward``
(``common.layers``), and as the four equations of Nielsen's notation, where
column ``x`` of every matrix is one sample and ``W^l`` has shape
``(n_l, n_{l-1})`` so that ``z^l = W^l a^{l-1} + b^l``:

1. ``δ^L = ∇_a C ⊙ σ'(z^L)``                 (the error at the output layer)
2. ``δ^l = ((W^{l+1})^T δ^{l+1}) ⊙ σ'(z^l)``  (moving the error one layer back)
3. ``∂C/∂b^l = δ^l``                          (bias gradient)
4. ``∂C/∂W^l = δ^l (a^{l-1})^T``              (weight gradient: ∂C/∂w^l_jk = a^{l-1}_k δ^l_j)

For a batch the cost is the mean over samples, so equations 3 and 4 average
over the columns. :func:`four_equation_gradients` computes them;
:func:`layer_gradients` gets the same numbers from ``Affine``/activation layers
(where ``W`` is stored transposed, shape ``(n_in, n_out)``). Introduced in
chapter 4, Backpropagation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from common.functions import relu, relu_grad, sigmoid, sigmoid_grad, softmax
from common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

__all__ = ["FourEquationResult", "init_matrix_form", "four_equation_gradients", "layer_gradients",
           "matrix_form_cost"]

_HIDDEN = {"sigmoid": (sigmoid, sigmoid_grad), "relu": (relu, relu_grad)}
_OUTPUTS = ("sigmoid_quadratic", "softmax_cross_entropy")


@dataclass(frozen=True)
class FourEquationResult:
    """Gradients and the intermediate quantities of the four equations, layer by layer (index 0 = layer 1).

    ``grad_W[l]`` has the shape of ``weights[l]`` (n_l, n_{l-1}); ``grad_b[l]``
    shape (n_l,); ``deltas[l]`` is δ for every sample, shape (n_l, N);
    ``zs[l]`` and ``activations[l + 1]`` likewise (``activations[0]`` is the input,
    as columns). Introduced in chapter 4, Backpropagation.
    """

    grad_W: list[NDArray]
    grad_b: list[NDArray]
    deltas: list[NDArray]
    zs: list[NDArray]
    activations: list[NDArray]
    cost: float


def _check(weights: Sequence[NDArray], biases: Sequence[NDArray], x: NDArray, y: NDArray,
           hidden: str, output: str) -> tuple[NDArray, NDArray]:
    if hidden not in _HIDDEN:
        raise ValueError(f"hidden must be one of {sorted(_HIDDEN)}, got {hidden!r}")
    if output not in _OUTPUTS:
        raise ValueError(f"output must be one of {list(_OUTPUTS)}, got {output!r}")
    if len(weights) != len(biases) or not weights:
        raise ValueError(f"need one bias per weight matrix, got {len(weights)} weights and {len(biases)} biases")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape[1] != weights[0].shape[1]:
        raise ValueError(f"x must have shape (N, {weights[0].shape[1]}) (one sample per row), got {x.shape}")
    if y.shape != (x.shape[0], weights[-1].shape[0]):
        raise ValueError(f"y must have shape ({x.shape[0]}, {weights[-1].shape[0]}) (one-hot or target rows), "
                         f"got {y.shape}")
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        if b.shape != (W.shape[0],):
            raise ValueError(f"b^{l} must have shape ({W.shape[0]},) to match W^{l} {W.shape}, got {b.shape}")
        if l > 1 and W.shape[1] != weights[l - 2].shape[0]:
            raise ValueError(f"W^{l} has shape {W.shape} but layer {l - 1} has {weights[l - 2].shape[0]} "
                             f"units: W^{l} needs shape ({W.shape[0]}, {weights[l - 2].shape[0]})")
    return x, y


def init_matrix_form(sizes: Sequence[int], seed: int = 0, scale: float = 0.5) -> tuple[list[NDArray], list[NDArray]]:
    """Random weights ``W^l`` of shape (n_l, n_{l-1}) and biases (n_l,) for layer sizes ``sizes``.

    Introduced in chapter 4, Backpropagation.
    """
    rng = np.random.default_rng(seed)
    weights = [scale * rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [scale * rng.standard_normal(n_out) for n_out in sizes[1:]]
    return weights, biases


def _forward(weights, biases, a, hidden, output):
    act = _HIDDEN[hidden][0]
    zs, activations = [], [a]
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = W @ activations[-1] + b[:, None]
        zs.append(z)
        last = l == len(weights) - 1
        if last:
            a = sigmoid(z) if output == "sigmoid_quadratic" else softmax(z.T).T
        else:
            a = act(z)
        activations.append(a)
    return zs, activations


def matrix_form_cost(weights: Sequence[NDArray], biases: Sequence[NDArray], x: NDArray, y: NDArray,
                     hidden: str = "sigmoid", output: str = "sigmoid_quadratic") -> float:
    """The mean cost C over the batch: ½‖a^L − y‖² (quadratic) or −Σ y log a^L (cross-entropy).

    Introduced in chapter 4, Backpropagation.
    """
    x, y = _check(weights, biases, x, y, hidden, output)
    _, activations = _forward(weights, biases, x.T, hidden, output)
    aL = activations[-1]
    if output == "sigmoid_quadratic":
        return float(0.5 * np.sum((aL - y.T) ** 2) / x.shape[0])
    return float(-np.sum(y.T * np.log(aL)) / x.shape[0])


def four_equation_gradients(weights: Sequence[NDArray], biases: Sequence[NDArray], x: NDArray, y: NDArray,
                            hidden: str = "sigmoid", output: str = "sigmoid_quadratic") -> FourEquationResult:
    """Gradients of the mean cost by the four equations of backpropagation, in matrix form.

    ``weights[l]`` is ``W^{l+1}`` with shape (n_{l+1}, n_l); ``x`` holds one
    sample per row (N, n_0), ``y`` the targets (N, n_L). Hidden layers use
    ``hidden`` (``"sigmoid"`` or ``"relu"``); the output is ``"sigmoid_quadratic"``
    (sigmoid with C = ½‖a − y‖², so ∇_a C = a − y) or ``"softmax_cross_entropy"``
    (for which equation 1 simplifies to δ^L = a^L − y). Introduced in chapter 4,
    Backpropagation.
    """
    x, y = _check(weights, biases, x, y, hidden, output)
    n = x.shape[0]
    zs, activations = _forward(weights, biases, x.T, hidden, output)  # columns are samples
    aL, yT = activations[-1], y.T
    d_act = _HIDDEN[hidden][1]
    L = len(weights)
    deltas: list[NDArray] = [np.empty(0)] * L
    # (1) the output error
    if output == "sigmoid_quadratic":
        deltas[-1] = (aL - yT) * sigmoid_grad(zs[-1])
        cost = 0.5 * np.sum((aL - yT) ** 2) / n
    else:
        deltas[-1] = aL - yT
        cost = -np.sum(yT * np.log(aL)) / n
    # (2) move it back one layer at a time
    for l in range(L - 2, -1, -1):
        deltas[l] = (weights[l + 1].T @ deltas[l + 1]) * d_act(zs[l])
    # (3) and (4), averaged over the batch
    grad_b = [d.sum(axis=1) / n for d in deltas]
    grad_W = [d @ a_prev.T / n for d, a_prev in zip(deltas, activations[:-1])]
    return FourEquationResult(grad_W, grad_b, deltas, zs, activations, float(cost))


def layer_gradients(weights: Sequence[NDArray], biases: Sequence[NDArray], x: NDArray, y: NDArray,
                    hidden: str = "sigmoid", output: str = "sigmoid_quadratic") -> tuple[list[NDArray], list[NDArray]]:
    """The same gradients from ``common.layers``: Affine → activation → … → output, then ``backward``.

    Takes the weights in the matrix-form orientation and returns ``(dWs, dbs)``
    in the *layer* orientation (``dWs[l]`` has shape (n_l, n_{l+1}), the
    transpose of :func:`four_equation_gradients`' ``grad_W[l]``).
    Introduced in chapter 4, Backpropagation.
    """
    x, y = _check(weights, biases, x, y, hidden, output)
    hidden_layer = {"sigmoid": Sigmoid, "relu": Relu}[hidden]
    layers = []
    for l, (W, b) in enumerate(zip(weights, biases)):
        layers.append(Affine(W.T.copy(), b.copy()))
        if l < len(weights) - 1:
            layers.append(hidden_layer())
    out = x
    for layer in layers:
        out = layer.forward(out)
    if output == "sigmoid_quadratic":
        last = Sigmoid()
        a = last.forward(out)
        dout = last.backward((a - y) / x.shape[0])  # C = mean of ½‖a − y‖²
    else:
        last = SoftmaxWithLoss()
        last.forward(out, y)
        dout = last.backward(1.0)
    for layer in reversed(layers):
        dout = layer.backward(dout)
    affines = [layer for layer in layers if isinstance(layer, Affine)]
    return [a.dW for a in affines], [a.db for a in affines]
