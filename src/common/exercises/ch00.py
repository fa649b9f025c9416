"""Self-checks for the exercises of chapter 0, Prelude: the maths you need.

Each ``check_…`` function takes the learner's answer, prints one line per test
(``✓`` right, ``✗`` wrong, with what was expected and a hint), and returns ``True``
only when everything is right. Nothing here raises on a wrong or unfinished answer:
the chapter runs top to bottom with the stubs in place. Introduced in chapter 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from common.gradient import numerical_gradient
from common.translation import N_, _
from common.exercises._checking import (
    BAD as _BAD,
    OK as _OK,
    as_float as _as_float,
    call_reporting as _call,
    names_used as _names_used,
    report as _report,
    summary as _summary,
)

__all__ = [
    "g",
    "BROADCAST_QUESTIONS",
    "check_partial_by_hand",
    "check_central_difference",
    "check_broadcast_shapes",
    "check_chain_rule",
    "check_matrix_gradient",
]

_NUMERICAL_TOOLS = {"numerical_gradient", "numerical_diff", "central_partial", "gradient_check"}
"""Library and lesson functions that differentiate numerically: an exercise that asks for a
formula by hand, or for your own central difference, must not hand the work to them."""


def _show(arr: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in np.ravel(arr)) + "]"


# --- Exercise 1: a partial derivative by hand -------------------------------------------


def g(a: float, b: float, c: float) -> float:
    """The function of exercise 1: g(a, b, c) = a²·b + b·c + c³."""
    return a**2 * b + b * c + c**3


_PARTIAL_POINTS = [(1.0, 2.0, 3.0), (-2.0, 0.5, 1.0), (0.5, -1.0, -2.0), (3.0, 0.0, 0.25)]

_PARTIAL_MISTAKES: list[tuple[Callable[[float, float, float], float], str]] = [
    (lambda a, b, c: 2 * a * b, N_("that is ∂g/∂a (2ab): differentiate with respect to b instead")),
    (lambda a, b, c: b + 3 * c**2, N_("that is ∂g/∂c (b + 3c²): differentiate with respect to b instead")),
    (lambda a, b, c: a**2 * b + b * c, N_("you kept the factor b: the derivative of a²·b with respect to b is a²")),
    (lambda a, b, c: a**2, N_("the term b·c also contains b; its derivative with respect to b is c")),
    (lambda a, b, c: c, N_("the term a²·b also contains b; its derivative with respect to b is a²")),
    (lambda a, b, c: a**2 + c + 3 * c**2, N_("c³ does not contain b, so it is a constant and vanishes")),
]


def check_partial_by_hand(dg_db: Callable[[float, float, float], float]) -> bool:
    """Check a hand-derived ∂g/∂b for g(a, b, c) = a²·b + b·c + c³ at a few points.

    A numerical derivative of ``g`` (calling ``ch00.g`` or a numerical tool) is not
    a formula by hand and is rejected. Introduced in chapter 0, exercise 1.
    """
    shortcut = _names_used(dg_db) & (_NUMERICAL_TOOLS | {"g"})
    if shortcut:
        _report(_BAD, _("your function calls {names}: that differentiates g numerically. "
                      "Work out ∂g/∂b on paper and return that formula in a, b and c"
                      ).format(names=", ".join(sorted(shortcut))))
        return False
    wrong = 0
    for a, b, c in _PARTIAL_POINTS:
        expected = a**2 + c
        where = f"(a, b, c) = ({a:g}, {b:g}, {c:g})"  # maths: the same in every language
        value, error = _call(dg_db, a, b, c)
        got = _as_float(value)
        if error is not None:
            _report(_BAD, _("at {where} your function raised {error}").format(where=where, error=error))
        elif value is None:
            _report(_BAD, _("your function returned None at {where}: replace the stub with your formula"
                          ).format(where=where))
            return False
        elif got is None:
            _report(_BAD, _("at {where} your function returned {value!r}, not a number").format(where=where, value=value))
        elif np.isclose(got, expected, rtol=1e-9, atol=1e-12):
            _report(_OK, _("at {where}: ∂g/∂b = {expected:g}").format(where=where, expected=expected))
            continue
        else:
            hint = next((why for m, why in _PARTIAL_MISTAKES if np.isclose(got, m(a, b, c))), None)
            hint = hint or N_("treat a and c as constants and differentiate each term of g with respect to b")
            _report(_BAD, _("at {where} you returned {got:g}, expected {expected:g}: {hint}").format(
                where=where, got=got, expected=expected, hint=_(hint)))
        wrong += 1
    return _summary(wrong, len(_PARTIAL_POINTS))


# --- Exercise 2: a central-difference partial derivative --------------------------------

_DIFF_CASES: list[tuple[str, Callable[[np.ndarray], float], list[float], int, float]] = [
    ("f(x) = x₀² + x₁² + x₂² + 1", lambda x: x[0] ** 2 + x[1] ** 2 + x[2] ** 2 + 1, [1.0, -2.0, 3.0], 0, 2.0),
    ("f(x) = x₀² + x₁² + x₂² + 1", lambda x: x[0] ** 2 + x[1] ** 2 + x[2] ** 2 + 1, [1.0, -2.0, 3.0], 2, 6.0),
    ("f(x) = x₀³ · x₁", lambda x: x[0] ** 3 * x[1], [2.0, 0.5], 0, 6.0),
    ("f(x) = x₀³ · x₁", lambda x: x[0] ** 3 * x[1], [2.0, 0.5], 1, 8.0),
    ("f(x) = sin(x₀) · exp(x₁)", lambda x: np.sin(x[0]) * np.exp(x[1]), [0.3, -0.7], 1, np.sin(0.3) * np.exp(-0.7)),
]


def check_central_difference(partial: Callable[[Callable[[np.ndarray], float], np.ndarray, int], float]) -> bool:
    """Check ``partial(f, x, i)``, a central-difference estimate of ∂f/∂x_i at the point x.

    The estimate must agree with the exact derivative to about 1e-6 (a forward
    difference with h = 1e-4 does not), must leave ``x`` unchanged, and must
    nudge only entry ``i`` (the library's ``numerical_gradient`` nudges them all).
    Introduced in chapter 0, exercise 2.
    """
    library = _names_used(partial) & (_NUMERICAL_TOOLS - {"central_partial"})
    if library:
        _report(_BAD, _("your function calls {names} from the library: write the central difference "
                      "yourself, nudging entry i of a copy of x by +h and by −h"
                      ).format(names=", ".join(sorted(library))))
        return False
    wrong = 0
    for name, f, point, i, expected in _DIFF_CASES:
        x = np.array(point)
        before = x.copy()
        where = _("∂f/∂x{i} of {f} at x = {x}").format(i="₀₁₂"[i], f=name, x=point)
        seen: list[np.ndarray] = []

        def recorded(v: np.ndarray, f: Callable[[np.ndarray], float] = f) -> float:
            seen.append(np.array(v, dtype=float, copy=True))
            return f(v)

        value, error = _call(partial, recorded, x, i)
        others = [j for v in seen if v.shape == before.shape
                  for j in np.flatnonzero(v != before) if j != i]
        got = _as_float(value)
        if error is not None:
            _report(_BAD, _("{where}: your function raised {error}").format(where=where, error=error))
        elif value is None:
            _report(_BAD, _("your function returned None for {where}: replace the stub with your code"
                          ).format(where=where))
            return False
        elif got is None:
            _report(_BAD, _("{where}: expected one number, got {value!r}").format(where=where, value=value))
        elif not np.array_equal(x, before):
            _report(_BAD, _("{where}: your function changed x from {before} to {after}; "
                          "nudge a copy (x.copy()) or put the entry back after each evaluation"
                          ).format(where=where, before=_show(before), after=_show(x)))
        elif others:
            _report(_BAD, _("{where}: your function also nudged entry {j}, which makes "
                          "{n} evaluations of f where 2 are enough. Nudge only entry i"
                          ).format(where=where, j=others[0], n=len(seen)))
        elif np.isclose(got, expected, rtol=1e-6, atol=1e-8):
            _report(_OK, _("{where} = {got:.6f} (exact {expected:.6f})").format(where=where, got=got, expected=expected))
            continue
        elif got == 0.0 and expected != 0.0:
            _report(_BAD, _("{where}: you returned 0, expected {expected:.6f}. Is h so small that x + h == x "
                          "in floating point? Try h = 1e-4").format(where=where, expected=expected))
        elif np.isclose(got, expected, rtol=1e-2):
            _report(_BAD, _("{where}: you returned {got:.8f}, exact {expected:.8f}: close, but not accurate "
                          "enough. A forward difference (f(x+h) − f(x))/h has an error proportional to h; "
                          "use the central difference (f(x+h) − f(x−h)) / (2h) with h = 1e-4"
                          ).format(where=where, got=got, expected=expected))
        else:
            _report(_BAD, _("{where}: you returned {got:.6f}, expected {expected:.6f}. Nudge only entry i, "
                          "by +h and by −h, and divide the difference of f by 2h"
                          ).format(where=where, got=got, expected=expected))
        wrong += 1
    return _summary(wrong, len(_DIFF_CASES))


# --- Exercise 3: predict broadcast shapes ------------------------------------------------

BROADCAST_QUESTIONS: list[tuple[str, dict[str, tuple[int, ...]]]] = [
    ("X @ W + b", {"X": (100, 784), "W": (784, 50), "b": (50,)}),
    ("A + B", {"A": (3, 1), "B": (4,)}),
    ("A + B", {"A": (2, 3), "B": (2,)}),
    ("A * B", {"A": (8, 1, 6), "B": (7, 1)}),
]
"""The four expressions of exercise 3 as (expression, shapes of its arrays)."""

_BROADCAST_OPS: list[Callable[..., np.ndarray]] = [
    lambda X, W, b: X @ W + b,
    lambda A, B: A + B,
    lambda A, B: A + B,
    lambda A, B: A * B,
]


def _question_text(k: int) -> str:
    expr, shapes = BROADCAST_QUESTIONS[k]
    return _("question {k}, {expr} with {shapes}").format(
        k=k + 1, expr=expr, shapes=", ".join(f"{n} {s}" for n, s in shapes.items()))


def _true_shape(k: int) -> tuple[int, ...] | str:
    """Evaluate question k on real (zero) arrays, so the answer key is NumPy itself."""
    arrays = [np.zeros(s) for s in BROADCAST_QUESTIONS[k][1].values()]
    try:
        return _BROADCAST_OPS[k](*arrays).shape
    except ValueError:
        return "error"


def _clash(k: int) -> str:
    """Describe the first pair of sizes, counted from the right, that cannot broadcast."""
    shapes = list(BROADCAST_QUESTIONS[k][1].values())[-2:]
    for back, (m, n) in enumerate(zip(reversed(shapes[0]), reversed(shapes[1])), start=1):
        if m != n and 1 not in (m, n):
            if back == 1:
                return _("the last sizes, {m} and {n}, differ and neither is 1").format(m=m, n=n)
            return _("the sizes on axis −{axis}, {m} and {n}, differ and neither is 1").format(axis=back, m=m, n=n)
    return _("two sizes differ and neither is 1")


def _normalise(answer: Any) -> tuple[int, ...] | str | None:
    if answer is None or answer is Ellipsis:
        return None
    if isinstance(answer, str):
        return answer.strip().lower()
    try:
        return tuple(int(n) for n in answer)
    except TypeError:
        return ("not-a-shape",)


def check_broadcast_shapes(answers: Sequence[Any]) -> bool:
    """Check predicted result shapes for the four expressions in ``BROADCAST_QUESTIONS``.

    Each answer is a tuple such as ``(3, 4)``, or the string ``"error"`` when NumPy
    refuses to broadcast. Introduced in chapter 0, exercise 3.
    """
    answers = list(answers) if isinstance(answers, (list, tuple)) else [answers]
    n = len(BROADCAST_QUESTIONS)
    if len(answers) != n:
        _report(_BAD, _("expected a list of {n} answers, one per question, got {got}").format(n=n, got=len(answers)))
        return False
    wrong = 0
    for k, answer in enumerate(answers):
        expected, mine = _true_shape(k), _normalise(answer)
        what = _question_text(k)
        if mine is None:
            _report(_BAD, _('{what}: not answered yet; replace {answer} with a shape such as (3, 4), or with "error"'
                          ).format(what=what, answer="..." if answer is Ellipsis else repr(answer)))
        elif mine == expected:
            _report(_OK, _("{what}: {expected}").format(what=what, expected=expected))
            continue
        elif mine == ("not-a-shape",):
            _report(_BAD, _("{what}: write a shape as a tuple such as (3,) or (3, 4), not {answer!r}"
                          ).format(what=what, answer=answer))
        elif isinstance(mine, str) and mine != "error":
            _report(_BAD, _('{what}: the only text answer accepted is "error", got {answer!r}'
                          ).format(what=what, answer=answer))
        elif expected == "error":
            _report(_BAD, _("{what}: you said {mine}, but NumPy refuses. Align the shapes on the right: {clash}"
                          ).format(what=what, mine=mine, clash=_clash(k)))
        elif mine == "error":
            _report(_BAD, _("{what}: you said error, but NumPy broadcasts this to {expected}. "
                          "A size of 1, or a missing leading axis, stretches to match the other array"
                          ).format(what=what, expected=expected))
        elif tuple(reversed(mine)) == expected:
            _report(_BAD, _("{what}: you said {mine}, expected {expected}: right sizes, wrong order. "
                          "Shapes are aligned on their last axis").format(what=what, mine=mine, expected=expected))
        else:
            _report(_BAD, _("{what}: you said {mine}, expected {expected}. Align the shapes on the right "
                          "and take the larger size where one of them is 1"
                          ).format(what=what, mine=mine, expected=expected))
        wrong += 1
    return _summary(wrong, n)


# --- Exercise 4: the chain rule with two paths --------------------------------------------


def _paths(c: float) -> tuple[float, float]:
    """The two path products of a = b₁·b₂ + b₂², b₁ = c², b₂ = 3c + 1."""
    b1, b2 = c**2, 3 * c + 1
    via_b1 = b2 * (2 * c)  # ∂a/∂b₁ · ∂b₁/∂c
    via_b2 = (b1 + 2 * b2) * 3  # ∂a/∂b₂ · ∂b₂/∂c
    return via_b1, via_b2


_CHAIN_POINTS = [-1.5, 0.0, 0.5, 2.0]


def check_chain_rule(da_dc: Callable[[float], float]) -> bool:
    """Check da/dc for a = b₁·b₂ + b₂² with b₁ = c² and b₂ = 3c + 1, at a few values of c.

    Introduced in chapter 0, exercise 4.
    """
    wrong = 0
    for c in _CHAIN_POINTS:
        via_b1, via_b2 = _paths(c)
        expected = via_b1 + via_b2
        b1, b2 = c**2, 3 * c + 1
        value, error = _call(da_dc, c)
        got = _as_float(value)
        where = f"c = {c:g}"
        if error is not None:
            _report(_BAD, _("at {where} your function raised {error}").format(where=where, error=error))
        elif value is None:
            _report(_BAD, _("your function returned None at {where}: replace the stub with your formula"
                          ).format(where=where))
            return False
        elif got is None:
            _report(_BAD, _("at {where} your function returned {value!r}, not a number").format(where=where, value=value))
        elif np.isclose(got, expected, rtol=1e-9, atol=1e-12):
            sign = "+" if via_b2 >= 0 else "−"
            _report(_OK, _("at {where}: da/dc = {expected:g} = {via_b1:g} (via b₁) {sign} {via_b2:g} (via b₂)").format(
                where=where, expected=expected, via_b1=via_b1, sign=sign, via_b2=abs(via_b2)))
            continue
        else:
            if np.isclose(got, via_b1) and via_b1 != expected:
                hint = _("you followed only the path through b₁; add the path through b₂")
            elif np.isclose(got, via_b2) and via_b2 != expected:
                hint = _("you followed only the path through b₂; add the path through b₁")
            elif np.isclose(got, via_b1 + (b1 + 2 * b2)):
                hint = _("on the path through b₂ you left out ∂b₂/∂c = 3")
            elif np.isclose(got, b2 + (b1 + 2 * b2) * 3):
                hint = _("on the path through b₁ you left out ∂b₁/∂c = 2c")
            else:
                hint = _("add one product ∂a/∂bₖ · ∂bₖ/∂c per intermediate variable bₖ")
            _report(_BAD, _("at {where} you returned {got:g}, expected {expected:g}: {hint}").format(
                where=where, got=got, expected=expected, hint=hint))
        wrong += 1
    return _summary(wrong, len(_CHAIN_POINTS))


# --- Exercise 5: the gradient of a matrix expression ----------------------------------------


def _matrix_case(seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2))


def check_matrix_gradient(dL_dW: Callable[[np.ndarray, np.ndarray, np.ndarray], Any]) -> bool:
    """Check ``dL_dW(X, W, G)``, the gradient of L(W) = Σ G ⊙ (X W) with respect to W.

    The answer must have the shape of W and equal Xᵀ G, which a central difference
    confirms. Introduced in chapter 0, exercise 5.
    """
    X, W, G = _matrix_case()
    expected = numerical_gradient(lambda w: float(np.sum(G * (X @ w))), W.copy())  # the answer key
    value, error = _call(dL_dW, X.copy(), W.copy(), G.copy())
    if error is not None:
        if "matmul" in error or "shapes" in error:
            _report(_BAD, _("your function raised {error}: a matrix product needs matching inner sizes; "
                          "∂L/∂W has the shape of W, {w}, so which product of X {x} and G {g} gives that shape?"
                          ).format(error=error, w=W.shape, x=X.shape, g=G.shape))
        else:
            _report(_BAD, _("your function raised {error}").format(error=error))
        return False
    if value is None:
        _report(_BAD, _("your function returned None: replace the stub with your formula"))
        return False
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        _report(_BAD, _("your function returned {type}, expected an array of shape {shape}"
                      ).format(type=type(value).__name__, shape=W.shape))
        return False
    wrong = 0
    if got.shape == W.shape:
        _report(_OK, _("the result has the shape of W, {shape}: one partial derivative per weight").format(shape=W.shape))
    elif got.shape == W.T.shape:
        _report(_BAD, _("the result has shape {got}, the shape of Wᵀ: ∂L/∂W must have the shape of W, "
                      "{shape}; transpose your answer (or swap the factors)").format(got=got.shape, shape=W.shape))
        return _summary(1, 2)
    else:
        _report(_BAD, _("the result has shape {got}, but ∂L/∂W has one entry per weight, the shape of W, "
                      "{shape}").format(got=got.shape, shape=W.shape))
        return _summary(1, 2)
    if np.allclose(got, expected, rtol=1e-7, atol=1e-9):
        _report(_OK, _("every entry agrees with a central difference on that weight"))
    else:
        wrong += 1
        if np.allclose(got, X.T @ np.ones_like(G)):
            hint = _("that is the gradient of Σ X W without G: each entry of X W is weighted by G")
        elif np.allclose(got, -expected):
            hint = _("the sign is flipped")
        else:
            hint = _("L = Σ_n Σ_k G[n, k] · Σ_i X[n, i] W[i, k], so ∂L/∂W[i, k] = Σ_n X[n, i] G[n, k]: "
                     "which matrix product is that?")
        _report(_BAD, _("wrong values: {hint}").format(hint=hint))
    return _summary(wrong, 2)
