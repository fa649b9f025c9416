"""The classic book's API as a superset of ours: its module names, keywords and calling habits.

common.optimizer, common.util, common.multi_layer_net and common.multi_layer_net_extend
are aliases of the one implementation (the same objects, not copies); optimisers
update dicts of plain numbers; integer labels may come as a column (N, 1).
The book-style scripts in tests/book_style/ run them end to end (test_book_style.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import common.functions
import common.im2col
import common.optimizers
import common.util
from common.layers import SoftmaxWithLoss


def test_book_module_names_are_aliases_not_copies():
    import common.multi_layer_net
    import common.multi_layer_net_extend
    import common.optimizer
    from common.networks import MultiLayerNet, MultiLayerNetExtend

    for name in ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"):
        assert getattr(common.optimizer, name) is getattr(common.optimizers, name)
    assert common.multi_layer_net.MultiLayerNet is MultiLayerNet
    assert common.multi_layer_net_extend.MultiLayerNetExtend is MultiLayerNetExtend
    for name in ("im2col", "col2im", "conv_output_size"):
        assert getattr(common.util, name) is getattr(common.im2col, name)


def test_star_imports_give_numpy_as_the_books_scripts_expect():
    for module in ("common.optimizer", "common.functions"):
        namespace: dict = {}
        exec(f"from {module} import *", namespace)
        assert namespace["np"] is np, module
    namespace = {}
    exec("from common.optimizer import *", namespace)
    assert {"SGD", "Momentum", "AdaGrad", "Adam", "RMSprop", "Nesterov"} <= set(namespace)


def test_util_conv_output_size_takes_the_books_argument_order():
    # (input_size, filter_size, stride, pad), rounded down to a whole number
    assert common.util.conv_output_size(28, 5, 1, 0) == 24
    assert common.util.conv_output_size(7, 2, 2, 1) == 4


# ------------------------------------------------------------------- smoothing
def test_smooth_curve_is_a_trailing_mean_of_the_same_length():
    np.testing.assert_allclose(common.util.smooth_curve([1, 2, 3, 4, 5], 2), [1, 1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(common.util.smooth_curve([1, 2, 3], 1), [1, 2, 3])
    out = common.util.smooth_curve([1, 2, np.nan, np.nan], 2)
    assert np.isnan(out[2:]).all() and out.shape == (4,)
    noisy = np.random.default_rng(0).normal(size=2000)
    assert common.util.smooth_curve(noisy).shape == (2000,)  # plots against np.arange(len(values))
    assert common.util.smooth_curve(noisy).std() < 0.3 * noisy.std()
    with pytest.raises(ValueError, match="1-D"):
        common.util.smooth_curve(np.zeros((3, 3)))


# -------------------------------------------------------------------- shuffling
def test_shuffle_dataset_keeps_pairs_together_in_any_layout():
    x = np.arange(24.0).reshape(6, 1, 2, 2)
    t = np.arange(6)
    xs, ts = common.util.shuffle_dataset(x, t, rng=0)
    assert sorted(ts) == list(range(6)) and not np.array_equal(ts, t)
    np.testing.assert_array_equal(xs, x[ts])  # each image still has its own label
    again = common.util.shuffle_dataset(x, t, rng=0)
    np.testing.assert_array_equal(again[1], ts)  # seeded: the same order
    np.testing.assert_array_equal(t, np.arange(6))  # the inputs are untouched
    flat, labels = common.util.shuffle_dataset(x.reshape(6, -1), t, rng=1)
    np.testing.assert_array_equal(flat, x.reshape(6, -1)[labels])
    with pytest.raises(ValueError, match="as many labels as samples"):
        common.util.shuffle_dataset(x, t[:5])


# ----------------------------------------------------- labels as a column (N, 1)
def test_softmax_with_loss_takes_labels_as_a_column():
    rng = np.random.default_rng(1)
    scores, labels = rng.normal(size=(4, 5)), np.array([0, 3, 1, 4])
    flat, column = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert column.forward(scores, labels[:, None]) == flat.forward(scores, labels)
    np.testing.assert_array_equal(column.backward(), flat.backward())
    one = SoftmaxWithLoss()
    assert one.forward(scores[:1], np.array([[3]])) == pytest.approx(-np.log(common.functions.softmax(scores[0])[3]))
    assert common.functions.cross_entropy_error(common.functions.softmax(scores), labels[:, None]) == pytest.approx(
        common.functions.cross_entropy_error(common.functions.softmax(scores), labels))
    with pytest.raises(ValueError, match="targets"):
        SoftmaxWithLoss().forward(scores, labels[:, None].astype(float))  # float labels are not labels
    with pytest.raises(ValueError, match="labels must lie in 0..4"):
        SoftmaxWithLoss().forward(scores, np.array([[0], [5], [1], [2]]))


# ------------------------------------------------------- optimisers on numbers
OPTIMIZERS = [("SGD", {"lr": 0.95}), ("Momentum", {"lr": 0.1}), ("Nesterov", {"lr": 0.1}),
              ("AdaGrad", {"lr": 1.5}), ("RMSprop", {"lr": 0.1}), ("Adam", {"lr": 0.3})]


@pytest.mark.parametrize("name, kwargs", OPTIMIZERS)
def test_update_works_on_a_dict_of_python_floats(name, kwargs):
    """The book's chapter-6 comparison keeps (x, y) as two Python floats in the params dict."""
    cls = getattr(common.optimizers, name)
    params, opt = {"x": -7.0, "y": 2.0}, cls(**kwargs)
    point, ref = np.array([-7.0, 2.0]), cls(**kwargs)
    state: dict = {}
    for _ in range(30):
        grads = {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}  # f = x²/20 + y²
        opt.update(params, grads)
        point, state = ref.step(point, np.array([point[0] / 10.0, 2.0 * point[1]]), state)
        assert type(params["x"]) is float and type(params["y"]) is float
    np.testing.assert_allclose([params["x"], params["y"]], point, rtol=1e-12)
    assert params["x"] ** 2 / 20 + params["y"] ** 2 < 49 / 20 + 4  # it went downhill


