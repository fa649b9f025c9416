"""Tests for common.datasets: IDX parsing, the cache, mirrors, downloads, failures, the sample.

Real data comes from the offline mirror (``MNIST_MIRROR`` if it is a folder, else
``../shared/datasets/mnist``). Every test replaces the public mirror list with a
refused 127.0.0.1 port, so nothing here ever leaves the machine.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from common import config, datasets
from common.datasets import FILES, MNISTError, load_mnist, load_mnist_for_course, parse_idx

REPO = Path(__file__).resolve().parents[1]
_env_mirror = os.environ.get("MNIST_MIRROR", "")
MIRROR = Path(_env_mirror) if _env_mirror and Path(_env_mirror).is_dir() \
    else REPO.parent / "shared" / "datasets" / "mnist"
needs_mirror = pytest.mark.skipif(
    not all((MIRROR / f"{f.name}.gz").is_file() for f in FILES),
    reason=f"the offline MNIST mirror is absent: set MNIST_MIRROR to a folder with the "
           f"four official .gz files (looked in {MIRROR})")
TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = (f.name for f in FILES)


def refused_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: connecting fails at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No environment leaks in, no public mirror is reachable, the repo cache is untouched."""
    monkeypatch.delenv("MNIST_MIRROR", raising=False)
    monkeypatch.setenv("MNIST_CACHE_DIR", str(tmp_path / "default-cache"))
    monkeypatch.setattr(datasets, "PUBLIC_MIRRORS", [refused_url(), refused_url()])


@pytest.fixture(scope="session")
def full_cache(tmp_path_factory) -> Path:
    """A cache folder filled once from the folder mirror (decompresses the 47 MB file once)."""
    if not all((MIRROR / f"{f.name}.gz").is_file() for f in FILES):
        pytest.skip(f"the offline MNIST mirror is absent (looked in {MIRROR}); set MNIST_MIRROR")
    cache = tmp_path_factory.mktemp("mnist-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(datasets, "PUBLIC_MIRRORS", [refused_url()])
        load_mnist(normalize=False, cache_dir=cache, mirror=MIRROR)
    return cache


@pytest.fixture(scope="session")
def raw_mnist(full_cache):
    """The full data as uint8 images (N, 28, 28) and labels, read from the session cache."""
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=False, flatten=False, cache_dir=full_cache, mirror="/nonexistent")
    return x_train[:, 0], t_train, x_test[:, 0], t_test


