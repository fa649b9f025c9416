"""Chapters 3 and 4's figures read on a projector, have titles and labelled axes, and show their data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from common.lessons.diagnostics import difference_errors  # noqa: E402
from common.plots.history import plot_history  # noqa: E402
from common.plots.learning import plot_difference_errors, plot_learning_curve, plot_sweep  # noqa: E402
from common.plots.shared import plot_gradient_field  # noqa: E402
from common.plots.style import legibility_problems, use_course_style  # noqa: E402
from common.trainer import TrainingHistory  # noqa: E402
from common.widgets.gradient_descent import (  # noqa: E402
    SURFACES,
    GradientDescentRenderer,
    draw_gradient_descent,
    plot_learning_rates,
)


@pytest.fixture(autouse=True)
def _style():
    with mpl.rc_context():
        use_course_style()  # as the chapters' first cell does
        yield
    plt.close("all")


def _history() -> TrainingHistory:
    rng = np.random.default_rng(0)
    loss = list(2.3 * np.exp(-np.arange(120) / 30) + 0.05 * rng.random(120))
    return TrainingHistory(train_loss=loss, train_acc=[0.8, 0.9, 0.95], test_acc=[0.79, 0.88, 0.93],
                           iters_per_epoch=40, eval_iter=[40, 80, 120])


FIGURES = {
    "difference errors": lambda: plot_difference_errors(
        difference_errors(np.sin, np.cos(1.0), 1.0, np.logspace(-16, -1, 46)), "sin at x = 1"),
    # shaped like chapter 3's sweep: accuracy high in the middle, loss with a valley there
    "sweep": lambda: plot_sweep({"value": np.linspace(-12, 12, 241),
                                 "loss": 0.03 + 0.004 * np.linspace(-12, 12, 241) ** 2,
                                 "accuracy": np.round(1 - 0.002 * np.linspace(-12, 12, 241) ** 2, 2)},
                                "W", mark=0.0),
    "learning curve": lambda: plot_learning_curve(np.arange(1, 21), np.linspace(2.3, 1.0, 20), [0, 10, 20],
                                                  [0.1, 0.4, 0.5], [0.1, 0.35, 0.45], title="a run"),
    "learning rates": lambda: plot_learning_rates("bowl", (0.01, 0.3, 0.95, 1.05), 40),
    "gradient field": lambda: plot_gradient_field(lambda x, y: x**2 + y**2, lambda x, y: (-2 * x, -2 * y),
                                                  xlim=(-3, 3), ylim=(-3, 3), n=13, names=("x_0", "x_1"),
                                                  title="−∇f for f = x₀² + x₁²"),
    "history": lambda: plot_history(_history(), title="a history"),
    **{f"descent on {name}": (lambda name=name: draw_gradient_descent(name, 0.1, 30, dpi=100))
       for name in SURFACES},
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_reads_and_is_labelled(name: str) -> None:
    fig = FIGURES[name]()
    fig.canvas.draw()
    assert legibility_problems(fig) == []
    main = fig.axes[0]
    assert main.get_xlabel() and main.get_ylabel(), f"{name}: the axes need labels"
    for ax in fig.axes[1:]:  # twin axes, colour bars and second panels: at least the axis they add
        assert ax.get_xlabel() or ax.get_ylabel() or not ax.has_data(), f"{name}: an axis without a label"
    titles = [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]
    assert any(titles), f"{name}: no title"


def test_the_default_step_label_sits_inside_the_axes() -> None:
    fig = FIGURES["difference errors"]()
    fig.canvas.draw()
    ax = fig.axes[0]
    label = next(t for t in ax.texts if "default" in t.get_text())
    box, frame = label.get_window_extent(), ax.get_window_extent()
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1 - 2


def test_the_legend_leaves_the_sweep_curves_alone() -> None:
    fig = FIGURES["sweep"]()
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    for line in ax.get_lines() + fig.axes[1].get_lines():
        if line.get_label() == "trained value":
            continue
        pts = line.get_transform().transform(np.column_stack(line.get_data()))
        inside = (pts[:, 0] > legend.x0) & (pts[:, 0] < legend.x1) & (pts[:, 1] > legend.y0) & (pts[:, 1] < legend.y1)
        assert not inside.any(), f"{line.get_label()} runs under the legend"


def test_the_moving_average_covers_every_iteration() -> None:
    fig = FIGURES["history"]()
    loss_ax = fig.axes[0]
    raw, smooth = loss_ax.get_lines()[:2]
    np.testing.assert_array_equal(raw.get_xdata(), smooth.get_xdata())  # no gap at the start or the end
    assert np.all(np.isfinite(smooth.get_ydata()))


@pytest.mark.parametrize("name", list(SURFACES))
def test_the_widget_frame_reads_too(name: str) -> None:
    renderer = GradientDescentRenderer(dpi=80)
    fig = renderer.figure(name, 0.1, 30)
    assert legibility_problems(fig) == []
