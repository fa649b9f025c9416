"""The chapter 6 self-checks accept right answers, reject typical wrong ones and shortcuts, and never raise.

One assert per plausible wrong answer or shortcut (issue 16 §3): each must fail its
check, and the message must name the slip.
"""

from __future__ import annotations

import numpy as np

from common.exercises import ch06
from common.im2col import col2im, conv_output_size, im2col
from common.layers import Convolution, Pooling
from common.lessons.conv_arithmetic import conv2d_naive, conv_macs, pool2d_naive
from common.lessons.detection import average_precision, iou, precision_recall


def _stub(*args):
    raise NotImplementedError


# ------------------------------------------------------------------ try it: 1×1 convolution
def _conv1x1(x, W):
    return np.einsum("fc,nchw->nfhw", W, x)


def test_conv1x1_check(capsys):
    assert ch06.check_conv1x1(_conv1x1)
    assert not ch06.check_conv1x1(lambda x, W: np.einsum("cf,nchw->nfhw", W, x) if W.shape[0] == W.shape[1]
                                  else _conv1x1(x, W))                               # W transposed
    assert "W transposed" in capsys.readouterr().out
    assert not ch06.check_conv1x1(lambda x, W: x * W.sum(axis=0)[None, :, None, None])   # no mixing
    assert "expected" in capsys.readouterr().out
    assert not ch06.check_conv1x1(lambda x, W: Convolution(W[:, :, None, None], np.zeros(len(W))).forward(x))
    assert "computes the answer for you" in capsys.readouterr().out
    assert not ch06.check_conv1x1(_stub)


# ------------------------------------------------------------------ exercise 1
def _size(h, f, p, s):
    span = h + 2 * p - f
    return None if span < 0 else span // s + 1


