"""The chapter 6 self-checks accept right answers, reject typical wrong ones and never raise."""

from __future__ import annotations

import numpy as np

from common.exercises import ch06


def _stub(*args):
    raise NotImplementedError


def _size(h, f, p, s):
    span = h + 2 * p - f
    if span < 0 or span % s:
        return None
    return span // s + 1


def test_output_size_check(capsys):
    assert ch06.check_output_size(_size)
    assert not ch06.check_output_size(lambda h, f, p, s: (h + 2 * p - f) // s + 1)   # never None
    assert "expected None" in capsys.readouterr().out
    assert not ch06.check_output_size(lambda h, f, p, s: None if _size(h, f, p, s) is None else (h + p - f) // s + 1)
    assert "2P" in capsys.readouterr().out
    assert not ch06.check_output_size(_stub)
    assert "Not done yet" in capsys.readouterr().out


def _conv(x, W, b, stride, pad):
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    out = np.zeros((n, fn, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
            out[:, :, i, j] = np.tensordot(win, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def test_conv2d_check(capsys):
    assert ch06.check_conv2d(_conv)
    assert not ch06.check_conv2d(lambda x, W, b, s, p: _conv(x, W, np.zeros_like(b), s, p))
    assert "bias is missing" in capsys.readouterr().out
    assert not ch06.check_conv2d(lambda x, W, b, s, p: _conv(x, W[:, :, ::-1, ::-1], b, s, p))
    assert "flipped" in capsys.readouterr().out
    assert not ch06.check_conv2d(lambda x, W, b, s, p: _conv(x, W, b, 1, p))     # ignores stride
    assert "shape" in capsys.readouterr().out
    assert not ch06.check_conv2d(_stub)


def _pool(x, size, stride, reduce=np.max):
    n, c, h, w = x.shape
    oh, ow = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = reduce(x[:, :, i * stride:i * stride + size, j * stride:j * stride + size], axis=(2, 3))
    return out


def test_max_pool_check(capsys):
    assert ch06.check_max_pool(_pool)
    assert not ch06.check_max_pool(lambda x, k, s: _pool(x, k, s, np.mean))
    assert "average pooling" in capsys.readouterr().out
    assert not ch06.check_max_pool(lambda x, k, s: _pool(x, k, k))          # ignores the stride
    assert not ch06.check_max_pool(_stub)


def test_conv_cost_check(capsys):
    assert ch06.check_conv_cost(lambda oh, ow, k, c, m: oh * ow * k * k * c * m)
    assert not ch06.check_conv_cost(lambda oh, ow, k, c, m: oh * ow * k * c * m)
    assert "K appears twice" in capsys.readouterr().out
    assert not ch06.check_conv_cost(lambda oh, ow, k, c, m: oh * ow * k * k * m)
    assert "all C input channels" in capsys.readouterr().out
    assert not ch06.check_conv_cost(_stub)


def _iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def test_iou_check(capsys):
    assert ch06.check_iou(_iou)

    def no_subtraction(a, b):
        iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        return iw * ih / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]))
    assert not ch06.check_iou(no_subtraction)
    assert "counts the overlap once" in capsys.readouterr().out

    def no_clip(a, b):
        inter = (min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1]))
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return inter / union
    assert not ch06.check_iou(no_clip)
    assert not ch06.check_iou(_stub)


def _ap(tp, n_gt):
    tp = np.asarray(tp, bool)
    prec = np.cumsum(tp) / np.arange(1, len(tp) + 1)
    rec = np.cumsum(tp) / n_gt
    env = np.maximum.accumulate(prec[::-1])[::-1]
    prev = np.concatenate([[0], rec[:-1]])
    return float(np.sum((rec - prev) * env))


def test_average_precision_check(capsys):
    assert ch06.check_average_precision(_ap)

    def raw(tp, n_gt):
        tp = np.asarray(tp, bool)
        prec = np.cumsum(tp) / np.arange(1, len(tp) + 1)
        rec = np.cumsum(tp) / n_gt
        return float(np.sum(np.diff(np.concatenate([[0], rec])) * prec))
    assert not ch06.check_average_precision(raw)
    assert "without the interpolation" in capsys.readouterr().out
    assert not ch06.check_average_precision(_stub)
    assert not ch06.check_average_precision(lambda tp, n: "high")
