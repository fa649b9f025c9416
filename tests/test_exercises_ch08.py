"""The appendix self-checks accept right answers, reject plausible wrong ones and shortcuts, and never raise.

One assert per shortcut or slip: each must fail its check, most with a hint that names it.
"""

from __future__ import annotations

import numpy as np

from common.exercises import ch08
from common.functions import sigmoid
from common.lessons import information as info
from common.lessons.gan import generator_logit_gradients
from common.lessons.one_shot import nearest_prototype
from common.lessons.recurrent import lstm_cell


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
    assert not ch08.check_entropy_bits(lambda p: -_entropy_bits(p))
    assert "sign" in capsys.readouterr().out
    assert not ch08.check_entropy_bits(lambda p: info.entropy(p, base=2))            # the library's answer
    assert "calls entropy" in capsys.readouterr().out
    assert not ch08.check_entropy_bits(_stub)
    assert "Not done yet" in capsys.readouterr().out
    assert not ch08.check_entropy_bits(lambda p: "one bit")


def test_a_library_call_is_caught_through_a_helper_and_the_library_is_restored(capsys):
    def helper(p):
        return info.entropy(p, 2)

    def indirect(p):
        return helper(p)
    original = info.entropy
    assert not ch08.check_entropy_bits(indirect)
    assert "calls entropy" in capsys.readouterr().out
    assert info.entropy is original and globals()["info"].entropy is original


def _kl(p, q):
    nz = p > 0
    with np.errstate(divide="ignore"):
        return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def test_kl_check(capsys):
    assert ch08.check_kl_divergence(_kl)
    assert not ch08.check_kl_divergence(lambda p, q: _kl(q, p) if np.all(p > 0) else 0.0)
    assert "KL(q‖p)" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(lambda p, q: min(_kl(p, q), 50.0))     # misses the infinite case
    assert "infinite" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(lambda p, q: _kl(p, q) / np.log(2))    # bits
    assert "bits" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(lambda p, q: -_kl(p, q))
    assert "sign" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(lambda p, q: float(np.sum(p * np.log(p / q))))   # nan where p = 0
    assert "p = 0" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(lambda p, q: info.kl_divergence(p, q))
    assert "calls kl_divergence" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(lambda p, q: info.cross_entropy(p, q) - info.entropy(p))
    assert "calls cross_entropy, entropy" in capsys.readouterr().out
    assert not ch08.check_kl_divergence(_stub)


def _mi(pxy):
    px, py = pxy.sum(axis=1), pxy.sum(axis=0)
    return info.kl_divergence(pxy.ravel(), np.outer(px, py).ravel(), base=2)


def test_mutual_information_check(capsys):
    assert ch08.check_mutual_information(_mi)

    def from_entropies(pxy):   # the other right way
        return (info.entropy(pxy.sum(1), 2) + info.entropy(pxy.sum(0), 2) - info.entropy(pxy.ravel(), 2))
    assert ch08.check_mutual_information(from_entropies)
    capsys.readouterr()
    assert not ch08.check_mutual_information(lambda p: info.entropy(p.sum(1), 2) + info.entropy(p.sum(0), 2))
    assert "subtract the joint entropy" in capsys.readouterr().out
    assert not ch08.check_mutual_information(lambda p: info.entropy(p.ravel(), 2))
    assert "joint entropy H(X, Y), not" in capsys.readouterr().out
    assert not ch08.check_mutual_information(lambda p: _mi(p) * np.log(2))           # nats
    assert "nats" in capsys.readouterr().out
    assert not ch08.check_mutual_information(
        lambda p: info.kl_divergence(np.outer(p.sum(1), p.sum(0)).ravel(), p.ravel(), base=2))
    assert "the other way round" in capsys.readouterr().out

    def swapped_marginals(pxy):  # right only for square tables whose marginals agree
        return info.kl_divergence(pxy.ravel(), np.outer(pxy.sum(0), pxy.sum(1)).ravel(), base=2)
    assert not ch08.check_mutual_information(swapped_marginals)
    out = capsys.readouterr().out
    assert "swapped" in out or "ValueError" in out
    assert not ch08.check_mutual_information(lambda p: info.mutual_information(p, base=2))
    assert "calls mutual_information" in capsys.readouterr().out
    assert not ch08.check_mutual_information(_stub)


