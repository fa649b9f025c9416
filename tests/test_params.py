"""Tests for common.params (npz weight files) and common.initializers."""

from __future__ import annotations

import os
import pickle
import zipfile

import numpy as np
import pytest

from common.initializers import as_rng, he_std, init_weights, weight_scale, xavier_std
from common.params import load_params, save_params


def _params() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "W1": rng.standard_normal((4, 3)),
        "b1": np.zeros(3),
        "W2": rng.standard_normal((3, 2)).astype(np.float32),
        "gamma1": np.ones(3, dtype=np.float32),
    }


def test_round_trip_keeps_names_values_and_dtypes(tmp_path):
    params = _params()
    written = save_params(params, tmp_path / "net.npz")
    assert written == tmp_path / "net.npz"
    loaded = load_params(written)
    assert list(loaded) == list(params)
    for key, value in params.items():
        assert loaded[key].dtype == value.dtype
        np.testing.assert_array_equal(loaded[key], value)


def test_npz_suffix_is_added_and_found(tmp_path):
    written = save_params(_params(), tmp_path / "weights")
    assert written.name == "weights.npz"
    assert written.is_file()
    assert set(load_params(tmp_path / "weights")) == set(_params())


def test_file_is_plain_npz_loadable_without_pickle(tmp_path):
    path = save_params(_params(), tmp_path / "net.npz")
    with np.load(path, allow_pickle=False) as data:
        assert set(data.files) == set(_params())


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    save_params(_params(), tmp_path / "net.npz")
    save_params({"W1": np.ones(2)}, tmp_path / "net.npz")  # overwrite
    assert sorted(os.listdir(tmp_path)) == ["net.npz"]
    assert list(load_params(tmp_path / "net.npz")) == ["W1"]


def test_failed_save_keeps_the_old_file(tmp_path):
    path = save_params({"W1": np.ones(2)}, tmp_path / "net.npz")
    with pytest.raises(ValueError, match="dtype object"):
        save_params({"W1": np.array([{"a": 1}], dtype=object)}, path)
    np.testing.assert_array_equal(load_params(path)["W1"], np.ones(2))
    assert sorted(os.listdir(tmp_path)) == ["net.npz"]


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no parameter file"):
        load_params(tmp_path / "nope.npz")


def test_missing_folder_on_save(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_params(_params(), tmp_path / "no" / "such" / "net.npz")


@pytest.mark.parametrize("content", [b"", b"this is not a zip file", b"PK\x03\x04broken"])
def test_corrupt_file_raises_value_error(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_params(path)


def test_truncated_file_raises_value_error(tmp_path):
    path = save_params(_params(), tmp_path / "net.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_params(path)


def test_pickled_file_is_refused(tmp_path):
    path = tmp_path / "net.npz"
    path.write_bytes(pickle.dumps({"W1": np.ones(2)}))
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_params(path)


def test_npz_with_object_array_is_refused(tmp_path):
    path = tmp_path / "obj.npz"
    with zipfile.ZipFile(path, "w") as zf, zf.open("W1.npy", "w") as fh:
        np.lib.format.write_array(fh, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="not a readable .npz"):
        load_params(path)


def test_single_npy_is_refused(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match="single array"):
        load_params(path)


@pytest.mark.parametrize("bad", [{}, {"": np.ones(1)}, {1: np.ones(1)}])
def test_bad_params_are_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        save_params(bad, tmp_path / "x.npz")


# --- initializers -----------------------------------------------------------


def test_he_and_xavier_std():
    assert he_std(50) == pytest.approx(np.sqrt(2 / 50))
    assert xavier_std(50) == pytest.approx(np.sqrt(1 / 50))


@pytest.mark.parametrize(
    "setting, expected",
    [
        ("relu", np.sqrt(2 / 8)),
        ("He", np.sqrt(2 / 8)),
        ("sigmoid", np.sqrt(1 / 8)),
        ("xavier", np.sqrt(1 / 8)),
        ("tanh", np.sqrt(1 / 8)),
        (0.01, 0.01),
        (1, 1.0),
    ],
)
def test_weight_scale_resolves_names_and_numbers(setting, expected):
    assert weight_scale(setting, 8) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["gelu", "", -0.1, float("nan"), None, True, [0.1]])
def test_weight_scale_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        weight_scale(bad, 8)


@pytest.mark.parametrize("n_in", [0, -3, 2.5])
def test_fan_in_must_be_positive_integer(n_in):
    with pytest.raises(ValueError, match="n_in"):
        he_std(n_in)


def test_init_weights_is_seeded_and_typed():
    a = init_weights((200, 300), 0.1, rng=1)
    b = init_weights((200, 300), 0.1, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float64
    assert a.std() == pytest.approx(0.1, rel=0.02)
    c = init_weights((200, 300), 0.1, rng=1, dtype=np.float32)
    assert c.dtype == np.float32
    np.testing.assert_allclose(c, a, rtol=1e-6)


def test_as_rng_passes_generators_through():
    g = np.random.default_rng(3)
    assert as_rng(g) is g
    with pytest.raises(TypeError):
        as_rng(True)
