"""How long inference takes per image at each batch size, measured the way ``make bench`` measures.

Introduced in chapter 2, Neural networks, where one ``predict`` call per image is
compared with one call per batch. A single stopwatch reading on a shared machine
can be off by a factor of ten (another process wakes up mid-measurement), so this
uses :func:`common.tools.bench.alternate`: every batch size does the same work
(``n_images`` images), the sizes take turns in blocks, and the result is the
median over blocks. BLAS runs on a fixed number of threads during the
measurement (one by default), so the numbers do not depend on how busy the other
cores are, and the previous thread count is restored afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from common.tools.bench import alternate, blas_threads, set_blas_threads

__all__ = ["BatchTiming", "time_per_image"]


@dataclass(frozen=True)
class BatchTiming:
    """Median seconds per image for each batch size, with the spread over the blocks.

    ``seconds[k]`` belongs to ``batch_sizes[k]``; ``low[k]`` and ``high[k]`` are the
    fastest and slowest block. ``threads`` is the BLAS thread count used (``None`` if it
    could not be set). Introduced in chapter 2, Neural networks.
    """

    batch_sizes: tuple[int, ...]
    seconds: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    blocks: int
    threads: int | None

    def speedup(self, small: int, large: int) -> float:
        """How many times less time per image batch size ``large`` needs than ``small``."""
        i, j = self.batch_sizes.index(small), self.batch_sizes.index(large)
        return self.seconds[i] / self.seconds[j]


def time_per_image(predict: Callable[[NDArray], object], x: NDArray, batch_sizes: Sequence[int],
                   n_images: int = 1000, blocks: int = 5, steps: int = 2,
                   threads: int | None = 1) -> BatchTiming:
    """Time ``predict`` on the first ``n_images`` rows of ``x``, cut into batches of each size.

    For every batch size one "step" runs ``predict`` over all ``n_images`` images in
    batches of that size; :func:`~common.tools.bench.alternate` runs ``steps`` of them
    per block for ``blocks`` blocks, the sizes taking turns. ``threads=None`` leaves
    BLAS's thread count alone. Introduced in chapter 2, Neural networks.
    """
    sizes = tuple(int(s) for s in batch_sizes)
    if not sizes or min(sizes) < 1 or max(sizes) > n_images:
        raise ValueError(f"batch sizes must be between 1 and n_images = {n_images}, got {sizes}")
    if len(x) < n_images:
        raise ValueError(f"need at least {n_images} images to time, got {len(x)}")
    images = np.ascontiguousarray(x[:n_images])

    def run(size: int) -> Callable[[], None]:
        def step() -> None:
            for i in range(0, n_images, size):
                predict(images[i:i + size])
        return step

    before = blas_threads()
    pinned = set_blas_threads(threads) if threads is not None else False
    try:
        medians = alternate({str(s): run(s) for s in sizes}, blocks=blocks, steps=steps, warmup=1)
    finally:
        if pinned and before is not None:
            set_blas_threads(before)
    per_image = {s: np.asarray(medians[str(s)]) / n_images for s in sizes}
    return BatchTiming(sizes, tuple(float(np.median(per_image[s])) for s in sizes),
                       tuple(float(per_image[s].min()) for s in sizes),
                       tuple(float(per_image[s].max()) for s in sizes),
                       blocks, threads if pinned else None)
