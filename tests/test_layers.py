"""Tests for common.layers: gradient checks for every layer, reference implementations, traps.

Every gradient check uses the scalar loss L = sum(forward(x) * R) for a fixed
random R, so backward(R) must return dL/dx, and compares it (and the parameter
gradients) with the numerical gradient in float64 (relative error < 1e-6).
"""

import numpy as np
import pytest

from common.functions import softmax
from common.gradient import gradient_check, numerical_gradient
from common.im2col import conv_output_size
from common.layers import (
    Affine,
    AddLayer,
    BatchNormalization,
    Convolution,
    Dropout,
    MulLayer,
    Pooling,
    Relu,
    ResidualBlock,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)

TOL = 1e-6
SEEDS = [0, 1, 2]


def away_from_zero(rng, shape, low=0.1):
    """Random values with |x| >= low, so no finite-difference step crosses a kink."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, 1.5, size=shape)


def check_layer(make_forward, backward, x, params=(), h=1e-5, rng=None):
    """Gradient-check a layer; return the max relative error per array.

    ``make_forward()`` runs the forward pass on ``x`` (and the layer's current
    parameters); ``backward(dout)`` returns dx and leaves parameter gradients on
    the layer. ``params`` maps names (like "W") to (array, analytic-grad getter).
    Also asserts that backward does not modify dout.
    """
    rng = rng or np.random.default_rng(123)
    out = make_forward()
    R = away_from_zero(rng, out.shape, low=0.5)
    dout = R.copy()
    dx = backward(dout)
    np.testing.assert_array_equal(dout, R, err_msg="backward modified dout in place")
    assert not np.shares_memory(dx, dout)

    def loss(_):
        return float(np.sum(make_forward() * R))

    analytic = {"x": dx}
    numeric = {"x": numerical_gradient(loss, x, h)}
    for name, (array, grad) in dict(params).items():
        numeric[name] = numerical_gradient(loss, array, h)
        analytic[name] = grad()
    errors = gradient_check(analytic, numeric)
    for name, err in errors.items():
        assert err < TOL, f"relative error of d{name} is {err:.2e}"
    return errors


# ------------------------------------------------------------ computational graph
def test_shopping_example():
    apple, count, tax = 100, 2, 1.1
    mul_apple, mul_tax = MulLayer(), MulLayer()
    price = mul_tax.forward(mul_apple.forward(apple, count), tax)
    assert price == pytest.approx(220)
    dapple_price, dtax = mul_tax.backward(1)
    dapple, dcount = mul_apple.backward(dapple_price)
    assert (dapple, dcount, dtax) == pytest.approx((2.2, 110, 200))


def test_shopping_example_with_add():
    # 2 apples at 100 and 3 oranges at 150, tax 1.1: the book's second example
    mul_a, mul_o, add, mul_t = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    total = mul_t.forward(add.forward(mul_a.forward(100, 2), mul_o.forward(150, 3)), 1.1)
    assert total == pytest.approx(715)
    dall, dtax = mul_t.backward(1)
    da, do = add.backward(dall)
    assert mul_a.backward(da) == pytest.approx((2.2, 110))
    assert mul_o.backward(do) == pytest.approx((3.3, 165))
    assert dtax == pytest.approx(650)


@pytest.mark.parametrize("Layer", [MulLayer, AddLayer])
def test_mul_and_add_gradients(Layer):
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    layer = Layer()
    R = rng.normal(size=(3, 4))
    dout = R.copy()
    layer.forward(x, y)
    dx, dy = layer.backward(dout)
    np.testing.assert_array_equal(dout, R)
    assert not np.shares_memory(dx, dout) and not np.shares_memory(dy, dout)
    nx = numerical_gradient(lambda _: np.sum(layer.forward(x, y) * R), x)
    ny = numerical_gradient(lambda _: np.sum(layer.forward(x, y) * R), y)
    errors = gradient_check({"x": dx, "y": dy}, {"x": nx, "y": ny})
    assert max(errors.values()) < TOL


# -------------------------------------------------------------------- activations
@pytest.mark.parametrize("Layer", [Relu, Sigmoid, Tanh])
@pytest.mark.parametrize("seed", SEEDS)
def test_activation_layer_gradients(Layer, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 6, size=rng.integers(1, 5)))  # 1 to 4 axes, odd sizes too
    x = away_from_zero(rng, shape)
    layer = Layer()
    check_layer(lambda: layer.forward(x), layer.backward, x)


def test_relu_blocks_negative_gradient():
    layer = Relu()
    out = layer.forward(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(out, [0, 0, 2])
    np.testing.assert_array_equal(layer.backward(np.array([5.0, 5.0, 5.0])), [0, 0, 5])


# ------------------------------------------------------------------------ affine
@pytest.mark.parametrize("seed", SEEDS)
def test_affine_gradients_with_nd_input(seed):
    rng = np.random.default_rng(seed)
    n, feature_shape, m = rng.integers(1, 5), tuple(rng.integers(1, 4, size=rng.integers(1, 4))), rng.integers(1, 6)
    d = int(np.prod(feature_shape))
    x = rng.normal(size=(n, *feature_shape))
    layer = Affine(rng.normal(size=(d, m)), rng.normal(size=m))
    check_layer(
        lambda: layer.forward(x),
        layer.backward,
        x,
        {"W": (layer.W, lambda: layer.dW), "b": (layer.b, lambda: layer.db)},
    )
    assert layer.backward(np.ones((n, m))).shape == x.shape


def test_affine_matches_matrix_formula():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(4, 2, 3)), rng.normal(size=(6, 5)), rng.normal(size=5)
    np.testing.assert_allclose(Affine(W, b).forward(x), x.reshape(4, 6) @ W + b)


def test_affine_shape_errors_are_explained():
    layer = Affine(np.zeros((784, 10)), np.zeros(10))
    assert layer.forward(np.zeros((100, 28, 28))).shape == (100, 10)  # images are flattened
    with pytest.raises(ValueError, match=r"Affine expected input with 784 features.*\(100, 28, 27\)"):
        layer.forward(np.zeros((100, 28, 27)))
    with pytest.raises(ValueError, match=r"got shape \(28, 28\).*reshape\(1, -1\)"):
        layer.forward(np.zeros((28, 28)))
    with pytest.raises(ValueError, match=r"got shape \(784,\).*batch axis"):
        layer.forward(np.zeros(784))
    with pytest.raises(ValueError, match=r"x\.T"):
        layer.forward(np.zeros((784, 100)))


# -------------------------------------------------------------------------- loss
@pytest.mark.parametrize("labels", ["one-hot", "integer"])
@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_with_loss_gradient(labels, seed):
    rng = np.random.default_rng(seed)
    n, k = rng.integers(1, 6), rng.integers(2, 7)
    x = rng.normal(size=(n, k)) * 3
    t = rng.integers(0, k, size=n)
    if labels == "one-hot":
        t = np.eye(k)[t]
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    np.testing.assert_allclose(layer.y, softmax(x))
    dx = layer.backward()
    numeric = numerical_gradient(lambda _: layer.forward(x, t), x)
    assert gradient_check({"x": dx}, {"x": numeric})["x"] < TOL
    onehot = np.eye(k)[t] if labels == "integer" else t
    np.testing.assert_allclose(dx, (softmax(x) - onehot) / n)
    assert loss == pytest.approx(-np.mean(np.sum(onehot * np.log(softmax(x)), axis=1)))


def test_softmax_with_loss_dout_scales_and_labels_agree():
    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert a.forward(x, t) == pytest.approx(b.forward(x, np.eye(3)[t]))
    np.testing.assert_allclose(a.backward(2.0), 2 * b.backward(1.0))


@pytest.mark.filterwarnings("error")
def test_softmax_with_loss_at_huge_logits():
    layer = SoftmaxWithLoss()
    x = np.array([[1e4, -1e4, 0.0], [0.0, 1e4, -1e4]])
    assert layer.forward(x, np.array([0, 2])) == pytest.approx(1e4)  # (0 + 2e4) / 2
    dx = layer.backward()
    assert np.all(np.isfinite(dx))
    np.testing.assert_allclose(dx, [[0, 0, 0], [0, 0.5, -0.5]])


def test_softmax_with_loss_single_sample():
    layer = SoftmaxWithLoss()
    x = np.array([1.0, 2.0, 0.5])
    assert layer.forward(x, 1) == pytest.approx(-np.log(softmax(x)[1]))
    assert layer.backward().shape == (3,)


# ---------------------------------------------------------------- regularisation
@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_gradient_with_fixed_mask(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=tuple(rng.integers(1, 6, size=3)))

    def forward():  # a fresh, identically seeded layer draws the same mask every time
        return Dropout(0.3, rng=seed).forward(x)

    layer = Dropout(0.3, rng=seed)
    layer.forward(x)
    check_layer(forward, layer.backward, x)


def test_dropout_is_inverted():
    p = 0.3
    x = np.ones((400, 250))
    layer = Dropout(p, rng=np.random.default_rng(0))
    out = layer.forward(x, train_flg=True)
    assert set(np.unique(out)) == {0.0, 1 / (1 - p)}  # kept units scaled up at train time
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # mean preserved in expectation
    assert (out == 0).mean() == pytest.approx(p, abs=0.01)
    test_out = layer.forward(x, train_flg=False)
    np.testing.assert_array_equal(test_out, x)  # identity at test time
    np.testing.assert_array_equal(layer.backward(np.full_like(x, 2.0)), 2.0)


def test_dropout_is_reproducible_and_validates_ratio():
    x = np.ones((5, 6))
    a = Dropout(0.5, rng=7).forward(x)
    b = Dropout(0.5, rng=np.random.default_rng(7)).forward(x)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(1.0)


def make_bn(rng, channels):
    gamma = rng.uniform(0.5, 1.5, size=channels)
    beta = rng.normal(size=channels)
    return BatchNormalization(gamma, beta)


@pytest.mark.parametrize("train_flg", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (3, 1), (7, 4), (2, 3, 3, 5), (3, 2, 1, 4), (1, 2, 3, 3)])
def test_batchnorm_gradients_2d_and_4d(shape, train_flg):
    rng = np.random.default_rng(sum(shape))
    x = rng.normal(size=shape) * 2 + 1
    layer = make_bn(rng, shape[1])
    if not train_flg:
        layer.running_mean = rng.normal(size=shape[1])
        layer.running_var = rng.uniform(0.5, 2, size=shape[1])
    check_layer(
        lambda: layer.forward(x, train_flg=train_flg),
        layer.backward,
        x,
        {"gamma": (layer.gamma, lambda: layer.dgamma), "beta": (layer.beta, lambda: layer.dbeta)},
    )


def test_batchnorm_normalises_each_channel_of_4d_input():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(4, 3, 5, 5)) * np.array([1, 5, 0.1])[:, None, None] + 3
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 4.0])
    out = BatchNormalization(gamma, beta).forward(x)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), gamma, rtol=1e-5)
    # the same as 2-D batch norm on (N*H*W, C)
    flat = x.transpose(0, 2, 3, 1).reshape(-1, 3)
    out2 = BatchNormalization(gamma, beta).forward(flat)
    np.testing.assert_allclose(out.transpose(0, 2, 3, 1).reshape(-1, 3), out2)


def test_batchnorm_running_statistics_and_test_mode():
    rng = np.random.default_rng(6)
    gamma, beta = np.array([2.0, 0.5]), np.array([1.0, -1.0])
    layer = BatchNormalization(gamma, beta, momentum=0.9)
    # before any training: running mean 0 and variance 1, so test mode is ~ gamma * x + beta
    x0 = rng.normal(size=(3, 2))
    np.testing.assert_allclose(layer.forward(x0, train_flg=False), gamma * x0 + beta, rtol=1e-6)

    batches = [rng.normal(loc=[3, -2], scale=[2, 0.5], size=(8, 2)) for _ in range(3)]
    mean, var = np.zeros(2), np.ones(2)
    for xb in batches:
        layer.forward(xb, train_flg=True)
        mean = 0.9 * mean + 0.1 * xb.mean(axis=0)
        var = 0.9 * var + 0.1 * xb.var(axis=0)
    np.testing.assert_allclose(layer.running_mean, mean)
    np.testing.assert_allclose(layer.running_var, var)

    x = rng.normal(size=(5, 2))
    out = layer.forward(x, train_flg=False)
    np.testing.assert_allclose(out, gamma * (x - mean) / np.sqrt(var + 1e-7) + beta)
    np.testing.assert_allclose(layer.running_mean, mean)  # test mode does not update them
    # a single sample works in test mode and does not depend on the rest of the batch
    np.testing.assert_allclose(layer.forward(x[:1], train_flg=False), out[:1])


def test_batchnorm_shape_errors_are_explained():
    layer = BatchNormalization(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"4 channels, so gamma and beta need shape \(4,\)"):
        layer.forward(np.zeros((2, 4, 3, 3)))
    with pytest.raises(ValueError, match=r"\(N, D\) or \(N, C, H, W\)"):
        layer.forward(np.zeros((2, 3, 4)))


# --------------------------------------------------------------------------- CNN
def naive_conv(x, W, b, stride, pad):
    """Sliding multiply-accumulate, one output number at a time."""
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    out = np.zeros((n, fn, oh, ow))
    for i in range(n):
        for f in range(fn):
            for y in range(oh):
                for x_ in range(ow):
                    patch = xp[i, :, y * stride:y * stride + fh, x_ * stride:x_ * stride + fw]
                    out[i, f, y, x_] = np.sum(patch * W[f]) + b[f]
    return out


def naive_pool(x, ph, pw, stride, pad, mode):
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], constant_values=-np.inf if mode == "max" else 0)
    oh, ow = (h + 2 * pad - ph) // stride + 1, (w + 2 * pad - pw) // stride + 1
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for x_ in range(ow):
            window = xp[:, :, y * stride:y * stride + ph, x_ * stride:x_ * stride + pw]
            out[:, :, y, x_] = window.max(axis=(2, 3)) if mode == "max" else window.mean(axis=(2, 3))
    return out


def random_conv_config(rng):
    """Random small (N, C, H, W, FN, FH, FW, stride, pad); with stride 2, H and W may not divide."""
    n, c, fn = rng.integers(1, 3), rng.integers(1, 4), rng.integers(1, 4)
    fh, fw = rng.integers(1, 4), rng.integers(1, 4)
    stride, pad = rng.integers(1, 3), rng.integers(0, 2)
    oh, ow = rng.integers(1, 5), rng.integers(1, 5)
    h, w = (oh - 1) * stride + fh - 2 * pad, (ow - 1) * stride + fw - 2 * pad
    if h < 1 or w < 1:
        pad = 0
        h, w = (oh - 1) * stride + fh, (ow - 1) * stride + fw
    h, w = h + rng.integers(0, stride), w + rng.integers(0, stride)  # rows no window reaches
    return n, c, h, w, fn, fh, fw, stride, pad


CONV_CASES = [
    (2, 3, 7, 7, 4, 3, 3, 2, 1),  # stride 2 and padding on an odd image
    (1, 2, 6, 5, 3, 2, 3, 1, 0),
    (2, 1, 5, 5, 2, 3, 3, 1, 1),
    (1, 2, 8, 6, 2, 4, 2, 2, 0),
    # sizes the stride does not divide: the output rounds down, the last rows are never read
    (1, 2, 7, 7, 3, 2, 2, 2, 1),  # the book's example: 7x7, F=2, S=2, P=1 -> 4x4
    (2, 1, 8, 9, 2, 3, 3, 2, 0),  # (8-3)/2 = 2.5 -> 3, (9-3)/2 = 3 -> 4
    (1, 3, 10, 7, 2, 3, 2, 3, 1),  # stride 3: 9/3 -> 4 rows, 7/3 -> 3 columns
]


@pytest.mark.parametrize("case", CONV_CASES + [random_conv_config(np.random.default_rng(s)) for s in range(4)])
def test_convolution_forward_matches_naive_loops(case):
    n, c, h, w, fn, fh, fw, stride, pad = case
    rng = np.random.default_rng(10)
    x, W, b = rng.normal(size=(n, c, h, w)), rng.normal(size=(fn, c, fh, fw)), rng.normal(size=fn)
    out = Convolution(W, b, stride, pad).forward(x)
    assert out.shape == (n, fn, conv_output_size(h, fh, stride, pad), conv_output_size(w, fw, stride, pad))
    np.testing.assert_allclose(out, naive_conv(x, W, b, stride, pad), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CONV_CASES + [random_conv_config(np.random.default_rng(s)) for s in range(4, 8)])
def test_convolution_gradients(case):
    n, c, h, w, fn, fh, fw, stride, pad = case
    rng = np.random.default_rng(11)
    x, W, b = rng.normal(size=(n, c, h, w)), rng.normal(size=(fn, c, fh, fw)), rng.normal(size=fn)
    layer = Convolution(W, b, stride, pad)
    check_layer(
        lambda: layer.forward(x),
        layer.backward,
        x,
        {"W": (layer.W, lambda: layer.dW), "b": (layer.b, lambda: layer.db)},
        h=1e-4,  # the layer is linear in each argument: no truncation error, so a larger h is safe
    )


def test_convolution_shape_errors_are_explained():
    layer = Convolution(np.zeros((4, 3, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\), got \(2, 1, 8, 8\).*1 channels"):
        layer.forward(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"got \(3, 8, 8\).*batch axis"):
        layer.forward(np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match=r"got \(2, 192\).*reshape"):
        layer.forward(np.zeros((2, 192)))
    with pytest.raises(ValueError, match=r"Convolution \(height\): a filter of size 9 does not fit"):
        Convolution(np.zeros((4, 3, 9, 9)), np.zeros(4), stride=2).forward(np.zeros((1, 3, 8, 8)))
    with pytest.raises(ValueError, match=r"Convolution \(height\): .*stride >= 1"):
        Convolution(np.zeros((4, 3, 3, 3)), np.zeros(4), stride=0).forward(np.zeros((1, 3, 8, 8)))
    with pytest.raises(ValueError, match=r"\(FN, C, FH, FW\)"):
        Convolution(np.zeros((4, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        Convolution(np.zeros((4, 3, 3, 3)), np.zeros((4, 1)))


# (N, C, H, W, pool_h, pool_w, stride, pad)
POOL_CASES = [
    (2, 3, 4, 4, 2, 2, 2, 0),
    (1, 2, 7, 7, 3, 3, 2, 1),  # padding counted: 4x4 output (ignoring it would give 3x3)
    (2, 1, 5, 6, 2, 3, 1, 1),
    (1, 3, 5, 5, 3, 3, 1, 0),
    (2, 2, 6, 4, 2, 2, 2, 1),
    # sizes the stride does not divide: rounded down, the last row or column is never read
    (1, 2, 7, 7, 2, 2, 2, 0),  # tiling windows, 7 -> 3
    (2, 1, 7, 8, 2, 2, 2, 1),  # tiling with padding: 9 -> 4 rows, 10 -> 5 columns
    (1, 2, 8, 9, 3, 3, 2, 0),  # overlapping windows: (8-3)/2 -> 3, (9-3)/2 -> 4
    (1, 1, 8, 8, 3, 3, 3, 1),  # tiling 3x3 with padding: 10 -> 3
]


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_forward_matches_naive_loops(case, mode):
    n, c, h, w, ph, pw, stride, pad = case
    x = np.random.default_rng(12).normal(size=(n, c, h, w)) - 3  # all negative: zero padding would win
    out = Pooling(ph, pw, stride, pad, mode).forward(x)
    assert out.shape == (n, c, conv_output_size(h, ph, stride, pad), conv_output_size(w, pw, stride, pad))
    np.testing.assert_allclose(out, naive_pool(x, ph, pw, stride, pad, mode), rtol=1e-12)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_gradients(case, mode):
    n, c, h, w, ph, pw, stride, pad = case
    rng = np.random.default_rng(13)
    # distinct values at least 1e-3 apart: no ties, no max switching within a finite-difference step
    x = rng.permutation(n * c * h * w).reshape(n, c, h, w) * 1e-2 + rng.uniform(0, 1e-3, size=(n, c, h, w))
    layer = Pooling(ph, pw, stride, pad, mode)
    check_layer(lambda: layer.forward(x), layer.backward, x, h=1e-5)


def test_max_pooling_routes_gradient_to_argmax():
    x = np.array([[[[1.0, 3.0], [2.0, 0.0]]]])
    layer = Pooling(2, 2, stride=2)
    assert layer.forward(x).item() == 3.0
    np.testing.assert_array_equal(layer.backward(np.array([[[[5.0]]]])), [[[[0, 5], [0, 0]]]])


def test_pooling_errors_are_explained():
    with pytest.raises(ValueError, match="more than half"):
        Pooling(2, 2, stride=2, pad=2)
    with pytest.raises(ValueError, match="'max' or 'avg'"):
        Pooling(2, 2, mode="mean")
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got \(4, 4\)"):
        Pooling(2, 2).forward(np.zeros((4, 4)))


# ------------------------------------------------------------------ vs. PyTorch
@pytest.mark.parametrize("case", CONV_CASES)
def test_convolution_matches_pytorch(case):
    torch = pytest.importorskip("torch")
    n, c, h, w, fn, fh, fw, stride, pad = case
    rng = np.random.default_rng(14)
    x, W, b = rng.normal(size=(n, c, h, w)), rng.normal(size=(fn, c, fh, fw)), rng.normal(size=fn)
    layer = Convolution(W, b, stride, pad)
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    tout = torch.nn.functional.conv2d(tx, tW, tb, stride=stride, padding=pad)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.dW, tW.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.db, tb.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_matches_pytorch(case, mode):
    torch = pytest.importorskip("torch")
    n, c, h, w, ph, pw, stride, pad = case
    rng = np.random.default_rng(15)
    x = rng.normal(size=(n, c, h, w)) - 3
    layer = Pooling(ph, pw, stride, pad, mode)
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    pool = torch.nn.functional.max_pool2d if mode == "max" else torch.nn.functional.avg_pool2d
    tout = pool(tx, (ph, pw), stride=stride, padding=pad)  # avg: count_include_pad=True by default
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------- dtype
def float32_layers(rng):
    """(name, layer, input, forward kwargs, parameter-gradient names) for every layer, in float32."""
    f = lambda *shape: rng.normal(size=shape).astype(np.float32)  # noqa: E731
    return [
        ("relu", Relu(), f(3, 4), {}, []),
        ("sigmoid", Sigmoid(), f(3, 4), {}, []),
        ("tanh", Tanh(), f(3, 4), {}, []),
        ("affine", Affine(f(6, 5), f(5)), f(3, 2, 3), {}, ["dW", "db"]),
        ("dropout", Dropout(0.4, rng=0), f(3, 4), {"train_flg": True}, []),
        ("batchnorm-2d", BatchNormalization(f(4), f(4)), f(5, 4), {"train_flg": True}, ["dgamma", "dbeta"]),
        ("batchnorm-4d", BatchNormalization(f(2), f(2)), f(3, 2, 4, 4), {"train_flg": True}, ["dgamma", "dbeta"]),
        ("batchnorm-test", BatchNormalization(f(4), f(4)), f(5, 4), {"train_flg": False}, ["dgamma", "dbeta"]),
        ("conv", Convolution(f(4, 2, 3, 3), f(4), stride=2, pad=1), f(2, 2, 7, 7), {}, ["dW", "db"]),
        ("maxpool", Pooling(3, 3, 2, 1), f(2, 2, 7, 7), {}, []),
        ("avgpool", Pooling(2, 2, 2, 0, mode="avg"), f(2, 2, 6, 6), {}, []),
        ("mul", MulLayer(), (f(3, 4), f(3, 4)), {}, []),
        ("add", AddLayer(), (f(3, 4), f(3, 4)), {}, []),
        ("residual-affine", ResidualBlock([Affine(f(4, 4), f(4)), Relu(), Affine(f(4, 4), f(4))]),
         f(3, 4), {}, ["branch.0.dW", "branch.2.db"]),
        # ResNet's block: conv-BN-ReLU-conv-BN, with a 1x1 stride-2 convolution on the shortcut
        ("residual-conv-bn", ResidualBlock(
            [Convolution(f(4, 2, 3, 3), f(4), stride=2, pad=1), BatchNormalization(f(4), f(4)), Relu(),
             Convolution(f(4, 4, 3, 3), f(4), pad=1), BatchNormalization(f(4), f(4))],
            shortcut=Convolution(f(4, 2, 1, 1), f(4), stride=2)),
         f(2, 2, 6, 6), {"train_flg": True},
         ["branch.0.dW", "branch.1.dgamma", "branch.3.db", "branch.4.dbeta", "shortcut.dW"]),
    ]


def _attribute(layer, dotted):
    for part in dotted.split("."):
        layer = layer[int(part)] if part.isdigit() else getattr(layer, part)
    return layer


@pytest.mark.parametrize("index", range(len(float32_layers(np.random.default_rng(0)))))
def test_layers_keep_float32(index):
    rng = np.random.default_rng(16)
    name, layer, x, kwargs, grads = float32_layers(rng)[index]
    inputs = x if isinstance(x, tuple) else (x,)
    out = layer.forward(*inputs, **kwargs)
    assert out.dtype == np.float32, name
    dout = np.ones_like(out)
    dx = layer.backward(dout)
    for d, x_ in zip(dx if isinstance(x, tuple) else (dx,), inputs):
        assert d.dtype == np.float32 and d.shape == x_.shape, name
    for g in grads:
        assert _attribute(layer, g).dtype == np.float32, (name, g)
    if isinstance(layer, BatchNormalization) or name == "residual-conv-bn":
        bns = [layer] if isinstance(layer, BatchNormalization) else [l for l in layer.branch
                                                                      if isinstance(l, BatchNormalization)]
        assert all(bn.running_mean.dtype == bn.running_var.dtype == np.float32 for bn in bns), name
    np.testing.assert_array_equal(dout, 1.0)  # dout untouched


def test_softmax_with_loss_keeps_float32():
    layer = SoftmaxWithLoss()
    layer.forward(np.zeros((2, 3), dtype=np.float32), np.array([0, 1]))
    assert layer.y.dtype == np.float32
    assert layer.backward().dtype == np.float32


# ------------------------------------------------ backward before forward, wrong dout
def _fresh_layers():
    rng = np.random.default_rng(0)
    return {
        "MulLayer": MulLayer(),
        "Relu": Relu(),
        "Sigmoid": Sigmoid(),
        "Tanh": Tanh(),
        "Affine": Affine(rng.normal(size=(4, 3)), np.zeros(3)),
        "SoftmaxWithLoss": SoftmaxWithLoss(),
        "BatchNormalization": BatchNormalization(np.ones(4), np.zeros(4)),
        "Convolution": Convolution(rng.normal(size=(2, 1, 3, 3)), np.zeros(2)),
        "Pooling": Pooling(2, 2, 2),
    }


@pytest.mark.parametrize("name", sorted(_fresh_layers()))
def test_backward_before_forward_says_so(name):
    layer = _fresh_layers()[name]
    with pytest.raises(RuntimeError, match=rf"{name}\.backward needs a forward pass first"):
        layer.backward(np.ones((2, 3)))


@pytest.mark.parametrize("layer", [Relu(), Sigmoid(), Tanh(), BatchNormalization(np.ones(4), np.zeros(4)),
                                   Dropout(0.5, rng=0)], ids=lambda layer: type(layer).__name__)
def test_elementwise_backward_refuses_a_dout_that_would_broadcast(layer):
    x = np.random.default_rng(1).normal(size=(5, 4))
    layer.forward(x)
    with pytest.raises(ValueError, match=r"expected dout of shape \(5, 4\).*got \(1, 4\)"):
        layer.backward(np.ones((1, 4)))  # would broadcast silently to (5, 4)
    assert layer.backward(np.ones((5, 4))).shape == (5, 4)


def test_pooling_backward_refuses_a_dout_of_another_shape():
    layer = Pooling(2, 2, stride=2)
    layer.forward(np.zeros((2, 3, 7, 7)))  # 7 -> 3: rounded down
    with pytest.raises(ValueError, match=r"Pooling.backward expected dout of shape \(2, 3, 3, 3\).*got \(2, 3, 4, 4\)"):
        layer.backward(np.ones((2, 3, 4, 4)))


# ------------------------------------------------------------------- NaN and inf
def _nan_layers(rng):
    """(name, layer, input, forward kwargs) for every layer, float64, each fed one bad value."""
    f = lambda *shape: rng.normal(size=shape)  # noqa: E731
    return [
        ("relu", Relu(), f(3, 4), {}),
        ("sigmoid", Sigmoid(), f(3, 4), {}),
        ("tanh", Tanh(), f(3, 4), {}),
        ("affine", Affine(f(12, 5), f(5)), f(3, 3, 4), {}),
        ("dropout", Dropout(0.5, rng=0), f(3, 4), {"train_flg": True}),
        ("batchnorm-train", BatchNormalization(f(4), f(4)), f(5, 4), {"train_flg": True}),
        ("batchnorm-test", BatchNormalization(f(4), f(4)), f(5, 4), {"train_flg": False}),
        ("conv", Convolution(f(4, 2, 3, 3), f(4), stride=1, pad=1), f(2, 2, 6, 6), {}),
        ("maxpool", Pooling(2, 2, 2), f(2, 2, 6, 6), {}),
        ("maxpool-overlapping", Pooling(3, 3, 1, 1), f(2, 2, 6, 6), {}),
        ("avgpool", Pooling(2, 2, 2, mode="avg"), f(2, 2, 6, 6), {}),
        ("residual", ResidualBlock([Affine(f(4, 4), f(4)), Relu(), Affine(f(4, 4), f(4))]), f(3, 4), {}),
    ]


NAN_LAYER_NAMES = [name for name, *_ in _nan_layers(np.random.default_rng(0))]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name", NAN_LAYER_NAMES)
def test_every_layer_propagates_nan_and_inf_as_documented(name, bad):
    """A bad input value reaches the output (forward) and dx (backward): never silently dropped."""
    rng = np.random.default_rng(3)
    layer, x, kwargs = next((layer, x, kw) for n, layer, x, kw in _nan_layers(rng) if n == name)
    x = x.copy()
    x.flat[5] = bad
    with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", RuntimeWarning)
        out = layer.forward(x, **kwargs)
        if name == "dropout":  # a dropped unit is a multiplication by 0: NaN * 0 is still NaN
            assert not np.isfinite(out).all()
        elif name in ("relu", "maxpool", "maxpool-overlapping") and bad == -np.inf:
            assert np.isfinite(out).all()  # -inf loses to everything: max(-inf, 0) = 0 is correct
        elif name in ("sigmoid", "tanh") and np.isinf(bad):  # the limits: sigmoid(inf) = 1, tanh(-inf) = -1
            limit = {"sigmoid": (bad > 0) * 1.0, "tanh": np.sign(bad)}[name]
            assert out.flat[5] == limit and np.isfinite(out).all()
        else:
            assert not np.isfinite(out).all(), f"{name} dropped a {bad} in its input"
        dout = np.ones_like(out)
        dout.flat[0] = np.nan
        dx = layer.backward(dout)
    assert np.isnan(dx).any(), f"{name}.backward dropped a NaN in dout"


def test_batchnorm_refuses_to_poison_its_running_statistics():
    rng = np.random.default_rng(4)
    for shape in [(6, 3), (4, 3, 5, 5)]:
        bn = BatchNormalization(np.ones(3), np.zeros(3))
        bn.forward(rng.normal(size=shape), train_flg=True)
        mean, var = bn.running_mean.copy(), bn.running_var.copy()
        bad = rng.normal(size=shape)
        bad[1, 2] = np.nan
        with pytest.warns(RuntimeWarning, match=r"BatchNormalization: .* of 1 of 3 "
                                                     r"(channels|features) \((channel|feature) 2\).*left unchanged"):
            out = bn.forward(bad, train_flg=True)
        assert np.isnan(out).any()  # the batch's output still shows the problem
        np.testing.assert_array_equal(bn.running_mean, mean)
        np.testing.assert_array_equal(bn.running_var, var)
        good = rng.normal(size=shape)
        assert np.isfinite(bn.forward(good, train_flg=False)).all()  # test mode unharmed
        bn.forward(good, train_flg=True)  # and training goes on updating them
        assert not np.array_equal(bn.running_mean, mean) and np.isfinite(bn.running_var).all()


def test_batchnorm_reports_a_bad_batch_as_numpys_errstate_says():
    bad = np.array([[np.nan, 1.0], [0.0, 2.0]])
    bn = BatchNormalization(np.ones(2), np.zeros(2))
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError, match="BatchNormalization: .*feature 0"):
        bn.forward(bad, train_flg=True)
    with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("error")  # no warning at all
        bn.forward(bad, train_flg=True)
    np.testing.assert_array_equal(bn.running_mean, [0, 0])  # protected in every mode
    np.testing.assert_array_equal(bn.running_var, [1, 1])


def test_batchnorm_refuses_an_overflowing_variance():
    bn = BatchNormalization(np.ones(2, np.float32), np.zeros(2, np.float32))
    x = np.array([[1e30, 0], [-1e30, 1]], dtype=np.float32)  # finite, but its square overflows float32
    with np.errstate(over="ignore"), pytest.warns(RuntimeWarning, match="feature 0"):
        bn.forward(x, train_flg=True)
    np.testing.assert_array_equal(bn.running_var, [1, 1])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_softmax_with_loss_returns_a_nan_loss_for_the_trainer_to_see(bad):
    layer = SoftmaxWithLoss()
    x = np.zeros((3, 4))
    x[1, 2] = bad
    with np.errstate(all="ignore"):
        loss = layer.forward(x, np.array([0, 1, 2]))
    assert not np.isfinite(loss)


def test_losses_refuse_targets_that_are_not_finite():
    from common.functions import cross_entropy_error, softmax_cross_entropy

    t = np.eye(4)[:3].copy()
    t[0, 1] = np.nan
    y = softmax(np.zeros((3, 4)))
    for loss in (SoftmaxWithLoss().forward, cross_entropy_error, softmax_cross_entropy):
        with pytest.raises(ValueError, match="targets hold NaN or inf"):
            loss(y, t)


def test_loss_functions_propagate_nan_in_the_predictions():
    from common.functions import cross_entropy_error, mean_squared_error, softmax_cross_entropy, sum_squared_error

    y = softmax(np.zeros((2, 3)))
    y[0, 0] = np.nan
    t = np.eye(3)[:2]
    with np.errstate(all="ignore"):
        for loss in (cross_entropy_error, softmax_cross_entropy, mean_squared_error, sum_squared_error):
            assert np.isnan(loss(y, t)), loss.__name__
