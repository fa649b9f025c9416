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
    names_used as _names_used,
    report as _report,
    verdict as _verdict,
)
from common.translation import N_, _
from common.lessons.perceptron import (INPUTS, full_adder, gate_name, perceptron, perceptron_update,
                                      trace_circuit)

__all__ = [
    "check_gates",
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


def _uses_library(fn: Callable, forbidden: set[str], what: str) -> bool:
    """Print a refusal and return True when ``fn``'s code calls one of the ``forbidden`` names."""
    found = _names_used(fn) & forbidden
    if found:
        _report(_NO, _("{name} calls {names} from the library: {hint}").format(
            name=_name(fn), names=", ".join(sorted(found)), hint=_(what)))
    return bool(found)


# --------------------------------------------------------------------- your first code
_GATE_TABLES = {"AND": (0, 0, 0, 1), "NAND": (1, 1, 1, 0), "OR": (0, 1, 1, 1)}
_GATE_PROBES: dict[str, list[tuple[tuple[float, float], int, str]]] = {
    # Points off the square where every perceptron with the gate's truth table agrees, because
    # the weighted sum is linear. A rule written with if/and/== gets them wrong.
    "AND": [((2.0, 2.0), 1, N_("w₁ + w₂ + b > 0 and b ≤ 0 give 2w₁ + 2w₂ + b > 0")),
            ((-1.0, 0.0), 0, N_("w₁ + w₂ + b > 0 and w₂ + b ≤ 0 give w₁ > 0, so −w₁ + b < 0"))],
    "NAND": [((2.0, 2.0), 0, N_("w₁ + w₂ + b ≤ 0 and b > 0 give 2w₁ + 2w₂ + b < 0")),
             ((-1.0, 0.0), 1, N_("w₁ + w₂ + b ≤ 0 and w₂ + b > 0 give w₁ < 0, so −w₁ + b > 0")),
             ((-1.0, -1.0), 1, N_("w₁ < 0, w₂ < 0 and b > 0 give −w₁ − w₂ + b > 0"))],
    "OR": [((-1.0, -1.0), 0, N_("w₁ + b > 0 and w₂ + b > 0 with b ≤ 0 give w₁, w₂ > 0, so −w₁ − w₂ + b < 0")),
           ((2.0, 0.0), 1, N_("w₁ + b > 0 and b ≤ 0 give 2w₁ + b > 0"))],
}


def check_gates(AND: Callable, NAND: Callable, OR: Callable) -> bool:
    """Your first code: AND, NAND and OR, each one perceptron ``(x1, x2) -> 0 or 1``.

    Checks the four rows of each truth table, and two points off the unit square where
    any perceptron with that truth table must agree (the weighted sum is linear), which
    catches a gate written as an ``if`` rule instead of weights and a bias. A gate may
    not be built from the others or from the library's weights. Introduced in chapter 1.
    """
    ok_all = True
    for label, fn in (("AND", AND), ("NAND", NAND), ("OR", OR)):
        others = ({"AND", "NAND", "OR", "XOR", "GATE_WEIGHTS", "gate", "half_adder"} - {label}) & _names_used(fn)
        if others:
            _report(_NO, _("{gate} uses {names}: give each gate its own weights and bias").format(
                gate=label, names=", ".join(sorted(others))))
            ok_all = False
            continue
        rows, problem = [], None
        for (x1, x2), want in zip(INPUTS.tolist(), _GATE_TABLES[label]):
            ok, got = _call(fn, x1, x2)
            bit = _as_bit(got) if ok else None
            if not ok or got is None:
                problem = (_("{where} returned None: not done yet, replace `...` with the three "
                             "lines of a perceptron").format(where=f"{label}({x1}, {x2})") if ok else got)
                break
            if bit is None:
                problem = _("{where} returned {got!r}; expected 0 or 1").format(where=f"{label}({x1}, {x2})", got=got)
                break
            rows.append(bit)
        if problem is None and tuple(rows) != _GATE_TABLES[label]:
            wrong = [f"({a}, {c}) → {r}" for (a, c), r, t in zip(INPUTS.tolist(), rows, _GATE_TABLES[label]) if r != t]
            problem = _("{gate} gives {rows}; its truth table is {table} (yours computes {yours})").format(
                gate=label, rows=", ".join(wrong), table=_GATE_TABLES[label], yours=gate_name(rows))
        if problem is None:
            for (x1, x2), want, why in _GATE_PROBES[label]:
                ok, got = _call(fn, x1, x2)
                if not ok or _as_bit(got) != want:
                    shown = got if ok else _("an error")
                    problem = _("{where} returned {shown}, but every perceptron with {gate}'s truth table "
                                "outputs {want} there ({hint}). Write the gate as a weighted sum and a threshold, "
                                "not as an if rule").format(where=f"{label}({x1:g}, {x2:g})", shown=shown,
                                                            gate=label, want=want, hint=_(why))
                    break
        if problem is None:
            _report(_OK, _("{gate} is a perceptron with the right truth table").format(gate=label))
        else:
            _report(_NO, problem)
            ok_all = False
    return ok_all


# --------------------------------------------------------------------- exercise 1
def check_perceptron(fn: Callable) -> bool:
    """Exercise 1: ``fn(x, w, b)`` returns 1 when ``w · x + b > 0`` and 0 otherwise, for one input.

    Checks hand-picked cases (including a sum of exactly 0, which must give 0) and 20
    random ones against :func:`common.lessons.perceptron.perceptron`, which the
    answer itself may not call.
    """
    if fn is perceptron or _uses_library(fn, {"perceptron", "weighted_sum", "gate"},
                                         N_("compute the weighted sum and the threshold yourself")):
        if fn is perceptron:
            _report(_NO, _("that is the library's perceptron: write your own function"))
        return False
    rng = np.random.default_rng(1)
    cases = [
        (np.array([1.0, 1.0]), np.array([0.5, 0.5]), -0.7),
        (np.array([1.0, 0.0]), np.array([0.5, 0.5]), -0.7),
        (np.array([1.0, 0.0]), np.array([0.5, 0.5]), -0.5),     # sum exactly 0: does not fire
        (np.array([0.0, 0.0]), np.array([-0.5, -0.5]), 0.7),
        (np.array([2.0, -1.0, 0.5]), np.array([0.1, 0.3, -0.2]), 0.15),  # three inputs
    ]
    cases += [(rng.uniform(-2, 2, 3), rng.uniform(-2, 2, 3), float(rng.uniform(-1, 1)))
              for _case in range(20)]
    wrong: list[str] = []
    for x, w, b in cases:
        ok, got = _call(fn, x.copy(), w.copy(), b)
        if not ok:
            _report(_NO, got)
            return False
        want = int(perceptron(x, w, b))
        bit = _as_bit(got)
        s = float(x @ w + b)
        call = f"{_name(fn)}(x={_show(x)}, w={_show(w)}, b={b:.3g})"
        if bit is None:
            wrong.append(_("{where} returned {got!r}; expected a single 0 or 1").format(where=call, got=got))
        elif bit != want:
            why = _("does not exceed 0") if want == 0 else _("exceeds 0")
            wrong.append(_("{where} returned {bit}, expected {want} (w·x + b = {s:.3g}, which {hint})").format(
                where=call, bit=bit, want=want, s=s, hint=why))
    return _verdict(wrong, len(cases), _("{name} agrees with common.lessons.perceptron.perceptron on all "
                                         "{n} cases, including a sum of exactly 0.").format(name=_name(fn), n=len(cases)))


# --------------------------------------------------------------------- exercise 2
def check_nor_weights(weights: object) -> bool:
    """Exercise 2: ``weights = (w1, w2, b)`` make one perceptron compute NOR (1 only for (0, 0))."""
    if weights is None:
        _report(_NO, _("Not done yet: set nor_weights = (w1, w2, b) to three numbers."))
        return False
    try:
        w1, w2, b = (float(v) for v in weights)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001
        _report(_NO, _("Expected three numbers (w1, w2, b), got {got!r}.").format(got=weights))
        return False
    outputs = perceptron(INPUTS, [w1, w2], b)
    want = np.array([1, 0, 0, 0])
    wrong = [_("input ({x1}, {x2}): your perceptron gives {y}, NOR gives {t} (w·x + b = {s:.3g})").format(
             x1=x1, x2=x2, y=y, t=t, s=x1 * w1 + x2 * w2 + b)
             for (x1, x2), y, t in zip(INPUTS, outputs, want) if y != t]
    if wrong:
        for line in wrong:
            _report(_NO, line)
        print(_("With these weights the perceptron computes {gate}, not NOR.").format(gate=gate_name(outputs)))
        return False
    _report(_OK, _("w = ({w1:g}, {w2:g}), b = {b:g} computes NOR on all four inputs.").format(w1=w1, w2=w2, b=b))
    return True


# --------------------------------------------------------------------- exercise 3
_XNOR_GATES = {"AND", "NAND", "OR"}


def _trace(fn: Callable, n_inputs: int) -> tuple[object | None, str | None]:
    """``trace_circuit(fn)`` or ``(None, why it is not a circuit of gates)``."""
    try:
        return trace_circuit(fn, n_inputs), None
    except TypeError as err:
        return None, str(err)
    except Exception as err:  # noqa: BLE001 - the learner's code may fail in any way
        return None, f"{type(err).__name__}: {err}"


def check_xnor(fn: Callable, n_perceptrons: object = None) -> bool:
    """Exercise 3: ``fn(x1, x2)`` is XNOR built from the gates AND, NAND, OR, XOR, and
    ``n_perceptrons`` is how many perceptrons it uses.

    The truth table is checked on bits; then the circuit is traced with symbolic wires
    (:func:`common.lessons.perceptron.trace_circuit`), which rejects Python shortcuts such as
    ``int(x1 == x2)`` or ``1 - XOR(x1, x2)`` and counts the perceptrons.
    """
    want = {(0, 0): 1, (0, 1): 0, (1, 0): 0, (1, 1): 1}
    wrong: list[str] = []
    got_table = []
    for (x1, x2), t in want.items():
        ok, got = _call(fn, x1, x2)
        if not ok:
            _report(_NO, got)
            return False
        bit = _as_bit(got)
        got_table.append(bit)
        where = f"{_name(fn)}({x1}, {x2})"
        if bit is None:
            wrong.append(_("{where} returned {got!r}; expected a single 0 or 1").format(where=where, got=got))
        elif bit != t:
            wrong.append(_("{where} returned {bit}, expected {want}").format(where=where, bit=bit, want=t))
    if not _verdict(wrong, 4, _("{name} computes XNOR on all four inputs.").format(name=_name(fn))):
        if None not in got_table:
            print(_("Your function computes {gate}, not XNOR.").format(gate=gate_name(got_table)))
        return False
    trace, why = _trace(fn, 2)
    if trace is None:
        _report(_NO, _("but it is not a circuit of gates: {hint}. Hint: NOT x is NAND(x, x)").format(hint=why))
        return False
    foreign = sorted(set(trace.gates) - _XNOR_GATES)
    if foreign:
        _report(_NO, _("your circuit uses {names}; this exercise allows only AND, NAND, OR and XOR").format(
            names=", ".join(foreign)))
        return False
    _report(_OK, _("it is a circuit of {circuit}.").format(circuit=trace.describe()))
    if n_perceptrons is None or n_perceptrons is Ellipsis:
        _report(_NO, _("Now answer the question: how many perceptrons does your circuit use? "
                       "Set the number in the cell and run the check again."))
        return False
    try:
        claimed = int(n_perceptrons)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        _report(_NO, _("expected the number of perceptrons as a whole number, got {got!r}").format(got=n_perceptrons))
        return False
    if claimed != trace.perceptrons:
        _report(_NO, _("you said {claimed} perceptrons, but the circuit has {n}. Count every gate call, and "
                       "remember that XOR is itself three perceptrons in two layers (NAND and OR, then AND)."
                       ).format(claimed=claimed, n=trace.perceptrons))
        return False
    _report(_OK, _("and you counted them right: {n}.").format(n=claimed))
    return True


# --------------------------------------------------------------------- exercise 4
def check_full_adder(fn: Callable) -> bool:
    """Exercise 4: ``fn(a, b, carry_in)`` returns ``(sum, carry_out)`` for all eight input bits,
    built from gates (traced with symbolic wires) and without the library's ``full_adder``."""
    if fn is full_adder:
        _report(_NO, _("that is the library's full_adder: build your own from two half_adders and an OR"))
        return False
    if _uses_library(fn, {"full_adder", "add_binary"}, N_("build the full adder from two half_adders and an OR")):
        return False
    wrong: list[str] = []
    for a, b, c in itertools.product((0, 1), repeat=3):
        ok, got = _call(fn, a, b, c)
        if not ok:
            _report(_NO, got)
            return False
        want = ((a + b + c) % 2, (a + b + c) // 2)
        try:
            pair = tuple(_as_bit(v) for v in got)  # type: ignore[union-attr]
        except TypeError:
            pair = ()
        if len(pair) != 2 or None in pair:
            wrong.append(_("{where} returned {got!r}; expected a pair (sum, carry) of 0/1").format(
                where=f"{_name(fn)}({a}, {b}, {c})", got=got))
        elif pair != want:
            wrong.append(_("{where} returned (sum={s}, carry={c}), expected (sum={ws}, carry={wc}) since {total}"
                           ).format(where=f"{_name(fn)}({a}, {b}, {c})", s=pair[0], c=pair[1], ws=want[0],
                                    wc=want[1], total=f"{a} + {b} + {c} = {a + b + c}"))
    if not _verdict(wrong, 8, _("{name} adds three bits correctly on all eight inputs.").format(name=_name(fn))):
        return False
    trace, why = _trace(fn, 3)
    if trace is None:
        _report(_NO, _("but it is not a circuit of gates: {hint}").format(hint=why))
        return False
    _report(_OK, _("it is a circuit of {circuit}.").format(circuit=trace.describe()))
    return True


# --------------------------------------------------------------------- exercise 5
def check_perceptron_update(fn: Callable) -> bool:
    """Exercise 5: ``fn(w, b, x, t, lr)`` returns the new ``(w, b)`` after one step of Rosenblatt's rule."""
    if _uses_library(fn, {"perceptron_update", "train_perceptron"}, N_("write the update w + lr·(t − y)·x yourself")):
        return False
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
            _report(_NO, got)
            return False
        want_w, want_b = perceptron_update(w, b, x, t, lr)
        call = f"{_name(fn)}(w={_show(w)}, b={b:g}, x={_show(x)}, t={t}, lr={lr:g})"
        try:
            got_w, got_b = got  # type: ignore[misc]
            got_w = np.asarray(got_w, dtype=float)
            got_b = float(got_b)
        except Exception:  # noqa: BLE001
            wrong.append(_("{where} returned {got!r}; expected a pair (new_w, new_b)").format(where=call, got=got))
            continue
        if got_w.shape != want_w.shape or not np.allclose(got_w, want_w) or not np.isclose(got_b, want_b):
            y = int(perceptron(x, w, b))
            hint = (_("the output was already right, so nothing should change") if y == t
                    else _("the output was {y}, the target {t}: move by lr·(t − y) = {step:g}").format(
                        y=y, t=t, step=lr * (t - y)))
            wrong.append(_("{where} returned w={w}, b={b:.3g}; expected w={want_w}, b={want_b:.3g} ({hint})").format(
                where=call, w=_show(got_w), b=got_b, want_w=_show(want_w), want_b=want_b, hint=hint))
    return _verdict(wrong, len(cases), _("{name} performs Rosenblatt's update correctly in all {n} cases.").format(
        name=_name(fn), n=len(cases)))


# --------------------------------------------------------------------- exercise 6
def check_output_grid(fn: Callable) -> bool:
    """Exercise 6 (seminar homework): ``fn(w, b, xs, ys)`` returns the 0/1 outputs on the grid.

    ``Z[i, j]`` must be the output at ``(xs[j], ys[i])``: rows follow ``ys``, as
    ``np.meshgrid`` and ``plt.imshow(..., origin="lower")`` expect. The library's
    ``output_grid`` does this already, so the answer may not call it.
    """
    if _uses_library(fn, {"output_grid", "draw_output_surface"}, N_("evaluate the perceptron on the grid yourself")):
        return False
    w, b = np.array([1.0, -0.5]), 0.1
    xs = np.linspace(-1, 1, 7)
    ys = np.linspace(-1, 1, 5)
    ok, got = _call(fn, w.copy(), b, xs.copy(), ys.copy())
    if not ok:
        _report(_NO, got)
        return False
    X1, X2 = np.meshgrid(xs, ys)
    want = perceptron(np.stack([X1, X2], axis=-1), w, b)
    try:
        Z = np.asarray(got, dtype=float)
    except Exception:  # noqa: BLE001
        Z = None
    if Z is None:
        _report(_NO, _("{name} returned {type}; expected a 2-D array of 0/1 numbers").format(
            name=_name(fn), type=type(got).__name__))
        return False
    if Z.shape == want.T.shape and Z.shape != want.shape:
        _report(_NO, _("{name} returned shape {got}, expected {want} = (len(ys), len(xs)): rows must follow ys (x2) "
                       "and columns xs (x1). Did you transpose the grid?").format(name=_name(fn), got=Z.shape,
                                                                                  want=want.shape))
        return False
    if Z.shape != want.shape:
        _report(_NO, _("{name} returned shape {got}, expected {want} = (len(ys), len(xs))").format(
            name=_name(fn), got=Z.shape, want=want.shape))
        return False
    bad = np.argwhere(~np.isclose(Z, want))
    if len(bad):
        for i, j in bad[:3]:
            _report(_NO, _("Z[{i}, {j}] (the point x1 = {x1:.3g}, x2 = {x2:.3g}) is {z:g}, expected {want} "
                           "(w·x + b = {s:.3g})").format(i=i, j=j, x1=xs[j], x2=ys[i], z=Z[i, j], want=want[i, j],
                                                         s=w @ [xs[j], ys[i]] + b))
        print(_("{right} of {total} grid points right.").format(right=Z.size - len(bad), total=Z.size))
        return False
    _report(_OK, _("{name} evaluates the perceptron correctly at all {n} grid points.").format(
        name=_name(fn), n=Z.size))
    return True
