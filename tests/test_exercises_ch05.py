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


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def _bn_parts(x, gamma, dy, eps, ddof=0):
    std = np.sqrt(x.var(axis=0, ddof=ddof) + eps)
    xh = (x - x.mean(axis=0)) / std
    return std, xh, gamma * dy


def batchnorm_backward(dy, x, gamma, eps):
    std, xh, dxh = _bn_parts(x, gamma, dy, eps)
    dx = (dxh - dxh.mean(axis=0) - xh * np.mean(dxh * xh, axis=0)) / std
    return dx, np.sum(dy * xh, axis=0), dy.sum(axis=0)


def batchnorm_backward_graph(dy, x, gamma, eps):
    """The node-by-node chain rule of the computational graph (no compact formula)."""
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc**2, axis=0)
    std = np.sqrt(var + eps)
    xh = xc / std
    dxh = gamma * dy
    dvar = np.sum(dxh * xc, axis=0) * -0.5 / std**3
    dmu = -np.sum(dxh / std, axis=0) - 2 * dvar * np.mean(xc, axis=0)
    return dxh / std + dvar * 2 * xc / n + dmu / n, np.sum(dy * xh, axis=0), dy.sum(axis=0)


def bn_backward_constants(dy, x, g, e):
    std, xh, dxh = _bn_parts(x, g, dy, e)
    return dxh / std, np.sum(dy * xh, axis=0), dy.sum(axis=0)


def bn_backward_no_variance_path(dy, x, g, e):
    std, xh, dxh = _bn_parts(x, g, dy, e)
    return (dxh - dxh.mean(axis=0)) / std, np.sum(dy * xh, axis=0), dy.sum(axis=0)


def bn_backward_no_mean_path(dy, x, g, e):
    std, xh, dxh = _bn_parts(x, g, dy, e)
    return (dxh - xh * np.mean(dxh * xh, axis=0)) / std, np.sum(dy * xh, axis=0), dy.sum(axis=0)


def bn_backward_no_gamma(dy, x, g, e):
    return batchnorm_backward(dy, x, np.ones_like(g), e)


def bn_backward_dgamma_without_xhat(dy, x, g, e):
    dx, _, dbeta = batchnorm_backward(dy, x, g, e)
    return dx, dy.sum(axis=0), dbeta


def bn_backward_wrong_axis(dy, x, g, e):
    dx, dgamma, _ = batchnorm_backward(dy, x, g, e)
    return dx, dgamma, dy.sum(axis=1)


def bn_backward_unbiased(dy, x, g, e):
    std, xh, dxh = _bn_parts(x, g, dy, e, ddof=1)
    return (dxh - dxh.mean(axis=0) - xh * np.mean(dxh * xh, axis=0)) / std, np.sum(dy * xh, axis=0), dy.sum(axis=0)


