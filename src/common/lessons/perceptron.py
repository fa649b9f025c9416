"""The perceptron: a weighted sum, a bias and a threshold, and the rule that learns them.

Introduced in chapter 1, Perceptron. Everything here is pure NumPy and works on a
batch: a perceptron with weights ``w`` and bias ``b`` outputs 1 ("fires") for an
input ``x`` when ``w · x + b > 0`` and 0 otherwise. With two inputs it draws one
straight line through the plane, which is why it can compute AND, NAND and OR
but not XOR, and why stacking perceptrons (two layers) gets XOR and, built from
NAND alone, any logic circuit a computer contains.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.translation import _

__all__ = [
    "INPUTS",
    "GATE_WEIGHTS",
    "GATE_NAMES",
    "ON_LINE_TOL",
    "perceptron",
    "weighted_sum",
    "AND",
    "NAND",
    "OR",
    "XOR",
    "gate",
    "truth_table",
    "format_truth_table",
    "gate_name",
    "identify_gate",
    "reachable_gates",
    "boundary_segment",
    "output_grid",
    "half_adder",
    "full_adder",
    "add_binary",
    "separable_points",
    "PerceptronFit",
    "perceptron_update",
    "train_perceptron",
    "mistake_bound",
    "Wire",
    "CircuitTrace",
    "trace_circuit",
]

INPUTS: NDArray[np.int64] = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
"""The four inputs ``(x1, x2)`` of a two-input gate, in truth-table order."""

GATE_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "AND": (0.5, 0.5, -0.7),
    "NAND": (-0.5, -0.5, 0.7),
    "OR": (0.5, 0.5, -0.2),
}
"""Hand-set ``(w1, w2, b)`` for the three gates chapter 1 builds. Many other values work too.

NOR is left out on purpose: finding its weights is the chapter's exercise 2."""

GATE_NAMES: dict[tuple[int, int, int, int], str] = {
    (0, 0, 0, 0): "constant 0",
    (0, 0, 0, 1): "AND",
    (0, 0, 1, 0): "x1 AND NOT x2",
    (0, 0, 1, 1): "x1",
    (0, 1, 0, 0): "NOT x1 AND x2",
    (0, 1, 0, 1): "x2",
    (0, 1, 1, 0): "XOR",
    (0, 1, 1, 1): "OR",
    (1, 0, 0, 0): "NOR",
    (1, 0, 0, 1): "XNOR",
    (1, 0, 1, 0): "NOT x2",
    (1, 0, 1, 1): "x1 OR NOT x2",
    (1, 1, 0, 0): "NOT x1",
    (1, 1, 0, 1): "NOT x1 OR x2",
    (1, 1, 1, 0): "NAND",
    (1, 1, 1, 1): "constant 1",
}
"""Name of each of the 16 two-input Boolean functions, keyed by its outputs on :data:`INPUTS`."""

ON_LINE_TOL: float = 1e-9
"""Weighted sums within this distance of 0 count as exactly on the boundary (not firing).

Slider values such as 0.3 and 0.7 are not exact in binary, so 0.3 + 0.7 - 1.0 may come
out as 1e-16; with this tolerance the perceptron behaves as the arithmetic on paper says.
"""


# --------------------------------------------------------------------- the unit
def _as_weights(w: ArrayLike) -> NDArray[np.floating]:
    w = np.asarray(w, dtype=float)
    if w.ndim != 1:
        raise ValueError(f"perceptron expected weights w as a 1-D vector (one weight per input), "
                         f"got shape {w.shape}: pass e.g. w=[0.5, 0.5]")
    return w


def weighted_sum(x: ArrayLike, w: ArrayLike, b: float) -> NDArray[np.floating]:
    """Return ``w · x + b`` for one input (shape ``(d,)``) or a batch (shape ``(n, d)``).

    The quantity the perceptron compares with 0. Introduced in chapter 1, Perceptron.
    """
    w = _as_weights(w)
    x = np.asarray(x, dtype=float)
    if x.ndim == 0 or x.shape[-1] != w.shape[0]:
        raise ValueError(f"perceptron expected inputs with {w.shape[0]} features on the last axis "
                         f"(one per weight), got shape {x.shape}")
    return x @ w + float(b)


