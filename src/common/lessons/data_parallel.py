"""Data-parallel SGD, simulated: K workers, one mini-batch split K ways, gradients averaged by an all-reduce.

Introduced in chapter 7, Deep learning. Each worker holds a full copy of the
network and computes the gradient of its shard of the mini-batch. Because the
loss of a mini-batch is the *mean* of per-example losses, the gradient of
the whole batch is the mean of the shards' gradients weighted by their
sizes, ``g = Σ_k (n_k / N) g_k``, exactly, whatever K is: every worker can
then take the same optimiser step and the copies stay identical. (Layers that
look across the batch break this: batch normalisation normalises each shard
with its own statistics, which is why frameworks offer a "synchronised"
batch norm.)

The averaging is done by an *all-reduce*: afterwards every worker holds the
sum of everyone's arrays. :func:`ring_allreduce` simulates the usual ring
algorithm, counting what each worker sends; :func:`allreduce_cost` gives the
formula: ``2 (K − 1) / K · n`` values per worker, almost independent of K.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.trainer import Trainer

__all__ = [
    "shard_slices",
    "worker_gradients",
    "average_gradients",
    "ring_allreduce",
    "allreduce_cost",
    "train_data_parallel",
]


def shard_slices(n: int, k: int) -> list[slice]:
    """Split ``n`` samples into ``k`` contiguous shards whose sizes differ by at most one. Chapter 7."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"the number of workers must be a positive integer, got {k!r}")
    if n < k:
        raise ValueError(f"cannot split {n} samples among {k} workers: every worker needs at least one")
    bounds = np.linspace(0, n, k + 1).round().astype(int)
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def worker_gradients(net: Any, x: ArrayLike, t: ArrayLike, k: int) -> list[tuple[int, dict[str, NDArray]]]:
    """Each of ``k`` workers' shard size and gradient dict (copies), computed with the same ``net``.

    The workers would hold identical copies of the network; one copy run
    ``k`` times gives the same numbers. Introduced in chapter 7, Deep learning.
    """
    x, t = np.asarray(x), np.asarray(t)
    out = []
    for part in shard_slices(len(x), k):
        grads = net.gradient(x[part], t[part])
        out.append((part.stop - part.start, {name: g.copy() for name, g in grads.items()}))
    return out


def average_gradients(per_worker: Sequence[tuple[int, Mapping[str, NDArray]]]) -> dict[str, NDArray]:
    """``Σ_k (n_k / N) g_k``: the shards' gradients weighted by their share of the batch. Chapter 7.

    With equal shards this is the plain mean; with unequal ones the plain
    mean would over-weight the small shards' examples.
    """
    if not per_worker:
        raise ValueError("no workers: pass at least one (shard size, gradients) pair")
    total = sum(n for n, _ in per_worker)
    names = per_worker[0][1].keys()
    return {name: sum((n / total) * g[name] for n, g in per_worker) for name in names}


def ring_allreduce(arrays: Sequence[ArrayLike]) -> tuple[list[NDArray], list[int]]:
    """Sum ``arrays`` (one per worker) the way a ring all-reduce does; return every worker's result and values sent.

    Each worker's array is cut into K chunks. In K − 1 *reduce-scatter*
    steps every worker passes one chunk to its right-hand neighbour, which
    adds it to its own; after them worker ``i`` holds the complete sum of
    chunk ``(i + 1) mod K``. In K − 1 *all-gather* steps the complete chunks go
    round the ring once more. Every worker sends ``2 (K − 1)`` chunks, i.e.
    ``2 (K − 1) / K`` of the array. Introduced in chapter 7, Deep learning.
    """
    k = len(arrays)
    if k < 1:
        raise ValueError("ring_allreduce needs at least one worker's array")
    flat = [np.array(a, dtype=np.float64).ravel() for a in arrays]
    shape = np.shape(arrays[0])
    if any(f.size != flat[0].size for f in flat):
        raise ValueError(f"every worker must contribute an array of the same size, got {[f.size for f in flat]}")
    bounds = np.linspace(0, flat[0].size, k + 1).round().astype(int)
    chunks = [[f[bounds[c]:bounds[c + 1]].copy() for c in range(k)] for f in flat]
    sent = [0] * k
    for step in range(k - 1):  # reduce-scatter
        outgoing = [(i, (i - step) % k, chunks[i][(i - step) % k].copy()) for i in range(k)]
        for i, c, data in outgoing:
            chunks[(i + 1) % k][c] += data
            sent[i] += data.size
    for step in range(k - 1):  # all-gather: worker i owns the full chunk (i + 1) mod k
        outgoing = [(i, (i + 1 - step) % k, chunks[i][(i + 1 - step) % k].copy()) for i in range(k)]
        for i, c, data in outgoing:
            chunks[(i + 1) % k][c] = data
            sent[i] += data.size
    return [np.concatenate(c).reshape(shape) for c in chunks], sent


