"""Self-checks for the exercises of chapter 2, Neural networks.

Each ``check_…`` takes the learner's function, runs it on small cases whose
answers are known, prints one line per case (``✓`` right, ``✗`` wrong, with what
was expected and a hint) and returns ``True`` only if every case passed. A check
never raises: an exception in the learner's code, a warning, ``None`` or a wrong
shape is reported as a wrong answer.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from common.exercises._checking import BAD, names_used, not_done, report
from common.translation import N_, _
from common.functions import sigmoid, softmax, step_function
from common.lessons.universal_approximation import bump_network, predict_1d

__all__ = [
    "check_step_function",
    "check_softmax",
    "check_collapse",
    "check_forward",
    "check_accuracy",
    "check_first_layer",
    "check_sigmoid_derivative",
    "check_bump",
]

_Check = TypeVar("_Check", bound=Callable[..., bool])


class _NotDone(Exception):
    """The learner's stub still raises NotImplementedError."""


def _never_raises(check: _Check) -> _Check:
    """Turn an unfinished stub into one friendly line, and anything unexpected into False."""

    @functools.wraps(check)
    def wrapper(fn: Any, *args: Any, **kwargs: Any) -> bool:
        try:
            return check(fn, *args, **kwargs)
        except _NotDone:
            report(BAD, not_done(fn))
            return False
        except Exception as err:  # a strange answer must become a message, not a traceback
            report(BAD, _("could not check this answer: {error}").format(error=f"{type(err).__name__}: {err}"))
            return False

    return wrapper  # type: ignore[return-value]


def _ok(message: str) -> bool:
    report("✓", message)
    return True


def _fail(message: str) -> bool:
    report(BAD, message)
    return False


def _call(fn: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """Run the learner's ``fn``; return (result, None) or (None, why it failed).

    NumPy floating-point warnings (overflow, invalid value) are caught and
    reported rather than printed, so a wrong answer never leaves red text behind.
    """
    flags: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="call", call=lambda kind, _flag: flags.append(kind)):
                result = fn(*args)
    except NotImplementedError:
        raise _NotDone from None
    except Exception as err:  # the learner's code may raise anything
        return None, _("it raised {error}").format(error=f"{type(err).__name__}: {str(err).strip()}")
    if result is None:
        return None, _("it returned None: did you forget `return`?")
    if flags:
        kinds = ", ".join(sorted(set(flags)))
        return result, _("NumPy reported {kinds} in floating-point arithmetic").format(kinds=kinds)
    return result, None


def _overflowed(err: str | None) -> bool:
    """True when NumPy reported an overflow or an invalid value (an underflow to 0 is harmless)."""
    return err is not None and any(kind in err for kind in ("overflow", "invalid"))  # NumPy's words, in any language


def _fmt(a: Any) -> str:
    text = np.array2string(np.asarray(a, dtype=float), precision=4, suppress_small=True)
    return " ".join(text.split())  # one line, even for a 2-D array


def _library_shortcut(fn: Any, forbidden: set[str], library: Any = None) -> bool:
    """Print a refusal and return True when ``fn`` is, or calls, the library code it should replace."""
    if library is not None and fn is library:
        report(BAD, _("that is the library's {name}: write your own").format(name=getattr(library, "__name__", "function")))
        return True
    found = names_used(fn) & forbidden
    if found:
        report(BAD, _("your function calls {names}: write the computation yourself").format(names=", ".join(sorted(found))))
    return bool(found)


def _summary(results: list[bool]) -> bool:
    passed = sum(results)
    if all(results):
        print(_("All {n} checks passed.").format(n=len(results)))
        return True
    print(_("{passed} of {n} checks passed.").format(passed=passed, n=len(results)))
    return False


