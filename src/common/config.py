"""Run-time settings read once from the environment (introduced in the prelude).

``COURSE_QUICK=1`` makes notebooks train briefly (CI, quick checks); without it they
run the real experiments. ``COURSE_LANG`` (``en`` or ``ja``) picks the language of what
``common`` prints to a learner. This is the only place these variables are read.
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