@pytest.mark.parametrize("name, kwargs", OPTIMIZERS)
def test_update_keeps_numpy_scalars_and_0d_arrays_float32(name, kwargs):
    cls = getattr(common.optimizers, name)
    zero_d = np.array(1.5, dtype=np.float32)
    params = {"s": np.float32(1.5), "a": zero_d}
    opt = cls(**kwargs)
    for _ in range(3):
        opt.update(params, {"s": np.float32(0.5) * params["s"], "a": np.float32(0.5) * params["a"]})
    assert type(params["s"]) is np.float32
    assert params["a"] is zero_d and zero_d.dtype == np.float32  # changed in place, like any array
    assert params["s"] == pytest.approx(float(zero_d), rel=1e-6)  # the same rule on both
    assert params["s"] < 1.5


def test_update_refuses_a_list_with_a_clear_error():
    with pytest.raises(TypeError, match=r"params\['w'\] must be a NumPy array or a single number"):
        common.optimizers.Momentum().update({"w": [1.0, 2.0]}, {"w": np.ones(2)})


def test_the_differences_page_is_in_the_books_table_of_contents_and_names_every_alias():
    import importlib.util
    import sys
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("book_build", root / "book" / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules["book_build"] = build  # its dataclasses look themselves up there
    try:
        spec.loader.exec_module(build)
    finally:
        del sys.modules["book_build"]
    reference = yaml.safe_load(build.toc_yaml([]))["parts"][-1]
    assert reference["caption"] == "Reference" and {"file": "differences"} in reference["chapters"]
    text = (root / "book" / "differences.md").read_text(encoding="utf-8")
    for name in ("common.optimizer", "common.util", "common.multi_layer_net", "common.multi_layer_net_extend",
                 "dropout_ration", "(N, 1)", "inverted", "1e-7", "rounds down", "Nesterov", "spatial"):
        assert name in text, name
    assert "book/differences.md" in (root / "CONTRIBUTING.md").read_text(encoding="utf-8")
