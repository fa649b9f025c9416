"""Chapter 5's widgets and static figures: they draw, label what happened, and survive extreme settings."""

from __future__ import annotations

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common.lessons.activation_stats import INITS, MAX_DEPTH
from common.lessons.optimizer_paths import OPTIMIZER_NAMES, SURFACES
from common.widgets.activation_histograms import (
    activation_histogram_widget,
    draw_activation_histograms,
    plot_init_spread,
)
from common.plots.style import legibility_problems
from common.widgets.optimizer_race import draw_optimizer_paths, optimizer_paths_widget


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _legend_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.view.legend_texts if t.get_text()]


@pytest.mark.parametrize("surface", list(SURFACES))
def test_static_optimizer_figure_has_title_axes_and_legend(surface: str) -> None:
    fig = draw_optimizer_paths(surface, names=OPTIMIZER_NAMES)
    ax = fig.view.ax
    assert ax.get_visible() and "steps from" in fig.view.title.get_text()
    assert fig.view.formula.get_text() == SURFACES[surface].formula  # the formula, above the title
    assert ax.get_xlabel() and ax.get_ylabel()
    texts = _legend_texts(fig)
    assert sum(t.split(" (")[0] in OPTIMIZER_NAMES for t in texts) == len(OPTIMIZER_NAMES)
    assert [a for a in fig.axes if a.get_visible()] == [ax]


def test_a_path_that_leaves_and_comes_back_is_drawn_whole() -> None:
    fig = draw_optimizer_paths("elongated", names=("AdaGrad",), lr_scale=10)
    (path,) = fig.view.paths
    assert path.status == "converged"
    line, _ = fig.view.lines["elongated"]["AdaGrad"]
    assert len(line.get_xdata()) == path.steps_taken + 1


def test_diverged_paths_are_labelled_in_legend_and_title() -> None:
    fig = draw_optimizer_paths("elongated", names=("SGD", "Adam"), lr_scale=10)
    texts = _legend_texts(fig)
    assert any(t.startswith("SGD") and t.endswith("diverged") for t in texts)
    assert "diverged" in fig.view.title.get_text()
    line, _ = fig.view.lines["elongated"]["SGD"]
    x, y = line.get_data()
    assert np.all(np.isfinite(x)) and np.all(np.abs(y) < 100)  # cut near the view, never 1e6
    assert line.get_linestyle() == ":"  # dotted, unlike any optimiser's own style


def test_adagrad_stays_visible_under_rmsprop_on_the_saddle() -> None:
    fig = draw_optimizer_paths("saddle", names=OPTIMIZER_NAMES)
    ada, _ = fig.view.lines["saddle"]["AdaGrad"]
    rms, _ = fig.view.lines["saddle"]["RMSprop"]
    assert ada.get_linewidth() > 2 * rms.get_linewidth() and ada.get_zorder() < rms.get_zorder()
    assert ada.get_color() != rms.get_color() and ada.get_linestyle() != rms.get_linestyle()


@pytest.mark.parametrize("surface", list(SURFACES))
def test_chapter5_widget_figures_read_on_a_projector(surface: str) -> None:
    fig = draw_optimizer_paths(surface, names=OPTIMIZER_NAMES, lr_scale=10)
    assert legibility_problems(fig) == [], legibility_problems(fig)
    box = optimizer_paths_widget(surface)
    assert legibility_problems(box.view.fig) == []
    for init, activation, depth in (("std 1", "sigmoid", 5), ("He", "relu", 10)):
        assert legibility_problems(draw_activation_histograms(init, activation, depth)) == []
    assert legibility_problems(activation_histogram_widget().view.fig) == []
    assert legibility_problems(plot_init_spread()) == []