def test_output_size_check(capsys):
    assert ch06.check_output_size(_size)
    strict = lambda h, f, p, s: None if (h + 2 * p - f) < 0 or (h + 2 * p - f) % s else _size(h, f, p, s)  # noqa: E731
    assert not ch06.check_output_size(strict)                      # the old rule: None when S does not divide
    assert "layers round down" in capsys.readouterr().out
    assert not ch06.check_output_size(lambda h, f, p, s: int((h + 2 * p - f) / s) + 1)   # no fit check
    assert "does not fit" in capsys.readouterr().out
    assert not ch06.check_output_size(lambda h, f, p, s: None if h + 2 * p < f else -(-(h + 2 * p - f) // s) + 1)
    assert "rounds up" in capsys.readouterr().out
    assert not ch06.check_output_size(lambda h, f, p, s: None if h + 2 * p < f else (h + 2 * p - f) / s + 1)
    assert "round the division down" in capsys.readouterr().out
    assert not ch06.check_output_size(lambda h, f, p, s: None if h + 2 * p < f else (h + p - f) // s + 1)
    assert "2P" in capsys.readouterr().out
    assert not ch06.check_output_size(lambda h, f, p, s: None if h + 2 * p < f else (h + 2 * p - f) // s)
    assert "+ 1" in capsys.readouterr().out
    assert not ch06.check_output_size(lambda h, f, p, s: conv_output_size(h, f, s, p) if h + 2 * p >= f else None)
    assert "computes the answer for you" in capsys.readouterr().out
    assert not ch06.check_output_size(_stub)
    assert "Not done yet" in capsys.readouterr().out


# ------------------------------------------------------------------ exercise 2
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
    assert not ch06.check_conv2d(lambda x, W, b, s, p: Convolution(W, b, s, p).forward(x))
    assert "Convolution.forward" in capsys.readouterr().out
    assert not ch06.check_conv2d(conv2d_naive)
    assert "conv2d_naive" in capsys.readouterr().out
    assert not ch06.check_conv2d(_stub)


# ------------------------------------------------------------------ exercise 3
def test_conv_cost_check(capsys):
    assert ch06.check_conv_cost(lambda oh, ow, k, c, m: oh * ow * k * k * c * m)
    assert not ch06.check_conv_cost(lambda oh, ow, k, c, m: oh * ow * k * c * m)
    assert "K appears twice" in capsys.readouterr().out
    assert not ch06.check_conv_cost(lambda oh, ow, k, c, m: oh * ow * k * k * m)
    assert "all C input channels" in capsys.readouterr().out
    assert not ch06.check_conv_cost(lambda oh, ow, k, c, m: m * (k * k * c + 1))
    assert "number of parameters" in capsys.readouterr().out
    assert not ch06.check_conv_cost(conv_macs)
    assert "computes the answer for you" in capsys.readouterr().out
    assert not ch06.check_conv_cost(_stub)


# ------------------------------------------------------------------ exercise 4
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
    assert "expected" in capsys.readouterr().out
    assert not ch06.check_max_pool(lambda x, k, s: Pooling(k, k, s).forward(x))
    assert "Pooling.forward" in capsys.readouterr().out
    assert not ch06.check_max_pool(lambda x, k, s: pool2d_naive(x, k, s))
    assert "pool2d_naive" in capsys.readouterr().out
    assert not ch06.check_max_pool(_stub)


def _pool_backward(x, dout, size, stride, add=True, spread=False):
    dx = np.zeros_like(x)
    n, c = x.shape[:2]
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            top, left = i * stride, j * stride
            win = x[:, :, top:top + size, left:left + size]
            if spread:
                share = np.broadcast_to(dout[:, :, i, j, None, None] / size ** 2, win.shape)
            else:
                share = (win == win.max(axis=(2, 3), keepdims=True)) * dout[:, :, i, j, None, None]
            if add:
                dx[:, :, top:top + size, left:left + size] += share
            else:
                dx[:, :, top:top + size, left:left + size] = share
    return dx


def test_max_pool_backward_check(capsys):
    assert ch06.check_max_pool_backward(_pool_backward)
    assert not ch06.check_max_pool_backward(lambda x, d, k, s: _pool_backward(x, d, k, s, spread=True))
    assert "average pooling's backward" in capsys.readouterr().out
    assert not ch06.check_max_pool_backward(lambda x, d, k, s: _pool_backward(x, d, k, s, add=False))
    assert "add them up" in capsys.readouterr().out
    assert not ch06.check_max_pool_backward(lambda x, d, k, s: d)                 # the shape of dout
    assert "the shape of x" in capsys.readouterr().out

    def through_the_layer(x, d, k, s):
        pool = Pooling(k, k, s)
        pool.forward(x)
        return pool.backward(d)
    assert not ch06.check_max_pool_backward(through_the_layer)
    assert "Pooling.backward" in capsys.readouterr().out
    assert not ch06.check_max_pool_backward(_stub)


# ------------------------------------------------------------------ exercise 5
def _col2im(col, shape, fh, fw, stride, pad, add=True, crop=True):
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    rows = col.reshape(n, oh, ow, c, fh, fw)
    for i in range(oh):
        for j in range(ow):
            window = img[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
            window[...] = window + rows[:, i, j] if add else rows[:, i, j]
    return img[:, :, pad:pad + h, pad:pad + w] if crop else img


def test_col2im_check(capsys):
    assert ch06.check_col2im(_col2im)
    assert not ch06.check_col2im(lambda *a: _col2im(*a, add=False))
    assert "add them up" in capsys.readouterr().out
    assert not ch06.check_col2im(lambda *a: _col2im(*a, crop=False))
    assert "cut the padding off" in capsys.readouterr().out
    assert not ch06.check_col2im(col2im)
    assert "col2im" in capsys.readouterr().out
    assert not ch06.check_col2im(_stub)


def _conv_backward(x, W, dout, stride, pad, add=True, flip_dW=False):
    fn, c, fh, fw = W.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + fh), slice(j * stride, j * stride + fw)
            g = dout[:, :, i, j]                                         # (N, FN)
            dW += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
            part = np.tensordot(g, W, axes=([1], [0]))
            dxp[:, :, rows, cols] = dxp[:, :, rows, cols] + part if add else part
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, (dW[:, :, ::-1, ::-1] if flip_dW else dW), dout.sum(axis=(0, 2, 3))


def test_conv_backward_check(capsys):
    assert ch06.check_conv_backward(_conv_backward)
    assert not ch06.check_conv_backward(lambda *a: _conv_backward(*a, add=False))
    assert "add up" in capsys.readouterr().out
    assert not ch06.check_conv_backward(lambda *a: _conv_backward(*a, flip_dW=True))
    assert "flipped" in capsys.readouterr().out
    assert not ch06.check_conv_backward(lambda *a: (_conv_backward(*a)[0], _conv_backward(*a)[1],
                                                    a[2].sum(axis=0)))                     # db not summed
    assert "one number per filter" in capsys.readouterr().out
    assert not ch06.check_conv_backward(lambda *a: _conv_backward(*a)[:2])                # no db
    assert "expected a tuple (dx, dW, db)" in capsys.readouterr().out

    def through_the_layer(x, W, dout, stride, pad):
        layer = Convolution(W, np.zeros(len(W)), stride, pad)
        layer.forward(x)
        return layer.backward(dout), layer.dW, layer.db
    assert not ch06.check_conv_backward(through_the_layer)
    assert "Convolution.backward" in capsys.readouterr().out

    def section_8(x, W, dout, stride, pad):                        # the chapter's im2col form, not loops
        fn, c, fh, fw = W.shape
        delta = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        dW = (im2col(x, fh, fw, stride, pad).T @ delta).T.reshape(W.shape)
        return col2im(delta @ W.reshape(fn, -1), x.shape, fh, fw, stride, pad), dW, delta.sum(axis=0)
    assert not ch06.check_conv_backward(section_8)
    assert "loops over the output positions" in capsys.readouterr().out
    assert not ch06.check_conv_backward(_stub)


# ------------------------------------------------------------------ exercise 6
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
    assert "clip" in capsys.readouterr().out
    assert not ch06.check_iou(lambda a, b: _iou(np.add(a, (0, 0, 1, 1)), np.add(b, (0, 0, 1, 1))))   # VOC's + 1
    assert "+ 1" in capsys.readouterr().out
    assert not ch06.check_iou(iou)
    assert "computes the answer for you" in capsys.readouterr().out
    assert not ch06.check_iou(_stub)


# ------------------------------------------------------------------ exercise 7
def _ap(tp, n_gt):
    tp = np.asarray(tp, bool)
    prec = np.cumsum(tp) / np.arange(1, len(tp) + 1)
    rec = np.cumsum(tp) / n_gt
    env = np.maximum.accumulate(prec[::-1])[::-1]
    prev = np.concatenate([[0], rec[:-1]])
    return float(np.sum((rec - prev) * env))


def _pr(tp, n_gt):
    tp = np.asarray(tp, bool)
    return np.cumsum(tp) / np.arange(1, len(tp) + 1), np.cumsum(tp) / n_gt


def test_average_precision_check(capsys):
    assert ch06.check_average_precision(_ap)

    def raw(tp, n_gt):
        prec, rec = _pr(tp, n_gt)
        return float(np.sum(np.diff(np.concatenate([[0], rec])) * prec))
    assert not ch06.check_average_precision(raw)
    out = capsys.readouterr().out
    assert "without the interpolation" in out and "of 8 cases right" in out
    assert out.count("without the interpolation") >= 3          # more than one case tells the two apart

    def from_the_left(tp, n_gt):
        prec, rec = _pr(tp, n_gt)
        return float(np.sum(np.diff(np.concatenate([[0], rec])) * np.maximum.accumulate(prec)))
    assert not ch06.check_average_precision(from_the_left)
    assert "runs from the right" in capsys.readouterr().out

    def eleven_point(tp, n_gt):
        prec, rec = _pr(tp, n_gt)
        return float(np.mean([prec[rec >= t].max() if (rec >= t).any() else 0 for t in np.linspace(0, 1, 11)]))
    assert not ch06.check_average_precision(eleven_point)
    assert "11-point" in capsys.readouterr().out

    def recall_by_detections(tp, n_gt):
        return _ap(tp, len(tp))
    assert not ch06.check_average_precision(recall_by_detections)
    assert "number of objects n_gt" in capsys.readouterr().out

    def mean_at_hits(tp, n_gt):
        tp = np.asarray(tp, bool)
        prec, _ = _pr(tp, n_gt)
        env = np.maximum.accumulate(prec[::-1])[::-1]
        return float(env[tp].mean()) if tp.any() else 0.0
    assert not ch06.check_average_precision(mean_at_hits)
    assert "missed one counts 0" in capsys.readouterr().out
    assert not ch06.check_average_precision(lambda tp, n: average_precision(*precision_recall(tp, n)))
    assert "computes the answer for you" in capsys.readouterr().out
    assert not ch06.check_average_precision(_stub)
    assert not ch06.check_average_precision(lambda tp, n: "high")


def test_checks_restore_the_library():
    """Watching for shortcuts swaps library functions for a moment; they must be back afterwards."""
    before = (Convolution.forward, Convolution.backward, Pooling.forward, Pooling.backward, iou, col2im)
    ch06.check_conv2d(lambda x, W, b, s, p: Convolution(W, b, s, p).forward(x))
    ch06.check_conv_backward(_stub)
    from common.lessons import detection
    from common import im2col as im2col_module
    assert (Convolution.forward, Convolution.backward, Pooling.forward, Pooling.backward, detection.iou,
            im2col_module.col2im) == before
