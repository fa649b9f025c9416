"""Tests for common.functions: activations and losses."""

import numpy as np
import pytest

from common.functions import (
    cross_entropy_error,
    identity_function,
    log_softmax,
    mean_squared_error,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_cross_entropy,
    step_function,
    sum_squared_error,
    tanh,
    tanh_grad,
)
from common.gradient import numerical_diff

rng = np.random.default_rng(0)

# the classic book's digit example: the network says "2" with probability 0.6
Y_EXAMPLE = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
T_EXAMPLE = np.eye(10)[2]


# ---------------------------------------------------------------------- activations
def test_step_function_values_and_dtypes():
    x = np.array([-1.0, 0.0, 0.5])
    np.testing.assert_array_equal(step_function(x), [0, 0, 1])
    assert step_function(x.astype(np.float32)).dtype == np.float32
    assert step_function(np.array([-1, 2])).dtype == np.int64


def test_sigmoid_matches_formula_and_gain():
    x = np.linspace(-10, 10, 41)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(sigmoid(x, gain=3.0), 1 / (1 + np.exp(-3 * x)), rtol=1e-14)
    assert sigmoid(0.0) == 0.5


@pytest.mark.filterwarnings("error")  # an overflow warning would fail the test
def test_sigmoid_is_stable_for_huge_inputs():
    y = sigmoid(np.array([-1e4, -800.0, 800.0, 1e4]))
    np.testing.assert_array_equal(y, [0.0, 0.0, 1.0, 1.0])
    assert np.all(np.isfinite(sigmoid_grad(np.array([-1e4, 1e4]))))


@pytest.mark.parametrize(
    "f, df",
    [
        (sigmoid, sigmoid_grad),
        (lambda x: sigmoid(x, gain=2.5), lambda x: sigmoid_grad(x, gain=2.5)),
        (tanh, tanh_grad),
        (relu, relu_grad),
    ],
)
def test_activation_derivatives_match_numerical(f, df):
    for x in [-3.1, -0.7, 0.4, 2.2]:  # away from ReLU's kink
        assert df(np.array(x)) == pytest.approx(numerical_diff(f, x), rel=1e-7)


def test_relu_and_identity():
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(relu(x), [[0, 0, 3]])
    np.testing.assert_array_equal(relu_grad(x), [[0, 0, 1]])  # 0 at the kink, by convention
    assert identity_function(x) is x


@pytest.mark.parametrize("f", [step_function, sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad,
                               identity_function, softmax, log_softmax])
def test_activations_keep_float32(f):
    x = rng.normal(size=(3, 4)).astype(np.float32)
    assert f(x).dtype == np.float32


# -------------------------------------------------------------------------- softmax
def test_softmax_sums_to_one_1d_and_2d():
    x = rng.normal(size=(5, 7))
    y = softmax(x)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)
    np.testing.assert_allclose(y, np.exp(x) / np.exp(x).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(softmax(x[0]), y[0])  # 1-D: a single sample
    np.testing.assert_allclose(softmax(x + 100.0), y)  # invariant to a shift


@pytest.mark.filterwarnings("error")
def test_softmax_and_log_softmax_are_finite_at_huge_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    np.testing.assert_allclose(softmax(x), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(log_softmax(x), [[0, -2e4, -1e4], [-np.log(3)] * 3])


def test_log_softmax_is_log_of_softmax():
    x = rng.normal(size=(4, 6))
    np.testing.assert_allclose(log_softmax(x), np.log(softmax(x)), rtol=1e-12)
    np.testing.assert_allclose(log_softmax(x[1]), np.log(softmax(x[1])), rtol=1e-12)


# --------------------------------------------------------------------------- losses
def test_sum_squared_error_book_example_and_batch_mean():
    assert sum_squared_error(Y_EXAMPLE, T_EXAMPLE) == pytest.approx(0.0975)
    y2 = np.stack([Y_EXAMPLE, T_EXAMPLE])  # second sample is perfect
    t2 = np.stack([T_EXAMPLE, T_EXAMPLE])
    assert sum_squared_error(y2, t2) == pytest.approx(0.0975 / 2)  # mean over the batch


def test_mean_squared_error():
    y, t = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [0.0, 4.0]])
    assert mean_squared_error(y, t) == pytest.approx((4 + 9) / 4)
    with pytest.raises(ValueError, match="same shape"):
        mean_squared_error(y, t[0:1])


