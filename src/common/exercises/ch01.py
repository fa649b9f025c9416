"""Self-checks for the exercises of chapter 1, Perceptron.

Each ``check_…`` takes your answer, prints what is right and what is wrong (with
the input that failed and the value expected) and returns ``True`` or ``False``.
A check never raises: an unfinished stub (``raise NotImplementedError``) or a
crash in your code is reported as a message.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from common.exercises._checking import (
    BAD as _NO,
    OK as _OK,
    call,
    name as _name,
    verdict as _verdict,
)
from common.lessons.perceptron import INPUTS, gate_name, perceptron, perceptron_update

__all__ = [
    "check_perceptron",
    "check_nor_weights",
    "check_xnor",
    "check_full_adder",
    "check_perceptron_update",
    "check_output_grid",
]


def _call(fn: Callable, *args: object) -> tuple[bool, object]:
    """Call the learner's function; return (True, value) or (False, message naming the arguments)."""
    return call(fn, *args, show=_show)


def _show(v: object) -> str:
    if isinstance(v, np.ndarray) and v.ndim == 1:
        return "[" + ", ".join(f"{float(e):.3g}" for e in v) + "]"
    return repr(v)


def _as_bit(v: object) -> int | None:
    """0 or 1 from an int, bool or 0-d/1-element array; None for anything else."""
    try:
        arr = np.asarray(v)
        if arr.size != 1:
            return None
        x = arr.item()
    except Exception:  # noqa: BLE001
        return None
    if isinstance(x, (bool, np.bool_)):
        return int(x)
    if isinstance(x, (int, np.integer)) and x in (0, 1):
        return int(x)
    if isinstance(x, (float, np.floating)) and x in (0.0, 1.0):
        return int(x)
    return None


# --------------------------------------------------------------------- exercise 1
def check_perceptron(fn: Callable) -> bool:
    """Exercise 1: ``fn(x, w, b)`` returns 1 when ``w · x + b > 0`` and 0 otherwise, for one input.

    Checks hand-picked cases (including a sum of exactly 0, which must give 0) and 20
    random ones against :func:`common.lessons.perceptron.perceptron`.
    """
    rng = np.random.default_rng(1)
    cases = [
        (np.array([1.0, 1.0]), np.array([0.5, 0.5]), -0.7),
        (np.array([1.0, 0.0]), np.array([0.5, 0.5]), -0.7),
        (np.array([1.0, 0.0]), np.array([0.5, 0.5]), -0.5),     # sum exactly 0: does not fire
        (np.array([0.0, 0.0]), np.array([-0.5, -0.5]), 0.7),
        (np.array([2.0, -1.0, 0.5]), np.array([0.1, 0.3, -0.2]), 0.15),  # three inputs
    ]
    cases += [(rng.uniform(-2, 2, 3), rng.uniform(-2, 2, 3), float(rng.uniform(-1, 1)))
              for _ in range(20)]
    wrong: list[str] = []
    for x, w, b in cases:
        ok, got = _call(fn, x.copy(), w.copy(), b)
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = int(perceptron(x, w, b))
        bit = _as_bit(got)
        s = float(x @ w + b)
        call = f"{_name(fn)}(x={_show(x)}, w={_show(w)}, b={b:.3g})"
        if bit is None:
            wrong.append(f"{call} returned {got!r}; expected a single 0 or 1")
        elif bit != want:
            why = "does not exceed 0" if want == 0 else "exceeds 0"
            wrong.append(f"{call} returned {bit}, expected {want} (w·x + b = {s:.3g}, which {why})")
    return _verdict(wrong, len(cases), f"{_name(fn)} agrees with common.lessons.perceptron.perceptron on all "
                                       f"{len(cases)} cases, including a sum of exactly 0.")


