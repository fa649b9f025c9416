"""ResidualBlock (chapter 7): gradient checks against numerical derivatives, shortcuts, modes and clear errors.

Same method as tests/test_layers.py: the scalar loss L = sum(forward(x) * R) for a fixed
random R, so backward(R) must return dL/dx; parameter gradients are read from the
layers inside the block. float64, relative error below 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest

from common.gradient import gradient_check, numerical_gradient
from common.layers import Affine, BatchNormalization, Convolution, Dropout, Relu, ResidualBlock

TOL = 1e-6


def _check(block, x, params, train_flg=None, h=1e-5, seed=3):
    """Gradient-check ``block`` on ``x``; ``params`` maps names to (array, getter of its analytic gradient)."""
    rng = np.random.default_rng(seed)
    forward = (lambda: block.forward(x)) if train_flg is None else (lambda: block.forward(x, train_flg))
    out = forward()
    R = rng.normal(size=out.shape)
    dout = R.copy()
    dx = block.backward(dout)
    np.testing.assert_array_equal(dout, R, err_msg="backward modified dout in place")
    analytic = {"x": dx, **{name: get().copy() for name, (_, get) in params.items()}}

    def loss(_):
        return float(np.sum(forward() * R))

    numeric = {"x": numerical_gradient(loss, x, h)}
    numeric.update({name: numerical_gradient(loss, array, h) for name, (array, _) in params.items()})
    errors = gradient_check(analytic, numeric)
    assert max(errors.values()) < TOL, errors
    return errors


def _affine(rng, n_in, n_out):
    return Affine(rng.normal(size=(n_in, n_out)) / np.sqrt(n_in), rng.normal(size=n_out) * 0.1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_identity_shortcut_gradients(seed):
    rng = np.random.default_rng(seed)
    a1, a2 = _affine(rng, 5, 7), _affine(rng, 7, 5)
    block = ResidualBlock([a1, Relu(), a2])
    x = rng.normal(size=(4, 5))
    _check(block, x, {"W1": (a1.W, lambda: a1.dW), "b1": (a1.b, lambda: a1.db),
                      "W2": (a2.W, lambda: a2.dW), "b2": (a2.b, lambda: a2.db)})


def test_forward_adds_the_input_and_backward_adds_dout():
    rng = np.random.default_rng(0)
    a1, a2 = _affine(rng, 3, 4), _affine(rng, 4, 3)
    block = ResidualBlock([a1, Relu(), a2])
    x = rng.normal(size=(2, 3))
    branch = np.maximum(x @ a1.W + a1.b, 0) @ a2.W + a2.b
    np.testing.assert_allclose(block.forward(x), x + branch)
    dout = rng.normal(size=(2, 3))
    dx = block.backward(dout)
    a1b, a2b = Affine(a1.W, a1.b), Affine(a2.W, a2.b)
    relu = Relu()
    a2b.forward(relu.forward(a1b.forward(x)))
    np.testing.assert_allclose(dx, a1b.backward(relu.backward(a2b.backward(dout))) + dout)


def test_zero_branch_is_the_identity():
    """A branch whose last layer is zero passes values and gradients through unchanged (chapter 7's init)."""
    rng = np.random.default_rng(1)
    block = ResidualBlock([_affine(rng, 6, 6), Relu(), Affine(np.zeros((6, 6)), np.zeros(6))])
    x, dout = rng.normal(size=(3, 6)), rng.normal(size=(3, 6))
    np.testing.assert_array_equal(block.forward(x), x)
    np.testing.assert_array_equal(block.backward(dout), dout)


def test_conv_branch_with_batchnorm_and_projection_shortcut():
    """A ResNet-style block: conv-BN-ReLU-conv-BN, stride 2 and more channels, 1×1 stride-2 projection."""
    rng = np.random.default_rng(4)
    c1 = Convolution(rng.normal(size=(4, 2, 3, 3)) * 0.3, rng.normal(size=4) * 0.1, stride=2, pad=1)
    bn1 = BatchNormalization(1 + 0.1 * rng.normal(size=4), 0.1 * rng.normal(size=4))
    c2 = Convolution(rng.normal(size=(4, 4, 3, 3)) * 0.3, rng.normal(size=4) * 0.1, stride=1, pad=1)
    bn2 = BatchNormalization(1 + 0.1 * rng.normal(size=4), 0.1 * rng.normal(size=4))
    proj = Convolution(rng.normal(size=(4, 2, 1, 1)), np.zeros(4), stride=2)
    block = ResidualBlock([c1, bn1, Relu(), c2, bn2], shortcut=proj)
    x = rng.normal(size=(3, 2, 7, 7))
    # (c1's bias is left out: in training mode batch norm subtracts any per-channel shift, so its
    # gradient is zero up to rounding, and a relative error of two roundings means nothing)
    params = {"W1": (c1.W, lambda: c1.dW), "gamma1": (bn1.gamma, lambda: bn1.dgamma),
              "W2": (c2.W, lambda: c2.dW), "beta2": (bn2.beta, lambda: bn2.dbeta),
              "Wp": (proj.W, lambda: proj.dW)}
    assert block.forward(x, True).shape == (3, 4, 4, 4)
    _check(block, x, params, train_flg=True)
    _check(block, x, params, train_flg=False)


def test_nested_blocks_gradients():
    rng = np.random.default_rng(5)
    inner = ResidualBlock([_affine(rng, 4, 4), Relu(), _affine(rng, 4, 4)])
    a = _affine(rng, 4, 4)
    outer = ResidualBlock([inner, Relu(), a])
    x = rng.normal(size=(3, 4))
    _check(outer, x, {"W": (a.W, lambda: a.dW)}, train_flg=True)


def test_backward_twice_gives_the_same_gradients():
    rng = np.random.default_rng(6)
    a1, a2 = _affine(rng, 5, 5), _affine(rng, 5, 5)
    block = ResidualBlock([a1, Relu(), a2])
    block.forward(rng.normal(size=(2, 5)))
    dout = rng.normal(size=(2, 5))
    first = (block.backward(dout), a1.dW.copy(), a2.db.copy())
    second = (block.backward(dout), a1.dW, a2.db)
    for one, two in zip(first, second):
        np.testing.assert_array_equal(one, two)


def test_float32_stays_float32():
    rng = np.random.default_rng(7)
    f32 = lambda a: a.astype(np.float32)  # noqa: E731
    block = ResidualBlock([Affine(f32(rng.normal(size=(4, 4))), f32(np.zeros(4))), Relu(),
                           Affine(f32(rng.normal(size=(4, 4))), f32(np.zeros(4)))])
    out = block.forward(f32(rng.normal(size=(2, 4))))
    assert out.dtype == np.float32
    assert block.backward(f32(np.ones((2, 4)))).dtype == np.float32


def test_mode_must_be_given_when_the_branch_has_dropout_or_batchnorm():
    rng = np.random.default_rng(8)
    block = ResidualBlock([_affine(rng, 3, 3), Dropout(0.5, rng=0)])
    with pytest.raises(ValueError, match="train_flg=True or False"):
        block.forward(rng.normal(size=(2, 3)))
    x = rng.normal(size=(2, 3))
    np.testing.assert_allclose(block.forward(x, False), x + block.branch[0].forward(x))


def test_errors_are_explained():
    rng = np.random.default_rng(9)
    with pytest.raises(ValueError, match="non-empty list of layers"):
        ResidualBlock([])
    with pytest.raises(ValueError, match="non-empty list of layers"):
        ResidualBlock([np.zeros(3)])
    block = ResidualBlock([_affine(rng, 3, 4)])
    with pytest.raises(RuntimeError, match="needs a forward pass first"):
        block.backward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"maps \(2, 3\) to \(2, 4\).*pass a shortcut"):
        block.forward(rng.normal(size=(2, 3)))
    ok = ResidualBlock([_affine(rng, 3, 3)])
    ok.forward(rng.normal(size=(2, 3)))
    with pytest.raises(ValueError, match=r"expected dout of shape \(2, 3\)"):
        ok.backward(np.ones((3,)))
