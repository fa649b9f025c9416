"""Tests for common.gradient: numerical differentiation and gradient checking."""

import numpy as np
import pytest

from common.gradient import gradient_check, numerical_diff, numerical_gradient, relative_error

rng = np.random.default_rng(1)


def test_numerical_diff_is_central_and_accurate():
    assert numerical_diff(lambda x: x**2, 3.0) == pytest.approx(6.0, abs=1e-9)
    # for 0.01 x^2 + 0.1 x (the classic example) the derivative at 5 is 0.2
    assert numerical_diff(lambda x: 0.01 * x**2 + 0.1 * x, 5.0) == pytest.approx(0.2, abs=1e-9)
    # central difference: error ~ h^2 * f'''/6, so x^3 at 1 with h=1e-2 is off by 1e-4
    assert numerical_diff(lambda x: x**3, 1.0, h=1e-2) == pytest.approx(3.0 + 1e-4, rel=1e-9)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 3, 2)])
def test_numerical_gradient_any_shape_and_restores_x(shape):
    x = rng.normal(size=shape)
    x_before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v**2), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, 2 * x, atol=1e-8)
    np.testing.assert_array_equal(x, x_before)


def test_numerical_gradient_with_a_closure_that_ignores_its_argument():
    W = rng.normal(size=(3, 2))
    target = rng.normal(size=(3, 2))

    def loss(_):  # reads W from the enclosing scope, like net.loss(x, t)
        return 0.5 * np.sum((W - target) ** 2)

    np.testing.assert_allclose(numerical_gradient(loss, W), W - target, atol=1e-8)


def test_numerical_gradient_on_a_strided_view():
    base = rng.normal(size=(4, 6))
    view = base[:, ::2]  # not contiguous; entries must still be nudged in place
    # the central difference of x^3 is off by exactly h^2 = 1e-8
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v**3), view), 3 * view**2, atol=2e-8)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def bad(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(bad, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_rejects_what_it_cannot_nudge():
    with pytest.raises(TypeError, match="float NumPy array"):
        numerical_gradient(np.sum, np.array([1, 2]))
    with pytest.raises(TypeError, match="float NumPy array"):
        numerical_gradient(np.sum, [1.0, 2.0])


def test_relative_error_formula():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, -2.0], [1.1, -2.0]) == pytest.approx(0.1 / 2.1)
    assert relative_error([0.0], [0.0]) == 0.0  # eps floor: no 0/0
    assert relative_error([0.0], [1e-12]) == pytest.approx(1e-4)  # |a-b| / eps with eps = 1e-8
    with pytest.raises(ValueError, match="shapes"):
        relative_error(np.zeros(2), np.zeros(3))


def test_gradient_check_reports_each_key():
    a = {"W1": np.array([1.0, 2.0]), "b1": np.array([3.0])}
    n = {"W1": np.array([1.0, 2.0]), "b1": np.array([3.3])}
    errors = gradient_check(a, n)
    assert set(errors) == {"W1", "b1"}
    assert errors["W1"] == 0.0
    assert errors["b1"] == pytest.approx(0.3 / 6.3)
    with pytest.raises(ValueError, match="different keys"):
        gradient_check(a, {"W1": a["W1"]})
    with pytest.raises(ValueError, match="'b1' has shape"):
        gradient_check(a, {"W1": a["W1"], "b1": np.zeros(2)})