def cache_without(full_cache: Path, tmp_path: Path, *missing: str) -> Path:
    """A private copy of the full cache lacking ``missing`` files (so only those are fetched)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    for f in FILES:
        if f.name not in missing:
            shutil.copyfile(full_cache / f.name, cache / f.name)
    return cache


def mirror_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "mirror"
    folder.mkdir()
    for name, data in files.items():
        (folder / f"{name}.gz").write_bytes(data)
    return folder


def assert_clean(cache: Path, *absent: str) -> None:
    """No temporary files left behind and none of ``absent`` cached."""
    leftovers = [p.name for p in cache.iterdir() if p.name not in {f.name for f in FILES}]
    assert leftovers == [], f"partial files left in the cache: {leftovers}"
    for name in absent:
        assert not (cache / name).exists()


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture()
def http_mirror():
    """Serve a folder over HTTP on 127.0.0.1 from a thread; yields (start(folder) -> url, log)."""
    servers, log = [], []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            log.append(self.path)

    def start(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start, log
    for server in servers:
        server.shutdown()
        server.server_close()


# ----------------------------------------------------------------------------- IDX parsing
def test_parse_idx_round_trips_images_and_labels():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    labels = np.array([7, 0, 9])
    np.testing.assert_array_equal(parse_idx(idx_bytes(images)), images)
    np.testing.assert_array_equal(parse_idx(idx_bytes(labels)), labels)
    assert parse_idx(idx_bytes(labels)).dtype == np.uint8


BODY = np.array([3], dtype=">u4").tobytes() + bytes(3)


@pytest.mark.parametrize("data, message", [
    (bytes([0x1f, 0x8b, 8, 1]) + BODY, "not an IDX file"),  # a .gz given by mistake
    (bytes([0, 1, 8, 1]) + BODY, "not an IDX file"),
    (bytes([0, 0, 0x0d, 1]) + BODY, "type code 0x0d"),  # float32 IDX: not MNIST
    (bytes([0, 0, 8, 0]) + BODY, "header"),
    (bytes([0, 0, 8, 3]) + BODY, "header"),  # 3 dimensions announced, 1 size given
    (b"\x00\x00", "not an IDX file"),
])
def test_parse_idx_rejects_bad_magic_numbers(data, message):
    with pytest.raises(MNISTError, match=message):
        parse_idx(data, name="x.idx")


def test_parse_idx_rejects_a_body_that_does_not_match_the_header():
    data = idx_bytes(np.zeros((2, 28, 28)))
    with pytest.raises(MNISTError, match=r"promises shape \(2, 28, 28\)"):
        parse_idx(data[:-1])
    with pytest.raises(MNISTError, match="cut or wrong"):
        parse_idx(data + b"\x00")


# ----------------------------------------------------------------- full data: semantics
def test_full_data_shapes_dtypes_and_known_labels(full_cache):
    (x_train, t_train), (x_test, t_test) = load_mnist(cache_dir=full_cache)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and 0.0 == x_train.min() and x_train.max() == 1.0
    assert t_train.dtype == np.int64 and t_train.shape == (60000,)
    assert list(t_train[:5]) == [5, 0, 4, 1, 9] and list(t_test[:5]) == [7, 2, 1, 0, 4]
    assert np.bincount(t_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_options_follow_the_classic_semantics(full_cache, raw_mnist):
    (x, t), (xt, tt) = load_mnist(normalize=False, flatten=False, one_hot_label=True,
                                  cache_dir=full_cache)
    assert x.dtype == np.uint8 and x.shape == (60000, 1, 28, 28) and xt.shape == (10000, 1, 28, 28)
    assert t.shape == (60000, 10) and t.dtype == np.float32
    np.testing.assert_array_equal(t.argmax(axis=1), raw_mnist[1])
    assert (t.sum(axis=1) == 1).all()
    (x64, t64), _ = load_mnist(one_hot_label=True, cache_dir=full_cache, dtype=np.float64)
    assert x64.dtype == np.float64 and t64.dtype == np.float64
    np.testing.assert_allclose(x64[0] * 255, raw_mnist[0][0].ravel())


def test_dtype_must_be_floating(full_cache):
    with pytest.raises(ValueError, match="floating dtype"):
        load_mnist(cache_dir=full_cache, dtype=np.int32)


# ------------------------------------------------------------------- cache and mirrors
def test_folder_mirror_fills_the_cache_atomically(full_cache):
    assert sorted(p.name for p in full_cache.iterdir()) == sorted(f.name for f in FILES)
    for f in FILES:
        data = (full_cache / f.name).read_bytes()
        assert len(data) == f.size and hashlib.sha256(data).hexdigest() == f.sha256


def test_cache_hit_is_fast_and_needs_no_source(full_cache):
    # CPU time, not wall time: the work done is what is judged, not the neighbours on a shared
    # machine (at load 10 on 2 cores the float32 load took 3.2 s of wall time, 0.34 s of CPU).
    start = time.process_time()
    (x, _), _ = load_mnist(normalize=False, cache_dir=full_cache, mirror="/nonexistent")
    assert time.process_time() - start < 1.0
    start = time.process_time()
    load_mnist(cache_dir=full_cache, mirror="/nonexistent")
    assert time.process_time() - start < 2.0  # includes converting 47M pixels to float32
    x[0, 0] = 1  # arrays are writable, not views of read-only bytes


def test_environment_variables_choose_cache_and_mirror(monkeypatch, tmp_path, full_cache):
    cache = cache_without(full_cache, tmp_path, TEST_LABELS)
    monkeypatch.setenv("MNIST_CACHE_DIR", str(cache))
    monkeypatch.setenv("MNIST_MIRROR", str(MIRROR))
    _, (_, t_test) = load_mnist()
    assert (cache / TEST_LABELS).is_file() and len(t_test) == 10000
    assert_clean(cache)


def test_default_cache_dir_is_the_repo_then_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_CACHE_DIR")
    assert datasets.default_cache_dir() == REPO / "datasets" / "mnist"
    monkeypatch.setattr(datasets, "REPO_ROOT", tmp_path / "installed-elsewhere")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.default_cache_dir() == tmp_path / "xdg" / "dl-course" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert datasets.default_cache_dir() == tmp_path / "home" / ".cache" / "dl-course" / "mnist"


@pytest.mark.network
@needs_mirror
def test_real_http_download_from_a_local_server(http_mirror, tmp_path):
    start, log = http_mirror
    url = start(MIRROR)
    cache = tmp_path / "cache"
    (x, t), (xt, tt) = load_mnist(normalize=False, cache_dir=cache, mirror=url)
    assert sorted(log) == sorted(f"/{f.name}.gz" for f in FILES)
    assert x.shape == (60000, 784) and list(tt[:3]) == [7, 2, 1]
    assert_clean(cache)
    assert all(hashlib.sha256((cache / f.name).read_bytes()).hexdigest() == f.sha256
               for f in FILES)


@pytest.mark.network
def test_http_mirror_missing_a_file_names_it(http_mirror, tmp_path, full_cache):
    start, _ = http_mirror
    url = start(mirror_with(tmp_path, {}))
    cache = cache_without(full_cache, tmp_path, TEST_LABELS)
    with pytest.raises(MNISTError, match=rf"{TEST_LABELS}\.gz: HTTP 404"):
        load_mnist(cache_dir=cache, mirror=url)
    assert_clean(cache, TEST_LABELS)


@pytest.mark.network
def test_a_silent_server_times_out_instead_of_hanging(monkeypatch, tmp_path, full_cache):
    monkeypatch.setattr(datasets, "TIMEOUT_SECONDS", 0.5)
    cache = cache_without(full_cache, tmp_path, TEST_LABELS)
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        start = time.perf_counter()
        with pytest.raises(MNISTError, match="timed out"):
            load_mnist(cache_dir=cache, mirror=url)
    assert time.perf_counter() - start < 5
    assert_clean(cache, TEST_LABELS)


# ------------------------------------------------------------------------- failures
@pytest.fixture()
def good_test_labels_gz() -> bytes:
    if not (MIRROR / f"{TEST_LABELS}.gz").is_file():
        pytest.skip(f"the offline MNIST mirror is absent (looked in {MIRROR}); set MNIST_MIRROR")
    return (MIRROR / f"{TEST_LABELS}.gz").read_bytes()


def corrupt(gz: bytes) -> bytes:
    """Flip bits in the middle of the compressed stream."""
    middle = len(gz) // 2
    return gz[:middle] + bytes(b ^ 0xFF for b in gz[middle:middle + 8]) + gz[middle + 8:]


@pytest.mark.parametrize("damage, message", [
    (lambda gz: gz[: len(gz) // 2], "truncated"),
    (corrupt, "corrupt gzip data"),
    (lambda gz: gzip.compress(b"not mnist at all"), "not the official file"),
    (lambda gz: b"", "empty"),
])
def test_a_bad_file_in_the_mirror_is_reported_and_not_cached(
        tmp_path, full_cache, good_test_labels_gz, damage, message):
    cache = cache_without(full_cache, tmp_path, TEST_LABELS)
    mirror = mirror_with(tmp_path, {TEST_LABELS: damage(good_test_labels_gz)})
    with pytest.raises(MNISTError, match=message) as info:
        load_mnist(cache_dir=cache, mirror=mirror)
    assert f"{TEST_LABELS}.gz" in str(info.value) and "replace it" in str(info.value)
    assert_clean(cache, TEST_LABELS)


def test_the_wrong_official_file_fails_its_checksum(tmp_path, full_cache):
    """The train labels saved under the test labels' name: valid gzip and IDX, wrong data."""
    cache = cache_without(full_cache, tmp_path, TEST_LABELS)
    mirror = mirror_with(tmp_path, {TEST_LABELS: (MIRROR / f"{TRAIN_LABELS}.gz").read_bytes()})
    with pytest.raises(MNISTError, match=r"not the official file.*60008 bytes.*expected 10008"):
        load_mnist(cache_dir=cache, mirror=mirror)
    assert_clean(cache, TEST_LABELS)


