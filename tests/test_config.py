"""common.config: quick mode and the BLAS thread policy of notebook kernels."""

from __future__ import annotations

import os

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from threadpoolctl import threadpool_info

from common import config


def _blas_threads() -> int:
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"][0]


@pytest.mark.parametrize("raw, expected", [(None, 1), ("1", 1), ("2", 2), ("0", None), ("auto", None)])
def test_notebook_blas_threads_reads_the_variable(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv(config.BLAS_THREADS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(config.BLAS_THREADS_VARIABLE, raw)
    assert config.notebook_blas_threads() == expected


@pytest.mark.parametrize("raw", ["-1", "two", "1.5"])
def test_a_bad_thread_count_is_refused_by_name(monkeypatch, raw):
    monkeypatch.setenv(config.BLAS_THREADS_VARIABLE, raw)
    with pytest.raises(ValueError, match="COURSE_BLAS_THREADS"):
        config.notebook_blas_threads()


def test_limit_blas_threads_pins_and_restores():
    before = _blas_threads()
    with config.limit_blas_threads(1):
        assert _blas_threads() == 1
        np.ones((64, 64)) @ np.ones((64, 64))
    assert _blas_threads() == before
    with pytest.raises(ValueError, match="whole number"):
        with config.limit_blas_threads(0):
            pass


def test_importing_config_outside_a_kernel_changes_nothing(monkeypatch):
    monkeypatch.delitem(__import__("sys").modules, "ipykernel", raising=False)
    before = _blas_threads()
    config._pin_notebook_kernel()
    assert _blas_threads() == before


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to tell 1 thread from 2")
@pytest.mark.parametrize("setting, expected", [(None, 1), ("2", 2)])
def test_a_notebook_kernel_gets_the_policy(setting, expected):
    """A chapter's kernel, started with BLAS on 2 threads, runs on COURSE_BLAS_THREADS (default 1)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import common.config\n"
        "from threadpoolctl import threadpool_info\n"
        "print([p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'][0])")])
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    env.pop(config.BLAS_THREADS_VARIABLE, None)
    if setting is not None:
        env[config.BLAS_THREADS_VARIABLE] = setting
    NotebookClient(nb, timeout=120, kernel_name="python3").execute(env=env)
    assert nb.cells[0].outputs[0]["text"].strip() == str(expected)
