"""Optimiser paths on 2-D surfaces: the computation behind chapter 5's optimiser widget.

An optimiser does not care whether its parameter is a weight matrix or a point
``(x, y)``. On a function of two variables we can therefore *watch* it: start
at a point, ask the surface for its gradient, let the optimiser's pure
:meth:`~common.optimizers.Optimizer.step` move the point, and repeat. This
module does exactly that and nothing else (drawing lives in
:mod:`common.widgets.optimizer_race`), so the tests can check every path
without a slider.

Nothing here raises on extreme settings: a path that blows up stops early,
is marked ``"diverged"``, and :func:`clip_path` cuts it where it leaves the
picture. Introduced in chapter 5, Training techniques.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.lessons.surface_paths import Surface, SurfacePath
from common.optimizers import Optimizer, get_optimizer

__all__ = [
    "BLOWUP",
    "OPTIMIZER_NAMES",
    "DEFAULT_NAMES",
    "Surface",
    "SURFACES",
    "TUNED_LR",
    "OptimizerPath",
    "make_optimizer",
    "optimizer_path",
    "compare_paths",
    "clip_path",
]

BLOWUP: float = 1e6
"""A path whose point gets farther than this from the origin is stopped and called diverged."""

NEAR_MINIMUM: float = 1e-2
"""A path that ends within this distance of a minimum is called converged."""

OPTIMIZER_NAMES: tuple[str, ...] = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam")
"""The six optimisers of chapter 5, in the order the chapter introduces them."""

DEFAULT_NAMES: tuple[str, ...] = ("SGD", "Momentum", "AdaGrad", "Adam")
"""The four the widget starts with: one of each family, so that no path hides another."""


def _f_elongated(x, y):
    return np.asarray(x, float) ** 2 / 20 + np.asarray(y, float) ** 2


def _g_elongated(x, y):
    return np.asarray(x, float) / 10, 2 * np.asarray(y, float)


def _f_rosenbrock(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _g_rosenbrock(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def _f_saddle(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return x * x / 2 + y**4 / 4 - y * y / 2


def _g_saddle(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return x, y**3 - y


SURFACES: dict[str, Surface] = {
    "elongated": Surface(
        "elongated", "f(x, y) = x²/20 + y²", _f_elongated, _g_elongated,
        start=(-7.0, 2.0), xlim=(-10.0, 10.0), ylim=(-5.0, 5.0), minima=((0.0, 0.0),), steps=30,
        note="a long, shallow valley: steep across (y), nearly flat along (x)"),
    "rosenbrock": Surface(
        "rosenbrock", "Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)²", _f_rosenbrock, _g_rosenbrock,
        start=(-1.2, 1.0), xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minima=((1.0, 1.0),), steps=300,
        levels="log", note="a curved, narrow valley; the minimum (1, 1) sits at its flat end"),
    "saddle": Surface(
        "saddle", "f(x, y) = x²/2 + y⁴/4 − y²/2", _f_saddle, _g_saddle,
        start=(-2.5, 0.01), xlim=(-3.0, 3.0), ylim=(-2.0, 2.0),
        minima=((0.0, -1.0), (0.0, 1.0)), saddles=((0.0, 0.0),), steps=60,
        note="a saddle point at (0, 0) between two minima at (0, ±1)"),
}
"""The surfaces of the optimiser widget: an elongated bowl, Rosenbrock's valley, a saddle."""

TUNED_LR: dict[str, dict[str, float]] = {
    "elongated": {"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5,
                  "RMSprop": 0.15, "Adam": 0.3},
    "rosenbrock": {"SGD": 0.002, "Momentum": 0.001, "Nesterov": 0.001, "AdaGrad": 0.5,
                   "RMSprop": 0.05, "Adam": 0.2},
    "saddle": {"SGD": 0.1, "Momentum": 0.03, "Nesterov": 0.03, "AdaGrad": 0.5,
               "RMSprop": 0.05, "Adam": 0.1},
}
"""A learning rate per surface and optimiser that shows each one at its typical best.

The widget's η slider multiplies these, so that ×1 compares the optimisers
fairly and ×10 shows what happens when every one of them is pushed too hard.
"""


