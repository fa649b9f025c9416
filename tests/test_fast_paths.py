"""The fast code paths agree with the textbook versions the chapters show.

im2col (sliding_window_view) vs im2col_reference (loop over filter offsets);
im2col_t/col2im_t (the transposed layout Convolution uses) vs im2col/col2im;
the convolution's dx by a second convolution vs col2im_t; pooling by strided slices vs
the classic im2col + argmax; in-place optimisers vs their pure ``step``.
Each in float64 and float32, over random shapes including stride 2 and padding.
"""

import numpy as np
import pytest

from common.im2col import col2im, col2im_t, conv_output_size, im2col, im2col_reference, im2col_t
from common.layers import Convolution, Pooling, Relu
from common.optimizers import SGD, Adam

DTYPES = [np.float64, np.float32]


def random_config(seed):
    """(N, C, H, W, FH, FW, stride, pad) with sizes that divide evenly; stride 2 and padding included."""
    rng = np.random.default_rng(seed)
    n, c = rng.integers(1, 4), rng.integers(1, 5)
    fh, fw = rng.integers(1, 6), rng.integers(1, 6)
    stride, pad = int(rng.integers(1, 3)), int(rng.integers(0, 3))
    oh, ow = rng.integers(1, 7), rng.integers(1, 7)
    h, w = (oh - 1) * stride + fh - 2 * pad, (ow - 1) * stride + fw - 2 * pad
    if h < 1 or w < 1:
        pad = 0
        h, w = (oh - 1) * stride + fh, (ow - 1) * stride + fw
    return int(n), int(c), int(h), int(w), int(fh), int(fw), stride, pad


CONFIGS = [random_config(s) for s in range(12)] + [
    (2, 3, 7, 7, 3, 3, 2, 1),  # stride 2 and padding
    (3, 1, 28, 28, 5, 5, 1, 0),  # SimpleConvNet's convolution
    (2, 4, 7, 7, 3, 3, 1, 1),  # DeepConvNet's, on an odd size
]


def tol(dtype):
    return {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 2e-5}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONFIGS)
def test_im2col_equals_the_textbook_loop(case, dtype):
    n, c, h, w, fh, fw, stride, pad = case
    x = np.random.default_rng(0).normal(size=(n, c, h, w)).astype(dtype)
    fast, reference = im2col(x, fh, fw, stride, pad), im2col_reference(x, fh, fw, stride, pad)
    assert fast.dtype == reference.dtype == dtype
    np.testing.assert_array_equal(fast, reference)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONFIGS)
def test_im2col_t_is_the_transpose_of_im2col(case, dtype):
    n, c, h, w, fh, fw, stride, pad = case
    x = np.random.default_rng(1).normal(size=(n, c, h, w)).astype(dtype)
    cols = im2col_t(x, fh, fw, stride, pad)
    oh, ow = conv_output_size(h, fh, stride, pad), conv_output_size(w, fw, stride, pad)
    assert cols.shape == (c * fh * fw, n * oh * ow) and cols.dtype == dtype
    np.testing.assert_array_equal(cols, im2col_reference(x, fh, fw, stride, pad).T)


def test_im2col_t_writes_into_out_and_refuses_a_bad_one():
    x = np.random.default_rng(7).normal(size=(2, 3, 6, 6))
    bigger = np.full((3 * 3 * 3 + 1, 2 * 4 * 4), 7.0)
    result = im2col_t(x, 3, 3, out=bigger[:-1])
    assert np.shares_memory(result, bigger)
    np.testing.assert_array_equal(bigger[:-1], im2col(x, 3, 3).T)
    np.testing.assert_array_equal(bigger[-1], 7.0)  # the row below is untouched
    with pytest.raises(ValueError, match=r"C-contiguous array of shape \(27, 32\)"):
        im2col_t(x, 3, 3, out=np.empty((27, 31)))
    with pytest.raises(ValueError, match="not contiguous"):
        im2col_t(x, 3, 3, out=np.empty((32, 27)).T)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONFIGS)
def test_col2im_t_is_col2im_of_the_transpose_and_the_adjoint_of_im2col_t(case, dtype):
    n, c, h, w, fh, fw, stride, pad = case
    rng = np.random.default_rng(2)
    x = rng.normal(size=(n, c, h, w)).astype(dtype)
    y = rng.normal(size=im2col_t(x, fh, fw, stride, pad).shape).astype(dtype)
    folded = col2im_t(y, x.shape, fh, fw, stride, pad)
    assert folded.shape == x.shape and folded.dtype == dtype
    np.testing.assert_allclose(folded, col2im(y.T, x.shape, fh, fw, stride, pad), **tol(dtype))
    lhs = np.sum(im2col_t(x, fh, fw, stride, pad).astype(np.float64) * y)
    rhs = np.sum(x.astype(np.float64) * folded)
    assert lhs == pytest.approx(rhs, rel=1e-10 if dtype == np.float64 else 1e-4)


def test_col2im_t_shape_error_is_explained():
    with pytest.raises(ValueError, match=r"col2im_t expected columns of shape \(9, 9\)"):
        col2im_t(np.zeros((9, 8)), (1, 1, 5, 5), 3, 3)


