"""The chapter-0 self-checks accept right answers, reject typical wrong ones, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch00


def _central(f, x, i, h=1e-4):
    up, down = x.copy(), x.copy()
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def _da_dc(c):
    b1, b2 = c**2, 3 * c + 1
    return b2 * 2 * c + (b1 + 2 * b2) * 3


def _raises(*args):
    raise RuntimeError("boom")


# --- exercise 1 ------------------------------------------------------------------------


def test_partial_by_hand_accepts_the_right_formula(capsys) -> None:
    assert ch00.check_partial_by_hand(lambda a, b, c: a**2 + c) is True
    assert "All 4 tests passed" in capsys.readouterr().out


def test_partial_by_hand_matches_a_numerical_derivative_of_g() -> None:
    # the answer key itself is right: compare with a central difference of ch00.g
    for a, b, c in [(1.0, 2.0, 3.0), (-0.7, 1.3, 0.4)]:
        h = 1e-5
        numeric = (ch00.g(a, b + h, c) - ch00.g(a, b - h, c)) / (2 * h)
        assert numeric == pytest.approx(a**2 + c, rel=1e-8)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda a, b, c: 2 * a * b, "∂g/∂a"),
        (lambda a, b, c: a**2, "b·c also contains b"),
        (lambda a, b, c: a**2 * b + b * c, "kept the factor b"),
        (lambda a, b, c: 0.0, "treat a and c as constants"),
    ],
)
def test_partial_by_hand_rejects_typical_mistakes_with_a_hint(wrong, hint, capsys) -> None:
    assert ch00.check_partial_by_hand(wrong) is False
    out = capsys.readouterr().out
    assert hint in out and "✗" in out


@pytest.mark.parametrize("stub", [lambda a, b, c: None, _raises, lambda a, b, c: "four"])
def test_partial_by_hand_reports_stubs_and_crashes_without_raising(stub, capsys) -> None:
    assert ch00.check_partial_by_hand(stub) is False
    out = capsys.readouterr().out
    assert "None" in out or "RuntimeError: boom" in out or "not a number" in out


# --- exercise 2 ------------------------------------------------------------------------


def test_central_difference_accepts_a_central_difference(capsys) -> None:
    assert ch00.check_central_difference(_central) is True
    assert "All 5 tests passed" in capsys.readouterr().out


def test_central_difference_agrees_with_the_library() -> None:
    from common.gradient import numerical_gradient

    f = lambda v: np.sin(v[0]) * np.exp(v[1])  # noqa: E731
    x = np.array([0.3, -0.7])
    np.testing.assert_allclose([_central(f, x, i) for i in range(2)], numerical_gradient(f, x.copy()))


def test_central_difference_rejects_a_forward_difference(capsys) -> None:
    def forward(f, x, i, h=1e-4):
        up = x.copy()
        up[i] += h
        return (f(up) - f(x)) / h

    assert ch00.check_central_difference(forward) is False
    assert "forward difference" in capsys.readouterr().out


def test_central_difference_rejects_changing_x_in_place(capsys) -> None:
    def in_place(f, x, i, h=1e-4):
        x[i] += h
        f_up = f(x)
        x[i] -= 2 * h
        return (f_up - f(x)) / (2 * h)

    assert ch00.check_central_difference(in_place) is False
    assert "changed x" in capsys.readouterr().out


def test_central_difference_diagnoses_a_step_that_underflows(capsys) -> None:
    assert ch00.check_central_difference(lambda f, x, i: _central(f, x, i, h=1e-300)) is False
    assert "x + h == x" in capsys.readouterr().out


@pytest.mark.parametrize("stub", [lambda f, x, i: None, _raises, lambda f, x, i: np.ones(3)])
def test_central_difference_reports_stubs_without_raising(stub) -> None:
    assert ch00.check_central_difference(stub) is False


# --- exercise 3 ------------------------------------------------------------------------

RIGHT_SHAPES = [(100, 50), (3, 4), "error", (8, 7, 6)]


def test_broadcast_answer_key_is_numpy_itself() -> None:
    for k, (expr, shapes) in enumerate(ch00.BROADCAST_QUESTIONS):
        if RIGHT_SHAPES[k] == "error":
            with pytest.raises(ValueError):
                np.broadcast_shapes(*list(shapes.values())[-2:])
        elif k > 0:
            assert np.broadcast_shapes(*shapes.values()) == RIGHT_SHAPES[k]


def test_broadcast_accepts_right_answers_as_tuples_lists_or_any_case(capsys) -> None:
    assert ch00.check_broadcast_shapes(RIGHT_SHAPES) is True
    assert ch00.check_broadcast_shapes([[100, 50], (3, 4), " Error ", [8, 7, 6]]) is True
    assert "All 4 tests passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answers", "hint"),
    [
        ([(100, 50), (4, 3), "error", (8, 7, 6)], "wrong order"),
        ([(100, 50), (3, 4), (2, 3), (8, 7, 6)], "NumPy refuses"),
        ([(100, 50), (3, 4), "error", "error"], "broadcasts this to (8, 7, 6)"),
        ([(100, 784), (3, 4), "error", (8, 7, 6)], "expected (100, 50)"),
        ([..., (3, 4), "error", (8, 7, 6)], "not answered yet"),
        ([(100, 50), "nope", "error", (8, 7, 6)], 'only text answer accepted is "error"'),
        ([(100, 50), 3, "error", (8, 7, 6)], "write a shape as a tuple"),
    ],
)
def test_broadcast_rejects_wrong_answers_with_a_hint(answers, hint, capsys) -> None:
    assert ch00.check_broadcast_shapes(answers) is False
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("answers", [[], [(3, 4)], None, "error"])
def test_broadcast_rejects_the_wrong_number_of_answers(answers, capsys) -> None:
    assert ch00.check_broadcast_shapes(answers) is False
    assert "expected a list of 4 answers" in capsys.readouterr().out


# --- exercise 4 ------------------------------------------------------------------------


def test_chain_rule_accepts_the_sum_over_paths_and_the_expanded_form(capsys) -> None:
    assert ch00.check_chain_rule(_da_dc) is True
    assert ch00.check_chain_rule(lambda c: 9 * c**2 + 20 * c + 6) is True
    assert "All 4 tests passed" in capsys.readouterr().out


def test_chain_rule_answer_key_matches_a_central_difference() -> None:
    def a_of(c):
        b1, b2 = c**2, 3 * c + 1
        return b1 * b2 + b2**2

    for c in [-1.5, 0.0, 0.5, 2.0]:
        h = 1e-5
        assert (a_of(c + h) - a_of(c - h)) / (2 * h) == pytest.approx(_da_dc(c), rel=1e-7, abs=1e-7)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda c: (3 * c + 1) * 2 * c, "only the path through b₁"),
        (lambda c: (c**2 + 2 * (3 * c + 1)) * 3, "only the path through b₂"),
        (lambda c: (3 * c + 1) * 2 * c + (c**2 + 2 * (3 * c + 1)), "left out ∂b₂/∂c = 3"),
        (lambda c: (3 * c + 1) + (c**2 + 2 * (3 * c + 1)) * 3, "left out ∂b₁/∂c = 2c"),
        (lambda c: 1.0, "one product"),
    ],
)
def test_chain_rule_rejects_typical_mistakes_with_a_hint(wrong, hint, capsys) -> None:
    assert ch00.check_chain_rule(wrong) is False
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("stub", [lambda c: None, _raises, lambda c: [1, 2]])
def test_chain_rule_reports_stubs_without_raising(stub) -> None:
    assert ch00.check_chain_rule(stub) is False


# --- shortcuts that must not pass ------------------------------------------------------------


def test_partial_by_hand_rejects_a_numerical_derivative_of_g(capsys) -> None:
    def numeric(a, b, c, h=1e-4):
        return (ch00.g(a, b + h, c) - ch00.g(a, b - h, c)) / (2 * h)

    assert ch00.check_partial_by_hand(numeric) is False      # g is linear in b: the numbers would pass
    assert "differentiates g numerically" in capsys.readouterr().out


def test_central_difference_rejects_the_librarys_numerical_gradient(capsys) -> None:
    from common.gradient import numerical_gradient

    assert ch00.check_central_difference(lambda f, x, i: numerical_gradient(f, x)[i]) is False
    assert "calls numerical_gradient" in capsys.readouterr().out


def test_central_difference_rejects_nudging_every_entry(capsys) -> None:
    def whole_gradient(f, x, i, h=1e-4):
        return [_central(f, x, j, h) for j in range(len(x))][i]

    assert ch00.check_central_difference(whole_gradient) is False
    assert "also nudged entry" in capsys.readouterr().out


# --- exercise 5: the gradient of a matrix expression ----------------------------------------


def test_matrix_gradient_accepts_x_transpose_g(capsys) -> None:
    assert ch00.check_matrix_gradient(lambda X, W, G: X.T @ G) is True
    assert "All 2 tests passed" in capsys.readouterr().out


@pytest.mark.parametrize("answer, hint", [
    (lambda X, W, G: G.T @ X, "the shape of Wᵀ"),
    (lambda X, W, G: X.T @ np.ones_like(G), "without G"),
    (lambda X, W, G: -X.T @ G, "sign is flipped"),
    (lambda X, W, G: X @ G, "which product of X"),
    (lambda X, W, G: W, "wrong values"),
    (lambda X, W, G: np.zeros((4, 4)), "one entry per weight"),
])
def test_matrix_gradient_rejects_typical_mistakes(answer, hint, capsys) -> None:
    assert ch00.check_matrix_gradient(answer) is False
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("stub", [lambda X, W, G: None, _raises, lambda X, W, G: "grad"])
def test_matrix_gradient_reports_stubs_without_raising(stub) -> None:
    assert ch00.check_matrix_gradient(stub) is False
