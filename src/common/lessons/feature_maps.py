"""What a network computes inside: the output of every layer for a given input.

Introduced in chapter 6, Convolutional neural networks, for the feature-map
widget (a digit's maps after the convolution, the ReLU and the pooling), and
reused in chapter 7, Deep learning, for the depth explorer and its figures.
Pure functions, no plotting: the figures live in
:mod:`common.widgets.feature_map_viewer` and :mod:`common.widgets.depth_explorer`.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.layers import BatchNormalization, Dropout

__all__ = ["layer_outputs", "map_grid_shape", "normalise_maps", "filter_roughness"]


def layer_outputs(network: Any, x: ArrayLike, upto: str | None = None) -> OrderedDict[str, NDArray]:
    """Run ``x`` through ``network.layers`` in inference mode; return every layer's output by name.

    ``network`` is any course network (``network.layers`` is an ordered dict of
    layers with ``forward``). Stops after the layer named ``upto`` if given.
    The input is checked and cast like ``network.predict`` does. Introduced in
    chapter 6, Convolutional neural networks.
    """
    layers = getattr(network, "layers", None)
    if not isinstance(layers, dict) or not layers:
        raise ValueError("layer_outputs needs a network with an ordered dict of layers in .layers")
    if upto is not None and upto not in layers:
        raise ValueError(f"no layer named {upto!r}; this network has {list(layers)}")
    out = network._check_x(x) if hasattr(network, "_check_x") else np.asarray(x)
    result: OrderedDict[str, NDArray] = OrderedDict()
    for name, layer in layers.items():
        if isinstance(layer, (Dropout, BatchNormalization)):
            out = layer.forward(out, False)
        else:
            out = layer.forward(out)
        result[name] = out
        if name == upto:
            break
    return result


def map_grid_shape(n: int, max_cols: int = 10) -> tuple[int, int]:
    """Rows and columns of a near-square grid for ``n`` small images (at most ``max_cols`` wide).

    Introduced in chapter 6, Convolutional neural networks.
    """
    if n < 1:
        raise ValueError(f"need at least one image, got {n}")
    cols = min(max_cols, int(np.ceil(np.sqrt(n))))
    return int(np.ceil(n / cols)), cols


def normalise_maps(maps: ArrayLike, symmetric: bool = False) -> NDArray[np.float64]:
    """Scale each map (the last two axes) to [0, 1] for display; a constant map becomes 0.5.

    ``symmetric=True`` scales by the largest absolute value instead, so 0 maps to
    0.5 (for filters, whose sign matters). Introduced in chapter 6.
    """
    m = np.asarray(maps, dtype=np.float64)
    if m.ndim < 2:
        raise ValueError(f"maps need at least two axes (height, width), got shape {m.shape}")
    axes = (-2, -1)
    if symmetric:
        scale = np.abs(m).max(axis=axes, keepdims=True)
        return np.where(scale > 0, 0.5 + 0.5 * m / np.where(scale > 0, scale, 1), 0.5)
    lo, hi = m.min(axis=axes, keepdims=True), m.max(axis=axes, keepdims=True)
    span = hi - lo
    return np.where(span > 0, (m - lo) / np.where(span > 0, span, 1), 0.5)


def filter_roughness(W: ArrayLike) -> float:
    """How jagged filters are: mean |difference of neighbouring weights| / mean |weight|.

    Independent random weights give about √2 ≈ 1.41 (neighbours unrelated);
    smooth filters such as learned edge and stroke detectors give less. Uses the
    last two axes of ``W`` (FN, C, FH, FW). Introduced in chapter 6.
    """
    w = np.asarray(W, dtype=np.float64)
    if w.ndim < 2 or min(w.shape[-2:]) < 2:
        raise ValueError(f"need filters at least 2 × 2 on the last two axes, got shape {w.shape}")
    dy = np.abs(np.diff(w, axis=-2)).mean()
    dx = np.abs(np.diff(w, axis=-1)).mean()
    scale = np.abs(w).mean()
    return float((dy + dx) / 2 / scale) if scale > 0 else 0.0
