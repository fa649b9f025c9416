"""common.tools.inference_timing: per-image times by the bench method, with BLAS threads restored."""

from __future__ import annotations

import time

import numpy as np
import pytest

from common.tools.bench import blas_threads
from common.tools.inference_timing import time_per_image


def _predict_with_overhead(x):
    """A fake predict: a fixed cost per call plus a little per image, like a real network."""
    time.sleep(2e-4)
    return x.sum(axis=1)


def test_per_call_overhead_makes_bigger_batches_cheaper_per_image():
    x = np.ones((40, 5))
    timing = time_per_image(_predict_with_overhead, x, [1, 40], n_images=40, blocks=3, steps=1)
    assert timing.batch_sizes == (1, 40) and timing.blocks == 3
    assert timing.speedup(1, 40) > 5
    assert all(lo <= mid <= hi for lo, mid, hi in zip(timing.low, timing.seconds, timing.high))


def test_threads_are_restored():
    before = blas_threads()
    time_per_image(lambda x: x @ x.T, np.ones((20, 4)), [5, 20], n_images=20, blocks=3, steps=1, threads=1)
    assert blas_threads() == before


@pytest.mark.parametrize("sizes", [[], [0, 10], [1, 30]])
def test_batch_sizes_must_fit_the_images(sizes):
    with pytest.raises(ValueError, match="batch sizes"):
        time_per_image(lambda x: x, np.ones((20, 2)), sizes, n_images=20)


def test_needs_enough_images():
    with pytest.raises(ValueError, match="at least 100 images"):
        time_per_image(lambda x: x, np.ones((20, 2)), [1], n_images=100)