def make_optimizer(
    name: str,
    lr: float,
    momentum: float = 0.9,
    rho: float = 0.99,
    beta1: float = 0.9,
    beta2: float = 0.999,
) -> Optimizer:
    """Build one of :data:`OPTIMIZER_NAMES`, passing on only the settings it uses.

    ``momentum`` is used by Momentum and Nesterov, ``rho`` (the decay rate of
    the squared-gradient average) by RMSprop, ``beta1`` and ``beta2`` by Adam.
    Introduced in chapter 5, Training techniques.
    """
    key = str(name).strip().lower()
    if key in ("momentum", "nesterov"):
        return get_optimizer(key, lr=lr, momentum=momentum)
    if key == "rmsprop":
        return get_optimizer(key, lr=lr, decay_rate=rho)
    if key == "adam":
        return get_optimizer(key, lr=lr, beta1=beta1, beta2=beta2)
    return get_optimizer(key, lr=lr)  # sgd, adagrad; unknown names raise a ValueError listing the choices


@dataclass(frozen=True)
class OptimizerPath(SurfacePath):
    """The points an optimiser visited, the function values there, and what became of the run.

    ``points`` has shape (k + 1, 2): the start, then one row per step taken
    (fewer than requested when the run blew up). ``status`` is one of

    - ``"converged"``: ended within :data:`NEAR_MINIMUM` of a minimum;
    - ``"diverged"``: blew up, or ended higher than it started;
    - ``"stuck"``: gradient almost zero away from any minimum (a saddle point);
    - ``"still moving"``: none of the above, usually too few steps.

    Introduced in chapter 5, Training techniques.
    """

    name: str
    lr: float

    @property
    def label(self) -> str:
        """Legend text, e.g. ``"Adam (η = 0.3): converged"``."""
        return f"{self.name} (η = {self.lr:.3g}): {self.status}"


def optimizer_path(
    optimizer: Optimizer,
    grad_fn: Callable[[NDArray], ArrayLike],
    start: Sequence[float],
    steps: int,
    f: Callable[[NDArray], float] | None = None,
    minima: Sequence[Sequence[float]] = (),
    name: str | None = None,
) -> OptimizerPath:
    """Run ``steps`` updates of ``optimizer`` from ``start`` using its pure ``step``; never raises.

    ``grad_fn(p)`` returns the gradient at a point ``p`` of shape (2,); ``f(p)``
    (optional) the function value, used to call a run diverged when it ends
    higher than it began; ``minima`` the points that count as converged. The
    optimiser object is not changed: its state lives only inside this call.
    Introduced in chapter 5, Training techniques.
    """
    steps = max(0, int(steps))
    p = np.asarray(start, dtype=np.float64).reshape(2)
    points = [p.copy()]
    state: dict = {}
    blew_up = False
    with np.errstate(all="ignore"):
        for _ in range(steps):  # scalar checks (math) on the two coordinates: NumPy's cost per call dominates here
            g = np.asarray(grad_fn(p), dtype=np.float64).reshape(2)
            if not (math.isfinite(g[0]) and math.isfinite(g[1])):
                blew_up = True
                break
            p, state = optimizer.step(p, g, state)
            p = np.asarray(p, dtype=np.float64)
            if not (math.isfinite(p[0]) and math.isfinite(p[1])) or math.hypot(p[0], p[1]) > BLOWUP:
                blew_up = True
                p = np.where(np.isfinite(p), p, np.sign(np.nan_to_num(p)) * BLOWUP)
                points.append(np.clip(p, -BLOWUP, BLOWUP))
                break
            points.append(p.copy())
        pts = np.array(points)
        if f is not None:
            values = np.array([f(q) for q in pts], dtype=np.float64)
            values[~np.isfinite(values)] = np.inf
        else:
            values = np.full(len(pts), np.nan)
        g_end = np.asarray(grad_fn(pts[-1]), dtype=np.float64)
    near = any(np.hypot(*(pts[-1] - np.asarray(m, float))) < NEAR_MINIMUM for m in minima)
    if blew_up or (f is not None and values[-1] > values[0]):
        status = "diverged"
    elif near:
        status = "converged"
    elif len(pts) > 1 and np.all(np.isfinite(g_end)) and np.hypot(*g_end) < 1e-6:
        status = "stuck"
    else:
        status = "still moving"
    lr = float(getattr(optimizer, "lr", np.nan))
    return OptimizerPath(points=pts, values=values, status=status, steps_requested=steps,
                         name=name or type(optimizer).__name__, lr=lr)


