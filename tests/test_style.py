"""common.plots.style: the course style applies, and the legibility check catches small text."""

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from common.plots.style import COURSE_RC, legibility_problems, use_course_style  # noqa: E402


def _figure(width: float, fontsize: float) -> Figure:
    fig = Figure(figsize=(width, 3), dpi=100)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("a title", fontsize=fontsize)
    ax.tick_params(labelsize=fontsize)
    return fig


def test_course_style_sets_the_rc() -> None:
    with mpl.rc_context():
        use_course_style()
        assert mpl.rcParams["font.size"] == COURSE_RC["font.size"]
        assert mpl.rcParams["figure.dpi"] == 100


def test_small_text_is_reported() -> None:
    assert legibility_problems(_figure(8, 12)) == []
    problems = legibility_problems(_figure(8, 7))
    assert any("a title" in p for p in problems)


def test_a_wide_figure_shrinks_its_text() -> None:
    # 12 pt on an 18-inch figure at 100 dpi is shown at 900/1800 of its size: 6 pt
    assert legibility_problems(_figure(18, 12))
    assert legibility_problems(_figure(18, 12), display_width_px=2000) == []
