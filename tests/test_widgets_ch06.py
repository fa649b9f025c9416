"""Chapter 6 figures and widgets: conv arithmetic explorer, filters, feature maps, detection, teaching plots."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from common.plots.convolution import draw_flatten, draw_im2col, draw_mistakes, draw_pooling, draw_shapes, draw_sliding_mac
from common.lessons.detection import worked_example
from common.plots.object_detection import draw_detection_scene, draw_iou_examples, draw_precision_recall
from common.plots.style import legibility_problems, use_course_style
from common.lessons.feature_maps import filter_roughness, layer_outputs, map_grid_shape, normalise_maps
from common.networks import SimpleConvNet
from common.widgets.cnn_filters import (
    FilterView,
    draw_filters,
    draw_filters_before_after,
    filter_snapshots,
    filter_widget,
)
from common.widgets.conv_explorer import ConvArithmeticView, conv_arithmetic_widget, draw_conv_arithmetic
from common.widgets.feature_map_viewer import MAP_LAYERS, FeatureMapView, draw_feature_maps, feature_map_widget
from pictures import assert_same_picture


@pytest.fixture(scope="module")
def net():
    return SimpleConvNet(weight_init_std="he", dtype=np.float32, seed=0)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return rng.random((6, 1, 28, 28)).astype(np.float32), np.arange(6)


def _median_ms(fn, values):
    """Median CPU time of fn(v) in ms: the process's own work, whatever else the machine runs."""
    times = []
    for v in values:
        start = time.process_time()
        fn(v)
        times.append(time.process_time() - start)
    return 1000 * float(np.median(times))


# ------------------------------------------------------------------ conv arithmetic
@pytest.mark.parametrize("H, F, P, S", [(7, 3, 1, 2), (8, 3, 0, 2), (3, 7, 1, 1), (12, 1, 3, 4), (2, 7, 0, 4),
                                        (12, 7, 0, 1), (0, 3, 0, 1), (5, 3, 0, 0)])
def test_conv_view_handles_every_combination(H, F, P, S):
    view = ConvArithmeticView(Figure(figsize=(9.6, 5)))
    for position in (0, 3, 10_000):
        g = view.update(H, F, P, S, position)
        assert view.title.get_text().startswith(f"H = {g.input_size}")
        assert view.caption.get_text()
    if g.out_size == 0:
        assert view.no_output.get_visible() and not view.window.get_visible()
    else:
        assert view.window.get_width() == F and not view.no_output.get_visible()
    view.fig.canvas.draw()


def test_conv_view_explains_a_stride_that_does_not_divide():
    view = ConvArithmeticView(Figure(figsize=(9.6, 5)))
    view.update(8, 3, 0, 2, 0)
    assert "not divisible by stride 2" in view.caption.get_text().replace("\n", " ")
    data = view.in_image.get_array()
    assert data.shape[:2] == (8, 8)
    assert not np.allclose(data[-1, 0], data[1, 1])      # the unreachable row is painted differently


def test_conv_widget_position_slider_follows_the_geometry():
    box = conv_arithmetic_widget()
    assert box.sliders["position"].max == 15          # 4 × 4 outputs at H=7, F=3, P=1, S=2
    box.sliders["S"].value = 1
    assert box.sliders["position"].max == 48          # 7 × 7
    box.sliders["F"].value = 7
    box.sliders["P"].value = 0
    assert box.sliders["position"].max == 0
    box.sliders["H"].value = 3                        # filter 7 > 3: no output, no error
    assert box.view.no_output.get_visible()


def test_conv_widget_moves_the_window_fast():
    box = conv_arithmetic_widget()
    first = box.image.value
    ms = _median_ms(lambda v: setattr(box.sliders["position"], "value", v), range(1, 12))
    assert box.image.value != first
    assert box.renderer.full_draws == 1               # moving the window only blits
    assert ms < 400                                    # CPU time; ~20 ms on a quiet laptop


def test_conv_widget_blits_size_changes_correctly():
    """Size sliders repaint over the kept legend: every frame equals a freshly built widget's."""
    box = conv_arithmetic_widget()
    for name, value in [("H", 12), ("F", 7), ("P", 0), ("S", 4), ("H", 3), ("F", 3), ("S", 1), ("H", 7)]:
        box.sliders[name].value = value
        now = {k: s.value for k, s in box.sliders.items()}
        fresh = conv_arithmetic_widget(now["H"], now["F"], now["P"], now["S"], now["position"])
        assert_same_picture(box.image.value, fresh.image.value, (name, value))
    assert box.renderer.full_draws == 1


def test_static_conv_figure():
    fig = draw_conv_arithmetic()
    assert "= 4" in fig._suptitle.get_text()
    plt.close(fig)


# ------------------------------------------------------------------ feature maps
def test_layer_outputs_shapes(net, images):
    x, _ = images
    out = layer_outputs(net, x[:2])
    assert list(out) == list(net.layers)
    assert out["Conv1"].shape == (2, 30, 24, 24)
    assert out["Pool1"].shape == (2, 30, 12, 12)
    np.testing.assert_allclose(out["Affine2"], net.predict(x[:2]), rtol=1e-5)
    assert np.all(out["Relu1"] >= 0)
    assert list(layer_outputs(net, x[:1], upto="Relu1")) == ["Conv1", "Relu1"]
    with pytest.raises(ValueError):
        layer_outputs(net, x[:1], upto="Conv9")
    with pytest.raises(ValueError):
        layer_outputs(object(), x[:1])