def allreduce_cost(n_values: int, k: int, bytes_per_value: int = 4, bandwidth: float = 10e9,
                   latency: float = 5e-6) -> dict[str, float]:
    """Traffic and time of one all-reduce of ``n_values`` numbers over ``k`` workers.

    Ring all-reduce: each worker sends ``2 (k − 1) / k · n`` values in
    ``2 (k − 1)`` messages, so the time is about
    ``2 (k − 1) · (latency + n·b / (k·bandwidth))``. For comparison, a
    central parameter server receives ``k · n`` values and sends ``k · n``
    back over its one link. ``bandwidth`` is in bytes per second (10 GB/s by
    default, a fast data-centre link), ``latency`` in seconds per message.
    Introduced in chapter 7, Deep learning.
    """
    if k < 1 or n_values < 0 or bandwidth <= 0 or latency < 0 or bytes_per_value < 1:
        raise ValueError("need k >= 1, n_values >= 0, bytes_per_value >= 1, bandwidth > 0 and latency >= 0")
    ring_values = 2 * (k - 1) / k * n_values
    return {
        "ring_bytes_per_worker": ring_values * bytes_per_value,
        "ring_seconds": 2 * (k - 1) * (latency + n_values * bytes_per_value / (k * bandwidth)) if k > 1 else 0.0,
        "server_bytes": 2 * k * n_values * bytes_per_value,
        "server_seconds": 2 * k * n_values * bytes_per_value / bandwidth + 2 * latency,
    }


def train_data_parallel(make_net: Callable[[], Any], make_optimizer: Callable[[], Any], x: ArrayLike,
                        t: ArrayLike, k: int, batch_size: int, steps: int, seed: int = 0) -> list[Any]:
    """Train ``k`` replicas in lockstep: shard each mini-batch, all-reduce the gradients, same step everywhere.

    Every replica starts from ``make_net()`` (which must build identical
    networks) with its own optimiser; the mini-batches are drawn with
    ``seed``. Gradients are scaled by the shard's share of the batch before
    the ring all-reduce, so the sum each replica receives is the large-batch
    gradient. Returns the replicas. The loop is :class:`~common.trainer.Trainer`'s
    (fresh random batches, ``steps`` iterations) with this lockstep as its
    ``train_step``, so a diverging run stops the same way, with
    :class:`~common.trainer.TrainingDiverged` naming the step, the batch's loss
    (the shards' losses weighted by their size) and the learning rate.
    Introduced in chapter 7, Deep learning.
    """
    replicas = [make_net() for _ in range(k)]
    optimizers = [make_optimizer() for _ in range(k)]
    _LockstepTrainer(replicas, optimizers, x, t, batch_size, steps, seed).train()
    return replicas


class _LockstepTrainer(Trainer):
    """The Trainer's loop over ``k`` replicas: one mini-batch, ``k`` shards, one all-reduce per parameter."""

    def __init__(self, replicas: list[Any], optimizers: list[Any], x: ArrayLike, t: ArrayLike,
                 batch_size: int, steps: int, seed: int) -> None:
        super().__init__(replicas[0], np.asarray(x), np.asarray(t), mini_batch_size=batch_size,
                         optimizer=optimizers[0], iterations=steps, sampling="random",
                         evaluate_every=None, seed=seed, progress=False)
        if batch_size > len(self.x_train):
            raise ValueError(f"batch_size {batch_size} is larger than the {len(self.x_train)} training samples")
        self.replicas, self.optimizers = replicas, optimizers

    def train_step(self, x_batch: np.ndarray, t_batch: np.ndarray) -> float:
        n = len(x_batch)
        parts = shard_slices(n, len(self.replicas))
        local = [net.gradient(x_batch[p], t_batch[p]) for net, p in zip(self.replicas, parts)]
        loss = sum((p.stop - p.start) / n * float(net.last_loss) for net, p in zip(self.replicas, parts))
        reduced = {}  # parameter name -> what each replica received from the all-reduce
        for name in local[0]:
            scaled = [(p.stop - p.start) / n * g[name] for g, p in zip(local, parts)]
            reduced[name], _ = ring_allreduce(scaled)
        for r, (net, opt) in enumerate(zip(self.replicas, self.optimizers)):
            opt.update(net.params, {name: got[r].astype(net.params[name].dtype) for name, got in reduced.items()})
        return loss
