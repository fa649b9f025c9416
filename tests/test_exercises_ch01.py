"""The chapter 1 self-checks accept right answers, reject typical wrong ones and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch01
from common.lessons.perceptron import AND, NAND, OR, XOR, full_adder, half_adder


def _stub(*args):
    raise NotImplementedError


# --------------------------------------------------------------------- exercise 1
def test_perceptron_check(capsys):
    assert ch01.check_perceptron(lambda x, w, b: int(np.dot(w, x) + b > 0))
    assert ch01.check_perceptron(lambda x, w, b: np.sum(w * x) + b > 0)     # bool is fine
    assert not ch01.check_perceptron(lambda x, w, b: int(np.dot(w, x) + b >= 0))
    out = capsys.readouterr().out
    assert "returned 1, expected 0" in out and "does not exceed 0" in out
    assert not ch01.check_perceptron(lambda x, w, b: np.dot(w, x) + b)      # not a 0/1
    assert "expected a single 0 or 1" in capsys.readouterr().out


def test_perceptron_check_two_input_only_answer_is_reported(capsys):
    def two_inputs(x, w, b):
        return int(x[0] * w[0] + x[1] * w[1] + b > 0)
    assert not ch01.check_perceptron(two_inputs)       # ignores the third input
    assert "x=[2, -1, 0.5]" in capsys.readouterr().out


# --------------------------------------------------------------------- exercise 2
def test_nor_weights_check(capsys):
    assert ch01.check_nor_weights((-0.5, -0.5, 0.2))
    assert ch01.check_nor_weights(np.array([-1, -1, 0.5]))
    assert not ch01.check_nor_weights((0.5, 0.5, -0.2))
    out = capsys.readouterr().out
    assert "input (0, 0): your perceptron gives 0, NOR gives 1" in out and "computes OR, not NOR" in out
    assert not ch01.check_nor_weights(None)
    assert not ch01.check_nor_weights("abc")
    assert not ch01.check_nor_weights((1, 2))


# --------------------------------------------------------------------- exercise 3
def test_xnor_check(capsys):
    assert ch01.check_xnor(lambda a, b: NAND(XOR(a, b), XOR(a, b)))
    assert ch01.check_xnor(lambda a, b: OR(AND(a, b), AND(1 - a, 1 - b)))
    assert not ch01.check_xnor(XOR)
    out = capsys.readouterr().out
    assert "returned 0, expected 1" in out and "computes XOR, not XNOR" in out
    assert not ch01.check_xnor(_stub)
    assert "Not done yet" in capsys.readouterr().out
    assert not ch01.check_xnor(lambda a, b: "yes")


# --------------------------------------------------------------------- exercise 4
def test_full_adder_check(capsys):
    assert ch01.check_full_adder(full_adder)

    def no_carry_in(a, b, c):
        return half_adder(a, b)
    assert not ch01.check_full_adder(no_carry_in)
    assert "since 0 + 0 + 1 = 1" in capsys.readouterr().out
    assert not ch01.check_full_adder(lambda a, b, c: (a + b + c) % 2)        # not a pair
    assert not ch01.check_full_adder(lambda a, b, c: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out


# --------------------------------------------------------------------- exercise 5
def test_update_check(capsys):
    def right(w, b, x, t, lr):
        y = int(np.dot(w, x) + b > 0)
        return w + lr * (t - y) * x, b + lr * (t - y)

    def flipped(w, b, x, t, lr):
        y = int(np.dot(w, x) + b > 0)
        return w + lr * (y - t) * x, b + lr * (y - t)

    def forgets_bias(w, b, x, t, lr):
        y = int(np.dot(w, x) + b > 0)
        return w + lr * (t - y) * x, b

    assert ch01.check_perceptron_update(right)
    assert not ch01.check_perceptron_update(flipped)
    assert "move by lr·(t − y)" in capsys.readouterr().out
    assert not ch01.check_perceptron_update(forgets_bias)
    assert not ch01.check_perceptron_update(lambda *a: None)
    assert not ch01.check_perceptron_update(_stub)


def test_update_check_does_not_let_in_place_edits_leak(capsys):
    def in_place(w, b, x, t, lr):
        y = int(np.dot(w, x) + b > 0)
        w += lr * (t - y) * x
        return w, b + lr * (t - y)
    assert ch01.check_perceptron_update(in_place)     # allowed: the check passes copies


# --------------------------------------------------------------------- exercise 6
def test_output_grid_check(capsys):
    def right(w, b, xs, ys):
        X1, X2 = np.meshgrid(xs, ys)
        return (w[0] * X1 + w[1] * X2 + b > 0).astype(int)

    def transposed(w, b, xs, ys):
        return right(w, b, xs, ys).T

    def sums(w, b, xs, ys):
        X1, X2 = np.meshgrid(xs, ys)
        return w[0] * X1 + w[1] * X2 + b

    assert ch01.check_output_grid(right)
    assert not ch01.check_output_grid(transposed)
    assert "transpose" in capsys.readouterr().out
    assert not ch01.check_output_grid(sums)
    assert "grid points right" in capsys.readouterr().out
    assert not ch01.check_output_grid(_stub)
    assert not ch01.check_output_grid(lambda *a: "grid")


@pytest.mark.parametrize("check", [ch01.check_perceptron, ch01.check_xnor, ch01.check_full_adder,
                                   ch01.check_perceptron_update, ch01.check_output_grid])
def test_checks_never_raise_on_stubs(check, capsys):
    assert check(_stub) is False
    assert "Not done yet" in capsys.readouterr().out
