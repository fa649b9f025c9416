"""RNN and LSTM forward passes (appendix): shapes, unrolling, gates, input checks, and the memory experiments."""

from __future__ import annotations

import numpy as np
import pytest

from common.functions import sigmoid
from common.lessons.recurrent import (
    distractor_memory,
    init_lstm_params,
    init_rnn_params,
    lstm_cell,
    lstm_forward,
    pulse_memory,
    rnn_cell,
    rnn_forward,
)


@pytest.mark.parametrize("n, t, d, h", [(1, 1, 1, 1), (2, 5, 3, 4), (3, 7, 6, 2)])
def test_rnn_shapes_and_unrolling(n, t, d, h):
    rng = np.random.default_rng(0)
    p = init_rnn_params(d, h, rng)
    xs, h0 = rng.normal(size=(n, t, d)), rng.normal(size=(n, h))
    hs = rnn_forward(xs, h0, **p)
    assert hs.shape == (n, t, h)
    state = h0
    for step in range(t):          # the same cell, step by step
        state = np.tanh(xs[:, step] @ p["Wx"] + state @ p["Wh"] + p["b"])
        np.testing.assert_allclose(hs[:, step], state)
    assert np.all(np.abs(hs) < 1)


@pytest.mark.parametrize("n, t, d, h", [(1, 1, 1, 1), (2, 5, 3, 4), (4, 3, 2, 5)])
def test_lstm_shapes_and_unrolling(n, t, d, h):
    rng = np.random.default_rng(1)
    p = init_lstm_params(d, h, rng)
    xs = rng.normal(size=(n, t, d))
    h0, c0 = np.zeros((n, h)), np.zeros((n, h))
    hs, cs = lstm_forward(xs, h0, c0, **p)
    assert hs.shape == cs.shape == (n, t, h)
    hh, cc = h0, c0
    for step in range(t):
        hh, cc = lstm_cell(xs[:, step], hh, cc, **p)
        np.testing.assert_allclose(hs[:, step], hh)
        np.testing.assert_allclose(cs[:, step], cc)
    assert np.all(np.abs(hs) < 1)


def test_lstm_gate_equations():
    rng = np.random.default_rng(2)
    d, h = 3, 2
    p = init_lstm_params(d, h, rng)
    assert np.all(p["b"][:h] == 1.0) and np.all(p["b"][h:] == 0.0)   # forget bias 1
    x, hp, cp = rng.normal(size=(4, d)), rng.normal(size=(4, h)), rng.normal(size=(4, h))
    hn, cn, g = lstm_cell(x, hp, cp, **p, return_gates=True)
    a = x @ p["Wx"] + hp @ p["Wh"] + p["b"]
    np.testing.assert_allclose(g["f"], sigmoid(a[:, :h]))
    np.testing.assert_allclose(g["i"], sigmoid(a[:, h:2 * h]))
    np.testing.assert_allclose(g["o"], sigmoid(a[:, 2 * h:3 * h]))
    np.testing.assert_allclose(g["g"], np.tanh(a[:, 3 * h:]))
    np.testing.assert_allclose(cn, g["f"] * cp + g["i"] * g["g"])
    np.testing.assert_allclose(hn, g["o"] * np.tanh(cn))


def test_closed_forget_gate_and_open_input_gate():
    # forget gate ~0 and input gate ~1: the cell forgets c_prev and stores g
    d, h = 1, 1
    Wx, Wh = np.zeros((d, 4 * h)), np.zeros((h, 4 * h))
    b = np.array([-50.0, 50.0, 50.0, 0.0])
    Wx[0, 3] = 1.0
    x, hp, cp = np.array([[0.3]]), np.zeros((1, 1)), np.array([[5.0]])
    _, c = lstm_cell(x, hp, cp, Wx, Wh, b)
    np.testing.assert_allclose(c, np.tanh(0.3), atol=1e-12)


def test_zero_length_sequence():
    p = init_rnn_params(2, 3)
    assert rnn_forward(np.zeros((4, 0, 2)), np.zeros((4, 3)), **p).shape == (4, 0, 3)
    q = init_lstm_params(2, 3)
    hs, cs = lstm_forward(np.zeros((4, 0, 2)), np.zeros((4, 3)), np.zeros((4, 3)), **q)
    assert hs.shape == cs.shape == (4, 0, 3)


