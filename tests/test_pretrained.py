"""The shipped MNIST weights load, are documented, and the command that made them runs."""

from __future__ import annotations

import re
import zipfile

import numpy as np
import pytest

from common.tools import pretrained
from common.datasets import load_mnist
from common.networks import MultiLayerNet
from common.tools.pretrained import MNIST_MLP_PATH, load_pretrained, main, sha256_of

README = MNIST_MLP_PATH.parent / "README.md"


@pytest.fixture(scope="module")
def net() -> MultiLayerNet:
    return load_pretrained()


def test_loads_the_784_50_100_10_sigmoid_network(net):
    assert isinstance(net, MultiLayerNet)
    assert net.activation == "sigmoid"
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes == {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,),
                      "W3": (100, 10), "b3": (10,)}
    assert all(v.dtype == np.float32 for v in net.params.values())


def test_file_is_small_plain_npz_without_pickle():
    assert MNIST_MLP_PATH.stat().st_size < 400_000
    with zipfile.ZipFile(MNIST_MLP_PATH) as zf:
        assert sorted(zf.namelist()) == sorted(f"{k}.npy" for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    with np.load(MNIST_MLP_PATH, allow_pickle=False) as data:
        assert all(data[k].dtype == np.float32 for k in data.files)


def test_accuracy_on_the_committed_sample(net):
    (_, _), (x_test, t_test) = load_mnist(sample=True)
    acc = net.accuracy(x_test, t_test)
    assert acc >= 0.95, f"the shipped weights give only {acc:.3f} on the sample test set"


def test_readme_records_the_files_sha256_and_accuracy():
    text = README.read_text(encoding="utf-8")
    assert sha256_of(MNIST_MLP_PATH) in text, "update datasets/weights/README.md after retraining"
    assert "python -m common.tools.pretrained" in text
    assert re.search(r"test accuracy: 9\d\.\d\d %", text)


def test_missing_file_explains_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m common.tools.pretrained"):
        load_pretrained(tmp_path / "nothing.npz")


def test_wrong_file_is_refused(tmp_path):
    other = MultiLayerNet(784, [30], 10, activation="sigmoid", seed=1)
    path = other.save_params(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="does not fit"):
        load_pretrained(path)


def test_command_trains_and_saves_on_the_sample(tmp_path, capsys):
    out = tmp_path / "w.npz"
    assert main(["--sample", "--epochs", "1", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"test accuracy: \d+\.\d\d %", printed)
    assert f"SHA-256 {sha256_of(out)}" in printed
    net = load_pretrained(out)
    (_, _), (x_test, t_test) = load_mnist(sample=True)
    assert net.accuracy(x_test, t_test) > 0.5  # one epoch on 5,000 images: well above chance


def test_recipe_is_the_documented_one():
    r = pretrained.MNIST_MLP_RECIPE
    p = r.network_param
    assert r.network is MultiLayerNet
    assert (p["hidden_size_list"], p["activation"], r.optimizer, r.seed) == ((50, 100), "sigmoid", "adam", 0)
    assert (r.lr_schedule, r.augment) == (None, None)


# ------------------------------------------------------------- reproducible bytes
TOLERANCE = 1e-4
"""datasets/weights/README.md: how far another CPU's build may be from the committed arrays."""

_BUILD = """
import hashlib, sys
from dataclasses import replace
from common.tools.pretrained import MNIST_MLP_RECIPE, train_mnist_mlp
net, _ = train_mnist_mlp(replace(MNIST_MLP_RECIPE, epochs=1), sample=True, progress=False)
digest = hashlib.sha256()
for name in sorted(net.params):
    digest.update(net.params[name].tobytes())
print(digest.hexdigest())
"""


def test_a_build_repeats_byte_for_byte_whatever_the_blas_thread_count():
    """The chapter-2 recipe, one epoch on the sample, started with 1 and with 2 BLAS threads."""
    import os
    import subprocess
    import sys

    digests = {}
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
        run = subprocess.run([sys.executable, "-c", _BUILD], env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        digests[threads] = run.stdout.strip().splitlines()[-1]
    assert digests["1"] == digests["2"], f"different weights with 1 and 2 BLAS threads: {digests}"


def test_another_summation_order_stays_within_the_documented_tolerance():
    """A build on two BLAS threads (another order of partial sums, as another CPU's kernels have)."""
    from dataclasses import replace

    from threadpoolctl import threadpool_limits

    recipe = replace(pretrained.MNIST_MLP_RECIPE, epochs=1)
    pinned, acc_pinned = pretrained.train_mnist_mlp(recipe, sample=True, progress=False)
    with threadpool_limits(limits=2, user_api="blas"):
        other, acc_other = pretrained.train_mnist_mlp(recipe, sample=True, progress=False, blas_threads=None)
    for name, value in pinned.params.items():
        np.testing.assert_allclose(other.params[name], value, rtol=0, atol=TOLERANCE, err_msg=name)
    assert abs(acc_pinned - acc_other) <= 0.002
    assert "within 1e-4" in README.read_text(encoding="utf-8")


@pytest.mark.slow
def test_make_weights_rebuilds_the_committed_file(tmp_path):
    """Full MNIST (MNIST_MIRROR), about 30 s per build: the committed bytes on one thread; within the
    tolerance on two unpinned threads, the stand-in for another CPU."""
    from threadpoolctl import threadpool_limits

    out = tmp_path / MNIST_MLP_PATH.name
    assert main(["--out", str(out), "--no-progress"]) == 0
    assert sha256_of(out) == sha256_of(MNIST_MLP_PATH)
    with threadpool_limits(limits=2, user_api="blas"):
        other, acc = pretrained.train_mnist_mlp(progress=False, blas_threads=None)
    committed = load_pretrained()
    for name, value in committed.params.items():
        np.testing.assert_allclose(other.params[name], value, rtol=0, atol=TOLERANCE, err_msg=name)
    assert abs(acc - 0.9667) <= 0.0005
