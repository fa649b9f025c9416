"""Controlled comparisons: train several variants on the same data and keep their curves.

Chapter 5 asks many "A or B?" questions: which optimiser, which
initialisation, batch norm or not, dropout or not. A fair answer changes one
thing and keeps everything else equal: the data, the order of the
mini-batches, the starting weights. :func:`compare_optimizers` and
:func:`compare_schedules` do this for a fixed number of iterations (loss
curves), :func:`train_runs` for whole epochs (accuracy curves), all with
:class:`~common.trainer.Trainer`. None raises when a variant diverges: its
curve simply stops, and the result says so. Introduced in chapter 5, Training
techniques.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from common.functions import softmax_cross_entropy
from common.optimizers import Optimizer
from common.schedules import Schedule
from common.trainer import Callback, Trainer, TrainingDiverged, TrainingHistory

__all__ = ["train_iterations", "compare_optimizers", "ScheduleRun", "compare_schedules", "Run", "train_runs",
           "data_loss", "RunSummary", "summarise_runs", "dropout_ensemble"]


def train_iterations(
    network: Any,
    optimizer: Optimizer,
    x: np.ndarray,
    t: np.ndarray,
    iterations: int,
    batch_size: int = 128,
    seed: int = 0,
    callbacks: Sequence[Any] = (),
    lr_schedule: Schedule | None = None,
) -> NDArray[np.float64]:
    """Train for exactly ``iterations`` mini-batches and return the loss of each one.

    A :class:`~common.trainer.Trainer` with ``sampling="random"`` (every batch
    drawn afresh by a generator seeded with ``seed``, so two calls with the
    same seed see the same batches) and no evaluation. A diverging run stops
    without raising: the remaining entries are NaN. ``callbacks`` and
    ``lr_schedule`` (see :mod:`common.schedules`) are passed to the trainer.
    Introduced in chapter 5, Training techniques.
    """
    trainer = Trainer(network, x, t, epochs=1, mini_batch_size=batch_size, optimizer=optimizer,
                      iterations=iterations, sampling="random", evaluate_every=None,
                      lr_schedule=lr_schedule, callbacks=callbacks, seed=seed, progress=False)
    with np.errstate(all="ignore"):
        try:
            trainer.train()
        except TrainingDiverged:
            pass
    losses = np.full(int(iterations), np.nan)
    losses[:len(trainer.history.train_loss)] = trainer.history.train_loss
    return losses


class _Advance(Callback):
    """Moves a shared progress bar one step per iteration (and over the rest if a run stops early)."""

    def __init__(self, bar: Any, iterations: int) -> None:
        self.bar, self.iterations = bar, iterations

    def on_step(self, trainer: Trainer) -> None:
        self.bar.update(1)

    def on_end(self, trainer: Trainer) -> None:
        self.bar.update(self.iterations - len(trainer.history.train_loss))


def compare_optimizers(
    make_network: Callable[[], Any],
    optimizers: Mapping[str, Optimizer],
    x: np.ndarray,
    t: np.ndarray,
    iterations: int,
    batch_size: int = 128,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, NDArray[np.float64]]:
    """Train one fresh network per optimiser on the same batches; return each loss curve.

    ``make_network()`` must return identically initialised networks (pass a
    fixed seed inside it), so the optimiser is the only difference.
    Introduced in chapter 5, Training techniques.
    """
    from tqdm.auto import tqdm

    curves = {}
    with tqdm(total=len(optimizers) * int(iterations), desc="optimisers", unit="batch",
              disable=not progress) as bar:
        for name, optimizer in optimizers.items():
            bar.set_postfix_str(name)
            curves[name] = train_iterations(make_network(), optimizer, x, t, iterations, batch_size, seed,
                                            callbacks=[_Advance(bar, int(iterations))])
    return curves


@dataclass
class ScheduleRun:
    """One run of :func:`compare_schedules`: the loss and learning rate of every iteration, the test accuracy.

    ``test_acc`` is NaN when the run diverged. Introduced in chapter 5, Training techniques.
    """

    losses: NDArray[np.float64]
    lr: NDArray[np.float64]
    test_acc: float

    @property
    def diverged(self) -> bool:
        return bool(np.isnan(self.losses[-1]))


def compare_schedules(
    make_network: Callable[[], Any],
    make_optimizer: Callable[[], Optimizer],
    schedules: Mapping[str, Schedule | None],
    x: np.ndarray,
    t: np.ndarray,
    x_test: np.ndarray,
    t_test: np.ndarray,
    iterations: int,
    batch_size: int = 128,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, ScheduleRun]:
    """Train one fresh network per learning-rate schedule on the same batches; loss curves and test accuracy.

    ``schedules`` maps a label to a schedule ``(lr0, step, total) -> lr`` (see
    :mod:`common.schedules`), or ``None`` for a constant rate. Every run gets
    its own ``make_optimizer()`` with the same initial rate, so the schedule is
    the only difference. Introduced in chapter 5, Training techniques.
    """
    from tqdm.auto import tqdm

    runs = {}
    with tqdm(total=len(schedules) * int(iterations), desc="schedules", unit="batch",
              disable=not progress) as bar:
        for name, schedule in schedules.items():
            bar.set_postfix_str(name)
            network, optimizer = make_network(), make_optimizer()
            lr0 = float(optimizer.lr)
            losses = train_iterations(network, optimizer, x, t, iterations, batch_size, seed,
                                      callbacks=[_Advance(bar, int(iterations))], lr_schedule=schedule)
            lr = np.array([lr0 if schedule is None else schedule(lr0, k, int(iterations))
                           for k in range(int(iterations))])
            diverged = bool(np.isnan(losses[-1]))
            runs[name] = ScheduleRun(losses, lr, float("nan") if diverged else float(network.accuracy(x_test, t_test)))
    return runs


@dataclass
class Run:
    """One training run of :func:`train_runs`: its history, whether it diverged, how long it took.

    Introduced in chapter 5, Training techniques.
    """

    history: TrainingHistory
    diverged: bool
    seconds: float
    network: Any = None


def train_runs(
    make_networks: Mapping[str, Callable[[], Any]],
    x_train: np.ndarray,
    t_train: np.ndarray,
    x_test: np.ndarray,
    t_test: np.ndarray,
    epochs: int,
    mini_batch_size: int = 100,
    optimizer: str = "sgd",
    optimizer_param: Mapping[str, float] | None = None,
    evaluate_sample_num_per_epoch: int | None = None,
    seed: int = 0,
    progress: bool = True,
    evaluate_every: str | int = "epoch",
) -> dict[str, Run]:
    """Train each network with the same data, batches and optimiser settings; one progress bar.

    ``make_networks`` maps a label to a function building the network. Each
    run uses :class:`~common.trainer.Trainer`, which measures the accuracy on
    both sets after every epoch (or every ``evaluate_every`` iterations); a run
    that diverges (a NaN, infinite or exploding loss, see the trainer) stops
    there and is marked ``diverged`` instead of raising. Introduced in chapter 5.
    """
    from tqdm.auto import tqdm

    runs = {}
    with tqdm(total=len(make_networks), desc="runs", unit="run", disable=not progress) as bar:
        for label, make in make_networks.items():
            bar.set_postfix_str(str(label))
            network = make()
            trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs,
                              mini_batch_size=mini_batch_size, optimizer=optimizer,
                              optimizer_param=dict(optimizer_param or {"lr": 0.01}),
                              evaluate_sample_num_per_epoch=evaluate_sample_num_per_epoch,
                              evaluate_every=evaluate_every, seed=seed, progress=False)
            start = time.perf_counter()
            diverged = False
            with np.errstate(all="ignore"):
                try:
                    trainer.train()
                except TrainingDiverged:
                    diverged = True
            runs[label] = Run(trainer.history, diverged, time.perf_counter() - start, network)
            bar.update(1)
    return runs


def data_loss(network: Any, x: np.ndarray, t: np.ndarray, batch_size: int = 1000) -> float:
    """The mean cross-entropy of ``network`` on ``(x, t)`` in test mode, without the weight-decay penalty.

    ``network.loss`` adds ``λ/2 ΣW²``, which differs between the runs of a
    weight-decay sweep; this measures only how well the predictions fit the
    labels. Computed in batches. Introduced in chapter 5, Training techniques.
    """
    x, t = np.asarray(x), np.asarray(t)
    if len(x) == 0 or len(x) != len(t):
        raise ValueError(f"need as many labels as samples (at least one), got {len(x)} and {len(t)}")
    total = 0.0
    for i in range(0, len(x), batch_size):
        xb, tb = x[i:i + batch_size], t[i:i + batch_size]
        total += softmax_cross_entropy(network.predict(xb, train_flg=False), tb) * len(xb)
    return total / len(x)


@dataclass(frozen=True)
class RunSummary:
    """Where one run of :func:`train_runs` ended: accuracy on its training set, a validation set, the test set.

    ``val_loss`` is the cross-entropy on the validation set without any
    weight-decay penalty (:func:`data_loss`). Introduced in chapter 5.
    """

    train_acc: float
    val_acc: float
    val_loss: float
    test_acc: float


def summarise_runs(
    runs: Mapping[str, Run],
    x_val: np.ndarray,
    t_val: np.ndarray,
    x_test: np.ndarray,
    t_test: np.ndarray,
) -> dict[str, RunSummary]:
    """One :class:`RunSummary` per run, measured on its trained network (NaN for a diverged run).

    The training accuracy is the last one the run recorded. Use the
    validation numbers to compare settings, and look at the test accuracy
    only for the one chosen. Introduced in chapter 5, Training techniques.
    """
    out = {}
    for label, run in runs.items():
        if run.diverged or run.network is None:
            out[label] = RunSummary(float("nan"), float("nan"), float("nan"), float("nan"))
            continue
        net = run.network
        train = run.history.train_acc[-1] if run.history.train_acc else float("nan")
        out[label] = RunSummary(float(train), float(net.accuracy(x_val, t_val)), data_loss(net, x_val, t_val),
                                float(net.accuracy(x_test, t_test)))
    return out


def dropout_ensemble(
    network: Any,
    x: np.ndarray,
    counts: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128),
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Compare the average of many random dropout networks with the one test-mode network.

    Every training-mode pass of a network with dropout uses a different random
    "thinned" network. Averaging the softmax outputs of ``n`` of them is an
    ensemble; inverted dropout's test mode (all units, no rescaling) is a
    cheap stand-in for that ensemble. Returns ``(counts, distance,
    agreement)``: for each ``n`` in ``counts``, the mean absolute difference
    between the averaged and the test-mode probabilities, and the share of
    inputs on which both pick the same class. Introduced in chapter 5.
    """
    from common.functions import softmax

    counts_arr = np.asarray(sorted(int(c) for c in counts if int(c) >= 1), dtype=np.int64)
    if counts_arr.size == 0:
        raise ValueError("counts must hold at least one positive number of masks")
    test_mode = softmax(network.predict(x, train_flg=False))
    test_class = np.argmax(test_mode, axis=1)
    total = np.zeros_like(test_mode)
    distance, agreement = [], []
    done = 0
    for n in counts_arr:
        while done < n:
            total += softmax(network.predict(x, train_flg=True))
            done += 1
        mean = total / done
        distance.append(float(np.mean(np.abs(mean - test_mode))))
        agreement.append(float(np.mean(np.argmax(mean, axis=1) == test_class)))
    return counts_arr, np.array(distance), np.array(agreement)