def test_missing_file_in_a_folder_mirror_is_named(tmp_path, full_cache):
    cache = cache_without(full_cache, tmp_path, TRAIN_LABELS)
    mirror = mirror_with(tmp_path, {})
    with pytest.raises(MNISTError, match=rf"{TRAIN_LABELS}\.gz: missing from the mirror folder"):
        load_mnist(cache_dir=cache, mirror=mirror)


def test_a_mirror_that_is_neither_folder_nor_url_is_reported(tmp_path):
    with pytest.raises(MNISTError, match="neither a folder nor an http"):
        load_mnist(cache_dir=tmp_path / "cache", mirror=tmp_path / "no-such-folder")


def test_no_mirror_and_no_network_fails_fast_naming_what_was_tried(tmp_path):
    start = time.perf_counter()
    with pytest.raises(MNISTError) as info:
        load_mnist(cache_dir=tmp_path / "cache")
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "MNIST_MIRROR" in message and "sample=True" in message
    for url in datasets.PUBLIC_MIRRORS:
        assert url + f"{TRAIN_IMAGES}.gz: cannot connect" in message
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_a_corrupt_cache_file_is_fetched_again(tmp_path, full_cache):
    cache = cache_without(full_cache, tmp_path)
    damaged = bytearray((cache / TRAIN_LABELS).read_bytes())
    damaged[-1] ^= 1  # same size, different checksum
    (cache / TRAIN_LABELS).write_bytes(bytes(damaged))
    with pytest.warns(UserWarning, match="corrupt"):
        (_, t_train), _ = load_mnist(cache_dir=cache, mirror=MIRROR)
    assert list(t_train[:5]) == [5, 0, 4, 1, 9]
    assert hashlib.sha256((cache / TRAIN_LABELS).read_bytes()).hexdigest() == FILES[1].sha256


