"""The four equations of backprop in matrix form agree with the layer objects and with numerical gradients."""

from __future__ import annotations

import numpy as np
import pytest

from common.lessons.backprop_equations import (
    four_equation_gradients,
    init_matrix_form,
    layer_gradients,
    matrix_form_cost,
)
from common.gradient import numerical_gradient, relative_error
from common.networks import TwoLayerNet

CASES = [(h, o) for h in ("sigmoid", "relu") for o in ("sigmoid_quadratic", "softmax_cross_entropy")]


def _data(sizes, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    return x, y


@pytest.mark.parametrize(("hidden", "output"), CASES)
@pytest.mark.parametrize("sizes", [[4, 5, 3], [3, 7, 6, 2], [5, 2]])
def test_four_equations_equal_layer_view(sizes, hidden, output) -> None:
    W, b = init_matrix_form(sizes, seed=1)
    x, y = _data(sizes, 6, 2)
    eq = four_equation_gradients(W, b, x, y, hidden, output)
    dWs, dbs = layer_gradients(W, b, x, y, hidden, output)
    assert len(dWs) == len(W)
    for l in range(len(W)):
        assert eq.grad_W[l].shape == W[l].shape and eq.grad_b[l].shape == b[l].shape
        np.testing.assert_allclose(eq.grad_W[l], dWs[l].T, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(eq.grad_b[l], dbs[l], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("hidden", "output"), CASES)
def test_four_equations_match_numerical_gradient(hidden, output) -> None:
    sizes = [3, 4, 3]
    W, b = init_matrix_form(sizes, seed=3)
    x, y = _data(sizes, 5, 4)
    eq = four_equation_gradients(W, b, x, y, hidden, output)
    assert eq.cost == pytest.approx(matrix_form_cost(W, b, x, y, hidden, output))
    for l in range(len(W)):
        num_W = numerical_gradient(lambda _: matrix_form_cost(W, b, x, y, hidden, output), W[l])
        num_b = numerical_gradient(lambda _: matrix_form_cost(W, b, x, y, hidden, output), b[l])
        assert relative_error(eq.grad_W[l], num_W) < 1e-6
        assert relative_error(eq.grad_b[l], num_b) < 1e-6


def test_equation_four_is_an_outer_product_per_sample() -> None:
    sizes = [3, 4, 2]
    W, b = init_matrix_form(sizes, seed=5)
    x, y = _data(sizes, 1, 6)
    eq = four_equation_gradients(W, b, x, y)
    # ∂C/∂w_jk = a_k^{l-1} δ_j^l, one sample
    for l in range(2):
        a_prev, delta = eq.activations[l][:, 0], eq.deltas[l][:, 0]
        np.testing.assert_allclose(eq.grad_W[l], np.outer(delta, a_prev))
        np.testing.assert_allclose(eq.grad_b[l], delta)


def test_same_gradients_as_two_layer_net() -> None:
    net = TwoLayerNet(6, 5, 3, weight_init_std=0.5, seed=0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((7, 6))
    t = np.eye(3)[rng.integers(0, 3, 7)]
    grads = net.gradient(x, t)
    W = [net.params["W1"].T, net.params["W2"].T]
    b = [net.params["b1"], net.params["b2"]]
    eq = four_equation_gradients(W, b, x, t, hidden="relu", output="softmax_cross_entropy")
    np.testing.assert_allclose(eq.grad_W[0].T, grads["W1"], atol=1e-12)
    np.testing.assert_allclose(eq.grad_W[1].T, grads["W2"], atol=1e-12)
    np.testing.assert_allclose(eq.grad_b[0], grads["b1"], atol=1e-12)
    assert eq.cost == pytest.approx(net.loss(x, t))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"hidden": "tanh"}, "hidden"), ({"output": "mse"}, "output")],
)
def test_bad_options(kwargs, match) -> None:
    W, b = init_matrix_form([3, 2], seed=0)
    x, y = _data([3, 2], 2, 0)
    with pytest.raises(ValueError, match=match):
        four_equation_gradients(W, b, x, y, **kwargs)


def test_bad_shapes_are_explained() -> None:
    W, b = init_matrix_form([3, 4, 2], seed=0)
    x, y = _data([3, 4, 2], 2, 0)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\)"):
        four_equation_gradients(W, b, x.T, y)
    with pytest.raises(ValueError, match="y must have shape"):
        four_equation_gradients(W, b, x, y[:, :1])
    with pytest.raises(ValueError, match="W\\^2"):
        four_equation_gradients([W[0], W[1][:, :3]], b, x, y)
