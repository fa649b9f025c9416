"""The chapter 2 self-checks accept right answers, reject typical wrong ones, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch02
from common.functions import sigmoid, softmax, step_function
from common.lessons.universal_approximation import bump_network, predict_1d


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
    (ch02.check_softmax, _naive_softmax, "exp(1000) overflows"),     # the batch is blamed on overflow
    (ch02.check_softmax, softmax, "library's softmax"),
    (ch02.check_softmax, lambda a: softmax(a), "calls softmax"),
    (ch02.check_step_function, step_function, "library's step_function"),
    (ch02.check_step_function, lambda x: step_function(x), "calls step_function"),
    (ch02.check_softmax, _whole_batch_softmax, "axis=-1"),
    (ch02.check_collapse, lambda W1, b1, W2, b2: (W1 @ W2, b2), "add b1 @ W2"),
    (ch02.check_collapse, lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2), "must first pass through W2"),
    (ch02.check_collapse, lambda W1, b1, W2, b2: ((W1 @ W2).T, b1 @ W2 + b2), "transposed"),
    (ch02.check_forward, _forward_sigmoid_output, "identity"),
    (ch02.check_forward, _forward_no_bias, "biases are missing"),
    (ch02.check_forward, lambda network, x: forward(network, x), "calls forward"),
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


def forward(network, x):  # the chapter's own forward from section 4, which exercise 4 must not reuse
    return forward_ok(network, x)


def test_forward_check_rejects_the_chapters_forward(capsys):
    assert ch02.check_forward(forward) is False
    assert "chapter's forward" in capsys.readouterr().out


def test_whole_batch_softmax_is_not_blamed_on_overflow(capsys):
    assert ch02.check_softmax(_whole_batch_softmax) is False
    out = capsys.readouterr().out
    assert "row sums are" in out and "overflow" not in out


# ------------------------------------------------------------------ try it: first layer by hand
NET = {"W1": np.array([[0.2, -0.4, 0.6], [0.8, 0.1, -0.3]]), "b1": np.array([0.1, 0.0, -0.2])}
X = np.array([1.0, 0.5])


def test_first_layer_check(capsys):
    assert ch02.check_first_layer(NET, X, [0.7, -0.35, 0.25])
    assert ch02.check_first_layer(NET, X, (0.7, -0.35, 0.25))
    assert not ch02.check_first_layer(NET, X, [..., ..., ...])
    assert "not done yet" in capsys.readouterr().out
    assert not ch02.check_first_layer(NET, X, [0.6, -0.35, 0.45])
    assert "left out the biases" in capsys.readouterr().out
    assert not ch02.check_first_layer(NET, X, list(sigmoid(np.array([0.7, -0.35, 0.25]))))
    assert "before the sigmoid" in capsys.readouterr().out
    assert not ch02.check_first_layer(NET, X, [0.7, -0.35, 0.35])
    out = capsys.readouterr().out
    assert "check unit 2" in out and "0.25" not in out          # the hint does not give the answer
    assert not ch02.check_first_layer(NET, X, [0.7, -0.35])


# ------------------------------------------------------------------ exercise 6: σ′ by the chain rule
def test_sigmoid_derivative_check(capsys):
    right = (lambda u: -1 / u**2, lambda x: -np.exp(-x), lambda y: y * (1 - y))
    assert ch02.check_sigmoid_derivative(*right)
    assert not ch02.check_sigmoid_derivative(lambda u: 1 / u**2, *right[1:])
    assert "wrong sign" in capsys.readouterr().out
    assert not ch02.check_sigmoid_derivative(right[0], lambda x: np.exp(-x), right[2])
    assert "dv/dx = −1" in capsys.readouterr().out
    for wrong, hint in ((lambda y: 1 - y**2, "tanh′"), (lambda y: y * (1 + y), "y(1 + y)"),
                        (lambda y: y**2 * (1 - y), "y²(1 − y)"), (lambda y: 1 - y, "1 − y")):
        assert not ch02.check_sigmoid_derivative(*right[:2], wrong)
        assert hint in capsys.readouterr().out
    from common.functions import sigmoid_grad
    assert not ch02.check_sigmoid_derivative(*right[:2], lambda y: sigmoid_grad(np.log(y / (1 - y))))
    assert "calls sigmoid_grad" in capsys.readouterr().out


# ------------------------------------------------------------------ exercise 7: a bump
def _bump(x, left, right, height):
    return height * sigmoid(50 * (x - left)) - height * sigmoid(50 * (x - right))


def test_bump_check(capsys):
    assert ch02.check_bump(_bump)
    for wrong, hint in ((lambda x, l, r, h: -_bump(x, l, r, h), "upside down"),
                        (lambda x, l, r, h: h * sigmoid(50 * (x - l)), "only one step"),
                        (lambda x, l, r, h: h * (sigmoid(x - l) - sigmoid(x - r)), "gain is missing"),
                        (lambda x, l, r, h: h * (sigmoid(50 * x - l) - sigmoid(50 * x - r)), "wrong place"),
                        (lambda x, l, r, h: predict_1d(bump_network(l, r, h), x), "calls bump_network")):
        assert not ch02.check_bump(wrong)
        assert hint in capsys.readouterr().out


# ------------------------------------------------------------------ never raises
def _stub(*args):
    raise NotImplementedError


GARBAGE = [_stub, lambda *a: None, lambda *a: "hello", lambda *a: 1 / 0,
           lambda *a: np.zeros((7, 7)), lambda *a: (1, 2, 3), lambda *a: object()]
CHECKS = [ch02.check_step_function, ch02.check_softmax, ch02.check_collapse, ch02.check_forward,
          ch02.check_accuracy, ch02.check_bump]


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


@pytest.mark.parametrize("answer", GARBAGE)
def test_sigmoid_derivative_never_raises(answer, capsys):
    assert ch02.check_sigmoid_derivative(answer, answer, answer) is False
    assert ch02.check_first_layer(NET, X, answer) is False
