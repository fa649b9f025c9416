"""Self-checks for the exercises of the appendix (information theory and a look ahead).

Each ``check_…`` takes your function, runs it on cases whose answers come from
the course library, prints one line per problem (``✓`` right, ``✗`` wrong, with
the input, what you returned and what was expected) and returns ``True`` or
``False``. A check never raises: an unfinished stub (``raise
NotImplementedError``) or a crash in your code becomes a message. Calling the
library function that a check compares against (``entropy`` for exercise 1, …)
is caught too: the point is to write it yourself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from common.exercises._checking import (
    BAD as _NO,
    call as _call,
    name as _name,
    not_done as _not_done,
    own_calls as _own_calls,
    shortcut as _shortcut,
    verdict as _verdict,
    watching as _watching,
)
from common.functions import sigmoid
from common.lessons import gan as _gan
from common.lessons import information as _info
from common.lessons import one_shot as _one_shot
from common.lessons import recurrent as _recurrent
from common.translation import _

__all__ = [
    "check_entropy_bits",
    "check_kl_divergence",
    "check_mutual_information",
    "check_lstm_step",
    "check_generator_gradients",
    "check_nearest_prototype",
]

_INFORMATION = {name: getattr(_info, name) for name in (
    "entropy", "cross_entropy", "kl_divergence", "js_divergence", "binary_entropy", "joint_entropy",
    "conditional_entropy", "mutual_information", "pixel_label_information")}


def _scipy_versions(*names: str) -> dict[str, Callable]:
    """SciPy's ready-made versions of the same quantities, if the learner has imported SciPy."""
    found = {}
    for module, attr in (("scipy.stats", "entropy"), ("scipy.special", "entr"), ("scipy.special", "rel_entr"),
                         ("scipy.special", "kl_div"), ("scipy.spatial.distance", "cdist"),
                         ("scipy.special", "expit")):
        if module in sys.modules and attr in names and hasattr(sys.modules[module], attr):
            found[f"{module}.{attr}"] = getattr(sys.modules[module], attr)
    return found


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


def _compare_scalars(fn: Callable, cases: list[tuple], wants: list[float], what: str,
                     hints: Callable[[float, float, tuple], str] | None = None) -> tuple[list[str], bool]:
    """Call ``fn`` on each case; return the wrong lines, and False if it crashed (already reported).

    ``what`` (the expected quantity) and what ``hints`` return are translated messages; a hint
    is ``""`` when no typical slip explains the value.
    """
    wrong: list[str] = []
    for args, want in zip(cases, wants):
        ok, got = _call(fn, *[np.array(a, dtype=float) for a in args])
        if not ok:
            print(f"{_NO} {got}")
            return wrong, False
        value = _number(got)
        call = f"{_name(fn)}(" + ", ".join(_show(a) for a in args) + ")"
        if value is None:
            wrong.append(_("{call} returned {got}; expected one number ({what})").format(
                call=call, got=repr(got), what=what))
        elif not (np.isclose(value, want, rtol=1e-6, atol=1e-9) or (np.isinf(want) and value == want)):
            with _own_calls():
                hint = hints(value, want, args) if hints else ""
            message = (_("{call} returned {value:.6g}, expected {want:.6g}: {hint}") if hint
                       else _("{call} returned {value:.6g}, expected {want:.6g}"))
            wrong.append(message.format(call=call, value=value, want=want, hint=hint))
    return wrong, True


# --------------------------------------------------------------------- exercise 1
def check_entropy_bits(fn: Callable) -> bool:
    """Exercise 1: ``fn(p)`` is the entropy of the distribution ``p`` in bits, with 0·log 0 = 0."""
    cases = [([0.5, 0.5],), ([1.0, 0.0],), ([0.25] * 4,), ([0.9, 0.1],), ([0.5, 0.25, 0.125, 0.125],),
             ([0.7, 0.0, 0.2, 0.1],)]
    wants = [_info.entropy(p, base=2) for (p,) in cases]

    def hint(value: float, want: float, args: tuple) -> str:
        if np.isclose(value, _info.entropy(args[0])):
            return _("that is the entropy in nats; use np.log2 for bits")
        if np.isnan(value):
            return _("0·log 0 must count as 0 (skip zero probabilities)")
        if np.isclose(value, -want):
            return _("the sign is wrong, H = −Σ p log p")
        return ""
    with np.errstate(all="ignore"), _watching(fn, {**_INFORMATION, **_scipy_versions("entropy", "entr")}) as used:
        wrong, finished = _compare_scalars(fn, cases, wants, _("the entropy in bits"), hint)
    if _shortcut(fn, used, _("write −Σ p log₂ p with NumPy yourself")):
        return False
    if not finished:
        return False
    return _verdict(wrong, len(cases), _("All 6 entropies right, in bits, including a zero probability."))