def test_a_corrupt_cache_file_without_a_source_is_reported(tmp_path, full_cache):
    cache = cache_without(full_cache, tmp_path)
    (cache / TEST_LABELS).write_bytes(b"\x00" * 10)
    with pytest.warns(UserWarning), pytest.raises(MNISTError, match="was corrupt and has been"):
        load_mnist(cache_dir=cache)
    assert_clean(cache, TEST_LABELS)


def test_an_unwritable_cache_is_reported(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(datasets, "_fetch", lambda source, name: b"")
    monkeypatch.setattr(datasets, "_verified", lambda gz, official, source: b"data")
    with pytest.raises(MNISTError, match="MNIST_CACHE_DIR"):
        load_mnist(cache_dir=blocker / "cache", mirror="anything")


# --------------------------------------------------------------------------- the sample
def test_sample_is_balanced_and_follows_the_same_options():
    (x, t), (xt, tt) = load_mnist(sample=True)
    assert x.shape == (5000, 784) and xt.shape == (1000, 784) and x.dtype == np.float32
    assert np.bincount(t).tolist() == [500] * 10 and np.bincount(tt).tolist() == [100] * 10
    assert 0.0 == x.min() and x.max() == 1.0 and t.dtype == np.int64
    (x, t), _ = load_mnist(normalize=False, flatten=False, one_hot_label=True, sample=True)
    assert x.shape == (5000, 1, 28, 28) and x.dtype == np.uint8 and t.shape == (5000, 10)


def test_committed_sample_matches_its_recorded_checksum():
    data = datasets.SAMPLE_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == datasets.SAMPLE_SHA256
    assert datasets.SAMPLE_SHA256 in (REPO / "datasets" / "README.md").read_text()
    assert len(data) < 4_000_000


def test_a_tampered_or_missing_sample_is_refused(tmp_path, monkeypatch):
    tampered = tmp_path / "mnist_sample.npz"
    data = bytearray(datasets.SAMPLE_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered.write_bytes(bytes(data))
    monkeypatch.setattr(datasets, "SAMPLE_PATH", tampered)
    with pytest.raises(MNISTError, match="SHA-256.*make-sample"):
        load_mnist(sample=True)
    monkeypatch.setattr(datasets, "SAMPLE_PATH", tmp_path / "gone.npz")
    with pytest.raises(MNISTError, match="missing"):
        load_mnist(sample=True)


def test_make_sample_command_rebuilds_the_committed_file_exactly(tmp_path, full_cache, raw_mnist,
                                                                 capsys):
    out = tmp_path / "sample.npz"
    assert datasets.main(["make-sample", "--out", str(out), "--cache-dir", str(full_cache),
                          "--mirror", "/nonexistent"]) == 0
    assert out.read_bytes() == datasets.SAMPLE_PATH.read_bytes()
    assert datasets.SAMPLE_SHA256 in capsys.readouterr().out
    with np.load(out, allow_pickle=False) as npz:  # and it really is a subset of MNIST
        x_train, t_train = npz["x_train"], npz["t_train"]
    full_x, full_t = raw_mnist[0], raw_mnist[1]
    rows = {img.tobytes(): label for img, label in zip(full_x, full_t)}
    assert all(rows.get(img.tobytes()) == label for img, label in zip(x_train[:200], t_train[:200]))


def test_make_sample_is_seeded_and_checks_class_counts():
    rng = np.random.default_rng(1)
    t = np.repeat(np.arange(10), 600)
    x = rng.integers(0, 256, size=(len(t), 28, 28), dtype=np.uint8)
    a, b = datasets.make_sample(x, t, x, t), datasets.make_sample(x, t, x, t)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert np.bincount(a["t_train"]).tolist() == [500] * 10
    assert not np.array_equal(a["t_train"], datasets.make_sample(x, t, x, t, seed=1)["t_train"])
    with pytest.raises(ValueError, match="digit 3"):
        datasets.make_sample(x, t, x[t != 3], t[t != 3])


# ------------------------------------------------------------------ course helper
def test_course_loader_uses_the_sample_in_quick_mode(monkeypatch):
    monkeypatch.setattr(config, "QUICK", True)
    (x, _), (xt, _) = load_mnist_for_course(flatten=False)
    assert x.shape == (5000, 1, 28, 28) and xt.shape == (1000, 1, 28, 28)


def test_course_loader_in_full_mode_never_falls_back_to_the_sample(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "QUICK", False)
    with pytest.raises(MNISTError, match="MNIST_MIRROR"):
        load_mnist_for_course(cache_dir=tmp_path / "cache")


def test_course_loader_in_full_mode_returns_the_full_data(monkeypatch, full_cache):
    monkeypatch.setattr(config, "QUICK", False)
    (x, _), _ = load_mnist_for_course(cache_dir=full_cache)
    assert x.shape == (60000, 784)
