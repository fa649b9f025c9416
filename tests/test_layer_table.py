"""Per-layer tables of the course networks (chapter 6): shapes, parameters, MACs and receptive fields."""

from __future__ import annotations

import numpy as np
import pytest

from common.layers import Relu
from common.lessons.conv_arithmetic import conv_macs
from common.lessons.layer_table import format_layer_table, layer_table
from common.networks import DeepConvNet, SimpleConvNet, TwoLayerNet


def test_simple_convnet_table():
    net = SimpleConvNet()
    rows = {r.name: r for r in layer_table(net)}
    assert rows["Conv1"].shape == (30, 24, 24) and rows["Conv1"].params == 30 * 25 + 30
    assert rows["Conv1"].macs == conv_macs(24, 24, 5, 1, 30) == 432_000
    assert rows["Pool1"].shape == (30, 12, 12) and rows["Pool1"].params == 0
    assert rows["Affine1"].params == 4320 * 100 + 100 and rows["Affine1"].macs == 432_000
    assert rows["Affine2"].shape == (10,)
    assert sum(r.params for r in rows.values()) == 433_890 == sum(v.size for v in net.params.values())
    # receptive fields: 5 after the 5×5 convolution, 6 after 2×2 pooling, the whole image after an affine layer
    assert [rows[n].field for n in ("Conv1", "Relu1", "Pool1", "Affine1")] == [5, 5, 6, None]


def test_deep_convnet_table_counts_what_the_network_holds():
    for batchnorm in (False, True):
        net = DeepConvNet(use_batchnorm=batchnorm, hidden_size=256)
        rows = layer_table(net)
        assert sum(r.params for r in rows) == sum(v.size for v in net.params.values())
        fields = [r.field for r in rows if r.name.startswith(("Conv", "Pool"))]
        assert fields == [3, 5, 6, 10, 14, 16, 24, 32, 40]          # grows by (k − 1)·jump
        assert rows[-1].shape == (10,)


def test_odd_images_pool_with_padding():
    net = DeepConvNet(input_dim=(1, 27, 27))
    pools = [r for r in layer_table(net) if r.name.startswith("Pool")]
    assert [r.shape[1] for r in pools] == [14, 7, 4]


def test_format_shows_every_layer_and_the_total():
    net = SimpleConvNet()
    text = format_layer_table(layer_table(net), net.input_shape)
    assert "433,890" in text and "99.6%" in text and "whole image" in text
    assert len(text.splitlines()) == 1 + 1 + len(net.layers) + 1
    short = format_layer_table(layer_table(net), hide=("Relu",))
    assert "Relu1" not in short and "433,890" in short


def test_clear_errors():
    with pytest.raises(ValueError, match="course network"):
        layer_table(object())
    net = SimpleConvNet()
    with pytest.raises(ValueError, match="channels, height, width"):
        layer_table(net, (784,))
    net.layers["Extra"] = Relu()
    net.params["W9"] = np.zeros(3)            # a parameter no layer explains
    with pytest.raises(ValueError, match="misread"):
        layer_table(net)


def test_fully_connected_networks_need_an_image_shape():
    net = TwoLayerNet(784, 50, 10)
    with pytest.raises(ValueError, match="channels, height, width"):
        layer_table(net)
    rows = layer_table(net, (1, 28, 28))
    assert sum(r.params for r in rows) == 784 * 50 + 50 + 50 * 10 + 10
