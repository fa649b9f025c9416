"""Convolution arithmetic: where the windows go, how big the output is, and what it costs.

Introduced in chapter 6, Convolutional neural networks. Everything here is a
pure function that never raises on a combination of sizes that does not work:
:func:`conv_geometry` *explains* it instead (the widget shows the explanation),
while :func:`common.im2col.conv_output_size`, the one output-size formula the
layers and :func:`conv_geometry` use, raises.
The module also holds the definition-by-loops versions of convolution and
pooling (:func:`conv2d_naive`, :func:`pool2d_naive`, :func:`cross_correlate2d`,
:func:`convolve2d`) that the chapter compares with the fast layers, and the
cost formulas (:func:`conv_macs`, :func:`conv_layer_cost`), and
:func:`input_gradient_as_full_convolution`: the input gradient of a
convolution written as another convolution, with the filters flipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from common.im2col import conv_output_size

__all__ = [
    "ConvGeometry",
    "conv_geometry",
    "window_origin",
    "coverage",
    "cross_correlate2d",
    "convolve2d",
    "conv2d_naive",
    "pool2d_naive",
    "conv_macs",
    "conv_layer_cost",
    "input_gradient_as_full_convolution",
]


@dataclass(frozen=True)
class ConvGeometry:
    """Where a filter can be placed along one axis, and whether the sizes work out.

    Introduced in chapter 6, Convolutional neural networks.

    - ``padded``: ``H + 2P``; ``span``: ``H + 2P - F``, the room the filter can move in;
    - ``fits``: the filter fits in the padded input at least once;
    - ``exact``: it fits and the stride divides ``span``, so
      ``OH = span / S + 1`` is a whole number and the windows end exactly at the border;
    - ``out_size``: the number of window positions, ``span // S + 1`` rounded down when
      the division is not exact (as the layers, the book and PyTorch do), 0 when
      the filter does not fit;
    - ``starts``: the first index (in padded coordinates) of each window;
    - ``unused``: padded rows at the end that no window reaches (``span % S``);
    - ``message``: one or two sentences saying what happened, for a title.
    """

    input_size: int
    filter_size: int
    pad: int
    stride: int
    padded: int
    span: int
    fits: bool
    exact: bool
    out_size: int
    starts: tuple[int, ...]
    unused: int
    formula: str
    message: str

    @property
    def valid(self) -> bool:
        """True when the arguments make sense at all (positive sizes, stride >= 1, pad >= 0)."""
        return self.input_size >= 1 and self.filter_size >= 1 and self.stride >= 1 and self.pad >= 0


def _as_int(value: object) -> int | None:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(f) if np.isfinite(f) and f == int(f) else None


def conv_geometry(input_size: int, filter_size: int, pad: int = 0, stride: int = 1) -> ConvGeometry:
    """Work out the window positions of a convolution along one axis; never raises.

    ``OH = (H + 2P - F) / S + 1``. When ``F > H + 2P`` no window fits (``out_size``
    0); when ``S`` does not divide ``H + 2P - F`` the windows stop short, the size
    is rounded down and the message says how many rows are left unread. Nonsense values
    (negative sizes, stride 0, non-integers) give a message too. Introduced in
    chapter 6, Convolutional neural networks.
    """
    h, f, p, s = (_as_int(v) for v in (input_size, filter_size, pad, stride))
    if None in (h, f, p, s) or h < 1 or f < 1 or p < 0 or s < 1:
        problems = []
        if h is None or h < 1:
            problems.append(f"input size H = {input_size} must be a whole number ≥ 1")
        if f is None or f < 1:
            problems.append(f"filter size F = {filter_size} must be a whole number ≥ 1")
        if p is None or p < 0:
            problems.append(f"padding P = {pad} must be a whole number ≥ 0")
        if s is None or s < 1:
            problems.append(f"stride S = {stride} must be a whole number ≥ 1")
        hh, ff, pp, ss = (v if v is not None else 0 for v in (h, f, p, s))
        return ConvGeometry(hh, ff, pp, ss, max(hh + 2 * pp, 0), hh + 2 * pp - ff, False, False, 0, (),
                            0, "OH = (H + 2P − F) / S + 1", "; ".join(problems) + ".")
    padded, span = h + 2 * p, h + 2 * p - f
    formula = f"OH = (H + 2P − F) / S + 1 = ({h} + 2·{p} − {f}) / {s} + 1"
    if span < 0:
        message = (f"The {f}-wide filter does not fit in the padded input of {padded} "
                   f"(H + 2P = {h} + 2·{p}): no output at all. Use a smaller filter or more padding.")
        return ConvGeometry(h, f, p, s, padded, span, False, False, 0, (), padded, formula + " < 1", message)
    out = conv_output_size(h, f, s, p)
    starts = tuple(range(0, s * out, s))
    unused = span % s
    if unused == 0:
        formula += f" = {span // s} + 1 = {out}"
        kept = " (same size as the input)" if out == h else ""
        message = f"{out} window positions along each axis{kept}: the last window ends exactly at the border."
        return ConvGeometry(h, f, p, s, padded, span, True, True, out, starts, 0, formula, message)
    formula += f" = {span}/{s} + 1 is not a whole number"
    rows = "row and column" if unused == 1 else "rows and columns"
    message = (f"(H + 2P − F) = {span} is not divisible by stride {s}: the windows stop {unused} short. "
               f"The layers round down to OH = {out}, as the book and PyTorch do, and never "
               f"read the last {unused} padded {rows} (red). Change P or S to use them.")
    return ConvGeometry(h, f, p, s, padded, span, True, False, out, starts, unused, formula, message)


def window_origin(geom: ConvGeometry, index: int) -> tuple[int, int] | None:
    """Top-left corner (row, column), in padded coordinates, of output position ``index``.

    Output positions are numbered row by row (0 … OH·OW − 1, square geometry);
    ``index`` is clamped into range. ``None`` when there is no output.
    Introduced in chapter 6, Convolutional neural networks.
    """
    n = geom.out_size
    if n == 0:
        return None
    index = int(np.clip(index, 0, n * n - 1))
    i, j = divmod(index, n)
    return geom.starts[i], geom.starts[j]


def coverage(geom: ConvGeometry) -> NDArray[np.int64]:
    """How many windows cover each cell of the padded (square) input: shape (H + 2P, H + 2P).

    Cells with 0 are never seen by the filter (the red rows of a stride that does
    not divide). Introduced in chapter 6, Convolutional neural networks.
    """
    along = np.zeros(max(geom.padded, 0), dtype=np.int64)
    for start in geom.starts:
        along[start:start + geom.filter_size] += 1
    return np.outer(along, along)


# ------------------------------------------------------------------ by definition
def _check_2d(a: ArrayLike, name: str) -> NDArray[np.float64]:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (height, width), got shape {a.shape}")
    return a


def cross_correlate2d(image: ArrayLike, kernel: ArrayLike) -> NDArray[np.float64]:
    """``S(i, j) = Σ_m Σ_n I(i + m, j + n) K(m, n)`` with no padding, stride 1 ("valid").

    This is what deep-learning libraries call convolution (Goodfellow et al.,
    *Deep Learning*, §9.1). Written as loops over the output, for reading.
    Introduced in chapter 6, Convolutional neural networks.
    """
    image, kernel = _check_2d(image, "image"), _check_2d(kernel, "kernel")
    kh, kw = kernel.shape
    oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"kernel {kernel.shape} is larger than the image {image.shape}")
    out = np.empty((oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def convolve2d(image: ArrayLike, kernel: ArrayLike) -> NDArray[np.float64]:
    """True convolution ``S(i, j) = Σ_m Σ_n I(i - m, j - n) K(m, n)``, "valid" part only.

    It equals :func:`cross_correlate2d` with the kernel flipped in both
    directions; a learned filter can absorb the flip, which is why CNNs use the
    simpler cross-correlation. Introduced in chapter 6.
    """
    return cross_correlate2d(image, _check_2d(kernel, "kernel")[::-1, ::-1])


def _check_images(x: NDArray, what: str = "x") -> None:
    if x.ndim != 4:
        raise ValueError(f"{what} must be a batch of images (N, C, H, W), got shape {x.shape}")


def conv2d_naive(x: ArrayLike, W: ArrayLike, b: ArrayLike | None = None, stride: int = 1,
                 pad: int = 0) -> NDArray[np.float64]:
    """Convolution layer forward pass by its definition: six nested loops' worth, written plainly.

    ``x`` (N, C, H, W), ``W`` (FN, C, FH, FW), ``b`` (FN,) → (N, FN, OH, OW). For
    each output position, multiply the window by each filter and add everything
    up, plus the bias. Slow, obviously right, and the reference the fast
    :class:`~common.layers.Convolution` is tested against. Introduced in chapter 6.
    """
    x, W = np.asarray(x, dtype=np.float64), np.asarray(W, dtype=np.float64)
    _check_images(x)
    if W.ndim != 4 or W.shape[1] != x.shape[1]:
        raise ValueError(f"W must be (FN, C, FH, FW) with C = {x.shape[1]} channels, got {W.shape}")
    fn, c, fh, fw = W.shape
    b = np.zeros(fn) if b is None else np.asarray(b, dtype=np.float64)
    gh, gw = conv_geometry(x.shape[2], fh, pad, stride), conv_geometry(x.shape[3], fw, pad, stride)
    if not (gh.fits and gw.fits):
        raise ValueError(gh.message if not gh.fits else gw.message)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    out = np.empty((x.shape[0], fn, gh.out_size, gw.out_size))
    for i, top in enumerate(gh.starts):
        for j, left in enumerate(gw.starts):
            window = xp[:, :, top:top + fh, left:left + fw]            # (N, C, FH, FW)
            out[:, :, i, j] = np.tensordot(window, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def pool2d_naive(x: ArrayLike, size: int = 2, stride: int | None = None, mode: str = "max") -> NDArray[np.float64]:
    """Max or average pooling by its definition, channel by channel (no padding).

    ``x`` (N, C, H, W) → (N, C, OH, OW): each output is the maximum (or mean) of
    one ``size × size`` window. No parameters; the channel count is unchanged.
    Introduced in chapter 6, Convolutional neural networks.
    """
    x = np.asarray(x, dtype=np.float64)
    _check_images(x)
    stride = size if stride is None else stride
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    gh, gw = conv_geometry(x.shape[2], size, 0, stride), conv_geometry(x.shape[3], size, 0, stride)
    if not (gh.fits and gw.fits):
        raise ValueError(gh.message if not gh.fits else gw.message)
    reduce = np.max if mode == "max" else np.mean
    out = np.empty((*x.shape[:2], gh.out_size, gw.out_size))
    for i, top in enumerate(gh.starts):
        for j, left in enumerate(gw.starts):
            out[:, :, i, j] = reduce(x[:, :, top:top + size, left:left + size], axis=(2, 3))
    return out


# ------------------------------------------------------------------ cost
def conv_macs(out_h: int, out_w: int, k: int, c_in: int, c_out: int) -> int:
    """Multiply-accumulate operations of one convolution for one image: ``OH·OW·K·K·C·M``.

    Each of the ``OH·OW`` positions of each of the ``M`` output maps needs a
    ``K·K·C`` dot product. With stride 1 and "same" padding ``OH·OW = H·W``,
    which gives the familiar ``H·W·K·K·C·M``. Introduced in chapter 6.
    """
    values = (out_h, out_w, k, c_in, c_out)
    if any(_as_int(v) is None or int(v) < 0 for v in values):
        raise ValueError(f"sizes must be whole numbers >= 0, got {values}")
    return int(out_h) * int(out_w) * int(k) * int(k) * int(c_in) * int(c_out)


def conv_layer_cost(input_shape: tuple[int, int, int], filter_shape: tuple[int, int, int, int],
                    stride: int = 1, pad: int = 0) -> dict[str, object]:
    """Output shape, parameter count and multiply-accumulates of one convolution layer, per image.

    ``input_shape`` is (C, H, W), ``filter_shape`` (FN, C, FH, FW) with square
    filters. Returns ``{"output": (FN, OH, OW), "params": …, "macs": …}``, sizes
    rounded down like the layers'; raises ``ValueError`` with
    :func:`conv_geometry`'s explanation when the filter does not fit. Introduced in chapter 6, Convolutional neural networks.
    """
    c, h, w = input_shape
    fn, fc, fh, fw = filter_shape
    if fc != c:
        raise ValueError(f"the filters have {fc} channels but the input has {c}")
    if fh != fw:
        raise ValueError(f"conv_layer_cost assumes square filters, got {fh}x{fw}")
    gh, gw = conv_geometry(h, fh, pad, stride), conv_geometry(w, fw, pad, stride)
    if not (gh.fits and gw.fits):
        raise ValueError(gh.message if not gh.fits else gw.message)
    return {
        "output": (fn, gh.out_size, gw.out_size),
        "params": fn * c * fh * fw + fn,
        "macs": conv_macs(gh.out_size, gw.out_size, fh, c, fn),
    }


# ------------------------------------------------------------------ backward as a convolution
def input_gradient_as_full_convolution(dout: ArrayLike, W: ArrayLike, input_shape: tuple[int, ...],
                                       stride: int = 1, pad: int = 0) -> NDArray[np.float64]:
    """``∂L/∂x`` of a convolution layer, computed as a *full* convolution of ``dout`` with the flipped filters.

    Each input pixel ``x[c, y, x]`` was multiplied by ``W[f, c, m, n]`` in the
    output at ``(y − m, x − n)`` (divided by the stride). Collecting those
    terms gives ``dx[c, y, x] = Σ_f Σ_m Σ_n dout[f, y − m, x − n] · W[f, c, m, n]``:
    a true convolution (chapter 6's flip), i.e. a cross-correlation with
    ``W`` flipped in both spatial directions and its two channel axes swapped.
    "Full" means that ``dout`` is padded by ``F − 1`` on every side so that
    every partial overlap counts. A stride ``S > 1`` first spreads ``dout``
    out with ``S − 1`` zeros between its entries; the padding of the forward
    pass is cut off at the end. ``dout`` (N, FN, OH, OW), ``W`` (FN, C, FH,
    FW), ``input_shape`` (N, C, H, W). Slow (:func:`conv2d_naive`), for
    checking :class:`~common.layers.Convolution`'s ``backward``. Introduced in
    chapter 6, Convolutional neural networks.
    """
    dout, W = np.asarray(dout, dtype=np.float64), np.asarray(W, dtype=np.float64)
    _check_images(dout, "dout")
    n, c, h, w = (int(v) for v in input_shape)
    fn, wc, fh, fw = W.shape
    if wc != c or dout.shape[:2] != (n, fn):
        raise ValueError(f"dout {dout.shape}, W {W.shape} and input {tuple(input_shape)} do not belong together: "
                         "expected dout (N, FN, OH, OW), W (FN, C, FH, FW), input (N, C, H, W)")
    oh, ow = dout.shape[2:]
    spread = np.zeros((n, fn, (oh - 1) * stride + 1, (ow - 1) * stride + 1))
    spread[:, :, ::stride, ::stride] = dout                        # undo the stride: zeros in between
    hp, wp = h + 2 * pad, w + 2 * pad                              # the padded input the forward pass saw
    full = np.pad(spread, [(0, 0), (0, 0), (fh - 1, hp - spread.shape[2]), (fw - 1, wp - spread.shape[3])])
    flipped = W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)            # (C, FN, FH, FW)
    dx_padded = conv2d_naive(full, flipped)                         # (N, C, H + 2P, W + 2P)
    return dx_padded[:, :, pad:pad + h, pad:pad + w]
