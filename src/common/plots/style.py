"""The course's figure style: text that reads on a projector, colours that colour-blind viewers tell apart.

Every chapter calls :func:`use_course_style` in its first cell, after ``%matplotlib
inline``, so that figures share one look. :func:`legibility_problems` is what the tests
use to hold a figure to it: text is measured at the size JupyterLab shows the figure,
which shrinks anything wider than the notebook's output area.
Introduced in chapter 0, Prelude.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from matplotlib import cycler
from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "MARKERS", "COURSE_RC", "use_course_style", "in_course_style", "legibility_problems"]

_F = TypeVar("_F", bound=Callable[..., Any])

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (weak on white: last)
    "#000000",
)
"""Okabe and Ito's palette (2008), distinguishable with every common colour-vision deficiency."""

MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
"""A second cue beside colour, in the same order as :data:`OKABE_ITO`."""

DISPLAY_WIDTH_PX = 900
"""Width of JupyterLab's output area at a typical projector resolution; wider images are scaled down."""

MIN_TEXT_PT = 11.0

COURSE_RC: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (8.0, 4.5),
    "figure.constrained_layout.use": True,
    "font.size": 12,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 15,
    "lines.linewidth": 2.0,
    "lines.markersize": 7,
    "axes.grid": False,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
}


def use_course_style() -> None:
    """Apply :data:`COURSE_RC` to matplotlib for the rest of the session."""
    import matplotlib as mpl

    mpl.rcParams.update(COURSE_RC)


def in_course_style(draw: _F) -> _F:
    """Decorator: run a figure function under :data:`COURSE_RC`, whatever the session's style.

    Font sizes are fixed when a text is made, so the style must be in force
    then; this makes a figure read the same in a test, a script or a notebook
    that never called :func:`use_course_style`.
    """
    import matplotlib as mpl

    @functools.wraps(draw)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context(COURSE_RC):
            return draw(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def legibility_problems(
    fig: Figure, display_width_px: int = DISPLAY_WIDTH_PX, min_pt: float = MIN_TEXT_PT
) -> list[str]:
    """Describe each visible text of ``fig`` that is smaller than ``min_pt`` as shown.

    A figure wider than ``display_width_px`` pixels is scaled down to fit, and its
    text with it; a point is 1/72 inch at the figure's own dpi. Returns an empty list
    when everything reads.
    """
    width_px = fig.get_figwidth() * fig.dpi
    scale = min(1.0, display_width_px / width_px)
    problems = []
    for text in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")):
        if not text.get_visible() or not str(text.get_text()).strip():
            continue
        shown = text.get_fontsize() * scale
        if shown < min_pt:
            problems.append(f"{text.get_text()[:40]!r}: {shown:.1f} pt as shown (needs {min_pt:g})")
    return problems
