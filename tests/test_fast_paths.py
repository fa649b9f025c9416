"""The fast code paths agree with the textbook versions the chapters show (common.reference).

im2col (sliding_window_view) vs reference.im2col (loop over filter offsets);
im2col_t/col2im_t (the transposed layout Convolution uses) vs im2col/col2im;
Convolution (one GEMM, folded bias, dx by a second convolution) vs
reference.Convolution (im2col rows, col2im); Pooling by strided slices vs
reference.Pooling (im2col + argmax); BatchNormalization's closed-form backward vs
reference.BatchNormalization (the graph node by node); in-place optimisers vs
their pure ``step``. Each in float64 and float32, over random shapes including
stride 2, padding and sizes the stride does not divide (the output rounds down).
"""

import numpy as np
import pytest

from common import reference
from common.im2col import col2im, col2im_t, conv_output_size, im2col, im2col_t
from common.layers import BatchNormalization, Convolution, Pooling, Relu
from common.optimizers import SGD, Adam

DTYPES = [np.float64, np.float32]


def random_config(seed):
    """(N, C, H, W, FH, FW, stride, pad); stride 2 and padding included, and H, W that it may not divide."""
    rng = np.random.default_rng(seed)
    n, c = rng.integers(1, 4), rng.integers(1, 5)
    fh, fw = rng.integers(1, 6), rng.integers(1, 6)
    stride, pad = int(rng.integers(1, 3)), int(rng.integers(0, 3))
    oh, ow = rng.integers(1, 7), rng.integers(1, 7)
    h, w = (oh - 1) * stride + fh - 2 * pad, (ow - 1) * stride + fw - 2 * pad
    if h < 1 or w < 1:
        pad = 0
        h, w = (oh - 1) * stride + fh, (ow - 1) * stride + fw
    h, w = h + rng.integers(0, stride), w + rng.integers(0, stride)  # rows that no window reaches
    return int(n), int(c), int(h), int(w), int(fh), int(fw), stride, pad


CONFIGS = [random_config(s) for s in range(12)] + [
    (2, 3, 7, 7, 3, 3, 2, 1),  # stride 2 and padding
    (3, 1, 28, 28, 5, 5, 1, 0),  # SimpleConvNet's convolution
    (2, 4, 7, 7, 3, 3, 1, 1),  # DeepConvNet's, on an odd size
    (1, 2, 7, 7, 2, 2, 2, 1),  # the book's example of rounding down: 7x7, F=2, S=2, P=1 -> 4x4
    (2, 2, 9, 8, 3, 2, 3, 0),  # stride 3: (9-3)/3 -> 3 rows, (8-2)/3 -> 3 columns
]


def tol(dtype):
    return {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 2e-5}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONFIGS)
def test_im2col_equals_the_textbook_loop(case, dtype):
    n, c, h, w, fh, fw, stride, pad = case
    x = np.random.default_rng(0).normal(size=(n, c, h, w)).astype(dtype)
    fast, textbook = im2col(x, fh, fw, stride, pad), reference.im2col(x, fh, fw, stride, pad)
    assert fast.dtype == textbook.dtype == dtype
    np.testing.assert_array_equal(fast, textbook)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONFIGS)
