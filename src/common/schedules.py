"""Learning-rate schedules: how the step size changes while a network trains.

Introduced in chapter 6, Convolutional neural networks, whose headline run
decays its learning rate along a cosine. A schedule is any function
``schedule(lr0, step, total_steps) -> lr``: given the optimiser's initial
learning rate ``lr0``, the iteration about to run (``0 .. total_steps - 1``)
and the number of iterations of the run, it returns the learning rate for that
iteration. :class:`~common.trainer.Trainer` calls it before every step
(``lr_schedule=cosine``). Settings are keyword arguments with defaults, so
``functools.partial(step_decay, factor=0.5)`` is a schedule too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

__all__ = ["Schedule", "cosine", "step_decay", "warmup"]

Schedule = Callable[[float, int, int], float]
"""The type of a schedule: ``(lr0, step, total_steps) -> lr``."""


def _check(step: int, total_steps: int) -> None:
    if total_steps < 1 or not 0 <= step <= total_steps:
        raise ValueError(f"need 0 <= step <= total_steps and total_steps >= 1, got {step}, {total_steps}")


def cosine(lr0: float, step: int, total_steps: int) -> float:
    """``lr0`` decaying to 0 along half a cosine: large steps early, fine steps at the end.

    ``0.5 · lr0 · (1 + cos(π · step / total_steps))``, with nothing to tune.
    Introduced in chapter 6, Convolutional neural networks.
    """
    _check(step, total_steps)
    return 0.5 * lr0 * (1 + math.cos(math.pi * step / total_steps))


def step_decay(lr0: float, step: int, total_steps: int, *,
               milestones: Sequence[float] = (0.5, 0.75), factor: float = 0.1) -> float:
    """``lr0`` multiplied by ``factor`` at each milestone passed (fractions of the run).

    The classic schedule: train at ``lr0``, then at a tenth of it from half-way,
    and at a hundredth from three quarters of the run. Introduced in chapter 6.
    """
    _check(step, total_steps)
    if not 0 < factor <= 1:
        raise ValueError(f"factor must be in (0, 1], got {factor!r}")
    passed = sum(step >= m * total_steps for m in milestones)
    return lr0 * factor**passed


def warmup(lr0: float, step: int, total_steps: int, *,
           fraction: float = 0.05, then: Schedule = cosine) -> float:
    """A linear ramp up to ``lr0`` over the first ``fraction`` of the run, then ``then``.

    The first updates of a fresh network (with Adam's statistics still empty,
    or a large batch) are the most erratic; growing the step size over them
    avoids an early blow-up. After the ramp, ``then`` runs over the remaining
    steps as if they were the whole run. Introduced in chapter 6.
    """
    _check(step, total_steps)
    if not 0 <= fraction < 1:
        raise ValueError(f"fraction must be in [0, 1), got {fraction!r}")
    ramp = math.ceil(fraction * total_steps)
    if step < ramp:
        return lr0 * (step + 1) / ramp
    if ramp >= total_steps:
        return lr0
    return then(lr0, step - ramp, total_steps - ramp)
