"""How much of the image a unit sees, and why stacks of 3×3 filters beat one large filter.

Introduced in chapter 7, Deep learning. The *receptive field* of a unit is
the patch of the input that can influence it. A ``k × k`` convolution or
pooling with stride ``s`` grows it by ``(k − 1)·j`` pixels, where the *jump*
``j`` is the product of the strides before the layer (how far apart, in
input pixels, neighbouring units of the layer's input are); then
``j ← j·s``. Two 3×3 convolutions see 5×5 pixels, three see 7×7, exactly
what one 5×5 or 7×7 filter sees, with fewer weights and more
non-linearities in between (:func:`stacked_vs_single`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from common.layers import Convolution, Pooling

__all__ = ["RFStep", "receptive_fields", "network_receptive_fields", "stacked_vs_single"]


@dataclass(frozen=True)
class RFStep:
    """One layer of :func:`receptive_fields`: its kernel and stride, and the receptive field and jump after it.

    Introduced in chapter 7, Deep learning.
    """

    name: str
    kernel: int
    stride: int
    field: int
    jump: int


def receptive_fields(layers: Sequence[tuple[str, int, int]]) -> list[RFStep]:
    """Receptive field after each of ``layers``, given as ``(name, kernel, stride)`` from the input up.

    Introduced in chapter 7, Deep learning.
    """
    field, jump, out = 1, 1, []
    for i, spec in enumerate(layers):
        try:
            name, k, s = spec
        except (TypeError, ValueError):
            raise ValueError(f"layer {i}: expected (name, kernel, stride), got {spec!r}") from None
        if int(k) < 1 or int(s) < 1:
            raise ValueError(f"layer {i} ({name}): kernel and stride must be at least 1, got {k} and {s}")
        field += (int(k) - 1) * jump
        jump *= int(s)
        out.append(RFStep(str(name), int(k), int(s), field, jump))
    return out


def network_receptive_fields(network: Any) -> list[RFStep]:
    """:func:`receptive_fields` of the convolution and pooling layers of a course network (``network.layers``).

    Introduced in chapter 7, Deep learning.
    """
    specs = []
    for name, layer in getattr(network, "layers", {}).items():
        if isinstance(layer, Convolution):
            specs.append((name, layer.W.shape[2], layer.stride))
        elif isinstance(layer, Pooling):
            specs.append((name, layer.pool_h, layer.stride))
    if not specs:
        raise ValueError("network_receptive_fields needs a network whose .layers hold Convolution or Pooling layers")
    return receptive_fields(specs)


def stacked_vs_single(n: int, channels: int, size: int = 28) -> dict[str, dict[str, int]]:
    """Compare ``n`` stacked 3×3 convolutions with one ``(2n+1) × (2n+1)`` convolution, ``channels`` in and out.

    Both see the same ``(2n+1) × (2n+1)`` patch. For each: the receptive field,
    weights (biases left out: they do not depend on the filter size),
    multiply-accumulates on a ``size × size`` map with "same" padding, and the
    number of non-linearities (one ReLU after each convolution). Introduced in
    chapter 7, Deep learning.
    """
    if n < 1 or channels < 1 or size < 1:
        raise ValueError(f"n, channels and size must be at least 1, got {n}, {channels}, {size}")
    k = 2 * n + 1
    per_3x3 = 3 * 3 * channels * channels
    return {
        "stacked": {"field": receptive_fields([("3×3", 3, 1)] * n)[-1].field, "weights": n * per_3x3,
                    "macs": n * per_3x3 * size * size, "nonlinearities": n},
        "single": {"field": k, "weights": k * k * channels * channels,
                   "macs": k * k * channels * channels * size * size, "nonlinearities": 1},
    }
