"""The chapter 1 self-checks accept right answers, reject typical wrong ones and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch01
from common.lessons.perceptron import (AND, NAND, OR, XOR, full_adder, half_adder, output_grid, perceptron,
                                      perceptron_update)


def _stub(*args):
    raise NotImplementedError


# --------------------------------------------------------------------- first code: AND, NAND, OR
def _unit(w1, w2, b):
    def gate(x1, x2):
        return 1 if np.sum(np.array([w1, w2]) * np.array([x1, x2])) + b > 0 else 0
    return gate


def test_gates_check_accepts_perceptrons_with_any_valid_weights(capsys):
    assert ch01.check_gates(_unit(0.5, 0.5, -0.7), _unit(-0.5, -0.5, 0.7), _unit(0.5, 0.5, -0.2))
    assert ch01.check_gates(_unit(1, 1, -1.5), _unit(-2, -1, 2.5), _unit(1, 3, -0.5))
    assert ch01.check_gates(AND, NAND, OR)            # the library's gates are perceptrons too


def test_gates_check_rejects_if_rules(capsys):
    # right on the four corners, but a rule, not a weighted sum and a threshold
    assert not ch01.check_gates(lambda a, b: int(a == 1 and b == 1), _unit(-0.5, -0.5, 0.7), _unit(0.5, 0.5, -0.2))
    assert "AND(2, 2) returned 0" in capsys.readouterr().out
    assert not ch01.check_gates(_unit(0.5, 0.5, -0.7), lambda a, b: int(not (a and b)), _unit(0.5, 0.5, -0.2))
    assert "NAND(-1, -1) returned 0" in capsys.readouterr().out
    assert not ch01.check_gates(_unit(0.5, 0.5, -0.7), _unit(-0.5, -0.5, 0.7), lambda a, b: int(a or b))
    assert "OR(-1, -1)" in capsys.readouterr().out


def test_gates_check_rejects_a_gate_built_from_another(capsys):
    my_and = _unit(0.5, 0.5, -0.7)
    assert not ch01.check_gates(my_and, lambda a, b: 1 - AND(a, b), _unit(0.5, 0.5, -0.2))
    assert "NAND uses AND" in capsys.readouterr().out


def test_gates_check_reports_stubs_and_wrong_tables(capsys):
    def stub(x1, x2): ...
    assert not ch01.check_gates(_unit(0.5, 0.5, -0.7), stub, stub)
    assert "not done yet" in capsys.readouterr().out
    assert not ch01.check_gates(_unit(0.5, 0.5, -0.7), _unit(0.5, 0.5, -0.7), _unit(0.5, 0.5, -0.2))
    assert "yours computes AND" in capsys.readouterr().out


# --------------------------------------------------------------------- exercise 1
def test_perceptron_check(capsys):
    assert ch01.check_perceptron(lambda x, w, b: int(np.dot(w, x) + b > 0))
    assert ch01.check_perceptron(lambda x, w, b: np.sum(w * x) + b > 0)     # bool is fine
    assert not ch01.check_perceptron(lambda x, w, b: int(np.dot(w, x) + b >= 0))
    out = capsys.readouterr().out
    assert "returned 1, expected 0" in out and "does not exceed 0" in out
    assert not ch01.check_perceptron(lambda x, w, b: np.dot(w, x) + b)      # not a 0/1
    assert "expected a single 0 or 1" in capsys.readouterr().out


def test_perceptron_check_rejects_the_library(capsys):
    assert not ch01.check_perceptron(perceptron)
    assert "library's perceptron" in capsys.readouterr().out
    assert not ch01.check_perceptron(lambda x, w, b: perceptron(x, w, b))
    assert "calls perceptron" in capsys.readouterr().out


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
def _xnor(x1, x2):
    s = XOR(x1, x2)
    return NAND(s, s)


def test_xnor_check(capsys):
    assert ch01.check_xnor(_xnor, 4)
    assert ch01.check_xnor(lambda a, b: NAND(XOR(a, b), XOR(a, b)), 7)      # XOR built twice: 2 × 3 + 1
    assert ch01.check_xnor(lambda a, b: OR(AND(a, b), AND(NAND(a, a), NAND(b, b))), 5)
    assert not ch01.check_xnor(XOR)
    out = capsys.readouterr().out
    assert "returned 0, expected 1" in out and "computes XOR, not XNOR" in out
    assert not ch01.check_xnor(_stub)
    assert "Not done yet" in capsys.readouterr().out
    assert not ch01.check_xnor(lambda a, b: "yes")


def test_xnor_check_rejects_python_shortcuts(capsys):
    assert not ch01.check_xnor(lambda a, b: int(a == b), 0)
    assert "not a circuit of gates" in capsys.readouterr().out
    assert not ch01.check_xnor(lambda a, b: 1 - XOR(a, b), 3)
    assert "NAND(x, x)" in capsys.readouterr().out
    assert not ch01.check_xnor(lambda a, b: OR(AND(a, b), AND(1 - a, 1 - b)), 3)
    assert not ch01.check_xnor(lambda a, b: 1 if a == b else 0, 0)


def test_xnor_check_rejects_gates_outside_the_list(capsys):
    from common.lessons.perceptron import gate
    nor = gate(-0.5, -0.5, 0.2, name="NOR")
    assert not ch01.check_xnor(lambda a, b: OR(AND(a, b), nor(a, b)), 3)
    assert "allows only AND, NAND, OR and XOR" in capsys.readouterr().out


def test_xnor_check_asks_for_and_checks_the_count(capsys):
    assert not ch01.check_xnor(_xnor)                    # right circuit, question not answered
    assert "how many perceptrons" in capsys.readouterr().out
    assert not ch01.check_xnor(_xnor, 2)                 # counted XOR as one perceptron
    assert "XOR is itself three perceptrons" in capsys.readouterr().out
    assert not ch01.check_xnor(_xnor, "four")


# --------------------------------------------------------------------- exercise 4
def _full_adder(a, b, carry_in):
    s1, c1 = half_adder(a, b)
    s, c2 = half_adder(s1, carry_in)
    return s, OR(c1, c2)


def test_full_adder_check(capsys):
    assert ch01.check_full_adder(_full_adder)
    assert "11 perceptrons" in capsys.readouterr().out

    def no_carry_in(a, b, c):
        return half_adder(a, b)
    assert not ch01.check_full_adder(no_carry_in)
    assert "since 0 + 0 + 1 = 1" in capsys.readouterr().out
    assert not ch01.check_full_adder(lambda a, b, c: (a + b + c) % 2)        # not a pair
    assert not ch01.check_full_adder(lambda a, b, c: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_full_adder_check_rejects_the_library_and_arithmetic(capsys):
    assert not ch01.check_full_adder(full_adder)
    assert "library's full_adder" in capsys.readouterr().out
    assert not ch01.check_full_adder(lambda a, b, c: full_adder(a, b, c))
    assert "calls full_adder" in capsys.readouterr().out
    assert not ch01.check_full_adder(lambda a, b, c: ((a + b + c) % 2, (a + b + c) // 2))
    assert "not a circuit of gates" in capsys.readouterr().out


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
    assert not ch01.check_perceptron_update(lambda w, b, x, t, lr: perceptron_update(w, b, x, t, lr))
    assert "calls perceptron_update" in capsys.readouterr().out


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
    assert not ch01.check_output_grid(lambda w, b, xs, ys: output_grid(w[0], w[1], b)[2])
    assert "calls output_grid" in capsys.readouterr().out


@pytest.mark.parametrize("check", [ch01.check_perceptron, ch01.check_xnor, ch01.check_full_adder,
                                   ch01.check_perceptron_update, ch01.check_output_grid])
def test_checks_never_raise_on_stubs(check, capsys):
    assert check(_stub) is False
    assert "Not done yet" in capsys.readouterr().out