def _adam_variant(correct_m=True, correct_v=True, t_shift=0, keep_hats=False, root=True):
    def step(p, g, m, v, t, lr, b1, b2, eps):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        tt = t + t_shift
        m_hat = m / (1 - b1**tt) if correct_m else m
        v_hat = v / (1 - b2**tt) if correct_v else v
        new = p - lr * m_hat / ((np.sqrt(v_hat) if root else v_hat) + eps)
        return (new, m_hat, v_hat) if keep_hats else (new, m, v)
    return step


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
    (ch05.check_log_uniform, lambda lo, hi, n, rng: np.exp(rng.uniform(np.log(lo), np.log(hi), n))),
    (ch05.check_adam_step, adam_step),
    (ch05.check_batchnorm_backward, batchnorm_backward),
    (ch05.check_batchnorm_backward, batchnorm_backward_graph),
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
    # shortcuts that satisfy the range and the decades: a grid, or randomness that ignores rng
    (ch05.check_log_uniform, lambda lo, hi, n, rng: np.geomspace(lo, hi, n), "sorted"),
    (ch05.check_log_uniform, lambda lo, hi, n, rng: 10 ** np.random.uniform(np.log10(lo), np.log10(hi), n),
     "same seed gave different"),
    (ch05.check_log_uniform,
     lambda lo, hi, n, rng: 10 ** np.random.default_rng(1).uniform(np.log10(lo), np.log10(hi), n),
     "another seed gave the same"),
    (ch05.check_momentum_step, lambda p, g, v, lr, m: (p + m * (m * v - lr * g) - lr * g, m * v - lr * g),
     "Nesterov"),
    (ch05.check_adam_step, _adam_variant(correct_m=False, correct_v=False), "no bias correction"),
    (ch05.check_adam_step, _adam_variant(correct_v=False), "only m is corrected"),
    (ch05.check_adam_step, _adam_variant(correct_m=False), "only v is corrected"),
    (ch05.check_adam_step, _adam_variant(t_shift=-1), "t counts from 1"),
    (ch05.check_adam_step, _adam_variant(keep_hats=True), "raw averages"),
    (ch05.check_adam_step, _adam_variant(root=False), "√v̂"),
    (ch05.check_batchnorm_backward, bn_backward_constants, "depend on every input"),
    (ch05.check_batchnorm_backward, bn_backward_no_variance_path, "through σ_B²"),
    (ch05.check_batchnorm_backward, bn_backward_no_mean_path, "through μ_B"),
    (ch05.check_batchnorm_backward, bn_backward_no_gamma, "dx̂ = γ ⊙ dy"),
    (ch05.check_batchnorm_backward, bn_backward_dgamma_without_xhat, "each γ multiplies x̂"),
    (ch05.check_batchnorm_backward, bn_backward_wrong_axis, "axis 0"),
    (ch05.check_batchnorm_backward, bn_backward_unbiased, "1/N"),
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


CHECKS = [ch05.check_momentum_step, ch05.check_adam_step, ch05.check_he_std, ch05.check_dropout_forward,
          ch05.check_batchnorm_forward, ch05.check_batchnorm_backward, ch05.check_weight_decay_loss,
          ch05.check_log_uniform]


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


# --- the second question of exercise 8, and the two "try it" checks of the text ---------------------------
@pytest.mark.parametrize(("n_log", "n_uniform"), [(500, 10), (473, 17), (450, 0)])
def test_below_counts_accept_a_draw_or_the_expectation(n_log, n_uniform, capsys) -> None:
    assert ch05.check_below_counts(n_log, n_uniform) is True


@pytest.mark.parametrize(("n_log", "n_uniform", "hint"), [
    (10, 500, "swap"),                 # the two counts exchanged
    (0.5, 0.01, "fractions"),          # shares instead of counts
    (250, 10, "two of the four"),      # one decade instead of two
    (500, 100, "share"),               # 10 % instead of 1 %
    (None, 10, "Not answered"),
])
def test_below_counts_reject_slips(n_log, n_uniform, hint, capsys) -> None:
    assert ch05.check_below_counts(n_log, n_uniform) is False
    assert hint in capsys.readouterr().out


def test_stable_lr_accepts_the_border_and_shows_it(capsys) -> None:
    assert ch05.check_stable_lr(2 * 1.9 / 2.8 / 2) is True
    out = capsys.readouterr().out
    assert "97% of yours) converges" in out and "103% of yours) diverges" in out


@pytest.mark.parametrize(("lr", "hint"), [
    (1.0, "plain SGD's border"),        # 2/λ
    (1.9, "Momentum's border"),         # 2(1 + α)/λ
    (1.357, "divide by the curvature"), # the border for ηλ, not η
    (13.57, "across the valley"),       # the flat direction's curvature
    (0.5, "divide it by the largest curvature"),
    ("fast", "one number"),
    (None, "Not answered"),
])
def test_stable_lr_rejects_slips(lr, hint, capsys) -> None:
    assert ch05.check_stable_lr(lr) is False
    assert hint in capsys.readouterr().out


def test_initial_loss_accepts_ln10(capsys) -> None:
    assert ch05.check_initial_loss(np.log(10)) is True


@pytest.mark.parametrize(("value", "hint"), [
    (1.0, "log₁₀"), (np.log2(10), "bits"), (0.1, "probability"), (-np.log(10), "sign"), (0.0, "perfect"),
    (np.nan, "finite"),
])
def test_initial_loss_rejects_slips(value, hint, capsys) -> None:
    assert ch05.check_initial_loss(value) is False
    assert hint in capsys.readouterr().out
