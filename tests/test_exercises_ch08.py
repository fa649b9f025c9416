"""The appendix self-checks accept right answers, reject typical wrong ones and never raise."""

from __future__ import annotations

import numpy as np

from common.exercises import ch08


def _stub(*args):
    raise NotImplementedError


def _entropy_bits(p):
    p = np.asarray(p, float)
    nz = p > 0
    return float(-np.sum(p[nz] * np.log2(p[nz])))


def test_entropy_check(capsys):
    assert ch08.check_entropy_bits(_entropy_bits)
    assert not ch08.check_entropy_bits(lambda p: float(-np.sum(p[p > 0] * np.log(p[p > 0]))))
    assert "nats" in capsys.readouterr().out
    assert not ch08.check_entropy_bits(lambda p: float(-np.sum(p * np.log2(p))))     # nan for p = 0
    assert "0·log 0" in capsys.readouterr().out
    assert not ch08.check_entropy_bits(_stub)
    assert "Not done yet" in capsys.readouterr().out
    assert not ch08.check_entropy_bits(lambda p: "one bit")


def _kl(p, q):
    nz = p > 0
    with np.errstate(divide="ignore"):
        return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def test_kl_check(capsys):
    assert ch08.check_kl_divergence(_kl)
    assert not ch08.check_kl_divergence(lambda p, q: _kl(q, p) if np.all(p > 0) else 0.0)
    assert "KL(q‖p)" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(lambda p, q: min(_kl(p, q), 50.0))     # misses the infinite case
    assert "expected inf" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(_stub)


def test_cross_entropy_check(capsys):
    def good(t, y):
        nz = t > 0
        return float(-np.sum(t[nz] * np.log(y[nz])))
    assert ch08.check_cross_entropy_decomposition(good)
    assert not ch08.check_cross_entropy_decomposition(lambda t, y: _kl(t, y))
    assert "add the entropy" in capsys.readouterr().out
    assert not ch08.check_cross_entropy_decomposition(_stub)


def test_rnn_step_check(capsys):
    assert ch08.check_rnn_step(lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b))
    assert not ch08.check_rnn_step(lambda x, h, Wx, Wh, b: x @ Wx + h @ Wh + b)
    assert "tanh is missing" in capsys.readouterr().out
    assert not ch08.check_rnn_step(lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + b))
    assert "h_prev @ Wh is missing" in capsys.readouterr().out
    assert not ch08.check_rnn_step(lambda x, h, Wx, Wh, b: np.tanh(Wx.T @ x.T).T)  # wrong shapes or values
    assert not ch08.check_rnn_step(_stub)


def test_optimal_discriminator_check(capsys):
    assert ch08.check_optimal_discriminator(lambda pd, pg: pd / (pd + pg))
    assert not ch08.check_optimal_discriminator(lambda pd, pg: pg / (pd + pg))
    assert "probability of 'fake'" in capsys.readouterr().out
    assert not ch08.check_optimal_discriminator(_stub)


def test_nearest_prototype_check(capsys):
    def good(sx, st, qx):
        d = ((qx[:, None, :] - sx[None, :, :]) ** 2).sum(-1)
        return st[np.argmin(d, axis=1)]
    assert ch08.check_nearest_prototype(good)

    def index_only(sx, st, qx):
        d = ((qx[:, None, :] - sx[None, :, :]) ** 2).sum(-1)
        return np.argmin(d, axis=1)
    assert not ch08.check_nearest_prototype(index_only)
    assert "not the index" in capsys.readouterr().out
    assert not ch08.check_nearest_prototype(_stub)
