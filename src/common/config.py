"""Run-time settings read once from the environment (introduced in the prelude).

``COURSE_QUICK=1`` makes notebooks train briefly (CI, quick checks); without it they
run the real experiments. ``COURSE_LANG`` (``en`` or ``ja``) picks the language of what
``common`` prints to a learner. This is the only place these variables are read.

It is also the one place that decides how many threads NumPy's BLAS (the library
behind ``@``) uses in a notebook kernel: ``COURSE_BLAS_THREADS``, default 1, applied
when a Jupyter kernel imports this module (every chapter's first cell does). Why one
thread: the course's matrices are small, so a second thread saves little on an idle
machine (measured in README.md, "BLAS threads") and costs 3-20 times the time when the
cores are busy, because OpenBLAS's threads spin waiting for each other; and one thread
sums in one fixed order, so a learner re-running a chapter gets the printed digits of
the committed outputs. ``COURSE_BLAS_THREADS=0`` leaves BLAS's own setting.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
"""The repository's top folder (``src/common/config.py`` is two levels below it), where
``datasets/`` and ``chapters/`` are; the course is installed editable, so this is the checkout."""

SEED: int = 0
"""Seed every notebook passes to ``numpy.random.default_rng``."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


QUICK: bool = _flag("COURSE_QUICK")
"""True when ``COURSE_QUICK`` is set to 1/true/yes/on."""


LANGUAGES: tuple[str, ...] = ("en", "ja")
"""The languages of the course: English (the source) and the Japanese edition (``chapters/ja``)."""


def _language() -> str:
    chosen = os.environ.get("COURSE_LANG", "").strip().lower()
    if chosen:
        if chosen not in LANGUAGES:
            raise ValueError(f"COURSE_LANG={chosen!r}: expected one of {', '.join(LANGUAGES)}")
        return chosen
    # JupyterLab starts a kernel in its notebook's folder: chapters/ja/… is the Japanese edition.
    try:
        parts = Path.cwd().parts
    except OSError:  # the working folder was deleted
        return "en"
    inside_ja = any(parts[i:i + 2] == ("chapters", "ja") for i in range(len(parts) - 1))
    return "ja" if inside_ja else "en"


LANG: str = _language()
"""``COURSE_LANG`` if set, else ``ja`` when the kernel runs in ``chapters/ja`` (a Japanese
notebook), else ``en``. :mod:`common.translation` prints learner messages in this language."""


def pick(quick, full):
    """Return ``quick`` in quick mode and ``full`` otherwise (e.g. ``pick(1, 20)`` epochs)."""
    return quick if QUICK else full


def describe() -> str:
    """One line for a notebook's first cell, so a reader sees which mode produced the outputs."""
    from common.translation import _

    if QUICK:
        return _("Quick mode (COURSE_QUICK=1): small data and few epochs, for tests.")
    return _("Full mode: the real experiments, as quoted in the text.")


BLAS_THREADS_VARIABLE = "COURSE_BLAS_THREADS"
"""The environment variable that sets :func:`notebook_blas_threads`."""


def notebook_blas_threads() -> int | None:
    """Threads a notebook kernel gives NumPy's BLAS: ``COURSE_BLAS_THREADS``, default 1.

    ``None`` (the variable is 0 or ``auto``) leaves BLAS's own setting, usually one
    thread per core. Anything else that is not a whole number raises ``ValueError``.
    Introduced in the prelude.
    """
    raw = os.environ.get(BLAS_THREADS_VARIABLE, "1").strip().lower()
    if raw in {"0", "auto", ""}:
        return None
    try:
        n = int(raw)
    except ValueError:
        n = -1
    if n < 1:
        raise ValueError(f"{BLAS_THREADS_VARIABLE} must be a whole number >= 0 or 'auto', got {raw!r}")
    return n


@contextlib.contextmanager
def limit_blas_threads(n: int = 1) -> Iterator[None]:
    """Run the enclosed code with NumPy's BLAS on at most ``n`` threads, then restore the count.

    A matrix product split over threads adds its partial sums in another order,
    which changes the last bits of the result; training compounds those bits into
    different weights. Code whose bytes must repeat (``make weights``) runs inside
    ``limit_blas_threads(1)``. Uses ``threadpoolctl``, which also knows MKL and BLIS.
    Introduced in the prelude.
    """
    from threadpoolctl import threadpool_limits

    if not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of BLAS threads must be a whole number >= 1, got {n!r}")
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def _pin_notebook_kernel() -> None:
    """Apply :func:`notebook_blas_threads` for the rest of the process, in a Jupyter kernel only.

    Scripts (``make bench``, ``make results``) choose their own thread counts, so a
    plain ``import common.config`` outside a kernel changes nothing.
    """
    if "ipykernel" not in sys.modules:
        return
    n = notebook_blas_threads()
    if n is not None:
        import numpy  # noqa: F401  (loads the BLAS library that threadpoolctl limits)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n, user_api="blas")


_pin_notebook_kernel()
