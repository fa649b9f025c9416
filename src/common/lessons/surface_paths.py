"""The record of a descent on a 2-D surface, shared by the widgets of chapters 3 and 5."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["SurfacePath"]


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
