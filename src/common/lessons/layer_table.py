"""A course network, layer by layer: output shape, parameters, multiply-accumulates and receptive field.

Introduced in chapter 6, Convolutional neural networks, for SimpleConvNet and
DeepConvNet, and usable for any network of :mod:`common.networks` whose
``layers`` hold the course's layers. It does not count anything itself: each
layer is translated into the specification of
:mod:`common.lessons.architectures` (chapter 7's counting, which also prices
LeNet, AlexNet, VGG, GoogLeNet and ResNet), and the receptive fields come from
:func:`common.lessons.receptive_field.receptive_fields`. The total is checked
against the arrays in ``network.params``, so a layer the translation misreads
cannot go unnoticed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from common.layers import Affine, BatchNormalization, Convolution, Pooling
from common.lessons.architectures import BatchNorm, Conv, Dense, Pool, count
from common.lessons.receptive_field import receptive_fields

__all__ = ["LayerRow", "layer_table", "format_layer_table"]


@dataclass(frozen=True)
class LayerRow:
    """One layer of :func:`layer_table`. Introduced in chapter 6.

    ``shape`` is one image's output (C, H, W), or (n,) after an affine layer;
    ``params`` the trainable numbers of the layer; ``macs`` its
    multiply-accumulates for one image; ``field`` the side of the input patch
    one output unit depends on (``None`` after an affine layer, which sees the
    whole image).
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    params: int
    macs: int
    field: int | None


def _square(a: int, b: int, what: str) -> int:
    if a != b:
        raise ValueError(f"layer_table handles square {what} only, got {a}x{b}")
    return int(a)


def _spec(name: str, layer: Any) -> Any:
    """The :mod:`~common.lessons.architectures` specification of a course layer, or None (no weights, same shape)."""
    if isinstance(layer, Convolution):
        fn, _, fh, fw = layer.W.shape
        return Conv(int(fn), _square(fh, fw, "filters"), layer.stride, layer.pad, name=name)
    if isinstance(layer, Pooling):
        return Pool(_square(layer.pool_h, layer.pool_w, "pooling windows"), layer.stride, layer.pad, name=name)
    if isinstance(layer, Affine):
        return Dense(int(layer.W.shape[1]), name=name)
    if isinstance(layer, BatchNormalization):
        return BatchNorm(name=name)
    return None


def layer_table(network: Any, input_shape: Sequence[int] | None = None) -> list[LayerRow]:
    """One :class:`LayerRow` per layer of ``network.layers``, from the input ``(C, H, W)`` up.

    ``input_shape`` defaults to the network's own ``input_shape``. Raises
    ``ValueError`` if a layer cannot be read (non-square filters) or if the
    parameters counted differ from those the network holds. Introduced in
    chapter 6, Convolutional neural networks.
    """
    layers = getattr(network, "layers", None)
    if not isinstance(layers, dict) or not layers:
        raise ValueError("layer_table needs a course network: an ordered dict of layers in .layers")
    shape = tuple(int(s) for s in (input_shape if input_shape is not None else network.input_shape))
    if len(shape) != 3:
        raise ValueError(f"layer_table needs the input as (channels, height, width), got {shape}")
    rows: list[LayerRow] = []
    windows: list[tuple[str, int, int]] = []   # (name, kernel, stride) of the layers so far, for the field
    field: int | None = 1
    for name, layer in layers.items():
        spec = _spec(name, layer)
        if spec is None:
            rows.append(LayerRow(name, type(layer).__name__, rows[-1].shape if rows else shape, 0, 0, field))
            continue
        cost = count([spec], shape if len(shape) == 3 else (shape[0], 1, 1))[0]
        if isinstance(spec, (Conv, Pool)):
            windows.append((name, spec.k, spec.stride or spec.k))
            field = receptive_fields(windows)[-1].field
        elif isinstance(spec, Dense):
            field = None
        shape = cost.shape if not isinstance(spec, Dense) else (cost.shape[0],)
        rows.append(LayerRow(name, type(layer).__name__, shape, cost.params, cost.macs, field))
    held = sum(int(np.size(v)) for v in getattr(network, "params", {}).values())
    counted = sum(r.params for r in rows)
    if held and counted != held:
        raise ValueError(f"counted {counted:,} parameters but the network holds {held:,}: a layer was misread")
    return rows


def format_layer_table(rows: Sequence[LayerRow], input_shape: Sequence[int] | None = None,
                       hide: Sequence[str] = ()) -> str:
    """:func:`layer_table`'s rows as a plain-text table with totals and each layer's share of the parameters.

    ``hide`` names layer kinds to leave out of the listing (e.g. ``("Relu",
    "Dropout")``, which neither hold weights nor change the shape); the totals
    still count every layer. Introduced in chapter 6, Convolutional neural networks.
    """
    total_p = sum(r.params for r in rows) or 1
    total_m = sum(r.macs for r in rows)
    w = max([len(r.name) for r in rows] + [5])
    lines = [f"{'layer':{w}s} {'output shape':>12s} {'parameters':>10s} {'share':>6s} {'MACs/image':>10s} "
             f"{'receptive field':>15s}"]
    if input_shape is not None:
        lines.append(f"{'input':{w}s} {' × '.join(map(str, input_shape)):>12s}")
    for r in rows:
        if r.kind in hide:
            continue
        field = "whole image" if r.field is None else f"{r.field} × {r.field}"
        share = f"{100 * r.params / total_p:5.1f}%" if r.params else ""
        lines.append(f"{r.name:{w}s} {' × '.join(map(str, r.shape)):>12s} {r.params:>10,} {share:>6s} "
                     f"{r.macs:>10,} {field:>15s}")
    lines.append(f"{'total':{w}s} {'':>12s} {sum(r.params for r in rows):>10,} {'':>6s} {total_m:>10,}")
    return "\n".join(lines)