# --------------------------------------------------------------------- exercise 2
def check_kl_divergence(fn: Callable) -> bool:
    """Exercise 2: ``fn(p, q)`` is KL(p‖q) in nats; 0 where p = 0, infinite where q = 0 < p."""
    cases = [([0.5, 0.5], [0.5, 0.5]), ([0.9, 0.1], [0.5, 0.5]), ([0.5, 0.5], [0.9, 0.1]),
             ([0.2, 0.3, 0.5], [0.1, 0.6, 0.3]), ([0.0, 0.4, 0.6], [0.2, 0.2, 0.6]), ([0.5, 0.5], [1.0, 0.0])]
    wants = [_info.kl_divergence(p, q) for p, q in cases]

    def hint(value: float, want: float, args: tuple) -> str:
        if np.isinf(want):
            return _("q says the second outcome is impossible but p gives it probability 1/2, "
                     "so the divergence is infinite (np.log of p/0 is inf)")
        if np.isclose(value, _info.kl_divergence(args[1], args[0])):
            return _("that is KL(q‖p); the divergence is not symmetric, weight by p")
        if np.isclose(value, _info.kl_divergence(*args, base=2)):
            return _("that is KL in bits; this exercise asks for nats (np.log)")
        if np.isclose(value, -want):
            return _("the sign is flipped, use log(p / q)")
        if np.isnan(value):
            return _("terms with p = 0 must count as 0")
        return ""
    library = {**_INFORMATION, **_scipy_versions("entropy", "rel_entr", "kl_div")}
    with np.errstate(all="ignore"), _watching(fn, library) as used:
        wrong, finished = _compare_scalars(fn, cases, wants, _("KL(p‖q) in nats"), hint)
    if _shortcut(fn, used, _("write Σ p log(p / q) with NumPy yourself")):
        return False
    if not finished:
        return False
    return _verdict(wrong, len(cases), _("KL(p‖q) right on all cases, including p = q (0), an asymmetric pair "
                                         "and q = 0 < p (infinite)."))


# --------------------------------------------------------------------- exercise 3
_MI_CASES = [
    np.array([[0.25, 0.25], [0.25, 0.25]]),                # independent fair bits
    _info.binary_channel(0.1),                              # a bit through a noisy channel
    np.array([[0.5, 0.0], [0.0, 0.5]]),                     # Y = X
    np.array([[0.30, 0.10, 0.00], [0.05, 0.15, 0.40]]),     # two rows, three columns
    np.array([[0.20, 0.15, 0.05], [0.00, 0.10, 0.10], [0.05, 0.05, 0.30]]),  # asymmetric square
]


def _table(pxy: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:g}" for v in row) + "]" for row in pxy) + "]"


def _mi_hint(value: float, pxy: np.ndarray) -> str:
    px, py = pxy.sum(axis=1), pxy.sum(axis=0)
    h = {k: _info.entropy(v, base=2) for k, v in (("x", px), ("y", py), ("xy", pxy.ravel()))}
    with np.errstate(all="ignore"):
        swapped = _info.kl_divergence(pxy.ravel(), np.outer(py, px).ravel(), base=2)
    if np.isclose(value, h["x"] + h["y"]):
        return _("that is H(X) + H(Y); subtract the joint entropy H(X, Y)")
    if np.isclose(value, h["xy"]):
        return _("that is the joint entropy H(X, Y), not the information the two share")
    if np.isclose(value, _info.mutual_information(pxy)):
        return _("that is the mutual information in nats; this exercise asks for bits (log base 2)")
    if np.isclose(value, _info.kl_divergence(np.outer(px, py).ravel(), pxy.ravel(), base=2)):
        return _("that is KL(p(x)p(y) ‖ p(x, y)), the other way round; weight by the joint p(x, y)")
    if np.isclose(value, swapped):
        return _("p(x) and p(y) are swapped in the product; p(x) = pxy.sum(axis=1) runs down the rows, "
                 "p(y) = pxy.sum(axis=0) along the columns")
    return ""