def perceptron(x: ArrayLike, w: ArrayLike, b: float, tol: float = 0.0) -> NDArray[np.int64]:
    """Fire (1) where ``w · x + b > tol``, else 0; ``x`` is one input ``(d,)`` or a batch ``(n, d)``.

    A point exactly on the boundary (sum 0) does not fire. Pass ``tol=ON_LINE_TOL``
    to treat rounding noise such as 1e-16 as 0. Introduced in chapter 1, Perceptron.
    """
    return (weighted_sum(x, w, b) > tol).astype(np.int64)


def gate(w1: float, w2: float, b: float, name: str | None = None
         ) -> Callable[[ArrayLike, ArrayLike], NDArray | int]:
    """Return a two-input gate ``g(x1, x2)`` computed by one perceptron with these parameters.

    ``x1`` and ``x2`` may be 0/1 scalars (an ``int`` comes back) or arrays of the same
    shape (an array comes back), so circuits built from gates run on many inputs at
    once. Given :class:`Wire` inputs the gate computes nothing and returns a new wire
    labelled ``name``: that is how :func:`trace_circuit` counts perceptrons.
    Introduced in chapter 1, Perceptron.
    """
    w = np.array([w1, w2], dtype=float)
    label = name or f"perceptron(w = ({w1:g}, {w2:g}), b = {b:g})"

    def g(x1: ArrayLike, x2: ArrayLike) -> NDArray | int:
        if isinstance(x1, Wire) or isinstance(x2, Wire):
            return Wire(label, (_as_wire(x1), _as_wire(x2)))
        a, c = np.broadcast_arrays(np.asarray(x1), np.asarray(x2))
        out = perceptron(np.stack([a, c], axis=-1), w, b, tol=ON_LINE_TOL)
        return int(out) if out.ndim == 0 else out

    return g


def AND(x1: ArrayLike, x2: ArrayLike) -> NDArray | int:
    """1 only when both inputs are 1: one perceptron, ``w = (0.5, 0.5)``, ``b = -0.7``. Chapter 1."""
    return _AND(x1, x2)


def NAND(x1: ArrayLike, x2: ArrayLike) -> NDArray | int:
    """NOT AND: every parameter of AND negated, ``w = (-0.5, -0.5)``, ``b = 0.7``. Chapter 1."""
    return _NAND(x1, x2)


def OR(x1: ArrayLike, x2: ArrayLike) -> NDArray | int:
    """1 when at least one input is 1: AND's weights with a smaller threshold, ``b = -0.2``. Chapter 1."""
    return _OR(x1, x2)


def XOR(x1: ArrayLike, x2: ArrayLike) -> NDArray | int:
    """1 when exactly one input is 1: AND(NAND, OR), a two-layer perceptron. Chapter 1."""
    return AND(NAND(x1, x2), OR(x1, x2))


_AND, _NAND, _OR = (gate(*GATE_WEIGHTS[k], name=k) for k in ("AND", "NAND", "OR"))


# --------------------------------------------------------------------- truth tables
def truth_table(fn: Callable[[int, int], object]) -> NDArray[np.int64]:
    """Outputs of a two-input function on :data:`INPUTS` (0,0), (0,1), (1,0), (1,1), as 0/1 ints.

    ``fn`` is called once per row with plain Python ints, so a learner's function written
    with ``if`` works as well as a vectorised one. Introduced in chapter 1, Perceptron.
    """
    return np.array([int(fn(int(x1), int(x2))) for x1, x2 in INPUTS], dtype=np.int64)


def format_truth_table(columns: dict[str, ArrayLike], inputs: ArrayLike = INPUTS,
                       input_names: Sequence[str] = ("x1", "x2")) -> str:
    """Lay out a truth table as text: the inputs, then one column per entry of ``columns``.

    Introduced in chapter 1, Perceptron.
    """
    inputs = np.asarray(inputs)
    names = list(input_names) + list(columns)
    cols = [inputs[:, k] for k in range(inputs.shape[1])] + [np.asarray(v) for v in columns.values()]
    for name, col in zip(names, cols):
        if len(col) != len(inputs):
            raise ValueError(f"column {name!r} has {len(col)} rows, expected {len(inputs)} (one per input row)")
    widths = [max(len(n), 1) for n in names]
    head = " | ".join(n.rjust(w) for n, w in zip(names, widths))
    lines = [head, "-" * len(head)]
    for r in range(len(inputs)):
        lines.append(" | ".join(str(int(c[r])).rjust(w) for c, w in zip(cols, widths)))
    return "\n".join(lines)


