"""Run-time settings read once from the environment (introduced in the prelude).

``COURSE_QUICK=1`` makes notebooks train briefly (CI, quick checks); without it they
run the real experiments. This is the only place the variable is read.
"""

from __future__ import annotations

import os
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


def pick(quick, full):
    """Return ``quick`` in quick mode and ``full`` otherwise (e.g. ``pick(1, 20)`` epochs)."""
    return quick if QUICK else full


def describe() -> str:
    """One line for a notebook's first cell, so a reader sees which mode produced the outputs."""
    if QUICK:
        return "Quick mode (COURSE_QUICK=1): small data and few epochs, for tests."
    return "Full mode: the real experiments, as quoted in the text."
