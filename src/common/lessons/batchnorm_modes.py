"""Batch normalisation at test time: why the running averages exist, measured on a trained network.

In training mode a batch-norm layer normalises with the statistics of the
batch in front of it; at test time (``train_flg=False``) it uses the running
averages of those statistics collected during training. This module shows what
goes wrong without them: one image alone has no spread, so in training mode
every feature becomes ``(x − x)/√ε · γ + β = β`` and every image gets the same
prediction; and with batch statistics an image's prediction depends on the
other images in its batch. Introduced in chapter 5, Training techniques.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from common.layers import BatchNormalization

__all__ = ["running_average_trace", "batchnorm_modes"]


def running_average_trace(layer: BatchNormalization, batches: list[np.ndarray]) -> np.ndarray:
    """Feed ``batches`` through ``layer`` in training mode; return its running mean after each batch.

    Returns an array of shape (len(batches), D). The layer itself is changed
    (that is what training does). Introduced in chapter 5, Training techniques.
    """
    trace = []
    for batch in batches:
        layer.forward(np.asarray(batch), train_flg=True)
        trace.append(np.array(layer.running_mean, dtype=np.float64))
    return np.array(trace)


def _accuracy(network: Any, x: np.ndarray, t: np.ndarray, batch: int, train_flg: bool) -> float:
    correct = 0
    for i in range(0, len(x), batch):
        y = network.predict(x[i:i + batch], train_flg=train_flg)
        correct += int(np.sum(np.argmax(y, axis=1) == t[i:i + batch]))
    return correct / len(x)


def batchnorm_modes(network: Any, x: np.ndarray, t: np.ndarray, batch: int = 100) -> dict[str, float]:
    """Accuracy of a trained batch-norm network on ``(x, t)`` with three ways of normalising.

    - ``"test mode"``: running averages (``train_flg=False``), the right way;
    - ``"training mode, batches of {batch}"``: each batch normalised with its
      own statistics;
    - ``"training mode, one image at a time"``: a batch of one.

    Training mode also updates the running averages, so those passes run on a
    copy: ``network`` is left as it was. Labels must be class indices.
    Introduced in chapter 5, Training techniques.
    """
    x, t = np.asarray(x), np.asarray(t)
    if t.ndim != 1 or len(x) != len(t) or len(x) == 0:
        raise ValueError(f"need one class index per image, got {len(x)} images and labels of shape {t.shape}")
    if not any(isinstance(layer, BatchNormalization) for layer in getattr(network, "layers", {}).values()):
        raise ValueError("the network has no BatchNormalization layer: build it with use_batchnorm=True")
    scratch = copy.deepcopy(network)
    with np.errstate(all="ignore"):
        return {
            "test mode (running averages)": _accuracy(network, x, t, batch, False),
            f"training mode, batches of {batch}": _accuracy(scratch, x, t, batch, True),
            "training mode, one image at a time": _accuracy(scratch, x, t, 1, True),
        }