def gate_name(outputs: ArrayLike) -> str | None:
    """Name the Boolean function with these four outputs on :data:`INPUTS`, or None if not 0/1.

    Introduced in chapter 1, Perceptron.
    """
    try:
        key = tuple(int(v) for v in np.asarray(outputs).ravel())
    except (TypeError, ValueError):
        return None
    return GATE_NAMES.get(key) if len(key) == 4 else None


def identify_gate(w1: float, w2: float, b: float) -> str | None:
    """Which gate a perceptron with these parameters implements (e.g. "AND", "constant 1").

    Sums within :data:`ON_LINE_TOL` of 0 count as 0, as on paper. Every finite setting
    names one of 14 functions; XOR and XNOR never appear (chapter 1 shows why). None
    only for non-finite parameters. Introduced in chapter 1, Perceptron.
    """
    if not np.all(np.isfinite([w1, w2, b])):
        return None
    return gate_name(perceptron(INPUTS, [w1, w2], b, tol=ON_LINE_TOL))


def reachable_gates(values: ArrayLike = np.round(np.arange(-2.0, 2.01, 0.1), 1)) -> dict[str, tuple[float, float, float]]:
    """Try every ``(w1, w2, b)`` drawn from ``values`` and return each gate found, with one example.

    With the default grid (the widget's sliders) this finds 14 of the 16 two-input
    functions: all but XOR and XNOR. Introduced in chapter 1, Perceptron.
    """
    v = np.asarray(values, dtype=float).ravel()
    grid = np.array(np.meshgrid(v, v, v, indexing="ij")).reshape(3, -1).T       # (M, 3)
    sums = INPUTS @ grid[:, :2].T + grid[:, 2]                                   # (4, M)
    outs = (sums > ON_LINE_TOL).astype(np.int64).T                               # (M, 4)
    found: dict[str, tuple[float, float, float]] = {}
    keys, first = np.unique(outs, axis=0, return_index=True)
    for key, i in zip(keys, first):
        found[GATE_NAMES[tuple(int(k) for k in key)]] = tuple(float(p) for p in grid[i])
    return found


# --------------------------------------------------------------------- geometry
def boundary_segment(w1: float, w2: float, b: float,
                     xlim: tuple[float, float] = (-0.5, 1.5),
                     ylim: tuple[float, float] = (-0.5, 1.5)) -> NDArray[np.floating] | None:
    """The visible piece of the line ``w1·x1 + w2·x2 + b = 0`` inside the box, as two points.

    Returns an array ``[[x1_a, x2_a], [x1_b, x2_b]]``, or None when there is no line
    (``w1 = w2 = 0``) or it misses the box. Introduced in chapter 1, Perceptron.
    """
    (x0, x1), (y0, y1) = xlim, ylim
    scale = max(abs(w1), abs(w2))
    if scale < 1e-12:
        return None
    points: list[tuple[float, float]] = []
    eps = 1e-12 * max(1.0, x1 - x0, y1 - y0)
    if abs(w2) > 1e-12 * scale:                     # crossings of the left and right edges
        for x in (x0, x1):
            y = -(w1 * x + b) / w2
            if y0 - eps <= y <= y1 + eps:
                points.append((x, min(max(y, y0), y1)))
    if abs(w1) > 1e-12 * scale:                     # crossings of the bottom and top edges
        for y in (y0, y1):
            x = -(w2 * y + b) / w1
            if x0 - eps <= x <= x1 + eps:
                points.append((min(max(x, x0), x1), y))
    unique: list[tuple[float, float]] = []
    for p in points:
        if all(abs(p[0] - q[0]) > eps or abs(p[1] - q[1]) > eps for q in unique):
            unique.append(p)
    if len(unique) < 2:
        return None
    pts = np.array(unique)
    # a line through a corner can list three points; keep the two farthest apart
    pairs = itertools.combinations(range(len(pts)), 2)
    i, j = max(pairs, key=lambda ij: float(np.sum((pts[ij[0]] - pts[ij[1]]) ** 2)))
    return pts[[i, j]]


