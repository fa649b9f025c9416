"""Tests for common.im2col: output sizes, patch layout, and col2im as the adjoint."""

import numpy as np
import pytest

from common.im2col import col2im, conv_output_size, im2col

rng = np.random.default_rng(2)

# (N, C, H, W, FH, FW, stride, pad): odd sizes, non-square filters, stride 2, padding
CONFIGS = [
    (1, 1, 4, 4, 2, 2, 1, 0),
    (2, 3, 7, 5, 3, 3, 1, 1),
    (2, 2, 7, 7, 3, 3, 2, 1),
    (3, 1, 6, 9, 2, 3, 2, 0),
    (1, 2, 5, 5, 5, 5, 1, 2),
    (2, 3, 9, 8, 1, 2, 2, 0),
]


def naive_im2col(x, fh, fw, stride, pad):
    """One row per (n, i, j), columns ordered (c, dy, dx): the reference layout, by loops."""
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    rows = []
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                patch = xp[b, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
                rows.append(patch.ravel())
    return np.array(rows)


def test_conv_output_size_examples():
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(4, 3, stride=1, pad=1) == 4
    assert conv_output_size(7, 3, stride=2, pad=1) == 4
    assert conv_output_size(3, 3) == 1
    assert type(conv_output_size(np.int64(9), 3, np.int32(2))) is int


def test_conv_output_size_rounds_down_like_the_book_and_pytorch():
    assert conv_output_size(7, 2, stride=2, pad=1) == 4  # (7 + 2 - 2) / 2 + 1 = 4.5 -> 4
    assert conv_output_size(6, 3, stride=2) == 2  # 1.5 + 1 -> 2: the last column is never read
    assert conv_output_size(2, 2, stride=5) == 1
    for h in range(1, 12):
        for f in range(1, h + 3):
            for s in (1, 2, 3):
                for p in (0, 1):
                    if h + 2 * p >= f:
                        assert conv_output_size(h, f, s, p) == (h + 2 * p - f) // s + 1


def test_ceil_mode_rounds_up_but_never_starts_a_window_in_the_right_padding():
    assert conv_output_size(112, 3, 2, ceil_mode=True) == 56  # GoogLeNet's pool1 (Caffe)
    assert conv_output_size(112, 3, 2) == 55
    assert conv_output_size(5, 2, 2, 1, ceil_mode=True) == 3  # a 4th window would start in the padding
    assert conv_output_size(8, 2, 2, ceil_mode=True) == 4  # exact: the same either way


def test_both_roundings_match_pytorch_pooling():
    torch = pytest.importorskip("torch")
    for h in range(2, 12):
        for k in (2, 3):
            for s in (1, 2, 3):
                for p in range(0, k // 2 + 1):
                    for ceil_mode in (False, True):
                        if h + 2 * p < k:
                            continue  # no window fits: both raise
                        x = torch.zeros(1, 1, h, h)
                        out = torch.nn.functional.max_pool2d(x, k, s, p, ceil_mode=ceil_mode).shape[-1]
                        assert conv_output_size(h, k, s, p, ceil_mode=ceil_mode) == out, (h, k, s, p, ceil_mode)


def test_conv_output_size_explains_bad_settings():
    with pytest.raises(ValueError, match=r"does not fit .*padded size 4.*no output"):
        conv_output_size(4, 5)
    with pytest.raises(ValueError, match="stride >= 1"):
        conv_output_size(4, 3, stride=0)
    with pytest.raises(ValueError, match="pad >= 0"):
        conv_output_size(4, 3, pad=-1)
    with pytest.raises(ValueError, match="input_size >= 1"):
        conv_output_size(0, 1)
    with pytest.raises(ValueError, match="stride must be a whole number, got 1.5"):
        conv_output_size(8, 3, stride=1.5)
    with pytest.raises(ValueError, match="^Pooling: a filter of size 3"):
        conv_output_size(2, 3, where="Pooling")


@pytest.mark.parametrize("n, c, h, w, fh, fw, stride, pad", CONFIGS)
def test_im2col_matches_naive_layout(n, c, h, w, fh, fw, stride, pad):
    x = rng.normal(size=(n, c, h, w))
    col = im2col(x, fh, fw, stride, pad)
    oh, ow = conv_output_size(h, fh, stride, pad), conv_output_size(w, fw, stride, pad)
    assert col.shape == (n * oh * ow, c * fh * fw)
    np.testing.assert_array_equal(col, naive_im2col(x, fh, fw, stride, pad))


@pytest.mark.parametrize("n, c, h, w, fh, fw, stride, pad", CONFIGS)
def test_col2im_is_the_adjoint_of_im2col(n, c, h, w, fh, fw, stride, pad):
    x = rng.normal(size=(n, c, h, w))
    col = im2col(x, fh, fw, stride, pad)
    y = rng.normal(size=col.shape)
    lhs = np.sum(col * y)  # <im2col(x), y>
    rhs = np.sum(x * col2im(y, x.shape, fh, fw, stride, pad))  # <x, col2im(y)>
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_col2im_counts_overlaps():
    # 1x1x3x3 image, 2x2 filter, stride 1: the centre pixel is in all 4 patches
    ones = np.ones((4, 4))
    counts = col2im(ones, (1, 1, 3, 3), 2, 2)
    np.testing.assert_array_equal(counts[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_dtype_is_kept():
    x = rng.normal(size=(2, 2, 5, 5)).astype(np.float32)
    col = im2col(x, 3, 3, stride=2, pad=1)
    assert col.dtype == np.float32
    assert col2im(col, x.shape, 3, 3, stride=2, pad=1).dtype == np.float32


def test_shape_errors_are_explained():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got shape \(5, 5\)"):
        im2col(np.zeros((5, 5)), 3, 3)
    with pytest.raises(ValueError, match=r"expected a matrix of shape \(9, 9\)"):
        col2im(np.zeros((9, 8)), (1, 1, 5, 5), 3, 3)