def check_mutual_information(fn: Callable) -> bool:
    """Exercise 3: ``fn(pxy)`` is I(X; Y) in bits for a joint table (x along rows, y along columns)."""
    wants = [_info.mutual_information(p, base=2) for p in _MI_CASES]
    wrong: list[str] = []
    with np.errstate(all="ignore"), _watching(fn, {k: _INFORMATION[k] for k in (
            "mutual_information", "conditional_entropy", "pixel_label_information")}) as used:
        for pxy, want in zip(_MI_CASES, wants):
            ok, got = _call(fn, pxy.copy())
            rows, cols, table = pxy.shape[0], pxy.shape[1], _table(pxy)
            if not ok:
                stub = got == _not_done(fn)
                print(f"{_NO} {got}" if stub else f"{_NO} " + _("on the {rows}×{cols} table {table}: {err}").format(
                    rows=rows, cols=cols, table=table, err=got))
                return False
            value = _number(got)
            where = _("the {rows}×{cols} table {table}").format(rows=rows, cols=cols, table=table)
            if value is None:
                wrong.append(_("{where}: returned {got}; expected one number (bits)").format(where=where, got=repr(got)))
            elif not np.isclose(value, want, rtol=1e-6, atol=1e-9):
                with _own_calls():
                    hint = _mi_hint(value, pxy)
                message = (_("{where}: returned {value:.6g}, expected {want:.6g}: {hint}") if hint
                           else _("{where}: returned {value:.6g}, expected {want:.6g}"))
                wrong.append(message.format(where=where, value=value, want=want, hint=hint))
    if _shortcut(fn, used, _("build it from p(x), p(y) and a KL divergence (or entropies) yourself")):
        return False
    return _verdict(wrong, len(_MI_CASES), _("I(X; Y) right on all 5 tables: 0 for independent bits, 1 bit when "
                                             "Y copies X, and the non-square and asymmetric ones too."))