def output_grid(w1: float, w2: float, b: float,
                xlim: tuple[float, float] = (-0.5, 1.5), ylim: tuple[float, float] = (-0.5, 1.5),
                n: int = 101, kind: str = "output") -> tuple[NDArray, NDArray, NDArray]:
    """Evaluate the perceptron on an ``n × n`` grid: ``X1, X2, Z`` as from ``np.meshgrid``.

    ``kind="output"`` gives the 0/1 output, ``kind="sum"`` the weighted sum ``w·x + b``.
    ``Z[i, j]`` belongs to the point ``(X1[i, j], X2[i, j])``: rows run along x2.
    The seminar homework: plot the function your perceptron computes. Chapter 1.
    """
    if kind not in ("output", "sum"):
        raise ValueError(f"kind must be 'output' or 'sum', got {kind!r}")
    if n < 2:
        raise ValueError(f"output_grid needs at least 2 points per axis, got n = {n}")
    X1, X2 = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    pts = np.stack([X1, X2], axis=-1)
    Z = weighted_sum(pts, [w1, w2], b)
    if kind == "output":
        Z = (Z > ON_LINE_TOL).astype(np.int64)
    return X1, X2, Z


# --------------------------------------------------------------------- circuits from NAND
def half_adder(a: ArrayLike, b: ArrayLike) -> tuple:
    """Add two bits with NAND gates only: returns ``(sum, carry)``. Five NANDs.

    ``n = NAND(a, b)``; ``sum = NAND(NAND(a, n), NAND(b, n))`` (that is XOR);
    ``carry = NAND(n, n)`` (that is AND). Works on bit arrays too. Chapter 1.
    """
    n = NAND(a, b)
    s = NAND(NAND(a, n), NAND(b, n))
    return s, NAND(n, n)


def full_adder(a: ArrayLike, b: ArrayLike, carry_in: ArrayLike) -> tuple:
    """Add three bits with NAND gates only: two half adders and an OR. Returns ``(sum, carry)``.

    Introduced in chapter 1, Perceptron.
    """
    s1, c1 = half_adder(a, b)
    s, c2 = half_adder(s1, carry_in)
    carry = NAND(NAND(c1, c1), NAND(c2, c2))     # OR(c1, c2) from NANDs
    return s, carry


def add_binary(x: ArrayLike, y: ArrayLike, bits: int = 8) -> NDArray[np.int64]:
    """Add non-negative integers with a ripple-carry adder of ``bits`` NAND full adders.

    The result wraps modulo ``2**bits`` like a fixed-width CPU register. ``x`` and ``y``
    may be arrays, so every pair can be checked at once. Introduced in chapter 1.
    """
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    if np.any(x < 0) or np.any(y < 0):
        raise ValueError("add_binary adds non-negative integers; got a negative input")
    x, y = np.broadcast_arrays(x, y)
    carry = np.zeros_like(x)
    total = np.zeros_like(x)
    for k in range(bits):
        s, carry = full_adder((x >> k) & 1, (y >> k) & 1, carry)
        total = total | (np.asarray(s, dtype=np.int64) << k)
    return total


# --------------------------------------------------------------------- learning
def separable_points(n: int = 40, margin: float = 0.1, seed: int | np.random.Generator = 0
                     ) -> tuple[NDArray[np.floating], NDArray[np.int64], tuple[NDArray, float]]:
    """``n`` points in the square [-1, 1]² labelled by a random line, none closer than ``margin``.

    Returns ``(X, t, (w_true, b_true))`` with ``X`` of shape ``(n, 2)`` and labels ``t``
    in {0, 1}; ``w_true`` has unit length, so every point lies at least ``margin`` from
    the line. Linearly separable by construction. Introduced in chapter 1, Perceptron.
    """
    if n < 2:
        raise ValueError(f"separable_points needs n >= 2 points, got {n}")
    if not 0 <= margin < 0.5:
        raise ValueError(f"margin must be in [0, 0.5) for points in [-1, 1]², got {margin}")
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi)
    w_true = np.array([np.cos(angle), np.sin(angle)])
    b_true = float(rng.uniform(-0.3, 0.3))
    X = np.empty((0, 2))
    while len(X) < n:
        cand = rng.uniform(-1, 1, size=(2 * n, 2))
        keep = np.abs(cand @ w_true + b_true) >= margin
        X = np.concatenate([X, cand[keep]])
    X = X[:n]
    t = (X @ w_true + b_true > 0).astype(np.int64)
    if t.min() == t.max():          # one class only: flip the line so both appear
        return separable_points(n, margin, rng)
    return X, t, (w_true, b_true)


