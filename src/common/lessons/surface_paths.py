"""Descents on 2-D surfaces: the surfaces and the record of a run, shared by chapters 3 and 5.

A function of two variables can be drawn as contour lines, so the path of
gradient descent (chapter 3) or of any optimiser (chapter 5) on it can be
watched step by step. :class:`Surface` is such a function with its gradient
and the view to draw it in; :data:`GRADIENT_DESCENT_SURFACES` are chapter 3's
(the optimiser surfaces of chapter 5 are in :mod:`common.lessons.optimizer_paths`);
:class:`SurfacePath` records one run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Surface", "GRADIENT_DESCENT_SURFACES", "SurfacePath"]


@dataclass(frozen=True)
class Surface:
    """A function of two variables, its gradient, and the view to draw it in.

    ``f(x, y)`` and ``grad(x, y) -> (∂f/∂x, ∂f/∂y)`` accept arrays (for contour
    grids); :meth:`value` and :meth:`gradient` take one point ``p = (x, y)``,
    which is what an optimiser sees. ``minima`` and ``saddles`` are drawn as
    markers and decide when a path counts as converged (or stuck); a surface
    without minima (:attr:`has_minimum` false) can only be escaped. ``steps``
    is a sensible number of steps to show; ``levels`` says how the contour
    lines are spaced: ``"linear"`` or ``"log"``. Introduced in chapter 3,
    Learning from data.
    """

    name: str
    formula: str  # plain Unicode for titles (mathtext is slow to lay out)
    f: Callable[[ArrayLike, ArrayLike], NDArray]
    grad: Callable[[ArrayLike, ArrayLike], tuple[NDArray, NDArray]]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    saddles: tuple[tuple[float, float], ...] = ()
    steps: int = 30
    levels: str = "linear"
    note: str = field(default="", compare=False)

    @property
    def has_minimum(self) -> bool:
        """True if the surface has a lowest point that a descent can reach."""
        return bool(self.minima)

    def value(self, p: ArrayLike) -> float:
        """f at one point ``p = (x, y)``."""
        p = np.asarray(p, dtype=np.float64)
        return float(self.f(p[0], p[1]))

    def gradient(self, p: ArrayLike) -> NDArray[np.float64]:
        """The gradient at one point, as an array of shape (2,)."""
        p = np.asarray(p, dtype=np.float64)
        gx, gy = self.grad(p[0], p[1])
        return np.array([float(gx), float(gy)])


GRADIENT_DESCENT_SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        "bowl", "f = x² + y²",
        lambda x, y: np.asarray(x) ** 2 + np.asarray(y) ** 2,
        lambda x, y: (2 * np.asarray(x, float), 2 * np.asarray(y, float)),
        start=(-3.0, 2.5), xlim=(-4.0, 4.0), ylim=(-3.0, 3.0), minima=((0.0, 0.0),)),
    "elongated": Surface(
        "elongated", "f = x²/20 + y²",
        lambda x, y: np.asarray(x) ** 2 / 20 + np.asarray(y) ** 2,
        lambda x, y: (np.asarray(x, float) / 10, 2 * np.asarray(y, float)),
        start=(-7.0, 2.0), xlim=(-8.0, 8.0), ylim=(-3.0, 3.0), minima=((0.0, 0.0),)),
    "saddle": Surface(
        "saddle", "f = x² − y²",
        lambda x, y: np.asarray(x) ** 2 - np.asarray(y) ** 2,
        lambda x, y: (2 * np.asarray(x, float), -2 * np.asarray(y, float)),
        start=(-3.0, 0.05), xlim=(-4.0, 4.0), ylim=(-3.0, 3.0), saddles=((0.0, 0.0),)),
}
"""The surfaces of chapter 3's gradient-descent widget: a round bowl, a long valley, and a saddle."""


@dataclass(frozen=True)
class SurfacePath:
    """The points a descent visited on a 2-D surface, the function values there, and how it ended.

    ``points`` has shape (k + 1, 2): the start, then one row per step taken
    (fewer than ``steps_requested`` when the run was stopped early).
    ``status`` names the outcome; the subclasses list theirs. Introduced in
    chapter 3, Learning from data.
    """

    points: NDArray[np.float64]
    values: NDArray[np.float64]
    status: str
    steps_requested: int

    @property
    def steps_taken(self) -> int:
        return len(self.points) - 1

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"
