"""Convolution arithmetic (chapter 6): geometry that explains instead of raising, loops vs layers, costs."""

from __future__ import annotations

import numpy as np
import pytest

from common.lessons.conv_arithmetic import (
    conv2d_naive,
    conv_geometry,
    conv_layer_cost,
    conv_macs,
    convolve2d,
    coverage,
    cross_correlate2d,
    input_gradient_as_full_convolution,
    pool2d_naive,
    window_origin,
)
from common.im2col import conv_output_size
from common.layers import Convolution, Pooling


@pytest.mark.parametrize("h, f, p, s", [(28, 5, 0, 1), (7, 3, 1, 2), (28, 3, 1, 1), (227, 11, 0, 4),
                                        (5, 5, 0, 1), (9, 3, 0, 3), (1, 1, 0, 1), (13, 7, 3, 4)])
def test_geometry_agrees_with_the_layers_formula_when_exact(h, f, p, s):
    g = conv_geometry(h, f, p, s)
    assert g.exact and g.fits and g.valid
    assert g.out_size == conv_output_size(h, f, s, p) == (h + 2 * p - f) // s + 1
    assert g.starts == tuple(range(0, s * g.out_size, s))
    assert g.starts[-1] + f == h + 2 * p          # the last window ends at the border
    assert str(g.out_size) in g.formula


def test_same_padding_keeps_the_size():
    g = conv_geometry(28, 3, 1, 1)
    assert g.out_size == 28 and "same size" in g.message


def test_stride_that_does_not_divide_is_explained_not_raised():
    g = conv_geometry(8, 3, 0, 2)
    assert g.fits and not g.exact
    assert g.out_size == 3 and g.unused == 1
    assert "(H + 2P − F) = 5 is not divisible by stride 2" in g.message
    assert "The layers round down to OH = 3" in g.message
    assert conv_output_size(8, 3, 2, 0) == 3 == Convolution(np.zeros((1, 1, 3, 3)), np.zeros(1), 2).forward(
        np.zeros((1, 1, 8, 8))).shape[-1]   # the layers round down the same way
    cov = coverage(g)
    assert cov.shape == (8, 8) and np.all(cov[-1] == 0) and np.all(cov[:, -1] == 0) and cov[0, 0] == 1


def test_filter_larger_than_padded_input_is_explained():
    g = conv_geometry(3, 7, 1, 1)
    assert not g.fits and g.out_size == 0 and g.starts == ()
    assert "does not fit" in g.message and window_origin(g, 0) is None
    assert np.all(coverage(g) == 0)


@pytest.mark.parametrize("args", [(0, 3, 0, 1), (5, 0, 0, 1), (5, 3, -1, 1), (5, 3, 0, 0), (5.5, 3, 0, 1),
                                  ("a", 3, 0, 1), (np.nan, 3, 0, 1)])
def test_nonsense_values_never_raise(args):
    g = conv_geometry(*args)
    assert not g.exact and g.out_size == 0 and "must be" in g.message


def test_window_origin_walks_row_by_row_and_clamps():
    g = conv_geometry(7, 3, 1, 2)          # 4 × 4 outputs
    assert window_origin(g, 0) == (0, 0)
    assert window_origin(g, 1) == (0, 2)
    assert window_origin(g, 4) == (2, 0)
    assert window_origin(g, 15) == (6, 6)
    assert window_origin(g, 99) == (6, 6) and window_origin(g, -3) == (0, 0)


def test_coverage_counts_windows():
    g = conv_geometry(4, 3, 0, 1)
    np.testing.assert_array_equal(coverage(g), np.outer([1, 2, 2, 1], [1, 2, 2, 1]))


# ------------------------------------------------------------------ by definition vs layers
def test_cross_correlation_definition_on_a_small_example():
    x = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
    k = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])
    np.testing.assert_array_equal(cross_correlate2d(x, k), [[15, 16], [6, 15]])
    # true convolution flips the kernel
    np.testing.assert_array_equal(convolve2d(x, k), cross_correlate2d(x, k[::-1, ::-1]))
    with pytest.raises(ValueError):
        cross_correlate2d(np.ones((2, 2)), np.ones((3, 3)))


@pytest.mark.parametrize("xs, ws, stride, pad", [((2, 3, 7, 7), (4, 3, 3, 3), 1, 1), ((1, 2, 9, 9), (3, 2, 3, 3), 2, 1),
                                                 ((3, 1, 8, 6), (2, 1, 2, 2), 2, 0), ((1, 1, 5, 5), (1, 1, 5, 5), 1, 2)])
def test_naive_convolution_matches_the_layer(xs, ws, stride, pad):
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
    np.testing.assert_allclose(conv2d_naive(x, W, b, stride, pad), Convolution(W, b, stride, pad).forward(x),
                               atol=1e-10)


def test_naive_convolution_of_one_channel_is_cross_correlation():
    rng = np.random.default_rng(1)
    img, k = rng.normal(size=(6, 6)), rng.normal(size=(3, 3))
    np.testing.assert_allclose(conv2d_naive(img[None, None], k[None, None])[0, 0], cross_correlate2d(img, k))


