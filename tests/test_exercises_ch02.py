"""The chapter 2 self-checks accept right answers, reject typical wrong ones, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch02
from common.functions import sigmoid


# ----------------------------------------------------------------- right answers
def step_ok(x):
    return (x > 0).astype(int)


def softmax_ok(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def collapse_ok(W1, b1, W2, b2):
    return W1 @ W2, b1 @ W2 + b2


def forward_ok(net, x):
    a = sigmoid(x @ net["W1"] + net["b1"])
    a = sigmoid(a @ net["W2"] + net["b2"])
    return a @ net["W3"] + net["b3"]


def accuracy_ok(y, t):
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    return float(np.mean(y.argmax(axis=1) == labels))


RIGHT = [
    (ch02.check_step_function, step_ok),
    (ch02.check_step_function, lambda x: np.where(x > 0, 1.0, 0.0)),
    (ch02.check_softmax, softmax_ok),
    (ch02.check_collapse, collapse_ok),
    (ch02.check_forward, forward_ok),
    (ch02.check_accuracy, accuracy_ok),
]


@pytest.mark.parametrize("check,answer", RIGHT)
def test_accepts_right_answers(check, answer, capsys):
    assert check(answer) is True
    out = capsys.readouterr().out
    assert "✗" not in out and "checks passed" in out


# ---------------------------------------------------------------- typical mistakes
def _scalar_step(x):
    if x > 0:
        return 1
    return 0


def _naive_softmax(a):
    return np.exp(a) / np.sum(np.exp(a))


def _whole_batch_softmax(a):
    e = np.exp(a - np.max(a))
    return e / np.sum(e)


def _forward_sigmoid_output(net, x):
    return sigmoid(forward_ok(net, x))


def _forward_no_bias(net, x):
    a = sigmoid(x @ net["W1"])
    a = sigmoid(a @ net["W2"])
    return a @ net["W3"]


WRONG = [
    (ch02.check_step_function, _scalar_step, "compare the whole array"),
    (ch02.check_step_function, lambda x: x > 0, "booleans"),
    (ch02.check_step_function, lambda x: (x >= 0).astype(int), "step(0) should be 0"),
    (ch02.check_softmax, _naive_softmax, "subtract the largest score"),
    (ch02.check_softmax, _whole_batch_softmax, "axis=-1"),
    (ch02.check_collapse, lambda W1, b1, W2, b2: (W1 @ W2, b2), "add b1 @ W2"),
    (ch02.check_collapse, lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2), "must first pass through W2"),
    (ch02.check_collapse, lambda W1, b1, W2, b2: ((W1 @ W2).T, b1 @ W2 + b2), "transposed"),
    (ch02.check_forward, _forward_sigmoid_output, "identity"),
    (ch02.check_forward, _forward_no_bias, "biases are missing"),
    (ch02.check_accuracy, lambda y, t: np.sum(y.argmax(axis=1) == t), "returned the count"),
    (ch02.check_accuracy, lambda y, t: np.mean(y.argmax(axis=0) == t), "axis 0"),
    (ch02.check_accuracy, lambda y, t: np.mean(y.argmax(axis=1) == t), "one-hot"),
]


@pytest.mark.parametrize("check,answer,hint", WRONG)
def test_rejects_typical_mistakes_with_a_hint(check, answer, hint, capsys):
    with np.errstate(all="raise"):  # the checks must silence floating-point trouble themselves
        assert check(answer) is False
    out = capsys.readouterr().out
    assert hint in out
    assert "✗" in out


# ------------------------------------------------------------------ never raises
def _stub(*args):
    raise NotImplementedError


GARBAGE = [_stub, lambda *a: None, lambda *a: "hello", lambda *a: 1 / 0,
           lambda *a: np.zeros((7, 7)), lambda *a: (1, 2, 3), lambda *a: object()]
CHECKS = [ch02.check_step_function, ch02.check_softmax, ch02.check_collapse, ch02.check_forward,
          ch02.check_accuracy]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("answer", GARBAGE)
def test_never_raises_on_garbage(check, answer, capsys):
    assert check(answer) is False
    assert "✗" in capsys.readouterr().out


@pytest.mark.parametrize("check", CHECKS)
def test_stub_says_not_done_once(check, capsys):
    assert check(_stub) is False
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "Not done yet" in out


@pytest.mark.parametrize("check", CHECKS)
def test_checks_have_docstrings_naming_the_chapter(check):
    assert "chapter 2, Neural networks" in check.__doc__