# ----------------------------------------------------------------------- exercise 1
@_never_raises
def check_step_function(fn: Callable[[np.ndarray], Any]) -> bool:
    """Exercise 1: a step function that takes a whole NumPy array at once.

    Introduced in chapter 2, Neural networks. Expects 1 where ``x > 0``, 0 where
    ``x <= 0``, the same shape as the input, for 1-D and 2-D arrays. The library's
    ``step_function`` may not do the work.
    """
    if _library_shortcut(fn, {"step_function"}, step_function):
        return False
    results = []
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    want = np.array([0, 0, 0, 1, 1])
    got, err = _call(fn, x)
    if err and got is None:
        if "truth value" in err:
            results.append(_fail(_("step([-2, -0.5, 0, 0.5, 3]) failed, {err}. Hint: `if x > 0` needs one "
                                   "True/False, but x is an array; compare the whole array instead, `x > 0`, "
                                   "and convert the booleans to numbers").format(err=err)))
        else:
            results.append(_fail(_("step([-2, -0.5, 0, 0.5, 3]) failed, {err}").format(err=err)))
    else:
        got = np.asarray(got)
        if got.shape != x.shape:
            results.append(_fail(_("step of 5 inputs returned shape {shape}, expected (5,)").format(shape=got.shape)))
        elif np.array_equal(got.astype(float), want) and got.dtype != bool:
            results.append(_ok(_("step([-2, -0.5, 0, 0.5, 3]) = [0 0 0 1 1]")))
        elif got.dtype == bool:
            results.append(_fail(_("it returned booleans (True/False): convert them to numbers, e.g. with .astype(int) or .astype(float)")))
        elif got[2] != 0 and np.array_equal(np.delete(got, 2).astype(float), np.delete(want, 2)):
            results.append(_fail(_("step(0) should be 0: the unit fires only when x is strictly greater than 0")))
        else:
            results.append(_fail(_("step([-2, -0.5, 0, 0.5, 3]) = {got}, expected [0 0 0 1 1]").format(got=_fmt(got))))
    x2 = np.array([[-1.0, 2.0, 0.0], [4.0, -3.0, 0.1]])
    got2, err2 = _call(fn, x2)
    if got2 is None:
        results.append(_fail(_("on a 2 × 3 array it failed, {err}").format(err=err2)))
    elif np.shape(got2) == x2.shape and np.array_equal(np.asarray(got2, dtype=float), x2 > 0):
        results.append(_ok(_("works on a 2 × 3 array and keeps its shape")))
    else:
        results.append(_fail(_("on [[-1, 2, 0], [4, -3, 0.1]] it returned {got}, expected [[0 1 0] [1 0 1]] with shape (2, 3)").format(got=_fmt(got2))))
    return _summary(results)


# ----------------------------------------------------------------------- exercise 2
@_never_raises
def check_softmax(fn: Callable[[np.ndarray], Any]) -> bool:
    """Exercise 2: a softmax that survives large scores and works on a batch.

    Introduced in chapter 2, Neural networks. Expects probabilities along the last
    axis, no overflow for scores like 1010, and one softmax per row of a 2-D input.
    The library's ``softmax`` may not do the work.
    """
    if _library_shortcut(fn, {"softmax", "log_softmax", "softmax_cross_entropy"}, softmax):
        return False
    results = []
    cases = [
        (N_("small scores [0.3, 2.9, 4.0]"), np.array([0.3, 2.9, 4.0])),
        (N_("large scores [1010, 1000, 990]"), np.array([1010.0, 1000.0, 990.0])),
    ]
    for label, a in cases:
        label = _(label)
        want = softmax(a)
        got, err = _call(fn, a)
        if got is None:
            results.append(_fail(_("{label}: {err}").format(label=label, err=err)))
            continue
        got = np.asarray(got, dtype=float)
        if got.shape != a.shape:
            results.append(_fail(_("{label}: returned shape {shape}, expected {want_shape}").format(label=label, shape=got.shape, want_shape=a.shape)))
        elif not np.all(np.isfinite(got)) or _overflowed(err):
            if err:
                results.append(_fail(_("{label}: got {got} ({err}); exp(1010) overflows to inf, so subtract the "
                                       "largest score before calling np.exp").format(label=label, got=_fmt(got), err=err)))
            else:
                results.append(_fail(_("{label}: got {got}; exp(1010) overflows to inf, so subtract the "
                                       "largest score before calling np.exp").format(label=label, got=_fmt(got))))
        elif np.allclose(got, want, rtol=1e-6, atol=1e-12):
            results.append(_ok(_("{label} -> {got}, sums to 1").format(label=label, got=_fmt(got))))
        else:
            results.append(_fail(_("{label}: got {got}, expected {want}").format(label=label, got=_fmt(got), want=_fmt(want))))
    batch = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])
    want = softmax(batch)
    got, err = _call(fn, batch)
    if got is None:
        results.append(_fail(_("a batch of two rows: {err}").format(err=err)))
    else:
        got = np.asarray(got, dtype=float)
        if got.shape != batch.shape:
            results.append(_fail(_("a batch of shape (2, 3) gave shape {shape}: keep the shape").format(shape=got.shape)))
        elif not np.all(np.isfinite(got)) or _overflowed(err):
            if err:
                results.append(_fail(_(
                    "a batch of two rows, [[1, 2, 3], [1000, 1000, 1000]]: got {got} ({err}); exp(1000) overflows "
                    "to inf. Subtract each row's own maximum, np.max(a, axis=-1, keepdims=True)"
                ).format(got=_fmt(got), err=err)))
            else:
                results.append(_fail(_(
                    "a batch of two rows, [[1, 2, 3], [1000, 1000, 1000]]: got {got}; exp(1000) overflows "
                    "to inf. Subtract each row's own maximum, np.max(a, axis=-1, keepdims=True)"
                ).format(got=_fmt(got))))
        elif np.allclose(got, want, rtol=1e-6, atol=1e-12):
            results.append(_ok(_("a batch of two rows: each row sums to 1")))
        else:
            sums = _fmt(np.nansum(got, axis=-1))
            results.append(_fail(
                _("a batch of two rows: row sums are {sums}, expected [1. 1.]; take the max and the sum along the last axis, with axis=-1 and keepdims=True").format(sums=sums)))
    return _summary(results)