@pytest.mark.parametrize("case", CONFIGS[:6])
def test_im2col_t_matches_pytorch_unfold(case):
    torch = pytest.importorskip("torch")
    n, c, h, w, fh, fw, stride, pad = case
    x = np.random.default_rng(3).normal(size=(n, c, h, w))
    ref = torch.nn.functional.unfold(torch.tensor(x), (fh, fw), stride=stride, padding=pad).numpy()
    # PyTorch lays the patches out per image, (N, C*FH*FW, OH*OW); ours puts the images side by side
    np.testing.assert_array_equal(im2col_t(x, fh, fw, stride, pad), np.concatenate(list(ref), axis=1))


# ---------------------------------------------------------------- convolution
def textbook_convolution(x, W, b, stride, pad):
    """The chapter's version: im2col (loop), one GEMM, reshape and transpose back to (N, FN, OH, OW)."""
    n, _, h, w = x.shape
    fn, _, fh, fw = W.shape
    oh, ow = conv_output_size(h, fh, stride, pad), conv_output_size(w, fw, stride, pad)
    col = im2col_reference(x, fh, fw, stride, pad)
    out = col @ W.reshape(fn, -1).T + b
    return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONFIGS)
def test_convolution_equals_the_textbook_version(case, dtype):
    n, c, h, w, fh, fw, stride, pad = case
    rng = np.random.default_rng(4)
    fn = 3
    x = rng.normal(size=(n, c, h, w)).astype(dtype)
    W, b = rng.normal(size=(fn, c, fh, fw)).astype(dtype), rng.normal(size=fn).astype(dtype)
    layer = Convolution(W, b, stride, pad)
    out = layer.forward(x)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, textbook_convolution(x, W, b, stride, pad), **tol(dtype))

    # backward against the textbook formulas: dW = col.T @ dout, dx = col2im(dout @ W)
    dout = rng.normal(size=out.shape).astype(dtype)
    dx = layer.backward(dout)
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
    col = im2col_reference(x, fh, fw, stride, pad)
    np.testing.assert_allclose(layer.dW, (col.T @ d2).T.reshape(W.shape), **tol(dtype))
    np.testing.assert_allclose(layer.db, d2.sum(axis=0), **tol(dtype))
    np.testing.assert_allclose(dx, col2im(d2 @ W.reshape(fn, -1), x.shape, fh, fw, stride, pad), **tol(dtype))
    assert layer.dW.dtype == layer.db.dtype == dx.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", [cfg for cfg in CONFIGS if cfg[6] == 1 and cfg[4] == cfg[5] and cfg[7] < cfg[4]])
def test_dx_by_convolution_equals_col2im_t(case, dtype):
    n, c, h, w, fh, fw, stride, pad = case
    rng = np.random.default_rng(5)
    x = rng.normal(size=(n, c, h, w)).astype(dtype)
    W, b = rng.normal(size=(4, c, fh, fw)).astype(dtype), np.zeros(4, dtype=dtype)
    layer = Convolution(W, b, stride, pad)
    dout = rng.normal(size=layer.forward(x).shape).astype(dtype)
    delta = dout.transpose(1, 0, 2, 3).reshape(4, -1)  # (FN, N*OH*OW), the layout backward uses
    by_col2im = col2im_t(W.reshape(4, -1).T @ delta, x.shape, fh, fw, stride, pad)
    np.testing.assert_allclose(layer._dx_by_convolution(delta), by_col2im, **tol(dtype))


def test_input_grad_false_skips_dx_only():
    rng = np.random.default_rng(6)
    x, W, b = rng.normal(size=(2, 3, 6, 6)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    full, first = Convolution(W, b, pad=1), Convolution(W, b, pad=1, input_grad=False)
    dout = rng.normal(size=full.forward(x).shape)
    first.forward(x)
    assert first.backward(dout) is None
    assert full.backward(dout).shape == x.shape
    np.testing.assert_array_equal(first.dW, full.dW)
    np.testing.assert_array_equal(first.db, full.db)


# -------------------------------------------------------------------- pooling
POOL_CASES = [
    (2, 3, 24, 24, 2, 2, 2, 0),  # SimpleConvNet's pooling: windows tile the image
    (2, 2, 7, 7, 3, 3, 2, 1),  # DeepConvNet's on odd sizes: overlapping, padded
    (1, 2, 6, 8, 2, 2, 2, 1),
    (2, 1, 5, 6, 2, 3, 1, 1),
    (1, 2, 9, 9, 3, 3, 3, 0),  # tiles with 3x3 windows
    (1, 1, 7, 7, 1, 1, 2, 0),  # stride larger than the window: some pixels get no gradient
    (1, 2, 17, 18, 17, 17, 1, 0),  # 289 positions per window: the index of the maximum needs 16 bits
]


def textbook_pooling(x, ph, pw, stride, pad, mode, dout):
    """The classic version: im2col of the padded input, argmax per row, col2im of the scattered gradient."""
    n, c, h, w = x.shape
    fill = -np.inf if mode == "max" else 0
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], constant_values=fill)
    oh, ow = conv_output_size(h, ph, stride, pad), conv_output_size(w, pw, stride, pad)
    col = im2col_reference(xp, ph, pw, stride).reshape(-1, ph * pw)
    rows = np.arange(col.shape[0])
    if mode == "max":
        arg = np.argmax(col, axis=1)  # the first maximum if tied
        out = col[rows, arg]
    else:
        out = col.mean(axis=1)
    out = out.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)
    flat = dout.transpose(0, 2, 3, 1).ravel()
    if mode == "max":
        dcol = np.zeros((flat.size, ph * pw), dtype=dout.dtype)
        dcol[rows, arg] = flat
    else:
        dcol = np.repeat(flat[:, None] / (ph * pw), ph * pw, axis=1)
    dxp = col2im(dcol.reshape(-1, c * ph * pw), xp.shape, ph, pw, stride)
    return out, dxp[:, :, pad:pad + h, pad:pad + w]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("ties", [False, True])
