"""Recurrent networks, forward only: a plain RNN cell, an LSTM cell, and both unrolled over time.

Introduced in the appendix, A look ahead. A recurrent network reads a sequence
``x_1, …, x_T`` one step at a time and carries a hidden state ``h_t`` from step
to step, so the same weights process every step. Shapes follow the course's
batch-first convention: a batch of sequences is ``(N, T, D)`` (N sequences, T
steps, D features per step); hidden states are ``(N, H)``.

- RNN: ``h_t = tanh(x_t Wx + h_{t-1} Wh + b)`` with ``Wx (D, H)``, ``Wh (H, H)``, ``b (H,)``.
- LSTM: one affine map gives four blocks of H columns, in the order
  forget ``f``, input ``i``, output ``o`` (sigmoids) and candidate ``g`` (tanh);
  ``c_t = f ⊙ c_{t-1} + i ⊙ g`` and ``h_t = o ⊙ tanh(c_t)``. ``Wx (D, 4H)``,
  ``Wh (H, 4H)``, ``b (4H,)``.

Training them (backpropagation through time) is beyond this course; the
functions here let a reader run and inspect the forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from common.functions import sigmoid

__all__ = [
    "LSTM_GATES",
    "rnn_cell",
    "rnn_forward",
    "lstm_cell",
    "lstm_forward",
    "init_rnn_params",
    "init_lstm_params",
    "PulseMemory",
    "pulse_memory",
]

LSTM_GATES: tuple[str, ...] = ("f", "i", "o", "g")
"""Order of the four H-column blocks of the LSTM weights: forget, input, output, candidate."""


def _check(name: str, arr: NDArray, shape: tuple[int | None, ...], hint: str = "") -> None:
    ok = arr.ndim == len(shape) and all(s is None or a == s for a, s in zip(arr.shape, shape))
    if not ok:
        want = "(" + ", ".join("·" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}" + (f": {hint}" if hint else ""))


def _check_step(x: NDArray, h_prev: NDArray, Wx: NDArray, Wh: NDArray, b: NDArray, blocks: int) -> None:
    if Wx.ndim != 2:
        raise ValueError(f"Wx must be a matrix (D, {blocks}·H), got shape {Wx.shape}")
    d, cols = Wx.shape
    if cols % blocks:
        raise ValueError(f"Wx has {cols} columns; an {'LSTM' if blocks == 4 else 'RNN'} needs a multiple of {blocks}")
    h = cols // blocks
    _check("x", x, (None, d), f"one step of a batch is (N, D) with D = {d} features")
    _check("h_prev", h_prev, (x.shape[0], h), f"the hidden state is (N, H) = ({x.shape[0]}, {h})")
    _check("Wh", Wh, (h, blocks * h))
    _check("b", b, (blocks * h,))


def rnn_cell(x: NDArray, h_prev: NDArray, Wx: NDArray, Wh: NDArray, b: NDArray) -> NDArray:
    """One step of a plain RNN: ``tanh(x @ Wx + h_prev @ Wh + b)``, shape (N, H).

    Introduced in the appendix, A look ahead (recurrent networks).
    """
    x, h_prev = np.asarray(x, dtype=float), np.asarray(h_prev, dtype=float)
    _check_step(x, h_prev, Wx, Wh, b, 1)
    return np.tanh(x @ Wx + h_prev @ Wh + b)


def rnn_forward(xs: NDArray, h0: NDArray, Wx: NDArray, Wh: NDArray, b: NDArray) -> NDArray:
    """Unroll :func:`rnn_cell` over the T steps of ``xs`` (N, T, D); return all states (N, T, H).

    The same ``Wx``, ``Wh``, ``b`` are used at every step: that weight sharing
    is what makes the network recurrent. Introduced in the appendix, A look ahead.
    """
    xs = np.asarray(xs, dtype=float)
    _check("xs", xs, (None, None, None), "a batch of sequences is (N, T, D)")
    h = np.asarray(h0, dtype=float)
    states = []
    for t in range(xs.shape[1]):
        h = rnn_cell(xs[:, t], h, Wx, Wh, b)
        states.append(h)
    return np.stack(states, axis=1) if states else np.zeros((xs.shape[0], 0, h.shape[-1]))


def lstm_cell(
    x: NDArray, h_prev: NDArray, c_prev: NDArray, Wx: NDArray, Wh: NDArray, b: NDArray,
    return_gates: bool = False,
) -> tuple[NDArray, NDArray] | tuple[NDArray, NDArray, dict[str, NDArray]]:
    """One LSTM step; returns ``(h, c)``, each (N, H) (and the gates with ``return_gates=True``).

    ``f`` decides how much of the old cell state to keep, ``i`` how much of the
    candidate ``g`` to write, ``o`` how much of ``tanh(c)`` to show as ``h``.
    Introduced in the appendix, A look ahead (recurrent networks).
    """
    x, h_prev, c_prev = (np.asarray(a, dtype=float) for a in (x, h_prev, c_prev))
    _check_step(x, h_prev, Wx, Wh, b, 4)
    _check("c_prev", c_prev, h_prev.shape, "the cell state has the shape of the hidden state")
    a = x @ Wx + h_prev @ Wh + b
    f, i, o, g = np.split(a, 4, axis=1)
    f, i, o, g = sigmoid(f), sigmoid(i), sigmoid(o), np.tanh(g)
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    if return_gates:
        return h, c, {"f": f, "i": i, "o": o, "g": g}
    return h, c


def lstm_forward(
    xs: NDArray, h0: NDArray, c0: NDArray, Wx: NDArray, Wh: NDArray, b: NDArray
) -> tuple[NDArray, NDArray]:
    """Unroll :func:`lstm_cell` over ``xs`` (N, T, D); return hidden and cell states, each (N, T, H).

    Introduced in the appendix, A look ahead (recurrent networks).
    """
    xs = np.asarray(xs, dtype=float)
    _check("xs", xs, (None, None, None), "a batch of sequences is (N, T, D)")
    h, c = np.asarray(h0, dtype=float), np.asarray(c0, dtype=float)
    hs, cs = [], []
    for t in range(xs.shape[1]):
        h, c = lstm_cell(xs[:, t], h, c, Wx, Wh, b)
        hs.append(h)
        cs.append(c)
    if not hs:
        empty = np.zeros((xs.shape[0], 0, h.shape[-1]))
        return empty, empty.copy()
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


def _params(d: int, h: int, blocks: int, rng: np.random.Generator | int | None) -> dict[str, NDArray]:
    if d < 1 or h < 1:
        raise ValueError(f"need input size D >= 1 and hidden size H >= 1, got D={d}, H={h}")
    rng = np.random.default_rng(rng)
    return {
        "Wx": rng.normal(0, np.sqrt(1 / d), (d, blocks * h)),
        "Wh": rng.normal(0, np.sqrt(1 / h), (h, blocks * h)),
        "b": np.zeros(blocks * h),
    }


def init_rnn_params(d: int, h: int, rng: np.random.Generator | int | None = 0) -> dict[str, NDArray]:
    """Xavier-scaled ``Wx (D, H)``, ``Wh (H, H)`` and zero ``b (H,)`` for :func:`rnn_forward`.

    Introduced in the appendix, A look ahead.
    """
    return _params(d, h, 1, rng)


def init_lstm_params(d: int, h: int, rng: np.random.Generator | int | None = 0) -> dict[str, NDArray]:
    """Xavier-scaled ``Wx (D, 4H)``, ``Wh (H, 4H)`` and ``b (4H,)`` for :func:`lstm_forward`.

    The forget-gate bias starts at 1 (a common choice that keeps memory early in
    training); the other biases at 0. Introduced in the appendix, A look ahead.
    """
    p = _params(d, h, 4, rng)
    p["b"][:h] = 1.0
    return p


@dataclass
class PulseMemory:
    """What :func:`pulse_memory` measured: states after one input pulse, and how far its influence reaches.

    ``rnn_h`` and ``lstm_c`` are the states at steps 0 … T-1; ``rnn_sensitivity``
    and ``lstm_sensitivity`` are ``|∂state_t / ∂state_0|`` (how much a change of the
    state right after the pulse still moves the state t steps later).
    Introduced in the appendix, A look ahead.
    """

    steps: NDArray
    rnn_h: NDArray
    lstm_c: NDArray
    lstm_h: NDArray
    rnn_sensitivity: NDArray
    lstm_sensitivity: NDArray


def pulse_memory(steps: int = 30, rnn_w: float = 0.8, forget_bias: float = 5.0) -> PulseMemory:
    """Feed the sequence 1, 0, 0, … to a one-unit RNN and a one-unit LSTM with hand-set weights.

    The RNN (``h_t = tanh(x_t + rnn_w · h_{t-1})``) forgets geometrically; its
    sensitivity is a product of factors ``rnn_w · (1 - h²) < 1``, which is the
    vanishing gradient. The LSTM's input gate opens only for the pulse and its
    forget gate sits near 1 (``sigmoid(forget_bias)``), so the cell state, and the
    sensitivity ``Π f_t``, barely decay. Introduced in the appendix, A look ahead.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    xs = np.zeros((1, steps, 1))
    xs[0, 0, 0] = 1.0
    rnn_h = rnn_forward(xs, np.zeros((1, 1)), np.array([[1.0]]), np.array([[rnn_w]]), np.zeros(1))[0, :, 0]
    # LSTM blocks (f, i, o, g): f ≈ 1 always; i opens only when x = 1; o = 1/2; g = tanh(2x)
    Wx = np.array([[0.0, 12.0, 0.0, 2.0]])
    Wh = np.zeros((1, 4))
    b = np.array([forget_bias, -6.0, 0.0, 0.0])
    lstm_h, lstm_c = lstm_forward(xs, np.zeros((1, 1)), np.zeros((1, 1)), Wx, Wh, b)
    rnn_factor = np.abs(rnn_w * (1 - rnn_h[1:] ** 2))       # ∂h_t/∂h_{t-1}
    f = sigmoid(forget_bias)                                  # ∂c_t/∂c_{t-1} when x_t = 0, Wh = 0
    rnn_sens = np.concatenate([[1.0], np.cumprod(rnn_factor)])
    lstm_sens = f ** np.arange(steps)
    return PulseMemory(np.arange(steps), rnn_h, lstm_c[0, :, 0], lstm_h[0, :, 0], rnn_sens, lstm_sens)