# ----------------------------------------------------------------------- exercise 3
def _two_linear_layers(seed: int = 2) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)),
            rng.normal(size=2), rng.normal(size=(5, 3)))


@_never_raises
def check_collapse(fn: Callable[..., Any]) -> bool:
    """Exercise 3: merge two linear layers into one, ``(W, b) = fn(W1, b1, W2, b2)``.

    Introduced in chapter 2, Neural networks. The single layer must give
    ``x @ W + b == (x @ W1 + b1) @ W2 + b2`` for every input ``x``.
    """
    W1, b1, W2, b2, x = _two_linear_layers()
    want_W, want_b = W1 @ W2, b1 @ W2 + b2
    got, err = _call(fn, W1, b1, W2, b2)
    if got is None:
        if err and "broadcast" in err:
            return _summary([_fail(_("collapse(W1, b1, W2, b2) failed, {err}: b1 has 4 entries and b2 has 2, "
                                     "so b1 must first pass through W2").format(err=err))])
        return _summary([_fail(_("collapse(W1, b1, W2, b2) failed, {err}").format(err=err))])
    try:
        W, b = (np.asarray(v, dtype=float) for v in got)
    except (TypeError, ValueError):
        return _summary([_fail(_("it should return a pair (W, b), got {type}").format(type=type(got).__name__))])
    results = []
    if W.shape == want_W.T.shape and np.allclose(W, want_W.T):
        results.append(_fail(_("W is transposed: inputs are rows, so the product is W1 @ W2, of shape (3, 2)")))
    elif W.shape != want_W.shape:
        results.append(_fail(_("W has shape {shape}; with W1 of shape (3, 4) and W2 of shape (4, 2) the merged W must be (3, 2)").format(shape=W.shape)))
    elif np.allclose(W, want_W):
        results.append(_ok(_("W = W1 @ W2 has shape (3, 2)")))
    else:
        results.append(_fail(_("W is wrong: x first meets W1, then W2, so the merged matrix is W1 @ W2")))
    if b.shape != want_b.shape:
        results.append(_fail(_("b has shape {shape}, expected (2,), one bias per output").format(shape=b.shape)))
    elif np.allclose(b, want_b):
        results.append(_ok(_("b = b1 @ W2 + b2")))
    elif np.allclose(b, b2):
        results.append(_fail(_("b is only b2: the first bias b1 also passes through W2, add b1 @ W2")))
    else:
        results.append(_fail(_("b is wrong: expand (x @ W1 + b1) @ W2 + b2 and collect what does not multiply x")))
    if all(results):
        same = np.allclose(x @ W + b, (x @ W1 + b1) @ W2 + b2)
        results.append(_ok(_("one layer gives the same outputs as the two, on 5 random inputs"))
                       if same else _fail(_("the merged layer gives different outputs")))
    return _summary(results)