@lru_cache(maxsize=1024)
def _one_path(surface: str, name: str, lr: float, settings: tuple[tuple[str, float], ...],
              start: tuple[float, float], steps: int) -> OptimizerPath:
    """One optimiser's path, cached on only the settings that optimiser uses (``settings``)."""
    s = SURFACES[surface]
    opt = make_optimizer(name, lr, **dict(settings))
    return optimizer_path(opt, s.gradient, start, steps, f=s.value, minima=s.minima, name=name)


_USES: dict[str, tuple[str, ...]] = {"Momentum": ("momentum",), "Nesterov": ("momentum",), "RMSprop": ("rho",),
                                     "Adam": ("beta1", "beta2")}
"""The settings of :func:`make_optimizer` each optimiser reads (the others ignore them)."""


@lru_cache(maxsize=256)
def compare_paths(
    surface: str = "elongated",
    names: tuple[str, ...] = OPTIMIZER_NAMES,
    lr_scale: float = 1.0,
    momentum: float = 0.9,
    rho: float = 0.99,
    beta1: float = 0.9,
    beta2: float = 0.999,
    start: tuple[float, float] | None = None,
    steps: int | None = None,
) -> tuple[OptimizerPath, ...]:
    """One path per optimiser in ``names`` on ``SURFACES[surface]``, each at ``lr_scale`` × its tuned η.

    This is the widget's callback computation. Results are cached on the
    settings, and each path also on its own: moving the momentum slider
    recomputes Momentum and Nesterov only, and ticking a box computes just
    the new path. ``start`` and ``steps`` default to the surface's own.
    Introduced in chapter 5, Training techniques.
    """
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; choose one of {', '.join(SURFACES)}")
    s = SURFACES[surface]
    start = s.start if start is None else (float(start[0]), float(start[1]))
    steps = s.steps if steps is None else int(steps)
    given = {"momentum": float(momentum), "rho": float(rho), "beta1": float(beta1), "beta2": float(beta2)}
    paths = []
    for name in names:
        canonical = next((n for n in OPTIMIZER_NAMES if n.lower() == str(name).lower()), None)
        if canonical is None:
            raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZER_NAMES)}")
        lr = TUNED_LR[surface][canonical] * float(lr_scale)
        settings = tuple((key, given[key]) for key in _USES.get(canonical, ()))
        paths.append(_one_path(surface, canonical, lr, settings, start, steps))
    return tuple(paths)


def clip_path(
    points: ArrayLike,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    margin: float = 0.5,
) -> NDArray[np.float64]:
    """The part of a path worth drawing: up to where it leaves a box around the view.

    The box is the view grown by ``margin`` × its size on every side. Points
    after the first one outside it are dropped, and that point is moved back
    along its last segment onto the box's edge, so the line still heads off in
    the right direction (the axes then cut it at the view). This keeps
    astronomically large coordinates of a diverged run away from the renderer.
    Introduced in chapter 5, Training techniques.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    wx, wy = xlim[1] - xlim[0], ylim[1] - ylim[0]
    lo = np.array([xlim[0] - margin * wx, ylim[0] - margin * wy])
    hi = np.array([xlim[1] + margin * wx, ylim[1] + margin * wy])
    inside = np.all((pts >= lo) & (pts <= hi) & np.isfinite(pts), axis=1)
    if inside.all():
        return pts.copy()
    k = int(np.argmin(inside))  # first point outside
    if k == 0:
        return np.clip(pts[:1], lo, hi)
    a, b = pts[k - 1], pts[k]
    with np.errstate(all="ignore"):
        d = b - a
        t = 1.0
        for axis in range(2):
            if not np.isfinite(d[axis]) or d[axis] == 0:
                continue
            edge = hi[axis] if d[axis] > 0 else lo[axis]
            t = min(t, (edge - a[axis]) / d[axis])
        end = a + max(0.0, t) * np.nan_to_num(d, posinf=BLOWUP, neginf=-BLOWUP)
    return np.vstack([pts[:k], np.clip(end, lo, hi)])
