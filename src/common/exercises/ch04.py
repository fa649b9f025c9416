"""Self-checks for the exercises of chapter 4, Backpropagation.

Each ``check_…`` function takes the learner's answer (numbers or a layer class),
prints one line per test (``✓`` right, ``✗`` wrong, with what was expected and a
hint), and returns ``True`` only when everything is right. Nothing here raises on
a wrong or unfinished answer: the chapter runs top to bottom with the stubs in
place. The reference answers come from :mod:`common.layers`. Introduced in chapter 4.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np

from common.exercises._checking import (
    BAD as _BAD,
    OK as _OK,
    as_array,
    summary as _summary_of,
)
from common.functions import cross_entropy_error
from common.layers import Affine, SoftmaxWithLoss, Tanh
from common.networks import TwoLayerNet

__all__ = [
    "MELON_ORDER",
    "check_melon_gradients",
    "check_tanh_layer",
    "check_affine_layer",
    "check_softmax_with_loss",
    "buggy_network",
    "check_buggy_parameter",
]

_summary = partial(_summary_of, one_right="Correct.",
                   one_wrong="Not yet: read the lines above, fix, run again.")


def _try(what: str, func, *args: Any) -> tuple[Any, bool]:
    """Call ``func``; on an exception print what failed and return (None, False)."""
    try:
        return func(*args), True
    except Exception as exc:  # the learner's code may fail in any way; report it, do not raise
        print(f"{_BAD} {what} raised {type(exc).__name__}: {exc}")
        return None, False


def _array(value: Any) -> np.ndarray | None:
    return None if value is None else as_array(value)


def _compare(what: str, got: Any, expected: np.ndarray, hints: list[tuple[np.ndarray, str]] = ()) -> bool:
    """Print ✓ or ✗ for one array; returns True when right."""
    arr = _array(got)
    if got is None:
        print(f"{_BAD} {what}: got None. Did you forget a `return`?")
        return False
    if arr is None or arr.shape != expected.shape:
        print(f"{_BAD} {what}: expected shape {expected.shape}, got {np.shape(got)}")
        return False
    if np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
        print(f"{_OK} {what}")
        return True
    for wrong, hint in hints:
        if wrong.shape == arr.shape and np.allclose(arr, wrong, rtol=1e-6, atol=1e-9):
            print(f"{_BAD} {what}: {hint}")
            return False
    err = np.max(np.abs(arr - expected))
    print(f"{_BAD} {what}: differs from the correct values by up to {err:.3g}")
    return False


def _instance(cls: Any, *args: Any) -> Any:
    if cls is None or cls is Ellipsis:
        print(f"{_BAD} not answered yet: pass your layer class")
        return None
    layer, ok = _try(f"creating {getattr(cls, '__name__', cls)}{args and '(W, b)' or '()'}", cls, *args)
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
        print(f"{_BAD} expected a dict like {{'melon price': ..., 'melons': ..., 'delivery': ..., 'tax': ...}}, "
              f"got {type(answers).__name__}")
        return False
    hints = {
        "melon price": {m["melons"]: "you forgot the tax node: multiply by the upstream gradient 1.25",
                        m["melon price"] * m["tax"]: "a multiply node sends back the *other* input: melons × tax"},
        "melons": {m["melon price"]: "you forgot the tax node: multiply by the upstream gradient 1.25",
                   m["melons"] * m["tax"]: "a multiply node sends back the *other* input: melon price × tax"},
        "delivery": {1.0: "the add node passes 1.25 (not 1) on: the gradient arriving from the tax node"},
        "tax": {m["melon price"] * m["melons"]: "the tax multiplies the whole subtotal, delivery included",
                m["delivery"]: "the tax multiplies the whole subtotal, melons included"},
    }
    wrong = 0
    for name, exact in expected.items():
        raw = answers.get(name)
        try:
            got = float(raw) if raw is not None and raw is not Ellipsis else None
        except (TypeError, ValueError):
            got = None
        if got is None:
            print(f"{_BAD} ∂total/∂{name}: not answered yet (got {raw!r})")
        elif np.isclose(got, exact, rtol=1e-9, atol=1e-12):
            print(f"{_OK} ∂total/∂{name} = {exact:g}")
            continue
        else:
            hint = next((h for v, h in hints[name].items() if np.isclose(got, v)), None)
            print(f"{_BAD} ∂total/∂{name}: you said {got:g}. "
                  + (hint or "walk back from the output: multiply the upstream gradient by each local gradient"))
        wrong += 1
    return _summary(wrong, len(expected))


# --- Exercises 2-4: layers ----------------------------------------------------------------------


def _data(shape: tuple[int, ...], seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(shape)
    x[0, 0] = 0.0  # the kink of ReLU: gradient 0 there, by our convention
    return x


def _dout_unchanged(dout: np.ndarray, before: np.ndarray) -> bool:
    if not np.array_equal(dout, before):
        print(f"{_BAD} backward changed dout in place: compute a new array (e.g. dout * mask, "
              "np.where(...)) instead of writing into dout")
        return False
    print(f"{_OK} backward leaves dout unchanged")
    return True


def check_tanh_layer(cls: Any) -> bool:
    """Check a tanh layer class against :class:`common.layers.Tanh` (backward = dout · (1 − y²)).

    Introduced in chapter 4, exercise 2.
    """
    layer = _instance(cls)
    if layer is None:
        return _summary(1, 1)
    x, dout = _data((3, 4), 2), _data((3, 4), 3)
    ref = Tanh()
    y_ref = ref.forward(x.copy())
    dx_ref = ref.backward(dout.copy())
    results = []
    y, ok = _try("forward", layer.forward, x.copy())
    results.append(ok and _compare("forward = tanh(x)", y, y_ref))
    if ok:
        d = dout.copy()
        dx, ok = _try("backward", layer.backward, d)
        results.append(ok and _compare("backward = dout · (1 − y²)", dx, dx_ref, [
            (dout * (1 - y_ref), "the local gradient is 1 − y², not 1 − y"),
            (dout * (1 - x**2), "use the forward *output* y = tanh(x), not the input x: 1 − y²"),
            (1 - y_ref**2, "multiply the local gradient by the upstream gradient dout"),
            (dout * y_ref * (1 - y_ref), "that is the sigmoid's local gradient; tanh's is 1 − y²"),
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
    layer = _instance(cls, W.copy(), b.copy())
    if layer is None:
        return _summary(1, 1)
    ref = Affine(W.copy(), b.copy())
    y_ref = ref.forward(x.copy())
    dx_ref = ref.backward(dout.copy())
    results = []
    y, ok = _try("forward", layer.forward, x.copy())
    results.append(ok and _compare("forward = x @ W + b", y, y_ref, [(x @ W, "add the bias b")]))
    if ok:
        d = dout.copy()
        dx, ok = _try("backward", layer.backward, d)
        results.append(ok and _compare("backward returns dx = dout @ W.T", dx, dx_ref))
        if ok:
            dW, db = getattr(layer, "dW", None), getattr(layer, "db", None)
            results.append(_compare("self.dW = x.T @ dout", dW, ref.dW,
                                    [(ref.dW / 4, "do not divide by the batch size here: "
                                      "SoftmaxWithLoss already did")]))
            results.append(_compare("self.db = dout summed over the batch (axis 0)", db, ref.db,
                                    [(dout.mean(axis=0), "sum over the batch, do not average"),
                                     (dout.sum(axis=1), "sum over axis 0 (the batch), not axis 1")]))
            if db is not None and np.shape(db) == (4, 3):
                print("  hint: db must have the shape of b, (3,): a bias is shared by every sample, "
                      "so its gradient adds up over the batch")
    return _summary(results.count(False) + (4 - len(results)), 4)


def check_softmax_with_loss(cls: Any) -> bool:
    """Check a Softmax-with-Loss layer class: ``forward(x, t)`` returns the mean loss, ``backward()`` (y − t) / N.

    ``t`` is one-hot. Introduced in chapter 4, exercise 4.
    """
    layer = _instance(cls)
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
            print(f"{_BAD} forward must return one number (the mean loss), got {np.shape(loss) if loss is not None else None}")
            results.append(False)
        elif np.isclose(got, loss_ref, rtol=1e-5) or np.isclose(got, loss_eps, rtol=1e-5):
            print(f"{_OK} forward returns the mean cross-entropy {float(got):.6f}")
            results.append(True)
        elif np.isclose(got, 4 * loss_ref, rtol=1e-5):
            print(f"{_BAD} forward returned {float(got):.6f} = 4 × {loss_ref:.6f}: average over the batch of 4")
            results.append(False)
        else:
            print(f"{_BAD} forward returned {float(got):.6f}, expected {loss_ref:.6f}: "
                  "softmax each row, then −Σ t·log y, then average")
            results.append(False)
        try:
            dx, ok = _try("backward", lambda: layer.backward(1.0))
        except Exception:  # pragma: no cover - _try catches everything
            ok = False
        if ok:
            results.append(_compare("backward = (y − t) / N", dx, dx_ref, [
                (y_ref - t, "divide by the batch size N: the loss is a mean"),
                (t - y_ref, "the sign is reversed: it is y − t"),
                ((t - y_ref) / 4, "the sign is reversed: it is (y − t) / N"),
            ]))
    return _summary(results.count(False) + (2 - len(results)), 2)


# --- Exercise 5: find the bug with a gradient check -------------------------------------------------


class _AffineMeanBias(Affine):
    """An Affine layer with a classic slip: the bias gradient is averaged instead of summed."""

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = super().backward(dout)
        self.db = dout.mean(axis=0)
        return dx


def buggy_network(seed: int = 0) -> TwoLayerNet:
    """A small TwoLayerNet (5-4-3) whose backprop is wrong for exactly one parameter.

    Its ``gradient`` disagrees with ``numerical_gradient`` for that parameter only;
    exercise 5 asks which one. Introduced in chapter 4, exercise 5.
    """
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, seed=seed)
    net.layers["Affine1"] = _AffineMeanBias(net.params["W1"], net.params["b1"])
    return net


def check_buggy_parameter(name: Any) -> bool:
    """Check the name of the parameter whose gradient :func:`buggy_network` gets wrong.

    Introduced in chapter 4, exercise 5.
    """
    if name is None or name is Ellipsis:
        print(f"{_BAD} not answered yet: set buggy_parameter to a name such as 'W2'")
        return False
    answer = str(name).strip()
    if answer == "b1":
        print(f"{_OK} b1: its relative error is far above 1e-6 while W1, W2 and b2 agree to about 1e-8. "
              "The bug: Affine1 averages dout over the batch for db instead of summing it")
        return _summary(0, 1)
    if answer in ("W1", "W2", "b2"):
        print(f"{_BAD} {answer} agrees with the numerical gradient: run gradient_check(net.gradient(x, t), "
              "net.numerical_gradient(x, t)) and look for the key whose error is far above 1e-6")
    else:
        print(f"{_BAD} {answer!r} is not a parameter of the network: its parameters are W1, b1, W2, b2")
    return _summary(1, 1)
