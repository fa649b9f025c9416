"""Chapter 7's shipped deep networks: the files are the recorded ones, they load and read digits, a changed file is
refused, and a build repeats byte for byte whatever the number of BLAS threads."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from common.datasets import load_mnist
from common.tools.pretrained import (
    DEEP_CONVNET_NO_AUGMENTATION_PATH,
    DEEP_CONVNET_PATH,
    DEEP_CONVNET_RECIPE,
    DEEP_CONVNET_SHA256,
    WEIGHTS_DIR,
    deep_convnet_reference,
    load_deep_convnet,
    main,
    sha256_of,
)


def test_recorded_checksums_match_the_files_and_the_readme():
    readme = (WEIGHTS_DIR / "README.md").read_text(encoding="utf-8")
    assert set(DEEP_CONVNET_SHA256) == {DEEP_CONVNET_PATH.name, DEEP_CONVNET_NO_AUGMENTATION_PATH.name}
    for name, sha in DEEP_CONVNET_SHA256.items():
        assert len(sha) == 64 and sha256_of(WEIGHTS_DIR / name) == sha, f"{name} is not the recorded file"
        assert f"{sha}  {name}" in readme, f"datasets/weights/README.md does not record {name}'s SHA-256"


def test_the_twin_differs_only_in_augmentation():
    plain = deep_convnet_reference(augmented=False).recipe
    assert DEEP_CONVNET_RECIPE.augment is not None and plain.augment is None
    assert plain.network_param == DEEP_CONVNET_RECIPE.network_param and plain.epochs == DEEP_CONVNET_RECIPE.epochs
    assert plain.seed == DEEP_CONVNET_RECIPE.seed and plain.lr_schedule is DEEP_CONVNET_RECIPE.lr_schedule


@pytest.mark.parametrize("augmented, least", [(True, 0.99), (False, 0.985)])
def test_shipped_networks_read_the_sample(augmented, least):
    net, sha = load_deep_convnet(augmented)
    assert sha == DEEP_CONVNET_SHA256[(DEEP_CONVNET_PATH if augmented else DEEP_CONVNET_NO_AUGMENTATION_PATH).name]
    assert net.params["W1"].dtype == np.float32
    _, (x_test, t_test) = load_mnist(sample=True, flatten=False)
    assert net.accuracy(x_test, t_test, batch_size=500) >= least


def test_a_changed_or_missing_file_is_refused(tmp_path):
    copy = tmp_path / DEEP_CONVNET_PATH.name
    shutil.copy(DEEP_CONVNET_PATH, copy)
    data = bytearray(copy.read_bytes())
    data[-100] ^= 1
    copy.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256.*git checkout -- datasets/weights"):
        load_deep_convnet(path=copy)
    with pytest.raises(FileNotFoundError, match="make weights"):
        load_deep_convnet(path=tmp_path / "missing.npz")


_BUILD = """
import hashlib
from common.tools.pretrained import train_deep_convnet
net, _ = train_deep_convnet(True, sample=True, epochs=1, n_train=300, log=None)
digest = hashlib.sha256()
for name in sorted(net.params):
    digest.update(net.params[name].tobytes())
print(digest.hexdigest())
"""


def test_a_build_repeats_whatever_the_blas_thread_count():
    digests = set()
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
        run = subprocess.run([sys.executable, "-c", _BUILD], env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        digests.add(run.stdout.strip().splitlines()[-1])
    assert len(digests) == 1, f"different weights with 1 and 2 BLAS threads: {digests}"


def test_command_line_saves_and_reports(tmp_path, capsys, monkeypatch):
    """The command's wiring, with the training replaced by an untrained network (the build is tested above)."""
    from common.tools import pretrained
    from common.tools.results import Result

    def untrained(augmented, sample, epochs, log):
        reference = deep_convnet_reference(augmented)
        return reference.recipe.build(), Result(reference.name, reference.title, 0.1, epochs or 8, 0.0)

    monkeypatch.setattr(pretrained, "train_deep_convnet", untrained)
    out = tmp_path / "deep.npz"
    assert main(["--only", "deep_no_augmentation", "--sample", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "one BLAS thread" in text and f"SHA-256 {sha256_of(out)}" in text
    assert "augmentation: none" in text and "test accuracy: 10.00 %" in text
    with pytest.raises(SystemExit):
        main(["--only", "mlp", "--only", "deep", "--out", str(out)])     # --out names one file


@pytest.mark.slow
@pytest.mark.parametrize("target, path", [("deep", DEEP_CONVNET_PATH),
                                          ("deep_no_augmentation", DEEP_CONVNET_NO_AUGMENTATION_PATH)])
def test_make_weights_reproduces_the_committed_file(tmp_path, target, path):
    """Full MNIST, about 15 minutes each on two idle cores: the same bytes as the committed file."""
    out = tmp_path / path.name
    assert main(["--only", target, "--out", str(out), "--no-progress"]) == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == sha256_of(path)