def test_pooling_equals_the_textbook_version(case, mode, ties, dtype):
    n, c, h, w, ph, pw, stride, pad = case
    rng = np.random.default_rng(7)
    x = rng.normal(size=(n, c, h, w))
    if ties:  # after a ReLU most windows hold several equal zeros: the first one gets the gradient
        x = np.maximum(np.round(x), 0)
    x = x.astype(dtype)
    layer = Pooling(ph, pw, stride, pad, mode)
    out = layer.forward(x)
    dout = rng.normal(size=out.shape).astype(dtype)
    dx = layer.backward(dout)
    ref_out, ref_dx = textbook_pooling(x, ph, pw, stride, pad, mode, dout)
    assert out.dtype == dx.dtype == dtype
    np.testing.assert_allclose(out, ref_out, **tol(dtype))
    np.testing.assert_allclose(dx, ref_dx, **tol(dtype))


# ----------------------------------------------------------------------- relu
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_keeps_the_classic_mask(dtype):
    x = np.array([[-1.0, 0.0, 2.0], [3.0, -0.5, 0.0]], dtype=dtype)
    layer = Relu()
    out = layer.forward(x)
    np.testing.assert_array_equal(layer.mask, x <= 0)  # True where the gradient is blocked
    np.testing.assert_array_equal(out, np.where(x <= 0, 0, x))
    assert not np.signbit(out).any()  # no -0.0 from negative inputs
    dout = np.arange(6, dtype=dtype).reshape(2, 3) + 1
    np.testing.assert_array_equal(layer.backward(dout), np.where(layer.mask, 0, dout))
    assert out.dtype == layer.backward(dout).dtype == dtype


# ----------------------------------------------------------------- optimisers
@pytest.mark.parametrize("Opt, kwargs", [(Adam, {"lr": 1e-2}), (SGD, {"lr": 0.1})])
@pytest.mark.parametrize("dtype", DTYPES)
def test_in_place_update_equals_pure_step(Opt, kwargs, dtype):
    rng = np.random.default_rng(8)
    params = {"W": rng.normal(size=(4, 3)).astype(dtype), "b": rng.normal(size=3).astype(dtype)}
    ids = {k: id(v) for k, v in params.items()}
    pure, states = {k: v.copy() for k, v in params.items()}, {"W": {}, "b": {}}
    opt, ref = Opt(**kwargs), Opt(**kwargs)
    for _ in range(5):
        grads = {k: rng.normal(size=v.shape).astype(dtype) for k, v in params.items()}
        opt.update(params, grads)
        for k in params:
            pure[k], states[k] = ref.step(pure[k], grads[k], states[k])
    for k in params:
        assert id(params[k]) == ids[k] and params[k].dtype == dtype
        np.testing.assert_allclose(params[k], pure[k], rtol=1e-12 if dtype == np.float64 else 1e-5)
    for state in opt.state.values():
        assert all(v.dtype == dtype for v in state.values() if isinstance(v, np.ndarray))


# ------------------------------------------------------------- scratch buffers
@pytest.mark.parametrize("n", [1, 3])
def test_reused_scratch_never_leaks_into_returned_arrays(n):
    """Layers keep big internal arrays between calls; what they return must stay as it was."""
    rng = np.random.default_rng(8)
    conv = Convolution(rng.normal(size=(4, 2, 3, 3)), rng.normal(size=4), pad=1)
    relu = Relu()
    x1, x2 = rng.normal(size=(n, 2, 5, 5)), rng.normal(size=(n, 2, 5, 5))
    out1 = conv.forward(x1)
    kept = out1.copy()
    dx1 = conv.backward(np.ones_like(out1))
    dx1_kept, dW1 = dx1.copy(), conv.dW.copy()
    act1 = relu.forward(out1)
    mask1 = relu.mask
    conv.forward(x2)
    conv.backward(rng.normal(size=out1.shape))
    relu.forward(-out1)
    np.testing.assert_array_equal(out1, kept)
    np.testing.assert_array_equal(dx1, dx1_kept)
    np.testing.assert_array_equal(act1, np.maximum(kept, 0))
    np.testing.assert_array_equal(mask1, kept <= 0)
    assert not np.array_equal(dW1, conv.dW)  # the second backward did run
