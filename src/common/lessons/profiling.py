"""Where the time of a training step goes: a per-layer profile of forward and backward passes.

Introduced in chapter 7, Deep learning. :func:`profile_step` runs a network's
training step layer by layer, as :meth:`~common.networks.base.Network.gradient`
does, timing each layer's ``forward`` and ``backward`` separately and
counting the multiply-accumulates of the convolution and affine layers, so
each can be compared with the machine's matrix-multiply peak. Timings on a
shared machine are noisy: each figure is the fastest of several repeats.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from common.layers import Affine, BatchNormalization, Convolution, Dropout

__all__ = ["LayerProfile", "GPU_SPECS", "profile_step", "layer_macs", "step_flop"]

GPU_SPECS: tuple[dict, ...] = (
    {"name": "NVIDIA GeForce GTX 580", "year": 2010, "fp32_tflops": 1.58, "fp16_tflops": None,
     "memory_gbps": 192, "source": "NVIDIA product specifications; the GPU AlexNet was trained on (two of them)"},
    {"name": "NVIDIA Tesla V100 (SXM2)", "year": 2017, "fp32_tflops": 15.7, "fp16_tflops": 125,
     "memory_gbps": 900, "source": "NVIDIA V100 datasheet (FP16: tensor cores)"},
    {"name": "NVIDIA A100 (SXM, 40 GB)", "year": 2020, "fp32_tflops": 19.5, "fp16_tflops": 312,
     "memory_gbps": 1555, "source": "NVIDIA A100 datasheet (FP16: tensor cores, dense)"},
    {"name": "NVIDIA H100 (SXM5)", "year": 2022, "fp32_tflops": 67, "fp16_tflops": 989,
     "memory_gbps": 3350, "source": "NVIDIA H100 datasheet (FP16: tensor cores, dense)"},
)
"""Peak arithmetic and memory bandwidth of four GPUs, as their makers publish them (chapter 7).

Peaks are upper bounds: real training reaches a fraction of them, less for small layers.
"""


@dataclass
class LayerProfile:
    """One layer's share of a training step (times in seconds, fastest of the repeats). Chapter 7."""

    name: str
    kind: str
    forward: float
    backward: float
    macs: int  # multiply-accumulates of the forward pass for the whole batch (0 for layers without weights)
    backward_factor: int = 2  # backward MACs / forward MACs: dW and dx; 1 when the input gradient is skipped

    @property
    def total(self) -> float:
        return self.forward + self.backward

    def gflops(self) -> float | None:
        """Achieved GFLOP/s over forward and backward (2 flops per MAC), or ``None`` for layers without MACs."""
        if not self.macs or self.total <= 0:
            return None
        return 2 * self.macs * (1 + self.backward_factor) / self.total / 1e9


def layer_macs(layer: Any, x_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> int:
    """Multiply-accumulates of ``layer``'s forward pass from input and output shapes (0 if it has none).

    Introduced in chapter 7, Deep learning.
    """
    if isinstance(layer, Convolution):
        fn, c, fh, fw = layer.W.shape
        return int(np.prod(out_shape)) * c * fh * fw  # N·FN·OH·OW outputs, each a C·FH·FW dot product
    if isinstance(layer, Affine):
        return int(x_shape[0]) * layer.W.shape[0] * layer.W.shape[1]
    return 0


def profile_step(net: Any, x: ArrayLike, t: ArrayLike, repeats: int = 3) -> list[LayerProfile]:
    """Time every layer's forward and backward in a training step of ``net`` on the batch ``(x, t)``.

    The loss layer is included as ``"loss"``. The optimiser's update is not a
    layer and is not timed here. Introduced in chapter 7, Deep learning.
    """
    if not isinstance(repeats, (int, np.integer)) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    x = net._check_x(x)
    t = net._check_t(t, x.shape[0])
    names = list(net.layers)
    best_f = {n: float("inf") for n in [*names, "loss"]}
    best_b = dict(best_f)
    macs: dict[str, int] = {}
    for _ in range(repeats + 1):  # the first round warms up (allocates scratch buffers) and is not kept
        out = x
        for name in names:
            layer = net.layers[name]
            start = time.perf_counter()
            y = layer.forward(out, True) if isinstance(layer, (Dropout, BatchNormalization)) else layer.forward(out)
            best_f[name] = min(best_f[name], time.perf_counter() - start)
            macs[name] = layer_macs(layer, out.shape, y.shape)
            out = y
        start = time.perf_counter()
        net.last_layer.forward(out, t)
        best_f["loss"] = min(best_f["loss"], time.perf_counter() - start)
        start = time.perf_counter()
        dout = net.last_layer.backward(1)
        best_b["loss"] = min(best_b["loss"], time.perf_counter() - start)
        for name in reversed(names):
            start = time.perf_counter()
            dout = net.layers[name].backward(dout)
            best_b[name] = min(best_b[name], time.perf_counter() - start)
    rows = []
    for name in [*names, "loss"]:
        layer = net.layers.get(name, net.last_layer)
        row = LayerProfile(name, type(layer).__name__, best_f[name], best_b[name], macs.get(name, 0))
        if isinstance(layer, Convolution) and not layer.input_grad:
            row.backward_factor = 1
        rows.append(row)
    return rows


def step_flop(rows: list[LayerProfile]) -> int:
    """Floating-point operations of a training step from a profile: 2 per MAC, forward and backward.

    Introduced in chapter 7, Deep learning.
    """
    return sum(2 * r.macs * (1 + r.backward_factor) for r in rows)