@dataclass
class PerceptronFit:
    """What :func:`train_perceptron` returns. Introduced in chapter 1, Perceptron.

    ``w``, ``b``: final parameters. ``errors[e]``: mistakes (and so updates) made in
    epoch ``e``. ``history``: ``(w, b)`` at the start and after every epoch.
    ``converged``: an epoch passed with no mistake.
    """

    w: NDArray[np.floating]
    b: float
    errors: list[int] = field(default_factory=list)
    history: list[tuple[NDArray[np.floating], float]] = field(default_factory=list)
    converged: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.errors)

    @property
    def updates(self) -> int:
        """Total number of weight updates (= mistakes) over the run."""
        return int(sum(self.errors))


def perceptron_update(w: ArrayLike, b: float, x: ArrayLike, t: int, lr: float = 1.0
                      ) -> tuple[NDArray[np.floating], float]:
    """One step of Rosenblatt's rule: ``w += lr·(t − y)·x``, ``b += lr·(t − y)``.

    ``y`` is the perceptron's current output for ``x``; nothing changes when it is
    right. Returns new ``(w, b)``, leaving the inputs untouched. Chapter 1.
    """
    w = np.asarray(w, dtype=float)
    y = int(perceptron(x, w, b))
    delta = lr * (int(t) - y)
    return w + delta * np.asarray(x, dtype=float), float(b) + delta


def train_perceptron(X: ArrayLike, t: ArrayLike, lr: float = 1.0, max_epochs: int = 100,
                     seed: int | np.random.Generator = 0, w0: ArrayLike | None = None,
                     b0: float = 0.0, shuffle: bool = True) -> PerceptronFit:
    """Rosenblatt's perceptron learning rule: visit the samples, update on each mistake.

    Stops after the first epoch without a mistake (the convergence theorem promises
    one if the data are linearly separable) or after ``max_epochs``. The sample order
    is shuffled each epoch by a generator seeded with ``seed``; the same call always
    gives the same result. Starts from ``w0`` (zeros by default) and ``b0``.
    Introduced in chapter 1, Perceptron.
    """
    X = np.asarray(X, dtype=float)
    t = np.asarray(t).astype(np.int64)
    if X.ndim != 2 or t.shape != (X.shape[0],):
        raise ValueError(f"train_perceptron expected X of shape (n, d) and t of shape (n,), "
                         f"got {X.shape} and {t.shape}")
    if not np.isin(t, (0, 1)).all():
        raise ValueError("train_perceptron expected labels t in {0, 1}")
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    b = float(b0)
    fit = PerceptronFit(w=w, b=b, history=[(w.copy(), b)])
    for _ in range(max_epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        mistakes = 0
        for i in order:
            y = 1 if X[i] @ w + b > 0 else 0
            if y != t[i]:
                w, b = perceptron_update(w, b, X[i], int(t[i]), lr)
                mistakes += 1
        fit.errors.append(mistakes)
        fit.history.append((w.copy(), b))
        if mistakes == 0:
            fit.converged = True
            break
    fit.w, fit.b = w, b
    return fit


def mistake_bound(X: ArrayLike, t: ArrayLike, w: ArrayLike, b: float) -> float:
    """Novikoff's bound (R/γ)² on the perceptron's mistakes, given one separating line ``(w, b)``.

    Works in the augmented space ``(x, 1)`` so the bias counts as a weight: ``R`` is the
    largest ``|(x, 1)|`` and ``γ`` the smallest distance of a point to the separating
    hyperplane there. Returns ``inf`` if ``(w, b)`` does not separate the data. Chapter 1.
    """
    X = np.asarray(X, dtype=float)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    u = np.append(np.asarray(w, dtype=float), float(b))
    signs = 2 * np.asarray(t) - 1
    gamma = float(np.min(signs * (Xa @ u)) / np.linalg.norm(u))
    if gamma <= 0:
        return float("inf")
    R = float(np.max(np.linalg.norm(Xa, axis=1)))
    return (R / gamma) ** 2


# --------------------------------------------------------------------- counting perceptrons
class Wire:
    """A symbolic bit: feed wires to the gates and they record a circuit instead of computing.

    A wire is an input of the circuit (``gate=None``) or the output of one perceptron
    (``gate`` names it, ``inputs`` are the two wires it reads). A wire has no value, so
    Python's ``if``, ``and``, ``==`` and arithmetic refuse it with a message: only gates
    can combine wires. Introduced in chapter 1, Perceptron (exercises 3 and 4).
    """

    __slots__ = ("label", "inputs")

    def __init__(self, label: str, inputs: tuple[Wire, ...] = ()) -> None:
        self.label = label
        self.inputs = inputs

    @property
    def is_input(self) -> bool:
        """True for an input of the circuit, False for a perceptron's output."""
        return not self.inputs

    def __repr__(self) -> str:
        return f"Wire({self.label!r})" if self.is_input else f"Wire({self.label} of {len(self.inputs)} wires)"

    def _refuse(self, *args: object) -> None:
        raise TypeError(_("this circuit uses a Python operation on a bit (if, and/or/not, ==, +, -, int(), …); "
                          "a circuit of perceptrons may only pass bits through gates such as AND, NAND, OR"))

    __bool__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse          # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse            # type: ignore[assignment]
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = __invert__ = _refuse  # type: ignore[assignment]
    __neg__ = __mod__ = __rmod__ = __floordiv__ = __rfloordiv__ = __index__ = __int__ = __float__ = _refuse  # type: ignore[assignment]
    __hash__ = object.__hash__


def _as_wire(v: object) -> Wire:
    """A gate input while tracing: a wire, or a constant bit 0/1 turned into a labelled input."""
    if isinstance(v, Wire):
        return v
    if isinstance(v, (int, np.integer)) and int(v) in (0, 1):
        return Wire(f"constant {int(v)}")
    raise TypeError(_("a gate got {value!r} beside a wire; pass bits (0 or 1) or the outputs of other gates"
                      ).format(value=v))


@dataclass
class CircuitTrace:
    """What :func:`trace_circuit` found: how many perceptrons, of which kinds, and how deep.

    ``perceptrons`` counts each gate evaluation once, however many later gates read its
    output; ``gates`` counts them by name; ``depth`` is the number of perceptrons on the
    longest path from an input to an output (the number of layers).
    Introduced in chapter 1, Perceptron.
    """

    perceptrons: int
    gates: dict[str, int]
    depth: int

    def describe(self) -> str:
        """One line, e.g. ``4 perceptrons (3 NAND, 1 OR) in 3 layers``."""
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.gates.items()))
        n, depth = self.perceptrons, self.depth
        if not kinds:
            message = _("{n} perceptrons in {depth} layers")
        elif n == 1:
            message = _("{n} perceptron ({kinds}) in {depth} layer")
        elif depth == 1:
            message = _("{n} perceptrons ({kinds}) in {depth} layer")
        else:
            message = _("{n} perceptrons ({kinds}) in {depth} layers")
        return message.format(n=n, kinds=kinds, depth=depth)