def _lstm(x, h, c, Wx, Wh, b):
    a = x @ Wx + h @ Wh + b
    f, i, o, g = np.split(a, 4, axis=1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def test_lstm_step_check(capsys):
    assert ch08.check_lstm_step(_lstm)

    def variant(order="fiog", out_gate=True, tanh_c=True, in_gate=True, forget=True, g_act=np.tanh):
        def step(x, h, c, Wx, Wh, b):
            blocks = dict(zip(order, np.split(x @ Wx + h @ Wh + b, 4, axis=1)))
            f, i, o, g = sigmoid(blocks["f"]), sigmoid(blocks["i"]), sigmoid(blocks["o"]), g_act(blocks["g"])
            c = (f * c if forget else c) + (i * g if in_gate else g)
            shown = np.tanh(c) if tanh_c else c
            return (o * shown if out_gate else shown), c
        return step
    for kwargs, hint in ((dict(order="ifog"), "order (f, i, o, g)"), (dict(out_gate=False), "output gate"),
                         (dict(tanh_c=False), "tanh(c) is missing"), (dict(in_gate=False), "input gate"),
                         (dict(forget=False), "forget gate"), (dict(g_act=sigmoid), "candidate g takes tanh")):
        assert not ch08.check_lstm_step(variant(**kwargs)), kwargs
        assert hint in capsys.readouterr().out, kwargs
    assert not ch08.check_lstm_step(lambda *a: _lstm(*a)[::-1])
    assert "swapped" in capsys.readouterr().out
    assert not ch08.check_lstm_step(lambda *a: _lstm(*a)[0])            # h alone
    assert not ch08.check_lstm_step(lambda *a: lstm_cell(*a))
    assert "calls lstm_cell" in capsys.readouterr().out
    assert not ch08.check_lstm_step(_stub)


def test_generator_gradients_check(capsys):
    assert ch08.check_generator_gradients(lambda d: (-d, -(1 - d)))
    assert not ch08.check_generator_gradients(lambda d: (-(1 - d), -d))
    assert "the other loss" in capsys.readouterr().out
    assert not ch08.check_generator_gradients(lambda d: (-1 / (1 - d), -1 / d))      # with respect to D
    assert "with respect to D" in capsys.readouterr().out
    assert not ch08.check_generator_gradients(lambda d: (d, 1 - d))
    assert "sign" in capsys.readouterr().out
    assert not ch08.check_generator_gradients(lambda d: tuple(generator_logit_gradients(d).values()))
    assert "calls generator_logit_gradients" in capsys.readouterr().out
    assert not ch08.check_generator_gradients(lambda d: -d)                           # one array, not a pair
    assert not ch08.check_generator_gradients(_stub)


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

    def farthest(sx, st, qx):
        return st[np.argmax(((qx[:, None, :] - sx[None, :, :]) ** 2).sum(-1), axis=1)]
    assert not ch08.check_nearest_prototype(farthest)
    assert "argmax" in capsys.readouterr().out

    def city_block(sx, st, qx):
        return st[np.argmin(np.abs(qx[:, None, :] - sx[None, :, :]).sum(-1), axis=1)]
    assert not ch08.check_nearest_prototype(city_block)
    assert "city-block" in capsys.readouterr().out
    assert not ch08.check_nearest_prototype(lambda sx, st, qx: nearest_prototype(sx, st, qx))
    assert "calls nearest_prototype" in capsys.readouterr().out
    assert not ch08.check_nearest_prototype(_stub)


def test_checks_never_raise_on_garbage(capsys):
    for check in (ch08.check_entropy_bits, ch08.check_kl_divergence, ch08.check_mutual_information,
                  ch08.check_lstm_step, ch08.check_generator_gradients, ch08.check_nearest_prototype):
        assert not check(lambda *a: None)
        assert not check(lambda *a: [[1, 2], [3]])
    capsys.readouterr()