# --------------------------------------------------------------------- exercise 4
def _lstm_variants(x: np.ndarray, h: np.ndarray, c: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                   b: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Typical slips, each as the (h, c) it would return, to name what went wrong."""
    a = x @ Wx + h @ Wh + b
    f, i, o, g = np.split(a, 4, axis=1)
    sf, si, so, tg = sigmoid(f), sigmoid(i), sigmoid(o), np.tanh(g)
    out = {}
    c1 = si * c + sf * tg
    out[_("the blocks are in the order (f, i, o, g): forget first, then input")] = (so * np.tanh(c1), c1)
    c2 = sf * c + si * tg
    out[_("the output gate is missing: h = o ⊙ tanh(c)")] = (np.tanh(c2), c2)
    out[_("tanh(c) is missing: h = o ⊙ tanh(c)")] = (so * c2, c2)
    c3 = sf * c + tg
    out[_("the input gate is missing: c = f ⊙ c_prev + i ⊙ g")] = (so * np.tanh(c3), c3)
    c4 = sf * c + si * sigmoid(g)
    out[_("the candidate g takes tanh, not the sigmoid")] = (so * np.tanh(c4), c4)
    c5 = c + si * tg
    out[_("the forget gate is missing: c = f ⊙ c_prev + i ⊙ g")] = (so * np.tanh(c5), c5)
    return out


def check_lstm_step(fn: Callable) -> bool:
    """Exercise 4: ``fn(x, h_prev, c_prev, Wx, Wh, b)`` returns ``(h, c)``, one LSTM step for a batch.

    The four blocks of H columns are, in order, the forget gate f, the input gate i,
    the output gate o (sigmoids) and the candidate g (tanh), as in
    :func:`common.lessons.recurrent.lstm_cell`.
    """
    rng = np.random.default_rng(8)
    cases = []
    for n, d, hid in ((1, 1, 1), (2, 3, 2), (4, 2, 3)):
        cases.append((rng.normal(size=(n, d)), rng.normal(size=(n, hid)), rng.normal(size=(n, hid)),
                      rng.normal(size=(d, 4 * hid)), rng.normal(size=(hid, 4 * hid)), rng.normal(size=4 * hid)))
    wants = [_recurrent.lstm_cell(*case) for case in cases]
    wrong: list[str] = []
    library = {"lstm_cell": _recurrent.lstm_cell, "lstm_forward": _recurrent.lstm_forward}
    with _watching(fn, library) as used:
        for case, (want_h, want_c) in zip(cases, wants):
            ok, got = _call(fn, *(a.copy() for a in case))
            if not ok:
                print(f"{_NO} {got}")
                return False
            shapes = f"x {case[0].shape}, h_prev {case[1].shape}"
            try:
                h, c = (np.asarray(v, dtype=float) for v in got)
            except (TypeError, ValueError):
                wrong.append(_("with {shapes}: returned {type}; expected a pair (h, c) of arrays").format(
                    shapes=shapes, type=type(got).__name__))
                continue
            if h.shape != want_h.shape or c.shape != want_c.shape:
                wrong.append(_("with {shapes}: returned shapes {h_shape} and {c_shape}, expected (N, H) = "
                               "{want_shape} for both").format(shapes=shapes, h_shape=h.shape, c_shape=c.shape,
                                                               want_shape=want_h.shape))
                continue
            if np.allclose(h, want_h) and np.allclose(c, want_c):
                continue
            if np.allclose(h, want_c) and np.allclose(c, want_h):
                wrong.append(_("with {shapes}: h and c are swapped; return (h, c)").format(shapes=shapes))
                continue
            hint = next((text for text, (vh, vc) in _lstm_variants(*case).items()
                         if np.allclose(h, vh) and np.allclose(c, vc)), "")
            what = _("c (and so h)") if not np.allclose(c, want_c) else "h"
            message = (_("with {shapes}: {what} differs from lstm_cell: {hint}") if hint
                       else _("with {shapes}: {what} differs from lstm_cell"))
            wrong.append(message.format(shapes=shapes, what=what, hint=hint))
    if _shortcut(fn, used, _("write the gates and the two updates with NumPy yourself")):
        return False
    return _verdict(wrong, len(cases), _("Your LSTM step matches common.lessons.recurrent.lstm_cell for batches "
                                         "of 1, 2 and 4, every gate in its place."))


# --------------------------------------------------------------------- exercise 5
def check_generator_gradients(fn: Callable) -> bool:
    """Exercise 5: ``fn(d)`` returns the derivatives of the generator's two losses with respect to the
    discriminator's logit, ``(saturating, non_saturating)``, for verdicts ``d = D(G(z))``.

    The saturating loss is ``log(1 - D)``, the non-saturating one ``-log D``, and ``D = σ(a)``.
    """
    d = np.array([0.001, 0.01, 0.1, 0.5, 0.9, 0.99])
    want = _gan.generator_logit_gradients(d)
    want_s, want_n = want["saturating"], want["non-saturating"]
    with np.errstate(all="ignore"), _watching(fn, {"generator_logit_gradients": _gan.generator_logit_gradients}) as used:
        ok, got = _call(fn, d.copy())
    if _shortcut(fn, used, _("differentiate the two losses with respect to the logit yourself")):
        return False
    if not ok:
        print(f"{_NO} {got}")
        return False
    try:
        sat, non = (np.asarray(v, dtype=float) for v in got)
    except (TypeError, ValueError):
        print(f"{_NO} " + _("{name}(d) returned {type}; expected a pair of arrays "
                            "(saturating, non_saturating), one value per entry of d").format(
                                name=_name(fn), type=type(got).__name__))
        return False
    if sat.shape != d.shape or non.shape != d.shape:
        print(f"{_NO} " + _("returned shapes {sat_shape} and {non_shape}; expected one value per entry of d, "
                            "{shape}").format(sat_shape=sat.shape, non_shape=non.shape, shape=d.shape))
        return False
    wrong: list[str] = []
    slips = {
        _("that is the derivative with respect to D, −1/(1 − D); multiply by dD/da = D(1 − D)"): -1 / (1 - d),
        _("that is the derivative with respect to D, −1/D; multiply by dD/da = D(1 − D)"): -1 / d,
        _("the sign is flipped: the loss falls as the logit rises"): None,
    }
    for label, got_v, want_v, other in ((_("saturating"), sat, want_s, want_n),
                                        (_("non-saturating"), non, want_n, want_s)):
        if np.allclose(got_v, want_v):
            continue
        hint = ""
        if np.allclose(got_v, other):
            hint = _("that is the other loss's derivative; return (saturating, non_saturating)")
        elif np.allclose(got_v, -want_v):
            hint = list(slips)[2]
        else:
            for text, slip in list(slips.items())[:2]:
                if slip is not None and np.allclose(got_v, slip):
                    hint = text
        message = (_("{label} loss: returned {got} for d = {d}, expected {want}: {hint}") if hint
                   else _("{label} loss: returned {got} for d = {d}, expected {want}"))
        wrong.append(message.format(label=label, got=_show(got_v), d=_show(d), want=_show(want_v), hint=hint))
    return _verdict(wrong, 2, _("Both derivatives right: −D for log(1 − D), which vanishes when the discriminator "
                                "rejects the fakes, and −(1 − D) for −log D, which is largest exactly then."))


# --------------------------------------------------------------------- exercise 6
def check_nearest_prototype(fn: Callable) -> bool:
    """Exercise 6: ``fn(support_x, support_t, query_x)`` labels each query by its nearest support row (Euclidean)."""
    rng = np.random.default_rng(3)
    cases = [
        (np.array([[0.0, 0.0], [10.0, 10.0]]), np.array([0, 1]), np.array([[1.0, 2.0], [9.0, 8.0], [6.0, 6.0]])),
        (np.array([[0.0, 1.0], [1.0, 0.0], [3.0, 3.0]]), np.array([7, 2, 5]), np.array([[0.1, 0.8], [2.0, 2.5]])),
        # Euclidean and city-block distances disagree here: (0, 0) is nearer (0.95, 0.95) by the first
        (np.array([[1.4, 0.0], [0.95, 0.95]]), np.array([4, 9]), np.array([[0.0, 0.0], [2.0, 0.0]])),
        (rng.normal(size=(5, 8)), np.array([5, 6, 7, 8, 9]), rng.normal(size=(12, 8))),
    ]
    wants = [_one_shot.nearest_prototype(sx, st, qx) for sx, st, qx in cases]
    library = {"nearest_prototype": _one_shot.nearest_prototype, "pairwise_distances": _one_shot.pairwise_distances,
               "one_shot_accuracy": _one_shot.one_shot_accuracy, **_scipy_versions("cdist")}
    wrong: list[str] = []
    with _watching(fn, library) as used:
        for (sx, st, qx), want in zip(cases, wants):
            ok, got = _call(fn, sx.copy(), st.copy(), qx.copy())
            if not ok:
                print(f"{_NO} {got}")
                return False
            try:
                arr = np.asarray(got)
            except (TypeError, ValueError):
                wrong.append(_("{n} queries: returned {got}, expected an array of {n} labels").format(
                    n=len(qx), got=repr(got)))
                continue
            if arr.shape != want.shape:
                wrong.append(_("{n} queries, {k} support rows: returned shape {shape}, "
                               "expected one label per query {want_shape}").format(
                                   n=len(qx), k=len(sx), shape=arr.shape, want_shape=want.shape))
                continue
            if np.array_equal(arr, want):
                continue
            diff = qx[:, None] - sx[None]
            idx = np.argmin((diff ** 2).sum(-1), axis=1)
            hint = ""
            if np.array_equal(arr, idx):
                hint = _("return support_t[nearest index], not the index itself")
            elif np.array_equal(arr, st[np.argmax((diff ** 2).sum(-1), axis=1)]):
                hint = _("that is the farthest example (argmax); take the argmin")
            elif np.array_equal(arr, st[np.argmin(np.abs(diff).sum(-1), axis=1)]):
                hint = _("that is the city-block (L1) distance; use the Euclidean one, Σ (q − s)²")
            message = (_("{n} queries, labels {labels}: returned {got}, expected {want}: {hint}") if hint
                       else _("{n} queries, labels {labels}: returned {got}, expected {want}"))
            wrong.append(message.format(n=len(qx), labels=st.tolist(), got=arr.tolist(), want=want.tolist(),
                                        hint=hint))
    if _shortcut(fn, used, _("compute the distances with broadcasting yourself")):
        return False
    return _verdict(wrong, len(cases), _("Every query gets the label of its nearest support example."))
