"""Chapter 3's self-checks accept right answers, reject typical wrong ones, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch03


# --- right answers, written as a learner would -------------------------------------------------
def good_ce(y, t):
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    if t.size == y.shape[0]:
        t = np.eye(y.shape[1])[t]
    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]


def good_grad(f, x):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + 1e-4
        fp = f(x)
        x[idx] = keep - 1e-4
        fm = f(x)
        x[idx] = keep
        grad[idx] = (fp - fm) / 2e-4
    return grad


def good_gd(grad, init, lr, steps):
    x = np.array(init, dtype=float)
    for _ in range(steps):
        x = x - lr * grad(x)
    return x


def good_batch(x, t, batch_size, rng):
    idx = rng.choice(len(x), batch_size, replace=False)
    return x[idx], t[idx]


# --- typical mistakes ----------------------------------------------------------------------------
def ce_no_mean(y, t):
    return good_ce(y, t) * (1 if y.ndim == 1 else y.shape[0])


def ce_no_eps(y, t):
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    if t.size == y.shape[0]:
        t = np.eye(y.shape[1])[t]
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(t * np.log(y)) / y.shape[0]


def grad_not_restored(f, x):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + 1e-4
        fp = f(x)
        x[idx] = keep - 1e-4
        fm = f(x)
        grad[idx] = (fp - fm) / 2e-4
    return grad


def grad_forward(f, x):
    grad = np.zeros_like(x)
    fx = f(x)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + 1e-2
        grad[idx] = (f(x) - fx) / 1e-2
        x[idx] = keep
    return grad


def gd_ascent(grad, init, lr, steps):
    x = np.array(init, dtype=float)
    for _ in range(steps):
        x = x + lr * grad(x)
    return x


def gd_in_place(grad, init, lr, steps):
    for _ in range(steps):
        init -= lr * grad(init)
    return init


def batch_shuffled_separately(x, t, batch_size, rng):
    return x[rng.choice(len(x), batch_size, replace=False)], t[rng.choice(len(t), batch_size, replace=False)]


def batch_with_replacement(x, t, batch_size, rng):
    idx = rng.integers(0, len(x), batch_size)
    return x[idx], t[idx]


def batch_first_rows(x, t, batch_size, rng):
    return x[:batch_size], t[:batch_size]


def stub(*args):
    return None


def raises(*args):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize(("check", "answer"), [
    (ch03.check_cross_entropy, good_ce),
    (ch03.check_numerical_gradient, good_grad),
    (ch03.check_gradient_descent, good_gd),
    (ch03.check_mini_batch, good_batch),
    (ch03.check_critical_learning_rate, 1.0),
])
def test_accepts_right_answers(check, answer, capsys) -> None:
    assert check(answer) is True
    out = capsys.readouterr().out
    assert ("✓ All" in out or "✓ Correct." in out) and "✗" not in out


@pytest.mark.parametrize(("check", "answer", "says"), [
    (ch03.check_cross_entropy, ce_no_mean, "divide the sum by the batch size"),
    (ch03.check_cross_entropy, ce_no_eps, "1e-7"),
    (ch03.check_numerical_gradient, grad_not_restored, "changed x"),
    (ch03.check_numerical_gradient, grad_forward, "central difference"),
    (ch03.check_gradient_descent, gd_ascent, "uphill"),
    (ch03.check_gradient_descent, gd_in_place, "changed init"),
    (ch03.check_mini_batch, batch_shuffled_separately, "labels do not belong"),
    (ch03.check_mini_batch, batch_with_replacement, "without replacement"),
    (ch03.check_mini_batch, batch_first_rows, "first 10 rows"),
    (ch03.check_critical_learning_rate, 20.0, "limit along x"),
    (ch03.check_critical_learning_rate, 0.5, "fastest"),
    (ch03.check_critical_learning_rate, 3.3, "|1 − 2η|"),
])
def test_rejects_typical_mistakes_with_a_hint(check, answer, says, capsys) -> None:
    assert check(answer) is False
    assert says in capsys.readouterr().out


@pytest.mark.parametrize("check", [ch03.check_cross_entropy, ch03.check_numerical_gradient,
                                   ch03.check_gradient_descent, ch03.check_mini_batch])
@pytest.mark.parametrize("answer", [stub, raises, "not a function", None])
def test_stubs_fail_gracefully(check, answer, capsys) -> None:
    assert check(answer) is False
    assert "✗" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, ..., "one", [1, 2]])
def test_critical_lr_unanswered(answer, capsys) -> None:
    assert ch03.check_critical_learning_rate(answer) is False
