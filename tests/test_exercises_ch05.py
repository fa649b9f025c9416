"""Chapter 5's self-checks accept right answers, reject typical wrong ones, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch05


# --- right answers ---------------------------------------------------------------------------------
def momentum_step(param, grad, v, lr, momentum):
    v = momentum * v - lr * grad
    return param + v, v


def momentum_step_other_sign(param, grad, v, lr, momentum):
    v = momentum * v + lr * grad
    return param - v, v


def he_std(n_in):
    return np.sqrt(2 / n_in)


def dropout_forward(x, mask, dropout_ratio, train_flg):
    return x * mask / (1 - dropout_ratio) if train_flg else x


def batchnorm_forward(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def weight_decay_loss(data_loss, weights, lam):
    return data_loss + lam / 2 * sum(np.sum(W**2) for W in weights)


def log_uniform(low, high, size, rng):
    return 10 ** rng.uniform(np.log10(low), np.log10(high), size)


RIGHT = [
    (ch05.check_momentum_step, momentum_step),
    (ch05.check_momentum_step, momentum_step_other_sign),
    (ch05.check_he_std, he_std),
    (ch05.check_dropout_forward, dropout_forward),
    (ch05.check_batchnorm_forward, batchnorm_forward),
    (ch05.check_weight_decay_loss, weight_decay_loss),
    (ch05.check_log_uniform, log_uniform),
]


@pytest.mark.parametrize(("check", "answer"), RIGHT)
def test_right_answers_pass(check, answer, capsys) -> None:
    assert check(answer) is True
    assert "✗" not in capsys.readouterr().out


# --- typical wrong answers, with the hint each must print --------------------------------------------
WRONG = [
    (ch05.check_momentum_step, lambda p, g, v, lr, m: (p - lr * g, v), "plain SGD"),
    (ch05.check_momentum_step, lambda p, g, v, lr, m: (p + v, m * v - lr * g), "new* v"),
    (ch05.check_momentum_step, lambda p, g, v, lr, m: (p - (m * v - lr * g), m * v - lr * g), "uphill"),
    (ch05.check_momentum_step, lambda p, g, v, lr, m: p - lr * g, "pair"),
    (ch05.check_he_std, lambda n: np.sqrt(1 / n), "Xavier"),
    (ch05.check_he_std, lambda n: 2 / n, "variance"),
    (ch05.check_he_std, lambda n: np.sqrt(2) / n, "square root of the whole"),
    (ch05.check_dropout_forward, lambda x, m, r, tr: x * m if tr else x * (1 - r), "classic"),
    (ch05.check_dropout_forward, lambda x, m, r, tr: x * m / r if tr else x, "kept"),
    (ch05.check_dropout_forward, lambda x, m, r, tr: x * m / (1 - r), "no unit is dropped"),
    (ch05.check_batchnorm_forward, lambda x, g, b, e: g * (x - x.mean(0)) / np.sqrt(x.var(0)) + b, "eps"),
    (ch05.check_batchnorm_forward,
     lambda x, g, b, e: g * (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + e) + b, "axis=0"),
    (ch05.check_batchnorm_forward,
     lambda x, g, b, e: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + e) + b, "1/N"),
    (ch05.check_batchnorm_forward, lambda x, g, b, e: (x - x.mean(0)) / np.sqrt(x.var(0) + e), "gamma and beta"),
    (ch05.check_weight_decay_loss, lambda L, W, lam: L + lam * sum(np.sum(w**2) for w in W), "λ/2"),
    (ch05.check_weight_decay_loss, lambda L, W, lam: L + lam / 2 * sum(np.sum(np.abs(w)) for w in W), "L1"),
    (ch05.check_weight_decay_loss, lambda L, W, lam: L + lam / 2 * np.sum(W[0] ** 2), "every weight matrix"),
    (ch05.check_log_uniform, lambda lo, hi, n, rng: rng.uniform(lo, hi, n), "linear scale"),
    (ch05.check_log_uniform, lambda lo, hi, n, rng: rng.uniform(np.log10(lo), np.log10(hi), n), "exponents"),
    (ch05.check_log_uniform, lambda lo, hi, n, rng: rng.uniform(lo, hi), "shape"),
]


@pytest.mark.parametrize(("check", "answer", "hint"), WRONG)
def test_wrong_answers_fail_with_a_hint(check, answer, hint, capsys) -> None:
    assert check(answer) is False
    out = capsys.readouterr().out
    assert "✗" in out and hint in out


def _stub(*args):
    raise NotImplementedError


def _crash(*args):
    return 1 / 0


CHECKS = [ch05.check_momentum_step, ch05.check_he_std, ch05.check_dropout_forward,
          ch05.check_batchnorm_forward, ch05.check_weight_decay_loss, ch05.check_log_uniform]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("answer", [_stub, _crash, None, "not a function", lambda *a: None,
                                    lambda *a: "text", lambda *a: np.nan])
def test_checks_never_raise(check, answer, capsys) -> None:
    assert check(answer) is False
    out = capsys.readouterr().out
    assert "✗" in out


def test_stub_says_not_done_yet(capsys) -> None:
    ch05.check_he_std(_stub)
    assert "Not done yet" in capsys.readouterr().out
