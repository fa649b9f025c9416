"""Trainer: the mini-batch training loop, written once for every experiment.

Introduced in chapter 4, Backpropagation (first full MNIST training), and used
for every training run of chapters 5 to 8. Read :meth:`Trainer.train` top to
bottom: pick a mini-batch, (optionally) set the learning rate and augment the
batch, take one step, check that the loss has not blown up, evaluate now and
then. Everything optional is a *hook* passed in by keyword:

- ``lr_schedule``: a function ``(lr0, step, total_steps) -> lr`` (see
  :mod:`common.schedules`, e.g. ``cosine``);
- ``augment``: a function ``(x_batch, rng) -> x_batch`` applied to training
  batches only (see :mod:`common.augmentation`, e.g. ``random_shift``);
- ``sampling``: ``"shuffle"`` (epochs, each a fresh permutation) or
  ``"random"`` (every mini-batch drawn afresh, as the classic book does), with
  ``iterations`` to train for an exact number of mini-batches;
- ``evaluate_every``: ``"epoch"``, a number of iterations, ``"end"`` or ``None``;
- ``callbacks``: objects with ``on_step``, ``on_evaluate`` and/or ``on_end``
  methods (see :class:`Callback`); the live loss curve of the notebooks is one
  (``common.plots.history.LiveCurve``).

The constructor accepts the classic book's arguments in the book's order
(``network, x_train, t_train, x_test, t_test, epochs, mini_batch_size,
optimizer, optimizer_param, evaluate_sample_num_per_epoch, verbose``) and a
trainer has its ``train_loss_list``, ``train_acc_list`` and ``test_acc_list``.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from common.optimizers import Optimizer, get_optimizer
from common.translation import _

__all__ = ["Trainer", "TrainingHistory", "TrainingDiverged", "Callback", "ProgressBar", "PrintLog"]


class TrainingDiverged(FloatingPointError):
    """Training stopped because the loss became NaN or infinite, or exploded.

    Introduced in chapter 4, Backpropagation. A ``FloatingPointError``, so code
    that catches those (chapter 5's comparisons) treats the run as diverged.
    """


@dataclass
class TrainingHistory:
    """What a training run recorded, for curves and for checking claims in the text.

    Introduced in chapter 4, Backpropagation.

    - ``train_loss``: the mini-batch loss of every iteration (before its update);
    - ``lr``: the learning rate of every iteration;
    - ``train_acc``, ``test_acc``: accuracy (fraction in [0, 1]) at each
      evaluation, on the training and test sets (or on their first
      ``evaluate_sample_num_per_epoch`` samples);
    - ``eval_iter``: how many iterations had run at each evaluation;
    - ``epoch_time``: seconds each completed epoch took, evaluation included;
    - ``iters_per_epoch``: mini-batches per epoch, to put iterations on an epoch axis;
    - ``final_test_acc``: accuracy on the *whole* test set at the end;
    - ``seconds``: wall time of training, evaluations included.
    """

    train_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    eval_iter: list[int] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    iters_per_epoch: int = 0
    final_test_acc: float | None = None
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """Number of complete epochs trained."""
        return len(self.train_loss) // max(1, self.iters_per_epoch)

    def as_dict(self) -> dict[str, Any]:
        """The history as a plain dict (e.g. to save with ``np.savez``)."""
        return asdict(self)


class Callback:
    """Something the trainer tells about its progress; override the methods you need.

    Introduced in chapter 4, Backpropagation. Each method receives the
    :class:`Trainer`, whose ``history``, ``iteration`` and ``optimizer`` say
    where training is. ``on_step``: after every iteration; ``on_evaluate``:
    after every evaluation; ``on_end``: once, when :meth:`Trainer.train`
    returns or stops with an error.
    """

    def on_step(self, trainer: Trainer) -> None:
        pass

    def on_evaluate(self, trainer: Trainer) -> None:
        pass

    def on_end(self, trainer: Trainer) -> None:
        pass


class ProgressBar(Callback):
    """One ``tqdm`` bar with the epoch, the loss and the latest accuracies (``progress=True``).

    Introduced in chapter 4, Backpropagation.
    """

    def __init__(self, total: int) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc=_("training"), unit="batch", leave=True)

    def on_step(self, trainer: Trainer) -> None:
        self.bar.set_postfix(epoch=trainer.epoch_label(), loss=f"{trainer.history.train_loss[-1]:.4f}",
                             refresh=False)
        self.bar.update(1)

    def on_evaluate(self, trainer: Trainer) -> None:
        h = trainer.history
        self.bar.set_postfix(epoch=trainer.epoch_label(), loss=f"{h.train_loss[-1]:.4f}",
                             train_acc=f"{h.train_acc[-1]:.4f}", test_acc=f"{h.test_acc[-1]:.4f}")

    def on_end(self, trainer: Trainer) -> None:
        self.bar.close()


class PrintLog(Callback):
    """One printed line per evaluation and the final test accuracy (``verbose=True``).

    The classic book prints the loss of every iteration too; thousands of lines
    bury the result, so this prints only the evaluations. Introduced in chapter 4.
    """

    def on_evaluate(self, trainer: Trainer) -> None:
        from tqdm.auto import tqdm

        h = trainer.history
        tqdm.write(_("epoch {epoch}, iteration {iteration}: loss {loss:.4f}, train acc {train:.4f}, test acc {test:.4f}"
                     ).format(epoch=trainer.epoch_label(), iteration=trainer.iteration, loss=h.train_loss[-1],
                              train=h.train_acc[-1], test=h.test_acc[-1]))

    def on_end(self, trainer: Trainer) -> None:
        from tqdm.auto import tqdm

        if trainer.history.final_test_acc is not None:
            tqdm.write(_("final test accuracy {acc:.4f}").format(acc=trainer.history.final_test_acc))


def _check_pair(x: Any, t: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or x.shape[0] != t.shape[0]:
        raise ValueError(
            f"x_{what} and t_{what} must have one row per sample, with the same count; "
            f"got shapes {x.shape} and {t.shape}"
        )
    if x.shape[0] == 0:
        raise ValueError(f"x_{what} is empty: pass at least one sample")
    return x, t


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


_CALLBACK_METHODS = ("on_step", "on_evaluate", "on_end")


class Trainer:
    """Train a network with mini-batches and an optimiser, evaluating as it goes.

    Introduced in chapter 4, Backpropagation. ``network`` needs ``params``,
    ``gradient(x, t)`` (keeping its loss in ``last_loss``, or with ``loss(x, t)``)
    and, to be evaluated, ``accuracy(x, t)``; every network in
    :mod:`common.networks` has them. ``optimizer`` is a name for
    :func:`~common.optimizers.get_optimizer` (with ``optimizer_param``,
    default ``{'lr': 0.01}``) or an optimiser object.

    Mini-batches: with ``sampling="shuffle"`` each epoch visits every training
    sample once, in an order shuffled by a generator seeded with ``seed`` (the
    last mini-batch may be smaller); with ``"random"`` every mini-batch is
    ``mini_batch_size`` distinct samples drawn afresh. Training runs ``epochs``
    epochs, or exactly ``iterations`` mini-batches when that is given.

    Evaluation (accuracy on the training and test sets, or on their first
    ``evaluate_sample_num_per_epoch`` samples) happens after every epoch
    (``evaluate_every="epoch"``), every N iterations (an int), once at the end
    (``"end"``) or never (``None``, then ``x_test`` may be ``None``). The final
    test accuracy always uses the whole test set.

    Divergence: training stops with :class:`TrainingDiverged`, naming the
    iteration, the loss and the learning rate, when the loss becomes NaN or
    infinite, or exceeds ``divergence_factor`` times the first loss (at least
    ``divergence_factor`` itself). For cross-entropy over 10 classes, which
    starts at about 2.3, that stops a run whose loss passes 23: a healthy
    run's mini-batch loss stays far below its first value, while a run with a
    learning rate orders of magnitude too large passes it within a few
    iterations. ``divergence_factor=None`` checks only for NaN and infinity.

    ``verbose=True`` prints one line per evaluation; ``progress`` shows a bar.
    :meth:`train` returns a :class:`TrainingHistory`, also kept in ``self.history``.
    """

    def __init__(
        self,
        network: Any,
        x_train: np.ndarray,
        t_train: np.ndarray,
        x_test: np.ndarray | None = None,
        t_test: np.ndarray | None = None,
        epochs: int = 20,
        mini_batch_size: int = 100,
        optimizer: str | Optimizer = "SGD",
        optimizer_param: Mapping[str, float] | None = None,
        evaluate_sample_num_per_epoch: int | None = None,
        verbose: bool = False,
        *,
        iterations: int | None = None,
        sampling: str = "shuffle",
        evaluate_every: int | str | None = "epoch",
        lr_schedule: Callable[[float, int, int], float] | None = None,
        augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
        callbacks: Sequence[Any] = (),
        seed: np.random.Generator | int | None = 0,
        progress: bool = True,
        divergence_factor: float | None = 10.0,
    ) -> None:
        self.network = network
        self.x_train, self.t_train = _check_pair(x_train, t_train, "train")
        self.epochs = _positive_int(epochs, "epochs")
        self.batch_size = min(_positive_int(mini_batch_size, "mini_batch_size"), self.x_train.shape[0])
        self.iters_per_epoch = math.ceil(self.x_train.shape[0] / self.batch_size)
        self.iterations = (self.epochs * self.iters_per_epoch if iterations is None
                           else _positive_int(iterations, "iterations"))
        if sampling not in ("shuffle", "random"):
            raise ValueError(f"sampling must be 'shuffle' (epochs) or 'random' (fresh batches), got {sampling!r}")
        self.sampling = sampling

        if not (evaluate_every in ("epoch", "end", None) or (
                isinstance(evaluate_every, (int, np.integer)) and not isinstance(evaluate_every, bool)
                and evaluate_every >= 1)):
            raise ValueError(f"evaluate_every must be 'epoch', 'end', None or a positive number of "
                             f"iterations, got {evaluate_every!r}")
        self.evaluate_every = evaluate_every
        if evaluate_every is not None and (x_test is None or t_test is None):
            raise ValueError("pass x_test and t_test to evaluate, or evaluate_every=None to train without evaluating")
        self.x_test, self.t_test = (None, None) if x_test is None else _check_pair(x_test, t_test, "test")
        if evaluate_sample_num_per_epoch is not None:
            evaluate_sample_num_per_epoch = _positive_int(evaluate_sample_num_per_epoch,
                                                          "evaluate_sample_num_per_epoch")
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch

        if isinstance(optimizer, str):
            self.optimizer = get_optimizer(optimizer, **dict(optimizer_param or {"lr": 0.01}))
        elif hasattr(optimizer, "update"):
            if optimizer_param:
                raise ValueError("optimizer_param is only used with an optimizer name; "
                                 "set the parameters on the optimizer object instead")
            self.optimizer = optimizer
        else:
            raise TypeError(f"optimizer must be a name such as 'adam' or an optimiser object, got {optimizer!r}")

        if lr_schedule is not None and not (callable(lr_schedule) and hasattr(self.optimizer, "lr")):
            raise TypeError("lr_schedule must be a function (lr0, step, total_steps) -> lr, such as "
                            "common.schedules.cosine, for an optimiser with an lr attribute")
        if augment is not None and not callable(augment):
            raise TypeError("augment must be a function (x_batch, rng) -> x_batch, such as "
                            "common.augmentation.random_shift")
        self.lr_schedule, self.augment = lr_schedule, augment
        for cb in callbacks:
            if not any(callable(getattr(cb, name, None)) for name in _CALLBACK_METHODS):
                raise TypeError(f"callbacks must be objects with on_step, on_evaluate or on_end methods "
                                f"(see common.trainer.Callback), got {cb!r}")
        self.callbacks = list(callbacks)
        if divergence_factor is not None and not divergence_factor > 1:
            raise ValueError(f"divergence_factor must be None or a number > 1, got {divergence_factor!r}")
        self.divergence_factor = divergence_factor

        self.rng = np.random.default_rng(seed)
        self.verbose, self.progress = bool(verbose), bool(progress)
        self.iteration = 0
        self._last_iteration = self.iterations
        self.history = TrainingHistory(iters_per_epoch=self.iters_per_epoch)

    # -- the classic book's names for the history ---------------------------------
    @property
    def train_loss_list(self) -> list[float]:
        """The loss of every iteration (the book's name for ``history.train_loss``)."""
        return self.history.train_loss

    @property
    def train_acc_list(self) -> list[float]:
        """Training accuracy at each evaluation (the book's name for ``history.train_acc``)."""
        return self.history.train_acc

    @property
    def test_acc_list(self) -> list[float]:
        """Test accuracy at each evaluation (the book's name for ``history.test_acc``)."""
        return self.history.test_acc

    # -- one iteration -----------------------------------------------------------
    def train_step(self, x_batch: np.ndarray, t_batch: np.ndarray) -> float:
        """One iteration: gradients by backprop, one optimiser update; returns the batch loss.

        Introduced in chapter 4, Backpropagation.
        """
        grads = self.network.gradient(x_batch, t_batch)
        loss = getattr(self.network, "last_loss", None)
        self.optimizer.update(self.network.params, grads)
        if loss is None:  # a network without last_loss: measure after the update
            loss = self.network.loss(x_batch, t_batch)
        return float(loss)

    # -- the loop ----------------------------------------------------------------
    def train(self) -> TrainingHistory:
        """Train for ``epochs`` epochs (or ``iterations`` mini-batches); return the history.

        A second call continues training and appends to the same history.
        Introduced in chapter 4, Backpropagation.
        """
        total = self.iterations
        self._last_iteration = self.iteration + total
        callbacks = self._callbacks(total)
        lr0 = getattr(self.optimizer, "lr", None)
        start = epoch_start = time.perf_counter()
        try:
            for step, idx in enumerate(self._batches(total)):
                if self.lr_schedule is not None:
                    self.optimizer.lr = self._scheduled_lr(lr0, step, total)
                x_batch, t_batch = self.x_train[idx], self.t_train[idx]
                if self.augment is not None:  # training batches only, never what we evaluate on
                    x_batch = self._augmented(x_batch)
                loss = self.train_step(x_batch, t_batch)
                self._check_divergence(loss)
                self.history.train_loss.append(loss)
                self.history.lr.append(float(getattr(self.optimizer, "lr", math.nan)))
                self.iteration += 1
                self._notify(callbacks, "on_step")
                if self._evaluation_due(step, total):
                    self._evaluate()
                    self._notify(callbacks, "on_evaluate")
                if self.iteration % self.iters_per_epoch == 0:
                    self.history.epoch_time.append(time.perf_counter() - epoch_start)
                    epoch_start = time.perf_counter()
            if self.evaluate_every is not None:
                self.history.final_test_acc = self._final_test_accuracy()
        finally:
            if self.lr_schedule is not None:
                self.optimizer.lr = lr0
            self.history.seconds += time.perf_counter() - start
            self._notify(callbacks, "on_end")
        return self.history

    def _batches(self, total: int) -> Iterator[np.ndarray]:
        """Indices of ``total`` mini-batches, drawn as ``sampling`` says."""
        n, size = self.x_train.shape[0], self.batch_size
        if self.sampling == "random":
            for _ in range(total):
                yield self.rng.choice(n, size, replace=False) if size < n else np.arange(n)
            return
        done = 0
        while done < total:
            order = self.rng.permutation(n)  # a new epoch: every sample once, in a fresh order
            for i in range(min(self.iters_per_epoch, total - done)):
                yield order[i * size:(i + 1) * size]
                done += 1

    def _scheduled_lr(self, lr0: float, step: int, total: int) -> float:
        lr = self.lr_schedule(lr0, step, total)
        if not (isinstance(lr, (int, float, np.floating)) and math.isfinite(lr) and lr >= 0):
            raise ValueError(f"lr_schedule returned {lr!r} at step {step}: it must return a finite number >= 0")
        return float(lr)

    def _augmented(self, x_batch: np.ndarray) -> np.ndarray:
        out = self.augment(x_batch, self.rng)
        if getattr(out, "shape", None) != x_batch.shape:
            raise ValueError(f"augment must return a batch of the same shape {x_batch.shape}, "
                             f"got {getattr(out, 'shape', type(out).__name__)}")
        return out

    def _check_divergence(self, loss: float) -> None:
        first = self.history.train_loss[0] if self.history.train_loss else loss
        factor = self.divergence_factor
        if math.isfinite(loss) and (factor is None or loss <= factor * max(first, 1.0)):
            return
        lr = getattr(self.optimizer, "lr", None)
        why = ("is not a number" if math.isnan(loss) else "is infinite" if math.isinf(loss)
               else f"exceeds {factor:g} times its first value {first:.4g}")
        raise TrainingDiverged(
            f"training diverged at iteration {self.iteration + 1} (epoch {self.epoch_label(self.iteration + 1)}): "
            f"the loss {loss:.4g} {why}, with learning rate {lr if lr is None else f'{lr:g}'}; "
            "lower the learning rate (a tenth is a good first try) or check the initial weights"
        )

    def _evaluation_due(self, step: int, total: int) -> bool:
        every = self.evaluate_every
        if every == "epoch":
            return self.iteration % self.iters_per_epoch == 0
        if every == "end":
            return step == total - 1
        return every is not None and self.iteration % every == 0

    def _evaluate(self) -> None:
        n = self.evaluate_sample_num_per_epoch
        xtr, ttr, xte, tte = self.x_train, self.t_train, self.x_test, self.t_test
        if n is not None:
            xtr, ttr, xte, tte = xtr[:n], ttr[:n], xte[:n], tte[:n]
        self.history.train_acc.append(self._accuracy(xtr, ttr))
        self.history.test_acc.append(self._accuracy(xte, tte))
        self.history.eval_iter.append(self.iteration)

    def _final_test_accuracy(self) -> float:
        h, n = self.history, self.evaluate_sample_num_per_epoch
        whole = n is None or n >= len(self.x_test)
        if whole and h.eval_iter and h.eval_iter[-1] == self.iteration:
            return h.test_acc[-1]  # just measured on the whole test set
        return self._accuracy(self.x_test, self.t_test)

    def _accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        if "batch_size" in inspect.signature(self.network.accuracy).parameters:
            return float(self.network.accuracy(x, t, batch_size=self.batch_size))
        return float(self.network.accuracy(x, t))  # a learner's network without batch_size

    # -- reporting ---------------------------------------------------------------
    def epoch_label(self, iteration: int | None = None) -> str:
        """The epoch of ``iteration`` (default: the last one run) out of the run's, as ``"3/8"``."""
        it = self.iteration if iteration is None else iteration
        return f"{max(1, math.ceil(it / self.iters_per_epoch))}/{math.ceil(self._last_iteration / self.iters_per_epoch)}"

    def _callbacks(self, total: int) -> list[Any]:
        built_in = ([ProgressBar(total)] if self.progress else []) + ([PrintLog()] if self.verbose else [])
        return built_in + self.callbacks

    def _notify(self, callbacks: Sequence[Any], event: str) -> None:
        for cb in callbacks:
            method = getattr(cb, event, None)
            if method is not None:
                method(self)