def test_wrong_shapes_are_explained():
    p = init_rnn_params(3, 4)
    with pytest.raises(ValueError, match="x must have shape"):
        rnn_cell(np.zeros((2, 5)), np.zeros((2, 4)), **p)
    with pytest.raises(ValueError, match="h_prev must have shape"):
        rnn_cell(np.zeros((2, 3)), np.zeros((2, 5)), **p)
    with pytest.raises(ValueError, match=r"\(N, T, D\)"):
        rnn_forward(np.zeros((2, 3)), np.zeros((2, 4)), **p)
    q = init_lstm_params(3, 4)
    with pytest.raises(ValueError, match="c_prev"):
        lstm_cell(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 3)), **q)
    with pytest.raises(ValueError, match="multiple of 4"):
        lstm_cell(np.zeros((2, 3)), np.zeros((2, 4)), np.zeros((2, 4)), np.zeros((3, 6)), np.zeros((4, 16)), np.zeros(16))
    with pytest.raises(ValueError):
        init_rnn_params(0, 3)


def test_pulse_memory_a_lone_pulse_fades_or_latches_and_the_latch_loses_the_gradient():
    pm = pulse_memory(steps=30, rnn_weights=(0.8, 1.0, 1.5))
    assert set(pm.state) == {"RNN, w = 0.8", "RNN, w = 1", "RNN, w = 1.5", "LSTM"}
    assert all(v.shape == (30,) for v in pm.state.values())
    assert pm.state["RNN, w = 1"][0] == pytest.approx(np.tanh(1.0))
    assert pm.state["RNN, w = 0.8"][-1] < 0.01                      # forgets geometrically
    assert 0.15 < pm.state["RNN, w = 1"][-1] < 0.3                  # fades slowly: the pulse is still there
    fixed = pm.state["RNN, w = 1.5"][-1]
    assert fixed == pytest.approx(np.tanh(1.5 * fixed), abs=1e-9)   # latched on tanh(w·h) = h
    assert pm.state["LSTM"][-1] > 0.7
    assert pm.sensitivity["RNN, w = 1.5"][-1] < 1e-9 < 1e-2 < pm.sensitivity["RNN, w = 1"][-1]
    assert pm.sensitivity["LSTM"][-1] == pytest.approx(sigmoid(5.0) ** 29)
    assert np.all(np.diff(pm.sensitivity["RNN, w = 0.8"]) < 0)
    with pytest.raises(ValueError):
        pulse_memory(steps=0)
    with pytest.raises(ValueError):
        pulse_memory(rnn_weights=())


def test_pulse_memory_sensitivity_matches_a_numerical_derivative():
    """|∂h_t/∂h_0| for the RNN, by nudging the state right after the pulse."""
    w, steps, eps = 1.5, 12, 1e-6
    pm = pulse_memory(steps=steps, rnn_weights=(w,))

    def run(h0):
        h, out = h0, [h0]
        for _ in range(steps - 1):
            h = np.tanh(w * h)
            out.append(h)
        return np.array(out)
    h0 = np.tanh(1.0)
    numeric = (run(h0 + eps) - run(h0 - eps)) / (2 * eps)
    np.testing.assert_allclose(pm.sensitivity["RNN, w = 1.5"], np.abs(numeric), rtol=1e-5)


def test_distractor_memory_only_the_lstm_keeps_the_pulse_and_its_gradient():
    dm = distractor_memory(steps=60, distractor=0.5, n_sequences=500, seed=0)
    assert dm.steps.shape == (61,) and all(v.shape == (61,) for v in dm.recall.values())
    assert all(v[0] == 1.0 for v in dm.recall.values())              # right after the pulse, every sign is known
    assert np.all(dm.recall["LSTM"] == 1.0)
    for name in ("RNN, w = 0.8", "RNN, w = 1", "RNN, w = 1.5"):
        assert abs(dm.recall[name][-1] - 0.5) < 0.08, name            # back to chance
        assert dm.sensitivity[name][-1] < 1e-8 < 0.5 < dm.sensitivity["LSTM"][-1], name
    again = distractor_memory(steps=60, distractor=0.5, n_sequences=500, seed=0)
    np.testing.assert_array_equal(again.recall["RNN, w = 1"], dm.recall["RNN, w = 1"])
    small = distractor_memory(steps=60, distractor=0.3, rnn_weights=(1.5,), n_sequences=500)
    assert small.recall["RNN, w = 1.5"][-1] > 0.9                    # a latch survives weak distractors ...
    assert small.sensitivity["RNN, w = 1.5"][-1] < 1e-12             # ... but not its gradient
    for bad in (dict(steps=0), dict(distractor=-1.0), dict(n_sequences=0), dict(forget_bias=np.nan)):
        with pytest.raises(ValueError):
            distractor_memory(**bad)