# --------------------------------------------------------------------- exercise 2
def check_nor_weights(weights: object) -> bool:
    """Exercise 2: ``weights = (w1, w2, b)`` make one perceptron compute NOR (1 only for (0, 0))."""
    if weights is None:
        print(f"{_NO} Not done yet: set nor_weights = (w1, w2, b) to three numbers.")
        return False
    try:
        w1, w2, b = (float(v) for v in weights)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001
        print(f"{_NO} Expected three numbers (w1, w2, b), got {weights!r}.")
        return False
    outputs = perceptron(INPUTS, [w1, w2], b)
    want = np.array([1, 0, 0, 0])
    wrong = [f"input ({x1}, {x2}): your perceptron gives {y}, NOR gives {t} "
             f"(w·x + b = {x1 * w1 + x2 * w2 + b:.3g})"
             for (x1, x2), y, t in zip(INPUTS, outputs, want) if y != t]
    if wrong:
        for line in wrong:
            print(f"{_NO} {line}")
        print(f"With these weights the perceptron computes {gate_name(outputs)}, not NOR.")
        return False
    print(f"{_OK} w = ({w1:g}, {w2:g}), b = {b:g} computes NOR on all four inputs.")
    return True


# --------------------------------------------------------------------- exercise 3
def check_xnor(fn: Callable) -> bool:
    """Exercise 3: ``fn(x1, x2)`` is XNOR (1 when the inputs are equal), built from gates."""
    want = {(0, 0): 1, (0, 1): 0, (1, 0): 0, (1, 1): 1}
    wrong: list[str] = []
    got_table = []
    for (x1, x2), t in want.items():
        ok, got = _call(fn, x1, x2)
        if not ok:
            print(f"{_NO} {got}")
            return False
        bit = _as_bit(got)
        got_table.append(bit)
        if bit is None:
            wrong.append(f"{_name(fn)}({x1}, {x2}) returned {got!r}; expected a single 0 or 1")
        elif bit != t:
            wrong.append(f"{_name(fn)}({x1}, {x2}) returned {bit}, expected {t}")
    passed = _verdict(wrong, 4, f"{_name(fn)} computes XNOR on all four inputs.")
    if not passed and None not in got_table:
        print(f"Your function computes {gate_name(got_table)}, not XNOR.")
    return passed


