"""The no-free-lunch theorem, checked by brute force on a world small enough to enumerate.

Introduced in the appendix, No free lunch. The world: inputs are the 8 bit
strings of length 3; a *task* is any labelling of them with 0/1 (2⁸ = 256
tasks). A learner sees the labels of the 4 inputs with first bit 0 and must
predict the labels of the 4 inputs with first bit 1, which it has never seen.

Wolpert's theorem, in this setting: averaged over all 256 tasks, every learner
has an off-training-set accuracy of exactly 1/2. The reason is simple: for any
fixed training labels, the unseen labels take all 16 combinations equally
often, so whatever a learner predicts is right as often as it is wrong. A
learner can only beat chance on a *restricted* family of tasks, i.e. when we
assume something about the world; the same assumption makes it lose elsewhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from common.lessons.perceptron import train_perceptron

__all__ = [
    "CUBE",
    "TRAIN_IDX",
    "TEST_IDX",
    "LEARNERS",
    "all_tasks",
    "separable_tasks",
    "is_linearly_separable",
    "off_training_accuracy",
    "nfl_summary",
]

CUBE: NDArray[np.int64] = np.array(list(itertools.product((0, 1), repeat=3)))
"""The 8 inputs (x1, x2, x3), in binary counting order."""

TRAIN_IDX: NDArray[np.int64] = np.flatnonzero(CUBE[:, 0] == 0)
"""Rows of :data:`CUBE` the learner sees (first bit 0)."""

TEST_IDX: NDArray[np.int64] = np.flatnonzero(CUBE[:, 0] == 1)
"""Rows of :data:`CUBE` the learner is tested on (first bit 1): never seen in training."""

Learner = Callable[[NDArray, NDArray, NDArray], NDArray]


def _always_zero(x_train: NDArray, t_train: NDArray, x_test: NDArray) -> NDArray:
    return np.zeros(len(x_test), dtype=int)


def _majority(x_train: NDArray, t_train: NDArray, x_test: NDArray) -> NDArray:
    return np.full(len(x_test), int(2 * t_train.sum() > len(t_train)), dtype=int)


def _nearest(x_train: NDArray, t_train: NDArray, x_test: NDArray) -> NDArray:
    dist = np.abs(x_test[:, None, :] - x_train[None, :, :]).sum(axis=2)   # Hamming distance
    return t_train[np.argmin(dist, axis=1)].astype(int)


def _anti_nearest(x_train: NDArray, t_train: NDArray, x_test: NDArray) -> NDArray:
    return 1 - _nearest(x_train, t_train, x_test)


def _perceptron(x_train: NDArray, t_train: NDArray, x_test: NDArray) -> NDArray:
    fit = train_perceptron(x_train, t_train, lr=1.0, max_epochs=50, seed=0)
    return (x_test @ fit.w + fit.b > 0).astype(int)


LEARNERS: dict[str, Learner] = {
    "always 0": _always_zero,
    "majority label": _majority,
    "nearest neighbour": _nearest,
    "opposite of nearest neighbour": _anti_nearest,
    "perceptron": _perceptron,
}
"""Five learners, from sensible to perverse. Each maps (x_train, t_train, x_test) to 0/1 predictions."""


def all_tasks(n_points: int = len(CUBE)) -> NDArray[np.int64]:
    """Every 0/1 labelling of ``n_points`` inputs: shape (2**n_points, n_points). Appendix."""
    if not 1 <= n_points <= 16:
        raise ValueError(f"n_points must be between 1 and 16 (2**n tasks are listed), got {n_points}")
    return np.array(list(itertools.product((0, 1), repeat=n_points)), dtype=np.int64)


def separable_tasks(tasks: NDArray, x: NDArray = CUBE, max_epochs: int = 200) -> NDArray[np.bool_]:
    """For each labelling (row of ``tasks``), True when one perceptron can produce it on the inputs ``x``.

    Runs chapter 1's rule (``w += (t − y)·x``, ``b += t − y``, from zero, samples in
    order) on every labelling at once, one NumPy step per sample. The rule stops
    making mistakes exactly when a separating plane exists (the convergence
    theorem); on the 3-bit cube it does so within a few epochs, far below
    ``max_epochs``, so a labelling still wrong after them is not separable.
    Introduced in the appendix, No free lunch.
    """
    tasks = np.asarray(tasks)
    x = np.asarray(x, dtype=float)
    if tasks.ndim != 2 or tasks.shape[1] != len(x) or not np.isin(tasks, (0, 1)).all():
        raise ValueError(f"tasks must be 0/1 labellings of the {len(x)} inputs, shape (n, {len(x)}); "
                         f"got shape {tasks.shape}")
    w = np.zeros((len(tasks), x.shape[1]))
    b = np.zeros(len(tasks))
    for _ in range(max_epochs):
        mistakes = np.zeros(len(tasks), dtype=bool)
        for i in range(len(x)):
            delta = tasks[:, i] - (w @ x[i] + b > 0)
            w += delta[:, None] * x[i]
            b += delta
            mistakes |= delta != 0
        if not mistakes.any():
            break
    return (((w @ x.T + b[:, None]) > 0) == tasks).all(axis=1)


def is_linearly_separable(labels: NDArray, x: NDArray = CUBE) -> bool:
    """True when one perceptron can produce ``labels`` on the inputs ``x``: :func:`separable_tasks` for one task.

    Introduced in the appendix, No free lunch.
    """
    return bool(separable_tasks(np.asarray(labels)[None], x)[0])


def off_training_accuracy(learner: Learner, tasks: NDArray | None = None) -> NDArray[np.float64]:
    """For each task (row of ``tasks``, default all 256), the learner's accuracy on the unseen inputs.

    Introduced in the appendix, No free lunch.
    """
    tasks = all_tasks() if tasks is None else np.asarray(tasks)
    if tasks.ndim != 2 or tasks.shape[1] != len(CUBE):
        raise ValueError(f"tasks must have shape (number of tasks, {len(CUBE)}), got {tasks.shape}")
    x_train, x_test = CUBE[TRAIN_IDX], CUBE[TEST_IDX]
    acc = np.empty(len(tasks))
    for k, labels in enumerate(tasks):
        pred = np.asarray(learner(x_train, labels[TRAIN_IDX], x_test))
        acc[k] = np.mean(pred == labels[TEST_IDX])
    return acc


def nfl_summary(learners: dict[str, Learner] | None = None) -> dict[str, dict[str, Fraction]]:
    """Mean off-training-set accuracy of each learner over all tasks and over the separable ones.

    Returns ``{name: {"all tasks": Fraction, "separable tasks": Fraction}}`` as exact
    fractions, so "exactly 1/2" can be printed and tested exactly.
    Introduced in the appendix, No free lunch.
    """
    learners = LEARNERS if learners is None else learners
    tasks = all_tasks()
    separable = tasks[separable_tasks(tasks)]
    out = {}
    for name, learner in learners.items():
        def exact_mean(ts: NDArray) -> Fraction:
            correct = np.rint(off_training_accuracy(learner, ts) * len(TEST_IDX)).astype(int)
            return Fraction(int(correct.sum()), len(ts) * len(TEST_IDX))
        out[name] = {"all tasks": exact_mean(tasks), "separable tasks": exact_mean(separable)}
    return out
