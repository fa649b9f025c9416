"""Tests for common.widgets.gate_explorer (chapter 1): the drawing function behind the widget,
the widget wiring, and the static figures. Figures are drawn with the Agg backend (conftest)."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common.lessons.perceptron import INPUTS, XOR, separable_points, train_perceptron, truth_table
from common.widgets.gate_explorer import (
    PerceptronView,
    draw_gates,
    draw_half_adder,
    draw_output_surface,
    draw_perceptron,
    draw_perceptron_diagram,
    draw_training,
    draw_xor_network,
    draw_xor_planes,
    perceptron_title,
    perceptron_widget,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _suptitle(fig) -> str:
    return fig._suptitle.get_text() if fig._suptitle is not None else ""


def test_default_state_names_and():
    fig = draw_perceptron()
    assert "AND" in _suptitle(fig)
    assert "w₁ = 0.5" in _suptitle(fig) and "b = −0.7" in _suptitle(fig)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("gate: AND" in t for t in texts)


@pytest.mark.parametrize("w1, w2, b, name", [
    (-0.5, -0.5, 0.7, "NAND"), (0.5, 0.5, -0.2, "OR"), (-0.5, -0.5, 0.2, "NOR"),
    (0, 0, 1, "constant 1"), (0, 0, -1, "constant 0"), (2, 2, 2, "constant 1"),
])
def test_title_names_the_gate(w1, w2, b, name):
    assert perceptron_title(w1, w2, b).endswith(name)


def test_zero_weights_say_there_is_no_line():
    title = perceptron_title(0, 0, 0)
    assert "no boundary line" in title and "constant 0" in title
    fig = draw_perceptron(0, 0, 0)
    plane = fig.axes[0]
    line = plane.lines[0]
    assert len(line.get_xdata()) == 0            # nothing drawn
    assert "no boundary line" in _suptitle(fig)


def test_line_outside_the_view_is_reported():
    assert "outside the view" in perceptron_title(0.1, 0.1, 2.0)
    assert perceptron_title(0.1, 0.1, 2.0).endswith("constant 1")


def test_extreme_slider_values_never_raise():
    values = (-2.0, -0.1, 0.0, 0.1, 2.0)
    fig, ax = plt.subplots()
    view = PerceptronView(ax)
    for w1, w2, b in itertools.product(values, repeat=3):
        title = view.update(w1, w2, b)
        assert "implements" in title or "output is" in title
        assert "XOR" not in title


def test_weight_arrow_never_leaves_the_view():
    """At the sliders' extremes the line may only graze a corner: then no arrow and no stray "w"."""
    values = (-2.0, -0.7, 0.0, 0.5, 2.0)
    fig, ax = plt.subplots()
    view = PerceptronView(ax)
    lo, hi = view.lim
    for w1, w2, b in itertools.product(values, repeat=3):
        view.update(w1, w2, b)
        if view.arrow_label.get_visible():
            assert all(lo < c < hi for c in view.arrow_label.get_position()), (w1, w2, b)
            assert all(lo < c < hi for c in view.arrow.xy), (w1, w2, b)
    for corner in ((2.0, 2.0, 2.0), (-2.0, -2.0, -2.0)):
        view.update(*corner)
        assert not view.arrow_label.get_visible() and not view.arrow.get_visible()


def test_points_are_coloured_by_output():
    fig, ax = plt.subplots()
    view = PerceptronView(ax)
    view.update(0.5, 0.5, -0.7)
    faces = view.points.get_facecolors()
    white = np.array([1.0, 1.0, 1.0, 1.0])
    filled = [not np.allclose(f, white) for f in faces]
    assert filled == [False, False, False, True]  # only (1, 1) fires for AND


def test_draw_on_given_axes_returns_its_figure():
    fig, ax = plt.subplots()
    assert draw_perceptron(1, 1, -1.5, ax=ax) is fig
    assert "AND" in ax.get_title()


def test_small_figure_without_table():
    fig = draw_perceptron(0.5, 0.5, -0.2, table=False)
    assert len(fig.axes) == 1 and "OR" in fig.axes[0].get_title()


def test_widget_redraws_when_a_slider_moves():
    ui = perceptron_widget()
    before = ui.image.value
    assert before[:4] == b"\x89PNG"
    assert "AND" in ui.view.title
    ui.sliders["b"].value = -0.2
    assert "OR" in ui.view.title
    assert ui.image.value != before
    for s in ui.sliders.values():                 # both extremes of every slider
        s.value = s.max
        s.value = s.min
    assert ui.view.title


def test_widget_preset_sets_all_sliders_at_once():
    ui = perceptron_widget(0, 0, 0)
    ui.preset.value = "NAND"
    assert [ui.sliders[k].value for k in ("w1", "w2", "b")] == [-0.5, -0.5, 0.7]
    assert ui.view.title.endswith("NAND")


def test_static_figures_have_titles():
    X, t, line = separable_points(30, 0.1, seed=0)
    fit = train_perceptron(X, t)
    xor_fit = train_perceptron(INPUTS, truth_table(XOR), max_epochs=10)
    figures = [draw_gates(), draw_perceptron_diagram(), draw_xor_network(), draw_xor_planes(),
               draw_half_adder(), draw_training(X, t, fit, true_line=line),
               draw_training(INPUTS, truth_table(XOR), xor_fit, left_panel="parameters"),
               draw_output_surface(), draw_output_surface(0, 0, 0), draw_output_surface(2, -2, 2)]
    for fig in figures:
        titled = _suptitle(fig) or any(ax.get_title() for ax in fig.axes)
        assert titled
    with pytest.raises(ValueError):
        draw_training(X, t, fit, left_panel="wrong")


def test_plane_axes_are_labelled():
    fig = draw_gates()
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_widget_repaints_only_the_moving_artists():
    """The fast path: one full draw, then each slider step repaints the changing artists only."""
    ui = perceptron_widget()
    first = ui.image.value
    for value in (0.1, 0.2, -1.3):
        ui.sliders["w1"].value = value
    assert ui.renderer.full_draws == 1
    assert ui.image.value != first and ui.image.value[:4] == b"\x89PNG"
