"""Tests for common.lessons.perceptron (chapter 1): gates, truth tables, geometry, circuits, learning."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from common.lessons.perceptron import (
    AND,
    GATE_NAMES,
    GATE_WEIGHTS,
    INPUTS,
    NAND,
    OR,
    XOR,
    add_binary,
    boundary_segment,
    format_truth_table,
    full_adder,
    gate,
    gate_name,
    half_adder,
    identify_gate,
    mistake_bound,
    output_grid,
    perceptron,
    perceptron_update,
    reachable_gates,
    separable_points,
    train_perceptron,
    truth_table,
    weighted_sum,
)


def test_perceptron_single_and_batch_agree_with_a_loop():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    w, b = rng.normal(size=3), 0.3
    batch = perceptron(X, w, b)
    loop = np.array([1 if sum(xi * wi for xi, wi in zip(x, w)) + b > 0 else 0 for x in X])
    np.testing.assert_array_equal(batch, loop)
    assert perceptron(X[0], w, b).shape == ()
    assert batch.dtype == np.int64


def test_sum_of_exactly_zero_does_not_fire():
    assert perceptron([1, 0], [0.5, 0.5], -0.5) == 0
    assert perceptron([1, 0], [0.5, 0.5], -0.4999) == 1


def test_tolerance_treats_rounding_noise_as_zero():
    x, w = [1, 1], [0.1, 0.2]                  # 0.1 + 0.2 - 0.3 is 5.6e-17 in binary, not 0
    assert weighted_sum(x, w, -0.3) > 0
    assert perceptron(x, w, -0.3) == 1
    assert perceptron(x, w, -0.3, tol=1e-9) == 0


def test_wrong_shapes_raise_helpful_errors():
    with pytest.raises(ValueError, match="2 features"):
        perceptron(np.zeros((4, 3)), [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="1-D"):
        perceptron(np.zeros((4, 2)), [[1.0, 1.0]], 0.0)


TABLES = {"AND": [0, 0, 0, 1], "NAND": [1, 1, 1, 0], "OR": [0, 1, 1, 1], "NOR": [1, 0, 0, 0]}
"""Each separable gate's outputs on (0,0), (0,1), (1,0), (1,1)."""


@pytest.mark.parametrize("fn, table", [
    (AND, [0, 0, 0, 1]), (NAND, [1, 1, 1, 0]), (OR, [0, 1, 1, 1]), (XOR, [0, 1, 1, 0]),
])
def test_gate_truth_tables(fn, table):
    np.testing.assert_array_equal(truth_table(fn), table)
    assert gate_name(truth_table(fn)) == fn.__name__


