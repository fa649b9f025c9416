"""Chapter 3's self-checks accept right answers, reject typical wrong ones, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

import common.functions
import common.gradient
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


def batch_global_random(x, t, batch_size, rng):
    idx = np.random.default_rng().choice(len(x), batch_size, replace=False)  # not the rng passed in
    return x[idx], t[idx]


def batch_own_generator(x, t, batch_size, rng):
    idx = np.random.default_rng(123).choice(len(x), batch_size, replace=False)
    return x[idx], t[idx]




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
    (lambda answer: ch03.check_gradient_reading(*answer), ({0, 5, 7}, 0, 429)),
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
    (ch03.check_mini_batch, batch_global_random, "draw with the rng you were given"),
    (ch03.check_mini_batch, batch_own_generator, "use the rng argument"),
    (ch03.check_cross_entropy, common.functions.cross_entropy_error, "library's"),
    (ch03.check_numerical_gradient, common.gradient.numerical_gradient, "library's"),
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


def test_reading_batch_is_fixed_and_its_answer_is_what_the_chapter_explains() -> None:
    x, t = ch03.reading_batch()
    assert t.tolist() == [5, 0, 0, 7]
    grads = ch03.reading_network().numerical_gradient(x, t)  # what a learner computes in chapter 3
    assert set(np.flatnonzero(grads["b2"] < 0).tolist()) == set(t.tolist())  # negative exactly at the labels
    assert int(np.argmin(grads["b2"])) == 0  # the label that occurs twice
    assert np.array_equal(np.all(grads["W1"] == 0, axis=1), np.all(x == 0, axis=0))
    assert int(np.sum(np.all(x == 0, axis=0))) == 429


@pytest.mark.parametrize(("answer", "says"), [
    (({0, 5, 7, 1}, 0, 429), "look at the labels"),          # a class not in the batch
    (({0, 5, 7}, 5, 429), "Count how often"),                  # the first label, not the repeated one
    (({0, 5, 7}, 0, 784 - 429), "lit in some image"),          # counted the wrong pixels
    (({0, 5, 7}, 0, 100), "every image of the batch"),
    ((set(range(10)), 0, 429), "look at the labels"),
])
def test_gradient_reading_rejects_guesses(answer, says, capsys) -> None:
    assert ch03.check_gradient_reading(*answer) is False
    assert says in capsys.readouterr().out


@pytest.mark.parametrize("answer", [(None, None, None), ("abc", "x", []), (5, 0, 429)])
def test_gradient_reading_unanswered(answer, capsys) -> None:
    assert ch03.check_gradient_reading(*answer) is False
    assert "✗" in capsys.readouterr().out
