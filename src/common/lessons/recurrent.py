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
    "DistractorMemory",
    "distractor_memory",
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


def _memory_models(rnn_weights: tuple[float, ...], forget_bias: float) -> dict[str, dict[str, NDArray]]:
    """One-unit networks with hand-set weights, fed (value, flag) at every step.

    Each RNN adds the value to its fed-back state, ``h_t = tanh(value_t + w·h_{t-1})``,
    and cannot use the flag except by adding it. The LSTM writes only when the flag
    is up (input gate ``σ(12·flag − 6)``: 0.9975 or 0.0025), keeps its cell with a
    forget gate ``σ(forget_bias)`` that depends on nothing, and shows ``tanh(c)/2``.
    """
    models = {f"RNN, w = {w:g}": {"Wx": np.array([[1.0], [0.0]]), "Wh": np.array([[float(w)]]), "b": np.zeros(1)}
              for w in rnn_weights}
    models["LSTM"] = {
        "Wx": np.array([[0.0, 0.0, 0.0, 2.0],     # value -> candidate g = tanh(2·value)
                        [0.0, 12.0, 0.0, 0.0]]),  # flag  -> input gate
        "Wh": np.zeros((1, 4)),
        "b": np.array([float(forget_bias), -6.0, 0.0, 0.0]),
    }
    return models


def _run_memory(xs: NDArray, rnn_weights: tuple[float, ...], forget_bias: float
                ) -> tuple[dict[str, NDArray], dict[str, NDArray], dict[str, NDArray]]:
    """Hidden states, memory states (RNN: h, LSTM: c) and sensitivities ``|∂state_t/∂state_0|``, each (N, T)."""
    n, steps = xs.shape[:2]
    hidden, memory, sensitivity = {}, {}, {}
    for name, p in _memory_models(rnn_weights, forget_bias).items():
        if name == "LSTM":
            h, c = lstm_forward(xs, np.zeros((n, 1)), np.zeros((n, 1)), **p)
            hidden[name], memory[name] = h[..., 0], c[..., 0]
            # Wh = 0 and the forget gate ignores the input, so ∂c_t/∂c_{t-1} = σ(forget_bias) exactly
            sensitivity[name] = np.broadcast_to(sigmoid(forget_bias) ** np.arange(steps), (n, steps))
        else:
            h = rnn_forward(xs, np.zeros((n, 1)), **p)[..., 0]
            hidden[name] = memory[name] = h
            factors = np.abs(p["Wh"][0, 0] * (1 - h[:, 1:] ** 2))      # ∂h_t/∂h_{t-1}
            sensitivity[name] = np.concatenate([np.ones((n, 1)), np.cumprod(factors, axis=1)], axis=1)
    return hidden, memory, sensitivity


def _check_memory_args(steps: int, rnn_weights: tuple[float, ...], forget_bias: float) -> None:
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if not rnn_weights or not all(np.isfinite(w) for w in rnn_weights) or not np.isfinite(forget_bias):
        raise ValueError(f"need at least one finite RNN weight and a finite forget bias; got {rnn_weights}, {forget_bias}")


@dataclass
class PulseMemory:
    """What :func:`pulse_memory` measured, per network (keys like ``"RNN, w = 1"`` and ``"LSTM"``).

    ``state`` is the memory after the pulse at steps 0 … T-1 (the RNN's ``h``, the
    LSTM's cell ``c``); ``sensitivity`` is ``|∂state_t / ∂state_0|``, how much a
    change right after the pulse still moves the state t steps later: the factor
    by which a gradient shrinks on its way back. Introduced in the appendix, A look ahead.
    """

    steps: NDArray
    state: dict[str, NDArray]
    sensitivity: dict[str, NDArray]


def pulse_memory(steps: int = 30, rnn_weights: tuple[float, ...] = (0.8, 1.0, 1.5),
                 forget_bias: float = 5.0) -> PulseMemory:
    """Feed one pulse (value 1, flag up) followed by zeros to one-unit RNNs and an LSTM.

    With nothing else arriving, an RNN with ``w < 1`` forgets geometrically,
    ``w = 1`` fades slowly, and ``w > 1`` *latches* onto a fixed point of
    ``tanh(w·h) = h`` and keeps the pulse's sign for ever; the LSTM's cell decays
    by ``σ(forget_bias)`` per step. The sensitivities tell the other half of the
    story: the latch keeps its state by pulling every nearby state onto it, so
    ``|∂h_t/∂h_0|`` still vanishes geometrically. Introduced in the appendix, A look ahead.
    """
    _check_memory_args(steps, rnn_weights, forget_bias)
    xs = np.zeros((1, steps, 2))
    xs[0, 0] = 1.0                    # value 1 with the flag up
    _, memory, sensitivity = _run_memory(xs, tuple(rnn_weights), forget_bias)
    return PulseMemory(np.arange(steps), {k: v[0] for k, v in memory.items()},
                       {k: np.asarray(v[0]) for k, v in sensitivity.items()})


@dataclass
class DistractorMemory:
    """What :func:`distractor_memory` measured, per network, at each step since the pulse.

    ``recall`` is the fraction of sequences whose pulse sign can still be read off
    the hidden state's sign; ``sensitivity`` the median of ``|∂state_t / ∂state_0|``
    over the sequences. Introduced in the appendix, A look ahead.
    """

    steps: NDArray
    distractor: float
    recall: dict[str, NDArray]
    sensitivity: dict[str, NDArray]


def distractor_memory(steps: int = 60, distractor: float = 0.5, rnn_weights: tuple[float, ...] = (0.8, 1.0, 1.5),
                      forget_bias: float = 5.0, n_sequences: int = 1000, seed: int = 0) -> DistractorMemory:
    """Remember the sign of one pulse while weaker distractors keep arriving: the fair test of a memory.

    Each sequence starts with a pulse ``±1`` (flag up), followed by ``steps``
    inputs ``±distractor`` at random (flag down) that the network should ignore.
    A plain RNN cannot: it adds every input into the same state, so the later
    inputs wash the pulse out (``w ≤ 1``) or flip its latch (``w > 1``), and its
    sensitivity vanishes whatever ``w``. The LSTM's input gate opens only on the
    flag, so its cell keeps the pulse and its gradient path ``Π f_t``.
    Deterministic for a ``seed``. Introduced in the appendix, A look ahead.
    """
    _check_memory_args(steps, rnn_weights, forget_bias)
    if n_sequences < 1 or not np.isfinite(distractor) or distractor < 0:
        raise ValueError(f"need n_sequences >= 1 and a distractor size >= 0; got {n_sequences}, {distractor}")
    rng = np.random.default_rng(seed)
    sign = rng.choice([-1.0, 1.0], n_sequences)
    xs = np.zeros((n_sequences, steps + 1, 2))
    xs[:, 0, 0], xs[:, 0, 1] = sign, 1.0
    xs[:, 1:, 0] = distractor * rng.choice([-1.0, 1.0], (n_sequences, steps))
    hidden, _, sensitivity = _run_memory(xs, tuple(rnn_weights), forget_bias)
    recall = {k: np.mean(np.sign(h) == sign[:, None], axis=0) for k, h in hidden.items()}
    return DistractorMemory(np.arange(steps + 1), float(distractor), recall,
                            {k: np.median(v, axis=0) for k, v in sensitivity.items()})
