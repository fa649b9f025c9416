"""The checks practitioners run before a long training run, each a few seconds at most.

1. **The initial loss.** A freshly initialised classifier should be unsure:
   about equal probabilities for the ``C`` classes, so a cross-entropy of about
   ``ln C`` (2.303 for ten digits). Much more means the initial weights are
   too large (confident and wrong); much less, a bug such as a label leak.
2. **Overfit a handful of images.** With 20 images a network of ample
   capacity must reach 100 % training accuracy and a loss near 0 in a few
   hundred steps. If it cannot, something in the model, the loss or the update
   is broken, and a long run would only hide it.
3. **The update/weight ratio.** How far one step moves each weight matrix,
   relative to its size: ``‖ΔW‖ / ‖W‖``. About ``1e-3`` per step is the usual
   rule of thumb (cs231n); far below, learning crawls; far above, it thrashes.

Introduced in chapter 5, Training techniques.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from common.lessons.comparisons import data_loss
from common.optimizers import Optimizer
from common.trainer import Trainer, TrainingDiverged

__all__ = ["expected_initial_loss", "initial_loss", "OverfitResult", "overfit_tiny", "update_ratios"]


def expected_initial_loss(n_classes: int = 10) -> float:
    """``ln(n_classes)``: the cross-entropy of a network that gives every class the same probability.

    Introduced in chapter 5, Training techniques.
    """
    if int(n_classes) < 2:
        raise ValueError(f"a classifier needs at least two classes, got {n_classes!r}")
    return math.log(int(n_classes))


def initial_loss(network: Any, x: np.ndarray, t: np.ndarray) -> float:
    """The loss of an untrained ``network`` on ``(x, t)``, in test mode and without weight decay.

    Compare it with :func:`expected_initial_loss`. Introduced in chapter 5.
    """
    return data_loss(network, x, t)


@dataclass(frozen=True)
class OverfitResult:
    """What :func:`overfit_tiny` found: the loss of every step, the final accuracy, when it first reached 100 %.

    ``first_perfect`` is the number of iterations after which the training
    accuracy was first 100 % (``None`` if never). Introduced in chapter 5.
    """

    losses: NDArray[np.float64]
    train_acc: float
    first_perfect: int | None

    @property
    def passed(self) -> bool:
        """True if the network fitted its images: 100 % accuracy and a final loss below 0.05."""
        return self.train_acc == 1.0 and bool(self.losses[-1] < 0.05)


def overfit_tiny(
    network: Any,
    optimizer: Optimizer,
    x: np.ndarray,
    t: np.ndarray,
    n: int = 20,
    iterations: int = 200,
    seed: int = 0,
) -> OverfitResult:
    """Train on the first ``n`` images only, the whole set as one batch, for ``iterations`` steps.

    A healthy model, loss and optimiser drive the loss towards 0 and the
    accuracy to 100 %. Never raises on divergence: the losses then end in NaN.
    Introduced in chapter 5, Training techniques.
    """
    x, t = np.asarray(x)[: int(n)], np.asarray(t)[: int(n)]
    if len(x) < 1 or len(x) != len(t):
        raise ValueError(f"need n images with one label each, got {len(x)} images and {len(t)} labels")
    first: list[int] = []

    class _FirstPerfect:
        def on_step(self, trainer: Trainer) -> None:
            if not first and trainer.iteration % 5 == 0 and trainer.network.accuracy(x, t) == 1.0:
                first.append(trainer.iteration)

    trainer = Trainer(network, x, t, epochs=1, mini_batch_size=len(x), optimizer=optimizer,
                      iterations=int(iterations), evaluate_every=None, callbacks=[_FirstPerfect()],
                      seed=seed, progress=False)
    with np.errstate(all="ignore"):
        try:
            trainer.train()
        except TrainingDiverged:
            pass
    losses = np.full(int(iterations), np.nan)
    losses[: len(trainer.history.train_loss)] = trainer.history.train_loss
    with np.errstate(all="ignore"):
        acc = float(network.accuracy(x, t))
    return OverfitResult(losses, acc, first[0] if first else None)


def update_ratios(network: Any, optimizer: Optimizer, x: np.ndarray, t: np.ndarray) -> dict[str, float]:
    """``‖ΔW‖ / ‖W‖`` for each weight matrix after one step of ``optimizer`` on the batch ``(x, t)``.

    Uses the optimiser's pure ``step`` with a fresh state, so neither the
    network nor the optimiser changes. Only the weight matrices (``W1``,
    ``W2``, …) are reported: biases start at zero, where a ratio means nothing.
    Introduced in chapter 5, Training techniques.
    """
    grads = network.gradient(x, t)
    ratios = {}
    for key, W in network.params.items():
        if not key.startswith("W"):
            continue
        new, _ = optimizer.step(W, grads[key], {})
        norm = float(np.linalg.norm(W))
        if norm == 0:
            raise ValueError(f"{key} is all zeros: the ratio ‖ΔW‖/‖W‖ needs non-zero weights")
        ratios[key] = float(np.linalg.norm(np.asarray(new, dtype=np.float64) - W)) / norm
    return ratios
