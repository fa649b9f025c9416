"""Hyperparameter search: a validation split, log-uniform random search, and narrowing the range.

Hyperparameters (learning rate, weight decay, layer sizes, ...) are the
settings training does not learn. Choosing them by test accuracy would leak
the test set into the model, so they are judged on a *validation* set carved
out of the training data. The search here is the simple, strong baseline:
sample each hyperparameter at random on a log scale, train briefly, keep the
best, narrow the ranges around them, repeat. Introduced in chapter 5,
Training techniques.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "validation_split",
    "log_uniform",
    "Trial",
    "random_search",
    "best_trials",
    "narrow_space",
    "network_objective",
]

Space = Mapping[str, tuple[float, float]]


def validation_split(
    x: np.ndarray, t: np.ndarray, fraction: float = 0.2, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffle and split into ``(x_train, t_train), (x_val, t_val)``, the last ``fraction`` for validation.

    Shuffling first matters: data files are often sorted (by class, by
    writer), and a validation set from the end would then differ from the
    training set. Introduced in chapter 5, Training techniques.
    """
    x, t = np.asarray(x), np.asarray(t)
    if len(x) != len(t):
        raise ValueError(f"x and t must have the same number of samples, got {len(x)} and {len(t)}")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1 (e.g. 0.2), got {fraction!r}")
    n_val = int(round(len(x) * fraction))
    if n_val < 1 or n_val >= len(x):
        raise ValueError(f"{len(x)} samples are too few to hold out {fraction:.0%} for validation")
    order = np.random.default_rng(seed).permutation(len(x))
    train, val = order[:-n_val], order[-n_val:]
    return (x[train], t[train]), (x[val], t[val])


def log_uniform(low: float, high: float, size: int | None = None,
                rng: np.random.Generator | int | None = 0) -> float | NDArray[np.float64]:
    """Samples whose base-10 logarithm is uniform between log10(low) and log10(high).

    Each factor of ten gets the same share of samples: 1e-5…1e-4 as many as
    1e-2…1e-1. A plain uniform draw would put 90 % of them in the top decade.
    Introduced in chapter 5, Training techniques.
    """
    if not (0 < low < high) or not math.isfinite(high):
        raise ValueError(f"log_uniform needs 0 < low < high, got low={low!r}, high={high!r}")
    generator = np.random.default_rng(rng)
    exponents = generator.uniform(math.log10(low), math.log10(high), size)
    return 10.0 ** exponents


@dataclass(frozen=True)
class Trial:
    """One point of a search: the hyperparameters tried and the validation (and training) accuracy.

    ``val`` is NaN when training diverged. Introduced in chapter 5.
    """

    params: dict[str, float]
    val: float
    train: float = float("nan")

    @property
    def diverged(self) -> bool:
        return not math.isfinite(self.val)


def random_search(
    objective: Callable[[dict[str, float]], tuple[float, float] | float],
    space: Space,
    n_trials: int,
    seed: int = 0,
    progress: bool = True,
) -> list[Trial]:
    """Try ``n_trials`` settings drawn log-uniformly from ``space``; return them in order.

    ``space`` maps each name to its ``(low, high)`` range; ``objective(params)``
    returns the validation accuracy, or ``(val, train)``. An objective that
    raises ``FloatingPointError`` or returns NaN counts as diverged, never
    stops the search. Introduced in chapter 5, Training techniques.
    """
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    trials = []
    for _ in tqdm(range(int(n_trials)), desc="search", unit="trial", disable=not progress):
        params = {name: float(log_uniform(lo, hi, rng=rng)) for name, (lo, hi) in space.items()}
        try:
            result = objective(params)
        except FloatingPointError:
            result = (float("nan"), float("nan"))
        val, train = result if isinstance(result, tuple) else (result, float("nan"))
        trials.append(Trial(params, float(val), float(train)))
    return trials


def best_trials(trials: Sequence[Trial], k: int = 5) -> list[Trial]:
    """The ``k`` trials with the highest validation accuracy (diverged ones never count).

    Introduced in chapter 5, Training techniques.
    """
    finite = [tr for tr in trials if not tr.diverged]
    return sorted(finite, key=lambda tr: tr.val, reverse=True)[: max(0, int(k))]


def narrow_space(trials: Sequence[Trial], k: int = 5, margin: float = 0.25) -> dict[str, tuple[float, float]]:
    """The ranges spanned by the ``k`` best trials, widened by ``margin`` decades on each side.

    This is the "zoom in" step of a coarse-to-fine search: the next round
    samples only where good results were found. Raises ``ValueError`` only if
    no trial finished. Introduced in chapter 5, Training techniques.
    """
    best = best_trials(trials, k)
    if not best:
        raise ValueError("no finished trial to narrow around: every trial diverged")
    space = {}
    for name in best[0].params:
        logs = np.log10([tr.params[name] for tr in best])
        space[name] = (float(10 ** (logs.min() - margin)), float(10 ** (logs.max() + margin)))
    return space


def network_objective(
    x_train: np.ndarray,
    t_train: np.ndarray,
    x_val: np.ndarray,
    t_val: np.ndarray,
    hidden_size_list: Sequence[int] = (100, 100, 100, 100, 100),
    epochs: int = 30,
    mini_batch_size: int = 100,
    seed: int = 0,
    dtype: type = np.float32,
) -> Callable[[dict[str, float]], tuple[float, float]]:
    """An objective for :func:`random_search`: train a MultiLayerNet with SGD and these settings.

    ``params`` must hold ``"lr"`` (SGD's learning rate) and ``"weight_decay"``
    (λ). Returns ``(validation accuracy, training accuracy)``, measured once,
    after the last epoch; a diverged run gives NaN. Introduced in chapter 5,
    Training techniques.
    """
    from common.networks import MultiLayerNet
    from common.trainer import Trainer

    def objective(params: dict[str, float]) -> tuple[float, float]:
        net = MultiLayerNet(x_train.shape[1], list(hidden_size_list), 10,
                            weight_decay_lambda=params["weight_decay"], seed=seed, dtype=dtype)
        trainer = Trainer(net, x_train, t_train, x_val, t_val, epochs=epochs,
                          mini_batch_size=mini_batch_size, optimizer="sgd",
                          optimizer_param={"lr": params["lr"]}, evaluate_every="end", seed=seed,
                          progress=False)
        with np.errstate(all="ignore"):
            history = trainer.train()
        return history.test_acc[-1], history.train_acc[-1]

    return objective
