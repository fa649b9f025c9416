"""Self-checks for the exercises of the appendix (information theory and a look ahead).

Each ``check_…`` takes your function, runs it on cases whose answers come from
the course library, prints one line per problem (``✓`` right, ``✗`` wrong, with
the input, what you returned and what was expected) and returns ``True`` or
``False``. A check never raises: an unfinished stub (``raise
NotImplementedError``) or a crash in your code becomes a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from common.exercises._checking import (
    BAD as _NO,
    OK as _OK,
    call as _call,
    name as _name,
    verdict as _verdict,
)
from common.lessons.gan import optimal_discriminator
from common.lessons.information import entropy, kl_divergence
from common.lessons.one_shot import nearest_prototype
from common.lessons.recurrent import rnn_cell

__all__ = [
    "check_entropy_bits",
    "check_kl_divergence",
    "check_cross_entropy_decomposition",
    "check_rnn_step",
    "check_optimal_discriminator",
    "check_nearest_prototype",
]


def _show(a: Any) -> str:
    arr = np.asarray(a)
    if arr.ndim == 0:
        return f"{float(arr):.4g}" if np.issubdtype(arr.dtype, np.number) else repr(a)
    if arr.ndim == 1 and np.issubdtype(arr.dtype, np.number):
        return "[" + ", ".join(f"{float(v):.3g}" for v in arr) + "]"
    return np.array2string(arr, precision=3, separator=", ", suppress_small=True, max_line_width=200)


def _number(v: Any) -> float | None:
    """Like :func:`common.exercises._checking.number`, except that ``None`` gives NaN here."""
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(arr) if arr.size == 1 else None


def _compare_scalars(fn: Callable, cases: list[tuple], reference: Callable, what: str,
                     hints: Callable[[float, float, tuple], str] | None = None) -> tuple[list[str], bool]:
    wrong: list[str] = []
    for args in cases:
        ok, got = _call(fn, *[np.array(a, dtype=float) for a in args])
        if not ok:
            print(f"{_NO} {got}")
            return wrong, False
        want = reference(*args)
        value = _number(got)
        call = f"{_name(fn)}(" + ", ".join(_show(a) for a in args) + ")"
        if value is None:
            wrong.append(f"{call} returned {got!r}; expected one number ({what})")
        elif not np.isclose(value, want, rtol=1e-6, atol=1e-9):
            hint = hints(value, want, args) if hints else ""
            wrong.append(f"{call} returned {value:.6g}, expected {want:.6g}{hint}")
    return wrong, True


# --------------------------------------------------------------------- exercise 1
def check_entropy_bits(fn: Callable) -> bool:
    """Exercise 1: ``fn(p)`` is the entropy of the distribution ``p`` in bits, with 0·log 0 = 0."""
    cases = [([0.5, 0.5],), ([1.0, 0.0],), ([0.25] * 4,), ([0.9, 0.1],), ([0.5, 0.25, 0.125, 0.125],),
             ([0.7, 0.0, 0.2, 0.1],)]

    def hint(value: float, want: float, args: tuple) -> str:
        nats = entropy(args[0])
        if np.isclose(value, nats):
            return ": that is the entropy in nats; use np.log2 for bits"
        if np.isnan(value):
            return ": 0·log 0 must count as 0 (skip zero probabilities)"
        if np.isclose(value, -want):
            return ": the sign is wrong, H = −Σ p log p"
        return ""
    with np.errstate(all="ignore"):
        wrong, finished = _compare_scalars(fn, cases, lambda p: entropy(p, base=2), "the entropy in bits", hint)
    if not finished:
        return False
    return _verdict(wrong, len(cases), "All 6 entropies right, in bits, including a zero probability.")


# --------------------------------------------------------------------- exercise 2
def check_kl_divergence(fn: Callable) -> bool:
    """Exercise 2: ``fn(p, q)`` is KL(p‖q) in nats; 0 where p = 0, infinite where q = 0 < p."""
    cases = [([0.5, 0.5], [0.5, 0.5]), ([0.9, 0.1], [0.5, 0.5]), ([0.5, 0.5], [0.9, 0.1]),
             ([0.2, 0.3, 0.5], [0.1, 0.6, 0.3]), ([0.0, 0.4, 0.6], [0.2, 0.2, 0.6])]

    def hint(value: float, want: float, args: tuple) -> str:
        if np.isclose(value, kl_divergence(args[1], args[0])):
            return ": that is KL(q‖p); the divergence is not symmetric, weight by p"
        if np.isclose(value, -want):
            return ": the sign is flipped, use log(p / q)"
        if np.isnan(value):
            return ": terms with p = 0 must count as 0"
        return ""
    with np.errstate(all="ignore"):
        wrong, finished = _compare_scalars(fn, cases, kl_divergence, "KL(p‖q) in nats", hint)
        if not finished:
            return False
        ok, got = _call(fn, np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    total = len(cases) + 1
    value = _number(got) if ok else None
    if value is None or not (np.isinf(value) and value > 0):
        shown = got if not ok else (value if value is not None else repr(got))
        wrong.append(f"KL([0.5, 0.5] ‖ [1, 0]) gave {shown}; expected inf: q says the second outcome is "
                     "impossible but it happens half the time")
    return _verdict(wrong, total, "KL(p‖q) right on all cases, including p = q (0), an asymmetric pair "
                                  "and q = 0 < p (infinite).")


# --------------------------------------------------------------------- exercise 3
def check_cross_entropy_decomposition(fn: Callable) -> bool:
    """Exercise 3: ``fn(t, y)`` is the cross-entropy −Σ t log y of one prediction, computed as H(t) + KL(t‖y)."""
    from common.lessons.information import cross_entropy

    cases = [([0, 0, 1], [0.1, 0.2, 0.7]), ([1, 0], [0.5, 0.5]), ([0.3, 0.7], [0.6, 0.4]),
             ([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])]

    def hint(value: float, want: float, args: tuple) -> str:
        if np.isclose(value, kl_divergence(*args)):
            return ": that is KL(t‖y) alone; add the entropy H(t)"
        if np.isclose(value, entropy(args[0])):
            return ": that is H(t) alone; add KL(t‖y)"
        return ""
    with np.errstate(all="ignore"):
        wrong, finished = _compare_scalars(fn, cases, cross_entropy, "the cross-entropy in nats", hint)
    if not finished:
        return False
    return _verdict(wrong, len(cases), "H(t, y) right on all 4 cases: for a one-hot t it is −log y of "
                                       "the true class, the loss of chapter 3.")


# --------------------------------------------------------------------- exercise 4
def check_rnn_step(fn: Callable) -> bool:
    """Exercise 4: ``fn(x, h_prev, Wx, Wh, b)`` is one RNN step ``tanh(x Wx + h_prev Wh + b)`` for a batch."""
    rng = np.random.default_rng(7)
    cases = []
    for n, d, h in ((1, 1, 1), (2, 3, 4), (5, 2, 3)):
        cases.append((rng.normal(size=(n, d)), rng.normal(size=(n, h)), rng.normal(size=(d, h)),
                      rng.normal(size=(h, h)), rng.normal(size=h)))
    wrong: list[str] = []
    for x, hp, Wx, Wh, b in cases:
        ok, got = _call(fn, x.copy(), hp.copy(), Wx.copy(), Wh.copy(), b.copy())
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = rnn_cell(x, hp, Wx, Wh, b)
        where = f"x {x.shape}, h_prev {hp.shape}"
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            wrong.append(f"with {where}: returned {got!r}, expected an array of shape {want.shape}")
            continue
        if arr.shape != want.shape:
            wrong.append(f"with {where}: returned shape {arr.shape}, expected {want.shape} (N, H)")
        elif not np.allclose(arr, want, atol=1e-8):
            if np.allclose(arr, x @ Wx + hp @ Wh + b):
                hint = ": the tanh is missing"
            elif np.allclose(arr, np.tanh(x @ Wx + b)):
                hint = ": the previous state h_prev @ Wh is missing"
            else:
                hint = ""
            wrong.append(f"with {where}: values differ from tanh(x @ Wx + h_prev @ Wh + b){hint}")
    return _verdict(wrong, len(cases), "Your RNN step matches common.lessons.recurrent.rnn_cell for batches of 1, 2 and 5.")


# --------------------------------------------------------------------- exercise 5
def check_optimal_discriminator(fn: Callable) -> bool:
    """Exercise 5: ``fn(p_data, p_g)`` is the best discriminator D*(x) = p_data / (p_data + p_g)."""
    cases = [([0.5, 0.5], [0.5, 0.5]), ([0.7, 0.2, 0.1], [0.1, 0.2, 0.7]), ([0.25, 0.25, 0.5], [0.5, 0.5, 0.0]),
             ([0.2, 0.8], [0.6, 0.4])]
    wrong: list[str] = []
    for pd, pg in cases:
        ok, got = _call(fn, np.array(pd), np.array(pg))
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = optimal_discriminator(pd, pg)
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            wrong.append(f"p_data={pd}, p_g={pg}: returned {got!r}; expected {_show(want)}")
            continue
        if arr.shape != want.shape or not np.allclose(arr, want):
            inverse = np.asarray(pg) / (np.asarray(pd) + np.asarray(pg))
            hint = (": that is p_g / (p_data + p_g), the probability of 'fake'" if arr.shape == want.shape
                    and np.allclose(arr, inverse) else "")
            wrong.append(f"p_data={pd}, p_g={pg}: returned {_show(arr)}, expected {_show(want)}{hint}")
    return _verdict(wrong, len(cases), "D* right in all 4 cases: 1/2 everywhere once the generator matches the data.")


# --------------------------------------------------------------------- exercise 6
def check_nearest_prototype(fn: Callable) -> bool:
    """Exercise 6: ``fn(support_x, support_t, query_x)`` labels each query by its nearest support row (Euclidean)."""
    rng = np.random.default_rng(3)
    cases = [
        (np.array([[0.0, 0.0], [10.0, 10.0]]), np.array([0, 1]), np.array([[1.0, 2.0], [9.0, 8.0], [6.0, 6.0]])),
        (np.array([[0.0, 1.0], [1.0, 0.0], [3.0, 3.0]]), np.array([7, 2, 5]), np.array([[0.1, 0.8], [2.0, 2.5]])),
        (rng.normal(size=(5, 8)), np.array([5, 6, 7, 8, 9]), rng.normal(size=(12, 8))),
    ]
    wrong: list[str] = []
    for sx, st, qx in cases:
        ok, got = _call(fn, sx.copy(), st.copy(), qx.copy())
        if not ok:
            print(f"{_NO} {got}")
            return False
        want = nearest_prototype(sx, st, qx)
        arr = np.asarray(got)
        if arr.shape != want.shape:
            wrong.append(f"{len(qx)} queries, {len(sx)} support rows: returned shape {arr.shape}, "
                         f"expected one label per query {want.shape}")
        elif not np.array_equal(arr, want):
            idx = np.argmin(((qx[:, None] - sx[None]) ** 2).sum(-1), axis=1)
            hint = ": return support_t[nearest index], not the index itself" if np.array_equal(arr, idx) else ""
            wrong.append(f"{len(qx)} queries, labels {st.tolist()}: returned {arr.tolist()}, "
                         f"expected {want.tolist()}{hint}")
    return _verdict(wrong, len(cases), "Every query gets the label of its nearest support example.")
