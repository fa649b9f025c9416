"""Self-checks for the exercises of chapter 4, Backpropagation.

Each ``check_…`` function takes the learner's answer (numbers or a layer class),
prints one line per test (``✓`` right, ``✗`` wrong, with what was expected and a
hint), and returns ``True`` only when everything is right. Nothing here raises on
a wrong or unfinished answer: the chapter runs top to bottom with the stubs in
place. The reference answers come from :mod:`common.layers`. Introduced in chapter 4.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from common.exercises._checking import (
    BAD as _BAD,
    OK as _OK,
    as_array,
    number,
    report as _report,
    summary as _summary_of,
)
from common.translation import N_, _
from common.functions import cross_entropy_error
from common.layers import Affine, SoftmaxWithLoss, Tanh
from common.layers import Relu as _LibraryRelu
from common.networks import TwoLayerNet

__all__ = [
    "MELON_ORDER",
    "check_melon_gradients",
    "check_tanh_layer",
    "check_affine_layer",
    "check_softmax_with_loss",
    "buggy_network",
    "check_buggy_layer",
    "FLOW_VALUES",
    "check_flow_gradients",
]

def _summary(n_wrong: int, n_total: int) -> bool:
    return _summary_of(n_wrong, n_total, one_right=_("Correct."),
                       one_wrong=_("Not yet: read the lines above, fix, run again."))


def _try(what: str, func, *args: Any) -> tuple[Any, bool]:
    """Call ``func``; on an exception print what failed and return (None, False)."""
    try:
        return func(*args), True
    except Exception as exc:  # the learner's code may fail in any way; report it, do not raise
        _report(_BAD, _("{where} raised {error}").format(where=what, error=f"{type(exc).__name__}: {exc}"))
        return None, False


def _array(value: Any) -> np.ndarray | None:
    return None if value is None else as_array(value)


def _compare(what: str, got: Any, expected: np.ndarray, hints: list[tuple[np.ndarray, str]] = ()) -> bool:
    """Print ✓ or ✗ for one array; returns True when right."""
    arr = _array(got)
    if got is None:
        _report(_BAD, _("{what}: got None. Did you forget a `return`?").format(what=what))
        return False
    if arr is None or arr.shape != expected.shape:
        _report(_BAD, _("{what}: expected shape {shape}, got {got}").format(what=what, shape=expected.shape,
                                                                           got=np.shape(got)))
        return False
    if np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
        _report(_OK, what)
        return True
    for wrong, hint in hints:
        if wrong.shape == arr.shape and np.allclose(arr, wrong, rtol=1e-6, atol=1e-9):
            _report(_BAD, _("{label}: {err}").format(label=what, err=hint))
            return False
    err = np.max(np.abs(arr - expected))
    _report(_BAD, _("{what}: differs from the correct values by up to {diff:.3g}").format(what=what, diff=err))
    return False


def _instance(cls: Any, *args: Any, library: type | None = None) -> Any:
    if cls is None or cls is Ellipsis:
        _report(_BAD, _("not answered yet: pass your layer class"))
        return None
    if library is not None and isinstance(cls, type) and issubclass(cls, library):
        _report(_BAD, _("that is the library's common.layers.{name} (or built on it): write the "
                        "class yourself, with its own forward and backward").format(name=library.__name__))
        return None
    layer, ok = _try(_("creating {call}").format(call=f"{getattr(cls, '__name__', cls)}{args and '(W, b)' or '()'}"),
                     cls, *args)
    return layer if ok else None


# --- Exercise 1: gradients of a shopping bill by hand ----------------------------------------

MELON_ORDER: dict[str, float] = {"melon price": 3.0, "melons": 2.0, "delivery": 5.0, "tax": 1.25}
"""Exercise 1: total = (melon price × melons + delivery) × tax, with these values."""


def _melon_gradients() -> dict[str, float]:
    m = MELON_ORDER
    return {"melon price": m["melons"] * m["tax"], "melons": m["melon price"] * m["tax"],
            "delivery": m["tax"], "tax": m["melon price"] * m["melons"] + m["delivery"]}


def check_melon_gradients(answers: Mapping[str, Any]) -> bool:
    """Check ∂total/∂(each input) for total = (melon price × melons + delivery) × tax.

    ``answers`` maps each name in :data:`MELON_ORDER` to a number. Introduced in
    chapter 4, exercise 1.
    """
    expected = _melon_gradients()
    m = MELON_ORDER
    if not isinstance(answers, Mapping):
        _report(_BAD, _("expected a dict like {example}, got {kind}").format(
            example="{'melon price': ..., 'melons': ..., 'delivery': ..., 'tax': ...}", kind=type(answers).__name__))
        return False
    hints = {
        "melon price": {m["melons"]: _("you forgot the tax node: multiply by the upstream gradient 1.25"),
                        m["melon price"] * m["tax"]: _("a multiply node sends back the *other* input: melons × tax")},
        "melons": {m["melon price"]: _("you forgot the tax node: multiply by the upstream gradient 1.25"),
                   m["melons"] * m["tax"]: _("a multiply node sends back the *other* input: melon price × tax")},
        "delivery": {1.0: _("the add node passes 1.25 (not 1) on: the gradient arriving from the tax node")},
        "tax": {m["melon price"] * m["melons"]: _("the tax multiplies the whole subtotal, delivery included"),
                m["delivery"]: _("the tax multiplies the whole subtotal, melons included")},
    }
    wrong = 0
    for name, exact in expected.items():
        raw = answers.get(name)
        got = number(raw)
        if got is None:
            _report(_BAD, _("∂total/∂{name}: not answered yet (got {got})").format(name=name, got=repr(raw)))
        elif np.isclose(got, exact, rtol=1e-9, atol=1e-12):
            _report(_OK, _("∂total/∂{name} = {exact:g}").format(name=name, exact=exact))
            continue
        else:
            hint = next((h for v, h in hints[name].items() if np.isclose(got, v)), None)
            _report(_BAD, _("∂total/∂{name}: you said {got:g}. {hint}").format(
                name=name, got=got,
                hint=hint or _("walk back from the output: multiply the upstream gradient by each local gradient")))
        wrong += 1
    return _summary(wrong, len(expected))


# --- Exercises 2-4: layers ----------------------------------------------------------------------


def _data(shape: tuple[int, ...], seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(shape)
    x[0, 0] = 0.0  # the kink of ReLU: gradient 0 there, by our convention
    return x


def _dout_unchanged(dout: np.ndarray, before: np.ndarray) -> bool:
    if not np.array_equal(dout, before):
        _report(_BAD, _("backward changed dout in place: compute a new array (e.g. dout * mask, "
                        "np.where(...)) instead of writing into dout"))
        return False
    _report(_OK, _("backward leaves dout unchanged"))
    return True


def check_tanh_layer(cls: Any) -> bool:
    """Check a tanh layer class against :class:`common.layers.Tanh` (backward = dout · (1 − y²)).

    Introduced in chapter 4, exercise 2.
    """
    layer = _instance(cls, library=Tanh)
    if layer is None:
        return _summary(1, 1)
    x, dout = _data((3, 4), 2), _data((3, 4), 3)
    ref = Tanh()
    y_ref = ref.forward(x.copy())
    dx_ref = ref.backward(dout.copy())
    results = []
    y, ok = _try("forward", layer.forward, x.copy())
    results.append(ok and _compare(_("forward = tanh(x)"), y, y_ref))
    if ok:
        d = dout.copy()
        dx, ok = _try("backward", layer.backward, d)
        results.append(ok and _compare(_("backward = dout · (1 − y²)"), dx, dx_ref, [
            (dout * (1 - y_ref), _("the local gradient is 1 − y², not 1 − y")),
            (dout * (1 - x**2), _("use the forward *output* y = tanh(x), not the input x: 1 − y²")),
            (1 - y_ref**2, _("multiply the local gradient by the upstream gradient dout")),
            (dout * y_ref * (1 - y_ref), _("that is the sigmoid's local gradient; tanh's is 1 − y²")),
        ]))
        results.append(ok and _dout_unchanged(d, dout))
    return _summary(results.count(False) + (3 - len(results)), 3)


def check_affine_layer(cls: Any) -> bool:
    """Check an Affine layer class ``cls(W, b)``: forward ``x @ W + b``; backward returns dx, stores dW and db.

    Introduced in chapter 4, exercise 3.
    """
    rng = np.random.default_rng(4)
    W, b = rng.standard_normal((5, 3)), rng.standard_normal(3)
    x, dout = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    layer = _instance(cls, W.copy(), b.copy(), library=Affine)
    if layer is None:
        return _summary(1, 1)
    ref = Affine(W.copy(), b.copy())
    y_ref = ref.forward(x.copy())
    dx_ref = ref.backward(dout.copy())
    results = []
    y, ok = _try("forward", layer.forward, x.copy())
    results.append(ok and _compare(_("forward = x @ W + b"), y, y_ref, [(x @ W, _("add the bias b"))]))
    if ok:
        d = dout.copy()
        dx, ok = _try("backward", layer.backward, d)
        results.append(ok and _compare(_("backward returns dx = dout @ W.T"), dx, dx_ref))
        if ok:
            dW, db = getattr(layer, "dW", None), getattr(layer, "db", None)
            results.append(_compare(_("self.dW = x.T @ dout"), dW, ref.dW,
                                    [(ref.dW / 4, _("do not divide by the batch size here: "
                                                    "SoftmaxWithLoss already did"))]))
            results.append(_compare(_("self.db = dout summed over the batch (axis 0)"), db, ref.db,
                                    [(dout.mean(axis=0), _("sum over the batch, do not average")),
                                     (dout.sum(axis=1), _("sum over axis 0 (the batch), not axis 1"))]))
            if db is not None and np.shape(db) == (4, 3):
                print(_("  hint: db must have the shape of b, (3,): a bias is shared by every sample, "
                        "so its gradient adds up over the batch"))
    return _summary(results.count(False) + (4 - len(results)), 4)


def check_softmax_with_loss(cls: Any) -> bool:
    """Check a Softmax-with-Loss layer class: ``forward(x, t)`` returns the mean loss, ``backward()`` (y − t) / N.

    ``t`` is one-hot. Introduced in chapter 4, exercise 4.
    """
    layer = _instance(cls, library=SoftmaxWithLoss)
    if layer is None:
        return _summary(1, 1)
    rng = np.random.default_rng(5)
    x = 2 * rng.standard_normal((4, 6))
    t = np.eye(6)[[0, 5, 2, 2]]
    ref = SoftmaxWithLoss()
    loss_ref = ref.forward(x.copy(), t)
    dx_ref = ref.backward(1.0)
    y_ref = ref.y
    loss_eps = cross_entropy_error(y_ref, t)  # the same with the 1e-7 inside the log: also right
    results = []
    loss, ok = _try("forward", layer.forward, x.copy(), t.copy())
    if ok:
        got = _array(loss)
        if got is None or got.shape != ():
            _report(_BAD, _("forward must return one number (the mean loss), got {shape}").format(
                shape=np.shape(loss) if loss is not None else None))
            results.append(False)
        elif np.isclose(got, loss_ref, rtol=1e-5) or np.isclose(got, loss_eps, rtol=1e-5):
            _report(_OK, _("forward returns the mean cross-entropy {loss:.6f}").format(loss=float(got)))
            results.append(True)
        elif np.isclose(got, 4 * loss_ref, rtol=1e-5):
            _report(_BAD, _("forward returned {got:.6f} = 4 × {expected:.6f}: average over the batch of 4").format(
                got=float(got), expected=loss_ref))
            results.append(False)
        else:
            _report(_BAD, _("forward returned {got:.6f}, expected {expected:.6f}: "
                            "softmax each row, then −Σ t·log y, then average").format(got=float(got), expected=loss_ref))
            results.append(False)
        try:
            dx, ok = _try("backward", lambda: layer.backward(1.0))
        except Exception:  # pragma: no cover - _try catches everything
            ok = False
        if ok:
            results.append(_compare(_("backward = (y − t) / N"), dx, dx_ref, [
                (y_ref - t, _("divide by the batch size N: the loss is a mean")),
                (t - y_ref, _("the sign is reversed: it is y − t")),
                ((t - y_ref) / 4, _("the sign is reversed: it is (y − t) / N")),
            ]))
    return _summary(results.count(False) + (2 - len(results)), 2)


# --- Exercise 5: find the bug with a gradient check -------------------------------------------------


class Relu(_LibraryRelu):
    """A ReLU whose backward forgets to block the gradient where the input was not positive.

    Named like the library's layer so that listing the network's layers does not
    give the answer away; not exported.
    """

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * 1


def buggy_network(seed: int = 0) -> TwoLayerNet:
    """A small TwoLayerNet (5-4-3) in which exactly one layer's ``backward`` is wrong.

    Exercise 5 asks which parameters get wrong gradients (a gradient check of the
    network) and which layer is to blame (a gradient check of each layer in
    ``net.layers`` on its own). Introduced in chapter 4, exercise 5.
    """
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, seed=seed)
    net.layers["Relu1"] = Relu()
    return net


_LAYER_HINTS = {
    "Affine1": N_("Affine1 computes dW and db from its stored input and the dout that reaches it: if that dout "
                "is already wrong, W1 and b1 come out wrong although Affine1 is right. Check Affine1 on its own "
                "with layer_gradient_check: it agrees"),
    "Affine2": N_("W2 and b2 agree with the numerical gradient, and a layer_gradient_check of Affine2 (its dx "
                "included) agrees too"),
    "SoftmaxWithLoss": N_("a wrong loss layer would spoil every gradient, W2 and b2 included, and they agree; "
                        "look between the loss and W1"),
}


def check_buggy_layer(wrong_parameters: Any, buggy_layer: Any) -> bool:
    """Check exercise 5: the parameters whose gradients :func:`buggy_network` gets wrong, and the layer to blame.

    ``wrong_parameters`` is a set of names from W1, b1, W2, b2; ``buggy_layer`` a
    key of ``net.layers`` (or ``"SoftmaxWithLoss"``). Introduced in chapter 4,
    exercise 5.
    """
    params = {"W1", "b1", "W2", "b2"}
    expected = {"W1", "b1"}
    wrong = 0
    try:
        given = None if wrong_parameters is None or isinstance(wrong_parameters, str) else \
            {str(p).strip() for p in wrong_parameters}
    except TypeError:
        given = None
    if given is None:
        _report(_BAD, _("wrong_parameters: not answered yet: a set of names, e.g. {example}").format(example="{'W2'}"))
        wrong += 1
    elif given == expected:
        _report(_OK, _("wrong_parameters = {names}: their relative errors are far above 1e-6, "
                       "W2 and b2 agree").format(names="{'W1', 'b1'}"))
    else:
        unknown = sorted(given - params)
        if unknown:
            hint = (_("{names} is not parameters of the network: W1, b1, W2, b2") if len(unknown) == 1 else
                    _("{names} are not parameters of the network: W1, b1, W2, b2")).format(names=unknown)
        elif given < expected:
            hint = _("one more parameter is wrong: look at every key of the gradient check")
        else:
            hint = _("W2 and b2 agree with the numerical gradient: their relative errors are about 1e-10")
        _report(_BAD, _("wrong_parameters: you said {given}. {hint}").format(given=sorted(given), hint=hint))
        wrong += 1
    layer = None if buggy_layer is None or buggy_layer is Ellipsis else str(buggy_layer).strip()
    if layer is None:
        _report(_BAD, _("buggy_layer: not answered yet: a name from buggy.layers, such as 'Affine2'"))
        wrong += 1
    elif layer == "Relu1":
        _report(_OK, _("buggy_layer = 'Relu1': its backward passes dout on everywhere, forgetting to block it "
                       "where the input was not positive (the mask); what reaches Affine1 is wrong, so W1 and b1 are"))
    else:
        hint = _(_LAYER_HINTS.get(layer, N_("that is not a layer of the network: see list(buggy.layers) and "
                                            "'SoftmaxWithLoss' (buggy.last_layer)")))
        _report(_BAD, _("buggy_layer: you said {got}. {hint}").format(got=repr(layer), hint=hint))
        wrong += 1
    return _summary(wrong, 2)


# --- Exercise 6: three patterns of backward flow -------------------------------------------------------

FLOW_VALUES: dict[str, float] = {"x": 3.0, "y": 5.0, "z": 2.0}
"""Exercise 6: f = max(x · y, z) + x at these values."""


def _flow_gradients() -> dict[str, float]:
    v = FLOW_VALUES
    route = 1.0 if v["x"] * v["y"] >= v["z"] else 0.0  # max sends the gradient to the larger input
    return {"x": 1.0 + route * v["y"], "y": route * v["x"], "z": 1.0 - route}


def check_flow_gradients(answers: Mapping[str, Any]) -> bool:
    """Check ∂f/∂x, ∂f/∂y, ∂f/∂z for f = max(x · y, z) + x at :data:`FLOW_VALUES`.

    Introduced in chapter 4, exercise 6.
    """
    if not isinstance(answers, Mapping):
        _report(_BAD, _("expected a dict like {example}, got {kind}").format(
            example="{'x': ..., 'y': ..., 'z': ...}", kind=type(answers).__name__))
        return False
    v, expected = FLOW_VALUES, _flow_gradients()
    hints = {
        "x": {v["y"]: _("x is used twice: add the 1 that the + node sends to x directly"),
              1.0 + v["x"]: _("a multiply node swaps: the gradient to x is (upstream) × y, not × x"),
              1.0: _("max routes the gradient to x · y (the larger input), so x also gets y through the multiply")},
        "y": {v["y"]: _("a multiply node swaps: the gradient to y is (upstream) × x"),
              0.0: _("max routes the whole gradient to x · y, the larger input, not to z")},
        "z": {1.0: _("max routes the gradient only to its larger input; z = {z:g} is smaller than "
                     "x · y = {xy:g}").format(z=v["z"], xy=v["x"] * v["y"])},
    }
    wrong = 0
    for name, exact in expected.items():
        raw = answers.get(name)
        got = number(raw)
        if got is None:
            _report(_BAD, _("∂f/∂{name}: not answered yet (got {got})").format(name=name, got=repr(raw)))
        elif np.isclose(got, exact):
            _report(_OK, _("∂f/∂{name} = {exact:g}").format(name=name, exact=exact))
            continue
        else:
            hint = next((h for val, h in hints[name].items() if np.isclose(got, val)),
                        _("walk back from f: + distributes, max routes to the larger input, × swaps"))
            _report(_BAD, _("∂f/∂{name}: you said {got:g}. {hint}").format(name=name, got=got, hint=hint))
        wrong += 1
    return _summary(wrong, len(expected))
