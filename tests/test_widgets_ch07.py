"""Chapter 7's figures and the depth explorer widget: they draw, update in place, and refuse bad input."""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from common.lessons.architectures import architecture_table
from common.lessons.feature_maps import layer_outputs
from common.lessons.profiling import profile_step
from common.lessons.residual_depth import KINDS, DepthStack, input_gradient_norms
from common.networks import DeepConvNet, SimpleConvNet, TwoLayerNet
from common.plots.deep_learning import (
    draw_allreduce,
    draw_architectures,
    draw_augmentation,
    draw_depth_experiment,
    draw_feature_hierarchy,
    draw_misclassified,
    draw_profile,
    draw_receptive_field,
    draw_sliding_classifier,
)
from common.plots.style import legibility_problems
from common.widgets.depth_explorer import DepthView, depth_layers, depth_widget, draw_depth_view


@pytest.fixture(scope="module")
def net():
    return DeepConvNet(use_batchnorm=True, hidden_size=32, dtype=np.float32, seed=0)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return rng.random((8, 1, 28, 28)).astype(np.float32), np.arange(8) % 10


def _drawn(fig: Figure) -> None:
    """Draw ``fig``; every text must read at the size JupyterLab shows it (common.plots.style)."""
    fig.canvas.draw()
    assert legibility_problems(fig) == [], legibility_problems(fig)
    plt.close(fig)


def test_depth_layers(net):
    assert depth_layers(net) == ["Relu1", "Relu2", "Pool1", "Relu3", "Relu4", "Pool2", "Relu5", "Relu6", "Pool3"]
    assert depth_layers(SimpleConvNet()) == ["Relu1", "Pool1"]
    with pytest.raises(ValueError):
        depth_layers(TwoLayerNet(4, 3, 2))


@pytest.mark.parametrize("layer", ["Relu1", "Pool1", "Relu4", "Pool3"])
def test_static_view_shows_every_channel(net, images, layer):
    x, t = images
    fig = draw_depth_view(net, x[0], int(t[0]), 0, layer=layer)
    channels = layer_outputs(net, x[:1])[layer].shape[1]
    assert fig._suptitle.get_text().startswith(f"{layer}: {channels} maps")
    _drawn(fig)


def test_view_refuses_what_it_cannot_show(net, images):
    x, _ = images
    view = DepthView(Figure())
    outputs = layer_outputs(net, x[:1])
    with pytest.raises(ValueError, match="no layer"):
        view.update(net, outputs, x[0], "Conv9")
    with pytest.raises(ValueError, match="not feature maps"):
        view.update(net, outputs, x[0], "Affine1")
    bad = dict(outputs)
    bad["Relu1"] = np.full_like(outputs["Relu1"], np.nan)
    with pytest.raises(ValueError, match="NaN"):
        view.update(net, bad, x[0], "Relu1")
    wide = dict(outputs)
    wide["Relu1"] = np.zeros((1, 65, 4, 4))
    with pytest.raises(ValueError, match="at most 64"):
        view.update(net, wide, x[0], "Relu1")


def test_receptive_field_box_is_clipped_to_the_image(net, images):
    x, t = images
    fig = draw_depth_view(net, x[0], int(t[0]), 0, layer="Pool3")
    view_box = [p for p in fig.axes[0].patches][0]
    x0, y0, w, h = view_box.get_x(), view_box.get_y(), view_box.get_width(), view_box.get_height()
    assert x0 >= -0.5 and y0 >= -0.5 and x0 + w <= 27.5 and y0 + h <= 27.5
    assert "the whole image" in fig._suptitle.get_text()
    plt.close(fig)


def test_widget_every_control_redraws_fast(net, images):
    x, t = images
    box = depth_widget(net, x, t)
    first = bytes(box.image.value)
    times = []
    for v in [1, 2, 3, 4, 5, 6, 7]:
        start = time.process_time()      # CPU time: the widget's own work, whatever else runs
        box.slider.value = v
        times.append(time.process_time() - start)
        assert bytes(box.image.value) != first
    box.slider.value = 0
    assert bytes(box.image.value) == first                 # back to the first frame, from the cache
    pictures = set()
    for name in box.menu.options:
        box.menu.value = name
        if name != "Relu2":                                # (0, "Relu2") is the cached first frame
            assert box.view.title.get_text().startswith(name)
        pictures.add(bytes(box.image.value))
    assert len(pictures) == len(box.menu.options)
    assert box.renderer.full_draws == 1        # everything after the first frame was blitted
    assert legibility_problems(box.view.fig) == []
    assert 1000 * float(np.median(times)) < 400


def test_widget_refuses_bad_arguments(net, images):
    x, t = images
    with pytest.raises(ValueError, match="as many labels"):
        depth_widget(net, x, t[:3])
    with pytest.raises(ValueError, match="layer must be one of"):
        depth_widget(net, x, t, layer="Conv1")
    with pytest.raises(ValueError, match="index"):
        depth_widget(net, x, t, index=99)


def test_static_figures_draw(net, images):
    x, t = images
    predicted = (t + np.array([0, 1, 0, 0, 2, 0, 0, 0])) % 10
    fig = draw_misclassified(x, t, predicted, np.full(8, 0.6))
    assert "2 of the 2 misclassified" in fig._suptitle.get_text()
    _drawn(fig)
    _drawn(draw_receptive_field(3))
    _drawn(draw_feature_hierarchy(net, x[0]))
    _drawn(draw_augmentation(x[0], x[:3]))
    norms = {k: input_gradient_norms(DepthStack(8, 4, k, input_size=784), x.reshape(8, -1), t) for k in KINDS}
    _drawn(draw_depth_experiment(norms, {k: {4: 0.2, 8: 0.1} for k in KINDS}, KINDS, 8))
    _drawn(draw_architectures(architecture_table()))
    _drawn(draw_profile(profile_step(net, x, t, repeats=1)))
    _drawn(draw_allreduce(25_557_032, [2, 4, 8], name="ResNet-50"))
    strip = np.zeros((28, 100))
    _drawn(draw_sliding_classifier(strip, np.arange(14, 87), np.full((73, 10), 0.1), [3, 1], [20, 60]))
    with pytest.raises(ValueError):
        draw_receptive_field(0)
    with pytest.raises(ValueError):
        draw_augmentation(x[0], x[:0])
    with pytest.raises(ValueError):
        draw_feature_hierarchy(net, x[0], layers=["Relu9"])
    with pytest.raises(ValueError):
        draw_misclassified(x, t[:3], t)