def test_helpers():
    assert map_grid_shape(30, 6) == (5, 6)
    assert map_grid_shape(1) == (1, 1)
    m = normalise_maps(np.array([[[0.0, 2.0], [4.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]]]))
    np.testing.assert_allclose(m[0], [[0, 0.5], [1, 1]])
    np.testing.assert_allclose(m[1], 0.5)
    s = normalise_maps(np.array([[-2.0, 1.0]]), symmetric=True)
    np.testing.assert_allclose(s, [[0.0, 0.75]])
    rng = np.random.default_rng(0)
    rough = filter_roughness(rng.normal(size=(30, 1, 5, 5)))
    smooth = filter_roughness(np.tile(np.linspace(-1, 1, 5), (30, 1, 5, 1)))
    assert 1.2 < rough < 1.6 and smooth < 0.5


@pytest.mark.parametrize("layer", list(MAP_LAYERS))
def test_feature_map_view(net, images, layer):
    x, t = images
    fig = draw_feature_maps(net, x[0], int(t[0]), 0, layer=layer)
    assert layer in fig._suptitle.get_text()
    fig.canvas.draw()
    plt.close(fig)


def test_feature_map_widget_redraws_fast(net, images):
    x, t = images
    box = feature_map_widget(net, x, t)
    first = box.image.value
    ms = _median_ms(lambda v: setattr(box.slider, "value", v), [1, 2, 3, 4, 5])
    assert box.image.value != first
    box.buttons.value = "Pool1"
    assert "Pool1" in box.view.title.get_text()
    assert box.renderer.full_draws == 1
    assert ms < 800


# ------------------------------------------------------------------ filters
def test_filter_figures_and_widget(net):
    W0 = net.params["W1"]
    W1 = W0 + 0.1 * np.tile(np.linspace(-1, 1, 5), (30, 1, 5, 1))
    snaps = filter_snapshots(W0, W1)
    assert list(snaps) == ["before training", "after training", "change (after − before)"]
    np.testing.assert_allclose(snaps["change (after − before)"], W1[:, 0] - W0[:, 0], rtol=1e-6)
    for fig in (draw_filters(W0), draw_filters_before_after(W0, W1)):
        fig.canvas.draw()
        plt.close(fig)
    box = filter_widget(snaps)
    first = box.image.value
    box.buttons.value = "after training"
    assert box.image.value != first
    with pytest.raises(ValueError):
        FilterView(Figure(), 30).update(np.zeros((10, 1, 5, 5)))
    with pytest.raises(ValueError):
        filter_widget({})


# ------------------------------------------------------------------ other figures
def test_teaching_figures_draw():
    x = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
    k = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])
    digits = {"7": np.zeros((3, 28, 28)), "3": np.zeros((2, 28, 28))}
    figs = [draw_flatten(np.zeros(784)), draw_sliding_mac(x, k), draw_im2col(), draw_pooling(), draw_shapes(),
            draw_iou_examples(), draw_detection_scene(worked_example(), digits),
            draw_precision_recall(worked_example()),
            draw_mistakes(np.zeros((20, 784)), np.arange(20) % 10, (np.arange(20) + np.arange(20) // 7) % 10)]
    assert "= 16" in figs[1]._suptitle.get_text()
    for fig in figs:
        fig.canvas.draw()
    plt.close("all")


def _chapter_figures(net, images):
    x, t = images
    xs = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]])
    k = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]])
    digits = {"7": np.zeros((3, 28, 28)), "3": np.zeros((2, 28, 28))}
    W0 = net.params["W1"]
    yield "flatten", draw_flatten(np.zeros(784))
    yield "sliding MAC", draw_sliding_mac(xs, k)
    yield "conv arithmetic", draw_conv_arithmetic()
    yield "conv arithmetic, stride does not divide", draw_conv_arithmetic(8, 3, 0, 2, 4)
    yield "shapes", draw_shapes()
    yield "pooling", draw_pooling()
    yield "im2col", draw_im2col()
    yield "mistakes", draw_mistakes(np.zeros((20, 784)), np.arange(20) % 10, (np.arange(20) + 1) % 10)
    yield "filters", draw_filters(W0)
    yield "filters before and after", draw_filters_before_after(W0, 1.5 * W0)
    yield "feature maps", draw_feature_maps(net, x[0], int(t[0]), 0)
    yield "IoU", draw_iou_examples()
    yield "detection scene", draw_detection_scene(worked_example(), digits)
    yield "precision-recall", draw_precision_recall(worked_example())
    yield "conv widget", conv_arithmetic_widget().view.fig
    yield "filter widget", filter_widget(filter_snapshots(W0, 1.5 * W0)).view.axes[0].figure
    yield "feature-map widget", feature_map_widget(net, x, t).view.fig


def test_every_chapter_6_figure_reads_on_a_projector(net, images):
    """Issue 16 §4: every figure and widget of chapter 6 has text of at least 11 pt as JupyterLab shows it."""
    import matplotlib as mpl

    with mpl.rc_context():
        use_course_style()
        for name, fig in _chapter_figures(net, images):
            fig.canvas.draw()
            assert legibility_problems(fig) == [], (name, legibility_problems(fig)[:3])
            assert fig.get_figwidth() * fig.dpi <= 900, (name, "wider than the notebook shows it")
    plt.close("all")


def test_im2col_count_text_reads_on_its_cell():
    """The col2im counts are written white on the dark cells, black on the light ones."""
    fig = draw_im2col()
    texts = {t.get_text(): t.get_color() for t in fig.axes[1].texts}
    assert texts["4"] == "white" and texts["1"] == "black"
    plt.close(fig)
