"""Chapter 3's gradient-descent widget: the pure functions behind it, and its extreme settings."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common.widgets.gradient_descent import (
    BLOWUP,
    SURFACES,
    GradientDescentRenderer,
    draw_gradient_descent,
    gradient_descent_path,
    gradient_descent_widget,
    plot_learning_rates,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_path_matches_closed_form_on_the_bowl() -> None:
    s = SURFACES["bowl"]
    path = gradient_descent_path(s.grad, (-3.0, 2.5), lr=0.1, steps=10, f=s.f)
    assert path.points.shape == (11, 2)
    expected = np.array([-3.0, 2.5]) * (1 - 2 * 0.1) ** np.arange(11)[:, None]
    np.testing.assert_allclose(path.points, expected)
    np.testing.assert_allclose(path.values, (expected**2).sum(axis=1))


def test_elongated_surface_moves_each_axis_at_its_own_rate() -> None:
    s = SURFACES["elongated"]
    path = gradient_descent_path(s.grad, (-7.0, 2.0), lr=0.5, steps=3, f=s.f)
    np.testing.assert_allclose(path.points[-1], [-7.0 * 0.95**3, 0.0])


@pytest.mark.parametrize(("lr", "status"), [(0.3, "converged"), (0.001, "still moving"), (1.05, "diverged")])
def test_status_on_the_bowl(lr: float, status: str) -> None:
    s = SURFACES["bowl"]
    path = gradient_descent_path(s.grad, s.start, lr, 60, f=s.f)
    assert path.status == status
    assert path.diverged == (status == "diverged")


def test_saddle_escapes() -> None:
    s = SURFACES["saddle"]
    path = gradient_descent_path(s.grad, s.start, 0.1, 40, f=s.f, has_minimum=False, view=(s.xlim, s.ylim))
    assert path.status == "escaped"


@pytest.mark.parametrize("lr", [0.0, 1e-12, 2.0, 1e6, 1e300, np.inf, -1.0])
@pytest.mark.parametrize("name", list(SURFACES))
def test_extreme_learning_rates_never_raise(name: str, lr: float) -> None:
    s = SURFACES[name]
    path = gradient_descent_path(s.grad, s.start, lr, 100, f=s.f, has_minimum=s.has_minimum,
                                 view=(s.xlim, s.ylim))
    assert np.all(np.isfinite(path.points))
    assert np.all(np.abs(path.points) <= BLOWUP * 1.0001)
    assert path.steps_taken <= 100


def test_huge_learning_rate_stops_early_and_is_diverged() -> None:
    s = SURFACES["bowl"]
    path = gradient_descent_path(s.grad, s.start, 1e6, 100, f=s.f)
    assert path.status == "diverged" and path.steps_taken < 100


def test_zero_and_negative_steps() -> None:
    s = SURFACES["bowl"]
    for steps in (0, -5):
        path = gradient_descent_path(s.grad, s.start, 0.1, steps, f=s.f)
        assert path.points.shape == (1, 2) and path.steps_taken == 0


@pytest.mark.parametrize(("name", "lr", "steps"), [("elongated", 0.1, 30), ("bowl", 1.05, 30), ("saddle", 0.1, 30),
                                                  ("bowl", 1e6, 100), ("elongated", 0.001, 0)])
def test_draw_labels_what_happened(name: str, lr: float, steps: int) -> None:
    fig = draw_gradient_descent(name, lr, steps)
    ax = fig.axes[0]
    title = ax.get_title()
    assert f"η = {lr:g}" in title
    texts = " ".join(t.get_text() for t in ax.texts)
    if "diverged" in title or "escaped" in title:
        assert "leaves the plot" in texts
    # the drawn path stays inside the axes
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    xs, ys = ax.lines[0].get_data()
    assert np.all((xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1))
    assert ax.get_xlabel() and ax.get_ylabel()


def test_draw_rejects_unknown_surface() -> None:
    with pytest.raises(ValueError, match="unknown surface"):
        draw_gradient_descent("volcano")


def test_learning_rate_figure() -> None:
    fig = plot_learning_rates()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("diverged" in lab for lab in labels) and any("converged" in lab for lab in labels)
    assert ax.get_yscale() == "log"


def test_widget_builds_and_redraws() -> None:
    box = gradient_descent_widget()
    controls, image = box.children
    assert {type(c).__name__ for c in controls.children} == {"Dropdown", "FloatLogSlider", "IntSlider"}
    assert image.format == "png" and image.value[:8] == b"\x89PNG\r\n\x1a\n"
    before = image.value
    lr_slider = next(c for c in controls.children if type(c).__name__ == "FloatLogSlider")
    lr_slider.value = 1.5
    assert image.value != before
    menu = next(c for c in controls.children if type(c).__name__ == "Dropdown")
    menu.value = "saddle"
    assert image.value != before


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


@pytest.mark.parametrize(("name", "lr", "steps"), [("elongated", 0.1, 30), ("bowl", 1.05, 30), ("saddle", 0.5, 80)])
def test_renderer_draws_the_same_picture_as_the_static_figure(name: str, lr: float, steps: int) -> None:
    import io

    renderer = GradientDescentRenderer(dpi=80)
    renderer.png("bowl", 0.3, 5)  # a previous state must leave no trace
    fast = _pixels(renderer.png(name, lr, steps))
    buffer = io.BytesIO()
    draw_gradient_descent(name, lr, steps, dpi=80).savefig(buffer, format="png")
    slow = _pixels(buffer.getvalue())
    assert fast.shape == slow.shape
    assert np.mean(np.abs(fast - slow)) < 1.0  # grey levels out of 255: the same picture


def test_renderer_is_fast() -> None:
    import time

    renderer = GradientDescentRenderer()
    renderer.png("elongated", 0.1, 30)
    times = []
    for lr in (0.05, 0.1, 0.5, 1.05, 2.0, 0.001):
        start = time.process_time()
        renderer.png("elongated", lr, 60)
        times.append(time.process_time() - start)
    assert np.median(times) < 0.1  # seconds of CPU; typically ~0.02


def test_redraw_is_fast_enough() -> None:
    import io
    import time

    draw_gradient_descent("bowl", 0.1, 30)  # warm the grid cache
    times = []
    for lr in (0.05, 0.1, 0.5, 1.05, 2.0):
        start = time.process_time()
        fig = draw_gradient_descent("elongated", lr, 50)
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
        times.append(time.process_time() - start)
    assert np.median(times) < 0.4  # seconds of CPU; typically ~0.08