def test_im2col_t_is_the_transpose_of_im2col(case, dtype):
    n, c, h, w, fh, fw, stride, pad = case
    x = np.random.default_rng(1).normal(size=(n, c, h, w)).astype(dtype)
    cols = im2col_t(x, fh, fw, stride, pad)
    oh, ow = conv_output_size(h, fh, stride, pad), conv_output_size(w, fw, stride, pad)
    assert cols.shape == (c * fh * fw, n * oh * ow) and cols.dtype == dtype
    np.testing.assert_array_equal(cols, reference.im2col(x, fh, fw, stride, pad).T)


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
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONFIGS)
def test_convolution_equals_the_textbook_version(case, dtype):
    n, c, h, w, fh, fw, stride, pad = case
    rng = np.random.default_rng(4)
    fn = 3
    x = rng.normal(size=(n, c, h, w)).astype(dtype)
    W, b = rng.normal(size=(fn, c, fh, fw)).astype(dtype), rng.normal(size=fn).astype(dtype)
    fast, textbook = Convolution(W, b, stride, pad), reference.Convolution(W, b, stride, pad)
    out, ref_out = fast.forward(x), textbook.forward(x)
    assert out.shape == (n, fn, conv_output_size(h, fh, stride, pad), conv_output_size(w, fw, stride, pad))
    assert out.dtype == ref_out.dtype == dtype
    np.testing.assert_allclose(out, ref_out, **tol(dtype))

    dout = rng.normal(size=out.shape).astype(dtype)
    kept = dout.copy()
    dx, ref_dx = fast.backward(dout), textbook.backward(dout)
    np.testing.assert_array_equal(dout, kept)  # neither version writes into dout
    np.testing.assert_allclose(fast.dW, textbook.dW, **tol(dtype))
    np.testing.assert_allclose(fast.db, textbook.db, **tol(dtype))
    np.testing.assert_allclose(dx, ref_dx, **tol(dtype))
    assert fast.dW.dtype == fast.db.dtype == dx.dtype == ref_dx.dtype == dtype


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
    # sizes the stride does not divide: rounded down, the last rows and columns are never read
    (2, 3, 25, 23, 2, 2, 2, 0),  # tiling windows: 25 -> 12, 23 -> 11
    (1, 2, 8, 7, 3, 3, 3, 1),  # tiling 3x3 with padding: 10 -> 3, 9 -> 3
    (2, 2, 8, 9, 3, 3, 2, 0),  # overlapping windows: (8-3)/2 -> 3, (9-3)/2 -> 4
]


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
    layer, textbook = Pooling(ph, pw, stride, pad, mode), reference.Pooling(ph, pw, stride, pad, mode)
    out, ref_out = layer.forward(x), textbook.forward(x)
    dout = rng.normal(size=out.shape).astype(dtype)
    dx, ref_dx = layer.backward(dout), textbook.backward(dout)
    assert out.shape == (n, c, conv_output_size(h, ph, stride, pad), conv_output_size(w, pw, stride, pad))
    assert out.dtype == dx.dtype == ref_out.dtype == ref_dx.dtype == dtype
    np.testing.assert_allclose(out, ref_out, **tol(dtype))
    np.testing.assert_allclose(dx, ref_dx, **tol(dtype))


# ------------------------------------------------------------- batch normalisation
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 4), (3, 2, 4, 5)], ids=["2-D", "4-D"])
def test_batchnorm_equals_the_graph_version(shape, dtype):
    rng = np.random.default_rng(9)
    d = shape[1]
    gamma, beta = rng.normal(1, 0.3, d).astype(dtype), rng.normal(0, 0.3, d).astype(dtype)
    fast, textbook = BatchNormalization(gamma, beta), reference.BatchNormalization(gamma, beta)
    for step in range(3):  # training steps update the running statistics in the same way
        x = rng.normal(step, 2.0, size=shape).astype(dtype)
        dout = rng.normal(size=shape).astype(dtype)
        for train_flg in (True, False):
            out, ref_out = fast.forward(x, train_flg), textbook.forward(x, train_flg)
            dx, ref_dx = fast.backward(dout), textbook.backward(dout)
            assert out.dtype == dx.dtype == ref_out.dtype == ref_dx.dtype == dtype
            np.testing.assert_allclose(out, ref_out, **tol(dtype))
            np.testing.assert_allclose(dx, ref_dx, **tol(dtype))
            np.testing.assert_allclose(fast.dgamma, textbook.dgamma, **tol(dtype))
            np.testing.assert_allclose(fast.dbeta, textbook.dbeta, **tol(dtype))
        np.testing.assert_allclose(fast.running_mean, textbook.running_mean, **tol(dtype))
        np.testing.assert_allclose(fast.running_var, textbook.running_var, **tol(dtype))


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


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout"])
def test_plain_benchmark_layers_equal_ours(name, dtype):
    """The plain versions `make bench` times (common.reference) compute what the library's layers do."""
    from common import layers

    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 3, 5, 2)).astype(dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    if name == "SoftmaxWithLoss":
        s, t = x.reshape(4, -1)[:, :10], np.array([0, 3, 9, 5])
        plain, ours = reference.SoftmaxWithLoss(), layers.SoftmaxWithLoss()
        # the book's log(y + 1e-7) against our log-sum-exp: equal up to that 1e-7
        np.testing.assert_allclose(plain.forward(s, t), ours.forward(s, t), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(plain.backward(), ours.backward(), **tol)
        return
    if name == "Affine":
        W, b = rng.standard_normal((30, 6)).astype(dtype), rng.standard_normal(6).astype(dtype)
        plain, ours = reference.Affine(W, b), layers.Affine(W, b)
    elif name == "Dropout":
        plain, ours = reference.Dropout(0.5, 3), layers.Dropout(0.5, 3)
    else:
        plain, ours = getattr(reference, name)(), getattr(layers, name)()
    out = ours.forward(x)
    np.testing.assert_allclose(plain.forward(x), out, **tol)
    dout = rng.standard_normal(out.shape).astype(dtype)
    np.testing.assert_allclose(plain.backward(dout), ours.backward(dout), **tol)
    if name == "Affine":
        np.testing.assert_allclose(plain.dW, ours.dW, **tol)
        np.testing.assert_allclose(plain.db, ours.db, **tol)