# ----------------------------------------------------------------------- exercise 4
def _small_network(seed: int = 4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = [2, 3, 2, 2]
    net: dict[str, np.ndarray] = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        net[f"W{i}"] = rng.normal(size=(n_in, n_out))
        net[f"b{i}"] = rng.normal(size=n_out)
    return net


def _reference_forward(net: dict[str, np.ndarray], x: np.ndarray, *, out=lambda a: a,
                       bias: bool = True, act=sigmoid) -> np.ndarray:
    a = x
    for i in (1, 2, 3):
        a = a @ net[f"W{i}"] + (net[f"b{i}"] if bias else 0)
        a = act(a) if i < 3 else out(a)
    return a


@_never_raises
def check_forward(fn: Callable[[dict[str, np.ndarray], np.ndarray], Any]) -> bool:
    """Exercise 4: the forward pass of a 2-3-2-2 network, ``y = fn(network, x)``.

    Introduced in chapter 2, Neural networks. Hidden layers use sigmoid, the
    output the identity; ``x`` may be one input of shape (2,) or a batch (N, 2).
    Calling the chapter's ``forward`` or a library network does not count.
    """
    if _library_shortcut(fn, {"forward", "predict", "MultiLayerNet", "net_small"}):
        return False
    if getattr(fn, "__name__", "") == "forward":
        report(BAD, _("that is the chapter's forward from section 4: write my_forward yourself"))
        return False
    net = _small_network()
    results = []
    for label, x in ((_("one input of shape (2,)"), np.array([1.0, 0.5])),
                     (_("a batch of shape (4, 2)"), np.random.default_rng(5).normal(size=(4, 2)))):
        want = _reference_forward(net, x)
        got, err = _call(fn, {k: v.copy() for k, v in net.items()}, x)
        if got is None:
            results.append(_fail(_("{label}: {err}").format(label=label, err=err)))
            continue
        got = np.asarray(got, dtype=float)
        if got.shape != want.shape:
            results.append(_fail(_("{label}: output shape {shape}, expected {want_shape}").format(label=label, shape=got.shape, want_shape=want.shape)))
        elif np.allclose(got, want):
            results.append(_ok(_("{label}: output {got}").format(label=label, got=_fmt(got)) if x.ndim == 1
                               else _("{label}: output shape {shape}").format(label=label, shape=got.shape)))
        elif np.allclose(got, _reference_forward(net, x, out=sigmoid)):
            results.append(_fail(_("{label}: you applied sigmoid to the output layer; the output activation here is the identity").format(label=label)))
        elif np.allclose(got, _reference_forward(net, x, bias=False)):
            results.append(_fail(_("{label}: the biases are missing: add b1, b2 and b3").format(label=label)))
        elif np.allclose(got, _reference_forward(net, x, act=lambda a: np.maximum(a, 0))):
            results.append(_fail(_("{label}: the hidden layers should use sigmoid, not ReLU").format(label=label)))
        else:
            results.append(_fail(_("{label}: got {got}, expected {want}; check each layer is a = x @ W + b followed by its activation").format(label=label, got=_fmt(got), want=_fmt(want))))
    return _summary(results)


# ----------------------------------------------------------------------- exercise 5
@_never_raises
def check_accuracy(fn: Callable[[np.ndarray, np.ndarray], Any]) -> bool:
    """Exercise 5: batch accuracy, ``fn(y, t)`` for scores ``y`` of shape (N, 10).

    Introduced in chapter 2, Neural networks. ``t`` holds labels (N,) or one-hot
    rows (N, 10); the answer is the fraction of rows whose largest score is at
    the true class, a float in [0, 1].
    """
    rng = np.random.default_rng(7)
    n = 12
    y = rng.normal(size=(n, 10))
    t = y.argmax(axis=1)
    t[[1, 4, 9]] = (t[[1, 4, 9]] + 3) % 10  # three mistakes: accuracy 9 / 12
    want = 0.75
    results = []
    for label, targets in ((_("labels of shape (12,)"), t), (_("one-hot labels of shape (12, 10)"), np.eye(10)[t])):
        got, err = _call(fn, y, targets)
        if got is None:
            if err and "broadcast" in err and targets.ndim == 2:
                message = _("{label}: {err}; turn one-hot rows back into labels with argmax(axis=1) first")
            elif err and "broadcast" in err:
                message = _("{label}: {err}; did you take argmax over axis 0? The classes are along axis 1")
            else:
                message = _("{label}: {err}")
            results.append(_fail(message.format(label=label, err=err)))
            continue
        try:
            value = float(np.asarray(got))
        except (TypeError, ValueError):
            results.append(_fail(_("{label}: expected one number, got {type} of shape {shape}").format(label=label, type=type(got).__name__, shape=np.shape(got))))
            continue
        if np.isclose(value, want):
            results.append(_ok(_("{label}: accuracy {value:g} (9 of 12 right)").format(label=label, value=value)))
        elif np.isclose(value, 9):
            results.append(_fail(_("{label}: returned the count 9; divide by the batch size to get a fraction").format(label=label)))
        elif targets.ndim == 2:
            results.append(_fail(_("{label}: got {value:g}, expected 0.75; turn one-hot rows back into labels with argmax(axis=1) first").format(label=label, value=value)))
        else:
            results.append(_fail(_("{label}: got {value:g}, expected 0.75; compare y.argmax(axis=1) with t").format(label=label, value=value)))
    return _summary(results)


# ----------------------------------------------------------------------- try it: section 4
@_never_raises
def check_first_layer(network: dict[str, np.ndarray], x: np.ndarray, a1: Any) -> bool:
    """Try it (section 4): the first layer's weighted sums ``a1 = x @ W1 + b1``, worked out by hand.

    Introduced in chapter 2, Neural networks. ``network`` and ``x`` are the chapter's;
    ``a1`` is the learner's list of numbers.
    """
    if a1 is None or a1 is Ellipsis or (isinstance(a1, (list, tuple)) and any(v is Ellipsis for v in a1)):
        return _fail(_("not done yet: replace each ... with a number you worked out by hand"))
    want = np.asarray(x, dtype=float) @ network["W1"] + network["b1"]
    try:
        got = np.asarray(a1, dtype=float)
    except (TypeError, ValueError):
        return _fail(_("expected {n} numbers, got {a1!r}").format(n=want.size, a1=a1))
    if got.shape != want.shape:
        return _fail(_("expected {n} numbers, one per unit of the first hidden layer, got {got}").format(n=want.size, got=got.size))
    if np.allclose(got, want, atol=5e-3):
        return _ok(_("a1 = {want}: right, the first layer by hand").format(want=_fmt(want)))
    if np.allclose(got, np.asarray(x, dtype=float) @ network["W1"], atol=5e-3):
        return _fail(_("you left out the biases b1"))
    if np.allclose(got, sigmoid(want), atol=5e-3):
        return _fail(_("those are the sigmoid outputs z1; a1 is the weighted sum before the sigmoid"))
    j = int(np.argmax(np.abs(got - want)))
    return _fail(_("not quite: check unit {j}, which adds x₁·W1[0, {j}] + x₂·W1[1, {j}] + b1[{j}] (column {j} of W1 holds its weights)").format(j=j))


# ----------------------------------------------------------------------- exercise 6
@_never_raises
def check_sigmoid_derivative(dsigma_du: Callable[[Any], Any], du_dx: Callable[[Any], Any],
                             slope_from_output: Callable[[Any], Any]) -> bool:
    """Exercise 6: σ′(x) = σ(x)(1 − σ(x)) by the chain rule, with σ = 1/u and u = 1 + e^(−x).

    Introduced in chapter 2, Neural networks. ``dsigma_du(u)`` is dσ/du as a function of
    ``u``, ``du_dx(x)`` is du/dx as a function of ``x``, and ``slope_from_output(y)`` is
    σ′ written with the output ``y = σ(x)`` alone, the form chapter 4 uses.
    """
    if _library_shortcut(slope_from_output, {"sigmoid_grad", "sigmoid", "tanh_grad"}):
        return False
    results = []
    u = np.array([1.5, 2.0, 4.0, 11.0])
    got, err = _call(dsigma_du, u.copy())
    if got is None:
        results.append(_fail(_("dσ/du: {err}").format(err=err)))
    elif np.allclose(np.asarray(got, dtype=float), -1 / u**2, rtol=1e-9):
        results.append(_ok(_("dσ/du = −1/u²")))
    elif np.allclose(np.asarray(got, dtype=float), 1 / u**2, rtol=1e-9):
        results.append(_fail(_("dσ/du has the wrong sign: 1/u = u⁻¹, whose derivative is −u⁻²")))
    else:
        results.append(_fail(_("dσ/du is wrong: write 1/u as u⁻¹ and use d(uⁿ)/du = n·uⁿ⁻¹")))
    x = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    got, err = _call(du_dx, x.copy())
    if got is None:
        results.append(_fail(_("du/dx: {err}").format(err=err)))
    elif np.allclose(np.asarray(got, dtype=float), -np.exp(-x), rtol=1e-9):
        results.append(_ok(_("du/dx = −e^(−x)")))
    elif np.allclose(np.asarray(got, dtype=float), np.exp(-x), rtol=1e-9):
        results.append(_fail(_("du/dx has the wrong sign: e^(−x) is e^v with v = −x, and dv/dx = −1 (the chain rule once more)")))
    else:
        results.append(_fail(_("du/dx is wrong: the 1 is a constant, and the derivative of e^v is e^v")))
    y = np.array([0.5, 0.1, 0.9, 0.99, 0.25])
    got, err = _call(slope_from_output, y.copy())
    want = y * (1 - y)
    if got is None:
        results.append(_fail(_("σ′ from y: {err}").format(err=err)))
    else:
        got = np.asarray(got, dtype=float)
        wrong = [(y * (1 + y), _("y(1 + y): check the sign of e^(−x) = (1 − y)/y")),
                 (1 - y**2, _("1 − y²: that is tanh′ written with tanh's output, not the sigmoid's")),
                 (y**2 * (1 - y), _("y²(1 − y): (−1/u²)·(−e^(−x)) = e^(−x)/u², and 1/u² = y² but e^(−x) = (1 − y)/y")),
                 (1 - y, _("1 − y: one factor y is missing")), (y, _("y: one factor (1 − y) is missing"))]
        if got.shape == y.shape and np.allclose(got, want, rtol=1e-9):
            results.append(_ok(_("σ′ = y(1 − y), written with the output y = σ(x) alone")))
        else:
            hint = next((why for value, why in wrong if got.shape == y.shape and np.allclose(got, value)), None)
            message = (_("σ′ from y is wrong: {hint}. Multiply the two derivatives, then use 1/u = y and "
                         "e^(−x) = u − 1 = (1 − y)/y") if hint else
                       _("σ′ from y is wrong. Multiply the two derivatives, then use 1/u = y and "
                         "e^(−x) = u − 1 = (1 − y)/y"))
            results.append(_fail(message.format(hint=hint)))
    return _summary(results)


# ----------------------------------------------------------------------- exercise 7
@_never_raises
def check_bump(fn: Callable[..., Any]) -> bool:
    """Exercise 7: ``fn(x, left, right, height)``, a bump from two sigmoid units of gain 50.

    Introduced in chapter 2, Neural networks. The output must equal the network of
    :func:`common.lessons.universal_approximation.bump_network`, which the answer may
    not call.
    """
    if _library_shortcut(fn, {"bump_network", "predict_1d", "staircase_network"}):
        return False
    results = []
    x = np.linspace(-3, 3, 121)
    for left, right, height in ((-1.0, 1.0, 3.0), (0.5, 2.0, -1.5)):
        label = _("bump on [{left:g}, {right:g}] of height {height:g}").format(left=left, right=right, height=height)
        want = predict_1d(bump_network(left, right, height), x)
        got, err = _call(fn, x.copy(), left, right, height)
        if got is None:
            results.append(_fail(_("{label}: {err}").format(label=label, err=err)))
            continue
        got = np.asarray(got, dtype=float)
        if got.shape != x.shape:
            results.append(_fail(_("{label}: returned shape {shape}, expected {want_shape}, one output per input").format(label=label, shape=got.shape, want_shape=x.shape)))
        elif np.allclose(got, want, atol=1e-6):
            results.append(_ok(_("{label}: height {height:g} inside, 0 outside").format(label=label, height=height)))
        elif np.allclose(got, -want, atol=1e-6):
            results.append(_fail(_("{label}: upside down; the unit that steps at left adds +height").format(label=label)))
        elif np.allclose(got, height * sigmoid(50 * (x - left)), atol=1e-6):
            results.append(_fail(_("{label}: only one step; subtract a second step at right").format(label=label)))
        elif np.allclose(got, height * (sigmoid(x - left) - sigmoid(x - right)), atol=1e-6):
            results.append(_fail(_("{label}: the gain is missing: each unit computes sigmoid(50·(x − position))").format(label=label)))
        elif np.allclose(got, height * (sigmoid(50 * x - left) - sigmoid(50 * x - right)), atol=1e-6):
            results.append(_fail(_("{label}: the step sits at the wrong place: weight 50 and bias −50·left put the step at x = left").format(label=label)))
        else:
            results.append(_fail(_("{label}: wrong values; output = height·sigmoid(50(x − left)) − height·sigmoid(50(x − right))").format(label=label)))
    return _summary(results)