def test_cross_entropy_book_example_one_hot_and_labels():
    assert cross_entropy_error(Y_EXAMPLE, T_EXAMPLE) == pytest.approx(-np.log(0.6 + 1e-7))
    assert cross_entropy_error(Y_EXAMPLE, 2) == pytest.approx(-np.log(0.6 + 1e-7))


def test_cross_entropy_batch_mean_labels_equal_one_hot():
    y = softmax(rng.normal(size=(6, 4)))
    labels = rng.integers(0, 4, size=6)
    expected = -np.mean(np.log(y[np.arange(6), labels] + 1e-7))
    assert cross_entropy_error(y, labels) == pytest.approx(expected)
    assert cross_entropy_error(y, np.eye(4)[labels]) == pytest.approx(expected)
    assert cross_entropy_error(y, labels.astype(np.uint8)) == pytest.approx(expected)


def test_cross_entropy_is_finite_when_probability_is_zero():
    assert np.isfinite(cross_entropy_error(np.array([1.0, 0.0]), 1))


def test_softmax_cross_entropy_matches_two_step_version():
    x = rng.normal(size=(5, 3))
    t = rng.integers(0, 3, size=5)
    # they differ only by cross_entropy_error's eps = 1e-7 inside the log
    assert softmax_cross_entropy(x, t) == pytest.approx(cross_entropy_error(softmax(x), t), abs=1e-6)
    assert softmax_cross_entropy(x, np.eye(3)[t]) == pytest.approx(softmax_cross_entropy(x, t))
    one = cross_entropy_error(softmax(x[0]), t[0])
    assert softmax_cross_entropy(x[0], t[0]) == pytest.approx(one, abs=1e-6)


@pytest.mark.filterwarnings("error")
def test_softmax_cross_entropy_exact_at_huge_logits():
    x = np.array([[1e4, -1e4, 0.0]])
    assert softmax_cross_entropy(x, [0]) == 0.0
    assert softmax_cross_entropy(x, [1]) == pytest.approx(2e4)
    assert softmax_cross_entropy(-x, np.array([[0.0, 0.0, 1.0]])) == pytest.approx(1e4)


def test_loss_target_errors_are_explained():
    y = softmax(rng.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"one-hot .*\(4, 3\).*integer labels of shape \(4,\)"):
        cross_entropy_error(y, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="integer labels"):
        cross_entropy_error(y, np.array([0.0, 1.0, 2.0, 0.0]))  # float labels are ambiguous
    with pytest.raises(ValueError, match=r"0\.\.2"):
        softmax_cross_entropy(y, np.array([0, 1, 3, 0]))


# ---------------------------------------------------------------------- leaky ReLU (chapter 2)
def test_leaky_relu_values_slope_and_dtype():
    from common.functions import leaky_relu, leaky_relu_grad

    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(leaky_relu(x), [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(leaky_relu(x, alpha=0.1), [-0.2, 0.0, 3.0])
    np.testing.assert_array_equal(leaky_relu_grad(x), [0.01, 0.01, 1.0])
    for xv in [-3.1, -0.7, 0.4, 2.2]:
        assert leaky_relu_grad(np.array(xv)) == pytest.approx(numerical_diff(leaky_relu, xv), rel=1e-7)
    x32 = x.astype(np.float32)
    assert leaky_relu(x32).dtype == np.float32 and leaky_relu_grad(x32).dtype == np.float32
    assert leaky_relu([-1, 2]).dtype == np.float64
