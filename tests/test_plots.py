"""common.plots.shared: the history data is right, and every figure has a title, labels and data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from common.plots import shared as plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _f(a, b, c):
    return a**2 + b**2 + c**2 + 1


# --- the history data ------------------------------------------------------------------


def test_nn_history_is_sorted_and_well_formed() -> None:
    years = [year for year, _, _ in plots.NN_HISTORY]
    assert years == sorted(years)
    for year, who, what in plots.NN_HISTORY:
        assert isinstance(year, int) and 1940 <= year <= 2020
        assert who.strip() and what.strip()


@pytest.mark.parametrize(
    ("year", "who"),
    [
        (1943, "McCulloch"),
        (1958, "Rosenblatt"),
        (1969, "Minsky"),
        (1980, "Fukushima"),
        (1986, "Rumelhart"),
        (1989, "LeCun"),
        (1998, "LeCun"),
        (2006, "Salakhutdinov"),
        (2012, "Krizhevsky"),
    ],
)
def test_nn_history_has_the_milestones_with_the_dates_of_their_papers(year, who) -> None:
    assert any(y == year and who in w for y, w, _ in plots.NN_HISTORY), f"{who} {year} missing"


def test_nn_eras_tile_the_timeline_without_gaps() -> None:
    for (_, end, _), (start, _, _) in zip(plots.NN_ERAS, plots.NN_ERAS[1:]):
        assert end == start
    assert plots.NN_ERAS[0][0] <= plots.NN_HISTORY[0][0]
    assert plots.NN_ERAS[-1][1] >= plots.NN_HISTORY[-1][0]


# --- the figures -----------------------------------------------------------------------


def test_plot_timeline_draws_one_marker_and_label_per_event() -> None:
    fig = plots.plot_timeline(plots.NN_HISTORY)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() == "year"
    texts = " ".join(t.get_text() for t in ax.texts).replace("\n", " ")
    for year, who, _ in plots.NN_HISTORY:
        assert str(year) in texts and who in texts
    lo, hi = ax.get_xlim()
    assert lo < 1943 and hi > 2012


def test_plot_timeline_sorts_events_and_draws_on_a_given_axes() -> None:
    fig, ax = plt.subplots()
    out = plots.plot_timeline([(2000, "B", "second"), (1990, "A", "first")], ax=ax, eras=None)
    assert out is fig
    assert "1990" in ax.texts[0].get_text()


@pytest.mark.parametrize("events", [[], [(1990, "only two")]])
def test_plot_timeline_rejects_bad_events(events) -> None:
    with pytest.raises(ValueError, match="expected"):
        plots.plot_timeline(events)


def test_plot_ai_ml_dl_names_the_three_fields() -> None:
    fig = plots.plot_ai_ml_dl()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for name in ("Artificial intelligence", "Machine learning", "Deep learning"):
        assert name in texts
    assert fig.axes[0].get_title()


def test_plot_secant_tangent_labels_each_secant_slope() -> None:
    fig = plots.plot_secant_tangent(lambda x: x**2, 1.0, slope=2.0, dxs=(1.0, 0.5))
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    assert any("= 3" in label for label in labels)  # (f(2) - f(1)) / 1
    assert any("= 2.5" in label for label in labels)  # (f(1.5) - f(1)) / 0.5
    assert any("tangent" in label for label in labels)


@pytest.mark.parametrize("dxs", [(), (0.5, -0.1), (0.0,)])
def test_plot_secant_tangent_rejects_non_positive_steps(dxs) -> None:
    with pytest.raises(ValueError, match="positive"):
        plots.plot_secant_tangent(lambda x: x, 0.0, 1.0, dxs=dxs)


def test_plot_partial_slice_draws_the_slice_and_its_tangent() -> None:
    fig = plots.plot_partial_slice(_f, (1.0, -2.0, 3.0), index=0, slope=2.0)
    ax = fig.axes[0]
    curve = ax.lines[0]
    xs, ys = curve.get_xdata(), curve.get_ydata()
    np.testing.assert_allclose(ys, xs**2 + 14)  # b = -2, c = 3 frozen
    assert ax.get_xlabel() == "$a$" and "along a" in ax.get_title()


def test_plot_partial_slice_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="index must be between 0 and 2"):
        plots.plot_partial_slice(_f, (1.0, 2.0, 3.0), index=3, slope=0.0)
    with pytest.raises(ValueError, match="variable names"):
        plots.plot_partial_slice(_f, (1.0, 2.0, 3.0), index=0, slope=0.0, names=("a", "b"))


def test_plot_gradient_field_draws_arrows_of_the_gradient() -> None:
    fig = plots.plot_gradient_field(lambda a, b: a**2 + b**2, lambda a, b: (2 * a, 2 * b), n=5,
                                    names=("a", "b"))
    ax = fig.axes[0]
    quiver = next(c for c in ax.collections if isinstance(c, matplotlib.quiver.Quiver))
    assert quiver.U.shape == (25,)
    # arrows point away from the minimum at the origin: gradient · position >= 0
    np.testing.assert_array_less(-1e-12, quiver.U * quiver.X + quiver.V * quiver.Y)
    assert ax.get_xlabel() == "$a$" and ax.get_ylabel() == "$b$" and ax.get_title()


def test_plot_gradient_field_rejects_a_degenerate_grid() -> None:
    with pytest.raises(ValueError, match="2 × 2"):
        plots.plot_gradient_field(lambda a, b: a, lambda a, b: (a, b), n=1)


@pytest.mark.parametrize("n", [1, 2, 4])
def test_plot_chain_paths_draws_n_intermediate_nodes(n) -> None:
    fig = plots.plot_chain_paths(n)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(t.startswith("$b_") for t in texts) == n
    assert sum(t.endswith("/\\partial c$") for t in texts) == n  # ∂b_k/∂c
    assert sum(t.startswith("$\\partial a/") for t in texts) == n  # ∂a/∂b_k
    assert fig.axes[0].get_title()


def test_plot_chain_paths_rejects_no_paths() -> None:
    with pytest.raises(ValueError, match="at least one"):
        plots.plot_chain_paths(0)