# --------------------------------------------------------------------- exercise 4
def check_full_adder(fn: Callable) -> bool:
    """Exercise 4: ``fn(a, b, carry_in)`` returns ``(sum, carry_out)`` for all eight input bits."""
    wrong: list[str] = []
    for a, b, c in itertools.product((0, 1), repeat=3):
        ok, got = _call(fn, a, b, c)
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = ((a + b + c) % 2, (a + b + c) // 2)
        try:
            pair = tuple(_as_bit(v) for v in got)  # type: ignore[union-attr]
        except TypeError:
            pair = ()
        if len(pair) != 2 or None in pair:
            wrong.append(f"{_name(fn)}({a}, {b}, {c}) returned {got!r}; expected a pair (sum, carry) of 0/1")
        elif pair != want:
            wrong.append(f"{_name(fn)}({a}, {b}, {c}) returned (sum={pair[0]}, carry={pair[1]}), "
                         f"expected (sum={want[0]}, carry={want[1]}) since {a} + {b} + {c} = {a + b + c}")
    return _verdict(wrong, 8, f"{_name(fn)} adds three bits correctly on all eight inputs.")


# --------------------------------------------------------------------- exercise 5
def check_perceptron_update(fn: Callable) -> bool:
    """Exercise 5: ``fn(w, b, x, t, lr)`` returns the new ``(w, b)`` after one step of Rosenblatt's rule."""
    cases = [
        (np.array([0.0, 0.0]), 0.0, np.array([1.0, 0.5]), 1, 1.0),     # silent but should fire
        (np.array([0.5, 0.5]), 0.2, np.array([1.0, -0.5]), 0, 0.1),    # fires but should not
        (np.array([0.5, 0.5]), -0.7, np.array([1.0, 1.0]), 1, 0.5),    # already right: no change
        (np.array([-0.2, 0.4]), 0.1, np.array([0.0, 0.0]), 0, 1.0),    # fires on 0 input: only b moves
        (np.array([1.0, -1.0, 0.5]), 0.0, np.array([0.2, 0.3, -1.0]), 1, 0.25),
    ]
    wrong: list[str] = []
    for w, b, x, t, lr in cases:
        ok, got = _call(fn, w.copy(), b, x.copy(), t, lr)
        if not ok:
            print(f"{_NO} {got}")
            return False
        want_w, want_b = perceptron_update(w, b, x, t, lr)
        call = f"{_name(fn)}(w={_show(w)}, b={b:g}, x={_show(x)}, t={t}, lr={lr:g})"
        try:
            got_w, got_b = got  # type: ignore[misc]
            got_w = np.asarray(got_w, dtype=float)
            got_b = float(got_b)
        except Exception:  # noqa: BLE001
            wrong.append(f"{call} returned {got!r}; expected a pair (new_w, new_b)")
            continue
        if got_w.shape != want_w.shape or not np.allclose(got_w, want_w) or not np.isclose(got_b, want_b):
            y = int(perceptron(x, w, b))
            hint = ("the output was already right, so nothing should change" if y == t
                    else f"the output was {y}, the target {t}: move by lr·(t − y) = {lr * (t - y):g}")
            wrong.append(f"{call} returned w={_show(got_w)}, b={got_b:.3g}; expected "
                         f"w={_show(want_w)}, b={want_b:.3g} ({hint})")
    return _verdict(wrong, len(cases),
                    f"{_name(fn)} performs Rosenblatt's update correctly in all {len(cases)} cases.")


# --------------------------------------------------------------------- exercise 6
def check_output_grid(fn: Callable) -> bool:
    """Exercise 6 (seminar homework): ``fn(w, b, xs, ys)`` returns the 0/1 outputs on the grid.

    ``Z[i, j]`` must be the output at ``(xs[j], ys[i])``: rows follow ``ys``, as
    ``np.meshgrid`` and ``plt.imshow(..., origin="lower")`` expect.
    """
    w, b = np.array([1.0, -0.5]), 0.1
    xs = np.linspace(-1, 1, 7)
    ys = np.linspace(-1, 1, 5)
    ok, got = _call(fn, w.copy(), b, xs.copy(), ys.copy())
    if not ok:
        print(f"{_NO} {got}")
        return False
    X1, X2 = np.meshgrid(xs, ys)
    want = perceptron(np.stack([X1, X2], axis=-1), w, b)
    try:
        Z = np.asarray(got, dtype=float)
    except Exception:  # noqa: BLE001
        Z = None
    if Z is None:
        print(f"{_NO} {_name(fn)} returned {type(got).__name__}; expected a 2-D array of 0/1 numbers")
        return False
    if Z.shape == want.T.shape and Z.shape != want.shape:
        print(f"{_NO} {_name(fn)} returned shape {Z.shape}, expected {want.shape} = (len(ys), len(xs)): "
              "rows must follow ys (x2) and columns xs (x1). Did you transpose the grid?")
        return False
    if Z.shape != want.shape:
        print(f"{_NO} {_name(fn)} returned shape {Z.shape}, expected {want.shape} = (len(ys), len(xs))")
        return False
    bad = np.argwhere(~np.isclose(Z, want))
    if len(bad):
        for i, j in bad[:3]:
            print(f"{_NO} Z[{i}, {j}] (the point x1 = {xs[j]:.3g}, x2 = {ys[i]:.3g}) is {Z[i, j]:g}, "
                  f"expected {want[i, j]} (w·x + b = {w @ [xs[j], ys[i]] + b:.3g})")
        print(f"{Z.size - len(bad)} of {Z.size} grid points right.")
        return False
    print(f"{_OK} {_name(fn)} evaluates the perceptron correctly at all {Z.size} grid points.")
    return True
