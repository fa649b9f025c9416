"""common.lessons.gradient_checking: layer-by-layer checks find the layer, and the two pitfalls are real."""

from __future__ import annotations

import numpy as np
import pytest

from common.gradient import numerical_diff, relative_error
from common.layers import Affine, Relu, Sigmoid, Tanh
from common.lessons.gradient_checking import dropout_check, layer_gradient_check, weight_decay_check


@pytest.mark.parametrize("make", [Relu, Sigmoid, Tanh])
def test_correct_activation_layers_pass(make) -> None:
    x = np.random.default_rng(1).standard_normal((4, 7))
    assert layer_gradient_check(make(), x)["x"] < 1e-7


def test_affine_is_checked_for_input_and_parameters() -> None:
    rng = np.random.default_rng(2)
    errors = layer_gradient_check(Affine(rng.standard_normal((5, 3)), rng.standard_normal(3)),
                                  rng.standard_normal((4, 5)))
    assert set(errors) == {"x", "W", "b"} and max(errors.values()) < 1e-7


class NoMaskRelu(Relu):
    def backward(self, dout):
        return dout * 1


class TransposeForgotten(Affine):
    def backward(self, dout):
        super().backward(dout)
        return dout @ self.W  # a square W hides the shape error; the values are wrong


class MeanBias(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout.mean(axis=0)
        return dx


def test_planted_bugs_are_found_in_the_right_place() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 4))
    assert layer_gradient_check(NoMaskRelu(), x)["x"] > 0.1
    errors = layer_gradient_check(TransposeForgotten(rng.standard_normal((4, 4)), rng.standard_normal(4)), x)
    assert errors["x"] > 0.1 and errors["W"] < 1e-7 and errors["b"] < 1e-7
    errors = layer_gradient_check(MeanBias(rng.standard_normal((4, 2)), rng.standard_normal(2)), x)
    assert errors["b"] > 0.1 and errors["x"] < 1e-7 and errors["W"] < 1e-7


def test_a_wrong_shape_is_infinitely_wrong() -> None:
    class Flattens(Relu):
        def backward(self, dout):
            return super().backward(dout).ravel()

    assert layer_gradient_check(Flattens(), np.ones((2, 3)))["x"] == float("inf")


def test_the_layer_and_its_input_are_left_as_they_were() -> None:
    rng = np.random.default_rng(4)
    W, b, x = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((5, 3))
    keep = W.copy(), b.copy(), x.copy()
    layer_gradient_check(Affine(W, b), x)
    for before, after in zip(keep, (W, b, x)):
        np.testing.assert_array_equal(before, after)


def test_empty_input_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        layer_gradient_check(Relu(), np.zeros((0, 3)))


def test_an_input_at_the_kink_disagrees_although_relu_is_right() -> None:
    x = np.random.default_rng(5).standard_normal((3, 4))
    x[0, 0] = 3e-5  # closer to 0 than the step h = 1e-4
    assert layer_gradient_check(Relu(), x)["x"] > 0.1
    assert numerical_diff(lambda v: max(v, 0.0), 5e-5) == pytest.approx(0.75)


def test_dropout_must_be_off_for_the_check() -> None:
    assert max(dropout_check(train_flg=True).values()) > 0.1
    assert max(dropout_check(train_flg=False).values()) < 1e-6


def test_weight_decay_hides_a_bug_more_as_it_grows() -> None:
    errors = weight_decay_check([0, 0.01, 0.1, 1])
    values = [errors[lam] for lam in (0, 0.01, 0.1, 1)]
    assert values[0] == pytest.approx(2 / 3, rel=1e-6)  # dW 5× too small: |a − n| / (|a| + |n|) = 4/6
    assert all(a > b for a, b in zip(values, values[1:]))
    assert values[-1] < 1e-2


def test_relative_error_is_scale_free_where_the_absolute_error_is_not() -> None:
    assert relative_error(1e-8, 2e-8) == pytest.approx(1 / 3)
    assert relative_error(1000.0, 1000.001) < 1e-6