def test_naive_convolution_rounds_down_like_the_layer_and_explains_bad_sizes():
    rng = np.random.default_rng(3)
    x, W, b = rng.normal(size=(2, 2, 8, 9)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    out = conv2d_naive(x, W, b, stride=2, pad=1)
    assert out.shape == (2, 3, 4, 5)
    np.testing.assert_allclose(out, Convolution(W, b, 2, 1).forward(x), atol=1e-10)
    with pytest.raises(ValueError, match="does not fit"):
        conv2d_naive(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        conv2d_naive(np.zeros((8, 8)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="channels"):
        conv2d_naive(np.zeros((1, 2, 8, 8)), np.zeros((1, 1, 3, 3)))


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("shape, size, stride", [((2, 3, 6, 6), 2, 2), ((1, 2, 5, 5), 3, 1), ((2, 1, 9, 9), 3, 3),
                                                 ((1, 2, 7, 8), 2, 2), ((2, 1, 8, 10), 3, 3)])  # rounded down
def test_naive_pooling_matches_the_layer(mode, shape, size, stride):
    x = np.random.default_rng(2).normal(size=shape)
    out = pool2d_naive(x, size, stride, mode)
    np.testing.assert_allclose(out, Pooling(size, size, stride, mode=mode).forward(x))
    assert out.shape[1] == shape[1]      # channels unchanged


def test_pooling_example():
    x = np.array([[1, 3, 2, 0], [4, 6, 1, 1], [0, 2, 5, 7], [3, 1, 8, 2]], dtype=float)[None, None]
    np.testing.assert_array_equal(pool2d_naive(x)[0, 0], [[6, 2], [3, 8]])
    np.testing.assert_array_equal(pool2d_naive(x, mode="avg")[0, 0], [[3.5, 1.0], [1.5, 5.5]])
    with pytest.raises(ValueError):
        pool2d_naive(x, mode="median")


# ------------------------------------------------------------------ cost
def test_cost_of_simple_convnets_convolution():
    cost = conv_layer_cost((1, 28, 28), (30, 1, 5, 5))
    assert cost["output"] == (30, 24, 24)
    assert cost["params"] == 30 * 25 + 30
    assert cost["macs"] == 24 * 24 * 5 * 5 * 1 * 30 == 432_000


def test_cost_formula_counts_multiplies_of_the_naive_loop():
    # one multiply per (output position, output map, filter weight)
    oh, ow, k, c, m = 6, 5, 3, 2, 4
    assert conv_macs(oh, ow, k, c, m) == oh * ow * m * (k * k * c)
    assert conv_layer_cost((16, 14, 14), (32, 16, 3, 3), stride=1, pad=1)["macs"] == 14 * 14 * 3 * 3 * 16 * 32
    with pytest.raises(ValueError):
        conv_macs(-1, 2, 3, 4, 5)
    with pytest.raises(ValueError, match="channels"):
        conv_layer_cost((3, 8, 8), (4, 1, 3, 3))
    assert conv_layer_cost((1, 8, 8), (4, 1, 3, 3), stride=2)["output"] == (4, 3, 3)   # rounded down
    with pytest.raises(ValueError, match="does not fit"):
        conv_layer_cost((1, 2, 2), (4, 1, 3, 3))


# ------------------------------------------------------------------ backward as a full convolution
@pytest.mark.parametrize("x_shape, w_shape, stride, pad", [
    ((2, 3, 7, 7), (4, 3, 3, 3), 1, 0), ((2, 3, 7, 7), (4, 3, 3, 3), 1, 1), ((2, 3, 7, 7), (4, 3, 3, 3), 2, 1),
    ((1, 2, 8, 8), (3, 2, 3, 3), 2, 0),       # the stride does not divide: the last row gets no gradient
    ((1, 1, 9, 6), (2, 1, 2, 3), 3, 2),       # non-square filter, stride 3
])
def test_input_gradient_is_a_full_convolution_with_flipped_filters(x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(3)
    x, W = rng.normal(size=x_shape), rng.normal(size=w_shape)
    layer = Convolution(W, np.zeros(w_shape[0]), stride, pad)
    dout = rng.normal(size=layer.forward(x).shape)
    dx = layer.backward(dout)
    np.testing.assert_allclose(input_gradient_as_full_convolution(dout, W, x.shape, stride, pad), dx, atol=1e-12)
    if stride == 1 and pad == 0:                 # unflipped filters give something else
        wrong = input_gradient_as_full_convolution(dout, W[:, :, ::-1, ::-1], x.shape, stride, pad)
        assert not np.allclose(wrong, dx)


def test_input_gradient_as_full_convolution_checks_shapes():
    with pytest.raises(ValueError, match="do not belong together"):
        input_gradient_as_full_convolution(np.zeros((1, 2, 3, 3)), np.zeros((3, 1, 3, 3)), (1, 1, 5, 5))