@pytest.mark.parametrize(("lr_scale", "start"), [(100.0, (10.0, 5.0)), (0.01, (0.0, 0.0))])
def test_extreme_settings_draw_without_warnings(lr_scale: float, start: tuple[float, float]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for surface in SURFACES:
            fig = draw_optimizer_paths(surface, OPTIMIZER_NAMES, lr_scale, momentum=0.99, rho=0.0,
                                       beta1=0.99, beta2=0.5, start=start, steps=500)
            fig.canvas.draw()
            plt.close(fig)


def test_optimizer_widget_redraws_on_every_control() -> None:
    box = optimizer_paths_widget()
    first = box.image.value
    assert first[:4] == b"\x89PNG"
    for b in box.boxes.values():  # every optimiser on, so that each slider matters
        b.value = True
    for key, value in [("lr_scale", 100.0), ("lr_scale", 0.01), ("lr_scale", 1.0), ("momentum", 0.99), ("rho", 0.0),
                       ("beta1", 0.0), ("beta2", 0.5), ("steps", 0), ("steps", 500),
                       ("x0", box.controls["x0"].max), ("y0", box.controls["y0"].min)]:
        before = box.image.value
        box.controls[key].value = value
        assert box.image.value != before, key
    assert [p.name for p in box.view.paths] == list(OPTIMIZER_NAMES)
    for b in box.boxes.values():
        b.value = False
    assert box.view.paths == ()


@pytest.mark.parametrize("surface", list(SURFACES))
def test_optimizer_widget_surface_switch_resets_start_and_range(surface: str) -> None:
    box = optimizer_paths_widget()
    box.menu.value = surface
    s = SURFACES[surface]
    assert (box.controls["x0"].min, box.controls["x0"].max) == s.xlim
    assert (box.controls["y0"].min, box.controls["y0"].max) == s.ylim
    assert (box.controls["x0"].value, box.controls["y0"].value) == pytest.approx(s.start)
    assert box.controls["steps"].value == s.steps
    assert box.view.surface == surface


def test_optimizer_widget_redraw_is_fast() -> None:
    box = optimizer_paths_widget()
    assert box.renderer.full_draws == len(SURFACES)  # every surface drawn once, while the widget is built
    times = []
    for v in np.linspace(-1, 1, 9):
        t = time.process_time()  # CPU time: the widget's own work, whatever else the machine runs
        box.controls["lr_scale"].value = 10 ** v
        times.append(time.process_time() - t)
    assert np.median(times) < 0.5  # ~0.05 s on an idle laptop
    assert box.renderer.full_draws == len(SURFACES)  # slider moves repaint only the moving artists


def _fresh_frame(box) -> bytes:
    """The widget's current state drawn from scratch (no kept background)."""
    box.renderer.invalidate()
    return box.renderer.png()


def test_optimizer_widget_keeps_one_background_per_surface_and_none_is_stale() -> None:
    box = optimizer_paths_widget()
    n_full = box.renderer.full_draws
    for surface in ("rosenbrock", "saddle", "elongated"):
        box.menu.value = surface
    assert box.renderer.full_draws == n_full  # even a first visit pastes: each was drawn at build
    settings = (("rosenbrock", 3.0), ("saddle", 0.1), ("elongated", 30.0), ("rosenbrock", 1.0))
    kept = {}
    for surface, lr in settings:
        box.menu.value = surface
        box.controls["lr_scale"].value = lr
        kept[surface, lr] = box.image.value
    assert box.renderer.full_draws == n_full  # each switch pasted its kept picture, no full draw
    for surface, lr in settings:  # ... and each frame has the pixels of a full draw of its state
        box.menu.value = surface
        box.controls["lr_scale"].value = lr
        assert kept[surface, lr] == _fresh_frame(box), (surface, lr)


def test_histogram_figure_for_every_setting() -> None:
    fig = draw_activation_histograms("Xavier", "sigmoid", MAX_DEPTH)
    view = fig.view
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for activation in ("sigmoid", "tanh", "relu"):
            for init in INITS:
                view.update(init, activation, MAX_DEPTH)
                fig.canvas.draw()
                assert view.title.get_text() and view.xlabels[0].get_text()
                assert all(ax.get_visible() for ax in view.axes)


def test_static_histogram_figure_shows_only_the_chosen_depth() -> None:
    fig = draw_activation_histograms("He", "relu", 3)
    assert sum(ax.get_visible() for ax in fig.view.axes) == 3
    assert "3 layers" in fig.view.title.get_text()


def test_histogram_widget_redraws_and_clamps() -> None:
    box = activation_histogram_widget()
    for key, value in [("init", "std 1"), ("activation", "relu"), ("depth", 1), ("depth", MAX_DEPTH),
                       ("init", "zeros")]:
        before = box.image.value
        box.controls[key].value = value
        assert box.image.value != before, key
    assert "copies" in box.view.title.get_text()
    n_full = box.renderer.full_draws
    for depth in (2, 7, 4):
        box.controls["depth"].value = depth
    assert box.renderer.full_draws == n_full  # depth changes only repaint bars and texts
    assert "not in this" in box.view.texts[MAX_DEPTH - 1].get_text()


def test_histogram_widget_switching_activation_back_reuses_its_background_not_stale() -> None:
    box = activation_histogram_widget()
    n_full = box.renderer.full_draws
    assert n_full == 3  # one picture per activation, drawn while the widget is built
    for activation in ("tanh", "relu", "sigmoid"):
        box.controls["activation"].value = activation
    assert box.renderer.full_draws == n_full  # so even a first visit pastes
    settings = (("relu", "He"), ("tanh", "std 1"), ("sigmoid", "zeros"), ("relu", "std 0.01"))
    kept = {}
    for activation, init in settings:
        box.controls["activation"].value = activation
        box.controls["init"].value = init
        kept[activation, init] = box.image.value
    assert box.renderer.full_draws == n_full
    for activation, init in settings:
        box.controls["activation"].value = activation
        box.controls["init"].value = init
        assert kept[activation, init] == _fresh_frame(box), (activation, init)
