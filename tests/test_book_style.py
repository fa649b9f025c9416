"""Scripts written in the classic book's calling style run on the course's library.

Each file in ``tests/book_style/chNN/`` imports and calls ``common`` the way the
book's chapter-NN scripts do (``sys.path.append(os.pardir)``, ``from
common.optimizer import *``, ``common.util.smooth_curve``, ``dropout_ration``,
labels of shape (1, 1), floats in an optimiser's params dict, ``Trainer(...,
verbose=...)`` and its lists), on the committed MNIST sample, and asserts what
it computed. They are our own scripts, not the book's. Each runs as the book's
do: ``python script.py`` from a copy of its chapter folder, so the folder
above it (with no ``common`` of its own) is only appended to ``sys.path``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "book_style"
LIBRARY_MODULES = {"two_layer_net.py", "simple_convnet.py", "deep_convnet.py"}  # imported by the scripts
SCRIPTS = sorted(p.relative_to(HERE).as_posix() for p in HERE.glob("ch*/*.py") if p.name not in LIBRARY_MODULES)


def test_the_scripts_cover_every_chapter_of_the_book_from_3_to_8():
    assert {s.split("/")[0] for s in SCRIPTS} == {f"ch0{n}" for n in range(3, 9)}


@pytest.mark.parametrize("script", SCRIPTS)
def test_book_style_script_runs(script, tmp_path):
    work = tmp_path / "book"
    shutil.copytree(HERE, work, ignore=shutil.ignore_patterns("__pycache__"))
    folder = work / script.split("/")[0]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore::UserWarning"}
    env.pop("PYTHONPATH", None)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, script.split("/")[1]], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)
    print(f"{script}: {time.perf_counter() - start:.1f} s\n{done.stdout[-2000:]}")
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
