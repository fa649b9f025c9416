"""common.lessons.universal_approximation: bumps and staircases of sigmoid units, set by hand."""

from __future__ import annotations

import numpy as np
import pytest

from common.functions import sigmoid
from common.lessons.universal_approximation import (
    MAX_UNITS,
    X_RANGE,
    approximation_error,
    bump_network,
    predict_1d,
    staircase_network,
    target_function,
)


def test_bump_is_height_inside_and_base_outside():
    params = bump_network(-1.0, 1.0, height=3.0, base=-1.0)
    y = predict_1d(params, np.array([-3.0, -1.0, 0.0, 1.0, 3.0]))
    np.testing.assert_allclose(y, [-1.0, 0.5, 2.0, 0.5, -1.0], atol=1e-12)
    assert params["W1"].shape == (1, 2) and params["W2"].shape == (2, 1)


def test_bump_is_two_sigmoid_steps():
    x = np.linspace(-2, 3, 51)
    want = 1.5 * sigmoid(50 * (x - 0.5)) - 1.5 * sigmoid(50 * (x - 2.0))
    np.testing.assert_allclose(predict_1d(bump_network(0.5, 2.0, 1.5), x), want, rtol=1e-12)


@pytest.mark.parametrize("args", [(1.0, 1.0, 1.0), (2.0, -1.0, 1.0)])
def test_bump_needs_left_below_right(args):
    with pytest.raises(ValueError, match="left < right"):
        bump_network(*args)


def test_bump_needs_a_positive_gain():
    with pytest.raises(ValueError, match="gain"):
        bump_network(0.0, 1.0, 1.0, gain=0.0)


def test_staircase_error_roughly_halves_when_units_double():
    errors = [approximation_error(target_function, staircase_network(target_function, n)) for n in (10, 20, 40, 80)]
    for coarse, fine in zip(errors, errors[1:]):
        assert 0.35 < fine.max_error / coarse.max_error < 0.65
        assert fine.rms_error < coarse.rms_error
    assert errors[-1].max_error < 0.1


def test_staircase_follows_any_function_and_reports_its_size():
    params = staircase_network(np.cos, 60, x_range=(0.0, 4.0))
    err = approximation_error(np.cos, params, x_range=(0.0, 4.0))
    assert err.n_units == 60 and err.max_error < 0.1
    assert params["W1"].shape == (1, 60) and params["b1"].shape == (60,) and params["W2"].shape == (60, 1)


@pytest.mark.parametrize("n", [0, MAX_UNITS + 1, -3])
def test_staircase_unit_count_is_bounded(n):
    with pytest.raises(ValueError, match="n_units"):
        staircase_network(target_function, n)


def test_staircase_rejects_a_bad_range_and_a_bad_function():
    with pytest.raises(ValueError, match="x_range"):
        staircase_network(target_function, 5, x_range=(1.0, 1.0))
    with pytest.raises(ValueError, match="finite"):
        staircase_network(lambda x: np.full_like(x, np.nan), 5)
    with pytest.raises(ValueError, match="one finite number per input"):
        staircase_network(lambda x: 1.0, 5)


def test_predict_1d_wants_a_flat_array():
    with pytest.raises(ValueError, match="1-D"):
        predict_1d(bump_network(0, 1, 1), np.zeros((3, 1)))


def test_target_function_leaves_the_unit_interval():
    y = target_function(np.linspace(*X_RANGE, 101))
    assert y.min() < -1 and y.max() > 1