def trace_circuit(circuit: Callable[..., object], n_inputs: int = 2) -> CircuitTrace:
    """Run ``circuit`` on :class:`Wire` inputs and count the perceptrons it is built from.

    ``circuit`` takes ``n_inputs`` bits and returns one bit or a tuple of bits, using the
    gates of this module (or any from :func:`gate`). Raises ``TypeError`` if it combines
    bits with anything but gates (``if``, ``==``, ``1 - x``), or returns something that
    no gate produced. Introduced in chapter 1, Perceptron: how many perceptrons does a
    half adder need?
    """
    inputs = [Wire(f"x{k + 1}") for k in range(n_inputs)]
    out = circuit(*inputs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if not outs or not all(isinstance(o, Wire) for o in outs):
        shown = ", ".join(type(o).__name__ for o in outs) or _("nothing")
        raise TypeError(_("the circuit returned {shown}, not the output of a gate: build every output bit "
                          "with gates such as AND, NAND, OR").format(shown=shown))
    gates: dict[str, int] = {}
    depth_of: dict[int, int] = {}
    stack: list[tuple[Wire, bool]] = [(o, False) for o in outs]
    while stack:                          # iterative post-order walk; each wire visited once
        wire, done = stack.pop()
        if id(wire) in depth_of:
            continue
        if wire.is_input:
            depth_of[id(wire)] = 0
        elif done:
            depth_of[id(wire)] = 1 + max(depth_of[id(w)] for w in wire.inputs)
            gates[wire.label] = gates.get(wire.label, 0) + 1
        else:
            stack.append((wire, True))
            stack.extend((w, False) for w in wire.inputs if id(w) not in depth_of)
    return CircuitTrace(sum(gates.values()), gates, max(depth_of[id(o)] for o in outs))