def test_gates_return_int_for_scalars_and_arrays_for_arrays():
    assert isinstance(AND(1, 1), int) and AND(1, 1) == 1
    out = XOR(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    np.testing.assert_array_equal(out, [0, 1, 1, 0])


def test_gate_weights_are_identified():
    for name, (w1, w2, b) in GATE_WEIGHTS.items():
        assert identify_gate(w1, w2, b) == name
        np.testing.assert_array_equal(truth_table(gate(w1, w2, b)), TABLES[name])


def test_identify_gate_special_cases():
    assert identify_gate(0, 0, 0) == "constant 0"      # on the (absent) boundary: does not fire
    assert identify_gate(0, 0, 0.1) == "constant 1"
    assert identify_gate(0, 0, -2) == "constant 0"
    assert identify_gate(1, 0, -0.5) == "x1"
    assert identify_gate(0, -1, 0.5) == "NOT x2"
    assert identify_gate(0.3, 0.7, -1.0) == "constant 0"  # 0.3 + 0.7 - 1.0 counts as exactly 0
    assert identify_gate(float("nan"), 0, 0) is None


def test_sixteen_names_and_fourteen_reachable():
    assert len(GATE_NAMES) == 16 and len(set(GATE_NAMES.values())) == 16
    found = reachable_gates()
    assert len(found) == 14
    assert "XOR" not in found and "XNOR" not in found
    for name, params in found.items():
        assert identify_gate(*params) == name


def test_gate_name_rejects_non_tables():
    assert gate_name([0, 1, 1]) is None
    assert gate_name("abcd") is None


def test_format_truth_table_layout():
    text = format_truth_table({"AND": truth_table(AND)})
    lines = text.splitlines()
    assert lines[0].split("|")[-1].strip() == "AND"
    assert [ln.split("|")[-1].strip() for ln in lines[2:]] == ["0", "0", "0", "1"]
    with pytest.raises(ValueError, match="rows"):
        format_truth_table({"y": [0, 1]})


@pytest.mark.parametrize("w1, w2, b", [(0.5, 0.5, -0.7), (1, 0, -0.5), (0, 1, -0.5), (1, -1, 0),
                                        (-2, 1.3, 0.4), (0.01, 2, -1)])
def test_boundary_segment_lies_on_the_line_inside_the_box(w1, w2, b):
    seg = boundary_segment(w1, w2, b)
    assert seg is not None and seg.shape == (2, 2)
    np.testing.assert_allclose(seg @ [w1, w2] + b, 0, atol=1e-9)
    assert np.all((seg >= -0.5 - 1e-9) & (seg <= 1.5 + 1e-9))
    assert np.linalg.norm(seg[0] - seg[1]) > 0


def test_boundary_segment_none_cases():
    assert boundary_segment(0, 0, 1) is None           # no line at all
    assert boundary_segment(1, 1, -10) is None         # line far outside the box


def test_output_grid_matches_perceptron_and_meshgrid_convention():
    X1, X2, Z = output_grid(1.0, -0.5, 0.1, (-1, 1), (-1, 2), n=9)
    assert Z.shape == (9, 9)
    assert X1[0, -1] == 1 and X2[-1, 0] == 2           # columns follow x1, rows follow x2
    np.testing.assert_array_equal(Z, perceptron(np.stack([X1, X2], -1), [1.0, -0.5], 0.1))
    _, _, A = output_grid(1.0, -0.5, 0.1, kind="sum", n=5)
    assert A.dtype.kind == "f"
    with pytest.raises(ValueError):
        output_grid(1, 1, 0, kind="nope")


def test_half_and_full_adders_by_exhaustion():
    for a, b in itertools.product((0, 1), repeat=2):
        assert half_adder(a, b) == ((a + b) % 2, (a + b) // 2)
    for a, b, c in itertools.product((0, 1), repeat=3):
        assert full_adder(a, b, c) == ((a + b + c) % 2, (a + b + c) // 2)


def test_add_binary_all_byte_pairs():
    x, y = np.meshgrid(np.arange(256), np.arange(256))
    np.testing.assert_array_equal(add_binary(x, y, bits=8), (x + y) % 256)
    assert int(add_binary(1000, 24, bits=16)) == 1024
    with pytest.raises(ValueError):
        add_binary(-1, 2)


def test_separable_points_are_separable_with_margin():
    X, t, (w, b) = separable_points(60, margin=0.1, seed=3)
    assert X.shape == (60, 2) and t.shape == (60,)
    assert set(np.unique(t)) == {0, 1}
    assert np.isclose(np.linalg.norm(w), 1)
    assert np.all(np.abs(X @ w + b) >= 0.1)
    np.testing.assert_array_equal(t, (X @ w + b > 0).astype(int))
    X2, t2, _ = separable_points(60, margin=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)


def test_perceptron_update_moves_towards_the_target():
    w, b = perceptron_update([0.0, 0.0], 0.0, [1.0, 2.0], 1, lr=0.5)
    np.testing.assert_allclose(w, [0.5, 1.0])
    assert b == 0.5
    w0 = np.array([0.5, 0.5])
    w, b = perceptron_update(w0, -0.7, [1.0, 1.0], 1)   # already right: unchanged
    np.testing.assert_array_equal(w, w0)
    assert b == -0.7
    w, b = perceptron_update([0.5, 0.5], 0.2, [1.0, 0.0], 0, lr=0.1)
    np.testing.assert_allclose(w, [0.4, 0.5])
    assert np.isclose(b, 0.1)
    assert w0.tolist() == [0.5, 0.5]                      # input not modified


def test_training_converges_on_separable_data_within_the_bound():
    X, t, (w_true, b_true) = separable_points(50, margin=0.05, seed=0)
    fit = train_perceptron(X, t, lr=1.0, seed=0)
    assert fit.converged and fit.errors[-1] == 0
    np.testing.assert_array_equal(perceptron(X, fit.w, fit.b), t)
    assert fit.updates <= mistake_bound(X, t, w_true, b_true)
    assert len(fit.history) == fit.epochs + 1


def test_training_is_deterministic_and_learning_rate_only_rescales_from_zero():
    X, t, _ = separable_points(50, margin=0.05, seed=0)
    a = train_perceptron(X, t, lr=1.0, seed=7)
    b = train_perceptron(X, t, lr=1.0, seed=7)
    c = train_perceptron(X, t, lr=0.01, seed=7)
    np.testing.assert_array_equal(a.w, b.w)
    assert a.errors == b.errors == c.errors
    np.testing.assert_allclose(c.w, 0.01 * a.w)


@pytest.mark.parametrize("name", ["AND", "NAND", "OR", "NOR"])
def test_training_learns_every_separable_gate(name):
    t = np.array(TABLES[name])
    fit = train_perceptron(INPUTS, t, lr=0.1, seed=0)
    assert fit.converged
    assert identify_gate(fit.w[0], fit.w[1], fit.b) == name


def test_training_never_converges_on_xor():
    fit = train_perceptron(INPUTS, truth_table(XOR), max_epochs=200, seed=0)
    assert not fit.converged
    assert fit.epochs == 200 and min(fit.errors) >= 1


def test_training_validates_inputs():
    with pytest.raises(ValueError, match="shape"):
        train_perceptron(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="labels"):
        train_perceptron(np.zeros((2, 2)), np.array([0, 2]))


def test_mistake_bound_is_infinite_for_a_non_separating_line():
    X, t, (w, b) = separable_points(30, margin=0.1, seed=1)
    assert np.isfinite(mistake_bound(X, t, w, b))
    assert mistake_bound(X, t, -w, -b) == float("inf")


# --------------------------------------------------------------------- counting perceptrons (trace_circuit)
def test_gate_weights_leave_nor_to_the_exercise():
    assert set(GATE_WEIGHTS) == {"AND", "NAND", "OR"}      # exercise 2 asks for NOR's weights


def test_trace_counts_the_perceptrons_of_the_chapters_circuits():
    from common.lessons.perceptron import full_adder, trace_circuit

    xor = trace_circuit(XOR)
    assert (xor.perceptrons, xor.depth, xor.gates) == (3, 2, {"AND": 1, "NAND": 1, "OR": 1})
    half = trace_circuit(half_adder)
    assert (half.perceptrons, half.depth, half.gates) == (5, 3, {"NAND": 5})
    assert trace_circuit(full_adder, n_inputs=3).perceptrons == 13
    assert "5 perceptrons (5 NAND) in 3 layers" == half.describe()


def test_trace_counts_a_shared_output_once_and_a_repeated_call_twice():
    from common.lessons.perceptron import trace_circuit

    def shared(a, b):
        s = XOR(a, b)
        return NAND(s, s)

    assert trace_circuit(shared).perceptrons == 4
    assert trace_circuit(lambda a, b: NAND(XOR(a, b), XOR(a, b))).perceptrons == 7


@pytest.mark.parametrize("shortcut", [
    lambda a, b: int(a == b),
    lambda a, b: 1 - XOR(a, b),
    lambda a, b: XOR(a, b) if a else 0,
    lambda a, b: a and b,
    lambda a, b: max(a, b),
])
def test_trace_refuses_python_operations_on_bits(shortcut):
    from common.lessons.perceptron import trace_circuit

    with pytest.raises(TypeError, match="only pass bits through gates"):
        trace_circuit(shortcut)


def test_trace_refuses_outputs_that_no_gate_made_and_accepts_constants():
    from common.lessons.perceptron import trace_circuit

    with pytest.raises(TypeError, match="not the output of a gate"):
        trace_circuit(lambda a, b: 1)
    assert trace_circuit(lambda a, b: NAND(a, 1)).perceptrons == 1      # a constant bit is an input
    with pytest.raises(TypeError, match="pass bits"):
        trace_circuit(lambda a, b: NAND(a, 0.5))


def test_gates_still_compute_on_numbers_and_arrays_after_tracing():
    from common.lessons.perceptron import trace_circuit

    trace_circuit(XOR)
    assert XOR(1, 0) == 1 and isinstance(XOR(1, 0), int)
    np.testing.assert_array_equal(XOR(INPUTS[:, 0], INPUTS[:, 1]), [0, 1, 1, 0])
