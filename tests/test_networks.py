"""Tests for common.networks: backprop against numerical gradients, shapes, errors, I/O."""

from __future__ import annotations

import numpy as np
import pytest

from common.gradient import gradient_check
from common.layers import BatchNormalization, Dropout
from common.networks import (
    DeepConvNet,
    MultiLayerNet,
    MultiLayerNetExtend,
    Network,
    SimpleConvNet,
    TwoLayerNet,
)
from common.optimizers import SGD

TOL = 1e-6  # max relative error per parameter array, float64
H = 1e-5  # finite-difference step: small enough for batch norm's curvature on tiny batches


# --------------------------------------------------------------------- helpers
def _batch(net: Network, n: int = 3, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *net.input_shape))
    t = rng.integers(0, net.output_size, n)
    return x, t


def _fix_dropout_masks(net: Network, seed: int = 7) -> None:
    """Make every training-mode loss draw the same dropout masks, so finite differences apply."""
    dropouts = [layer for layer in net.layers.values() if isinstance(layer, Dropout)]
    assert dropouts, "expected the network to have dropout layers"
    original = net.loss

    def loss(x, t, train_flg=False):
        for i, layer in enumerate(dropouts):
            layer.rng = np.random.default_rng(seed + i)
        return original(x, t, train_flg)

    net.loss = loss  # instance attribute: gradient() and numerical_gradient() both use it


def _biases_before_batchnorm(net: Network) -> set[str]:
    """Biases added just before a BatchNormalization: their true gradient is exactly 0."""
    names = list(net.layers)
    out = set()
    for key, (layer_name, attr) in net._grad_sources.items():
        i = names.index(layer_name)
        if attr == "db" and i + 1 < len(names) and isinstance(net.layers[names[i + 1]], BatchNormalization):
            out.add(key)
    return out


def _jitter_biases(net: Network, seed: int) -> None:
    """Move biases off zero: with zero biases a dead unit sits exactly on ReLU's kink."""
    rng = np.random.default_rng(seed)
    for key, value in net.params.items():
        if key.startswith("b"):
            value += rng.normal(0, 0.1, value.shape)


def _assert_gradients_match(net: Network, n: int = 3, seed: int = 1) -> dict[str, float]:
    _jitter_biases(net, seed)
    x, t = _batch(net, n, seed)
    analytic = net.gradient(x, t)
    numeric = net.numerical_gradient(x, t, h=H)
    assert set(analytic) == set(net.params)
    for key in analytic:
        assert analytic[key].shape == net.params[key].shape, key
    # BN subtracts the batch mean, so the bias before it cannot change the loss:
    # both gradients are ~0 and their ratio is rounding noise. Check them absolutely.
    zero = _biases_before_batchnorm(net)
    for key in zero:
        np.testing.assert_allclose(analytic[key], 0, atol=1e-10)
        np.testing.assert_allclose(numeric[key], 0, atol=1e-9)
    errors = gradient_check({k: analytic[k] for k in analytic if k not in zero},
                            {k: numeric[k] for k in numeric if k not in zero})
    worst = max(errors, key=errors.get)
    assert errors[worst] < TOL, f"{type(net).__name__}: {worst} relative error {errors[worst]:.2e}: {errors}"
    return errors


# ----------------------------------------------------------- gradient checks
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_two_layer_net_gradient(activation):
    _assert_gradients_match(TwoLayerNet(4, 5, 3, weight_init_std=0.5, activation=activation))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("weight_decay_lambda", [0.0, 0.1])
def test_multi_layer_net_gradient(activation, weight_decay_lambda):
    net = MultiLayerNet(4, [5, 6], 3, activation=activation, weight_init_std=activation,
                        weight_decay_lambda=weight_decay_lambda)
    _assert_gradients_match(net)


def test_multi_layer_net_extend_batchnorm_gradient():
    net = MultiLayerNetExtend(4, [5, 6], 3, use_batchnorm=True, weight_decay_lambda=0.1)
    assert {"gamma1", "beta1", "gamma2", "beta2"} <= set(net.params)
    _assert_gradients_match(net, n=4)


@pytest.mark.parametrize("use_batchnorm", [False, True])
def test_multi_layer_net_extend_dropout_gradient(use_batchnorm):
    net = MultiLayerNetExtend(4, [6, 7], 3, activation="tanh", weight_init_std="xavier",
                              use_dropout=True, dropout_ratio=0.3, use_batchnorm=use_batchnorm,
                              weight_decay_lambda=0.05)
    _fix_dropout_masks(net)
    _assert_gradients_match(net, n=5)


def test_simple_convnet_gradient():
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 3, "filter_size": 5},
                        hidden_size=5, output_size=4, weight_init_std="he")
    _assert_gradients_match(net, n=2)


def test_simple_convnet_gradient_with_stride_and_pad():
    net = SimpleConvNet(input_dim=(2, 7, 7),
                        conv_param={"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 2},
                        hidden_size=5, output_size=3, weight_init_std="he", weight_decay_lambda=0.1)
    _assert_gradients_match(net, n=2)


def test_simple_convnet_gradient_when_the_pooling_rounds_down():
    # 8x8, filter 2: a 7x7 feature map, pooled 2x2 with stride 2 -> 3x3 (the last row and column unread)
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 2, "filter_size": 2},
                        hidden_size=4, output_size=3, weight_init_std="he")
    assert net.params["W2"].shape == (2 * 3 * 3, 4)
    _assert_gradients_match(net, n=2)


def test_labels_in_a_column_are_labels():
    """The classic book's chapter-7 gradient check passes integer labels of shape (N, 1)."""
    net = SimpleConvNet(input_dim=(1, 6, 6), conv_param={"filter_num": 2, "filter_size": 3},
                        hidden_size=4, output_size=5, weight_init_std="he")
    x, t = _batch(net, n=4)
    assert net.loss(x, t[:, None]) == net.loss(x, t)
    assert net.accuracy(x, t[:, None]) == net.accuracy(x, t)
    column, flat = net.gradient(x, t[:, None]), net.gradient(x, t)
    for key in flat:
        np.testing.assert_array_equal(column[key], flat[key])
    one = net.numerical_gradient(x[:1], t[:1, None])  # shape (1, 1), as in the book
    np.testing.assert_allclose(one["b3"], net.gradient(x[:1], t[:1, None])["b3"], atol=1e-8)


def test_extend_takes_the_books_spelling_dropout_ration():
    net = MultiLayerNetExtend(4, [5], 3, use_dropout=True, dropout_ration=0.2)
    assert net.dropout_ratio == 0.2 and net.layers["Dropout1"].dropout_ratio == 0.2
    assert isinstance(net, MultiLayerNet)
    with pytest.raises(ValueError, match="not both"):
        MultiLayerNetExtend(4, [5], 3, dropout_ratio=0.1, dropout_ration=0.2)
    # the book's positional order: ..., weight_decay_lambda, use_dropout, dropout_ration, use_batchnorm
    positional = MultiLayerNetExtend(4, [5], 3, "relu", "he", 0.0, True, 0.3, True)
    assert positional.dropout_ratio == 0.3 and "BatchNorm1" in positional.layers


def test_deep_convnet_gradient():
    net = DeepConvNet(input_dim=(1, 8, 8), filter_nums=(2, 2, 3, 3, 4, 4), hidden_size=5,
                      output_size=3, dropout_ratio=0.5)
    _fix_dropout_masks(net)
    _assert_gradients_match(net, n=2)


def test_deep_convnet_batchnorm_and_odd_sizes_gradient():
    # 7x7 input: the odd-size pooling (3x3, pad 1) is exercised; BN after each convolution
    net = DeepConvNet(input_dim=(1, 7, 7), filter_nums=(2, 3, 3, 4), hidden_size=5, output_size=3,
                      dropout_ratio=0.0, use_batchnorm=True, weight_decay_lambda=0.01)
    assert "Dropout1" not in net.layers
    _assert_gradients_match(net, n=3)


# ----------------------------------------------------------------- behaviour
def test_weight_decay_adds_half_lambda_sum_w2_and_lambda_w():
    plain = MultiLayerNet(4, [5], 3)
    decayed = MultiLayerNet(4, [5], 3, weight_decay_lambda=0.3)
    x, t = _batch(plain)
    penalty = 0.5 * 0.3 * sum(np.sum(plain.params[k] ** 2) for k in ("W1", "W2"))
    assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + penalty, rel=1e-12)
    g0, g1 = plain.gradient(x, t), decayed.gradient(x, t)
    for k in ("W1", "W2"):
        np.testing.assert_allclose(g1[k], g0[k] + 0.3 * plain.params[k], rtol=1e-12)
    for k in ("b1", "b2"):
        np.testing.assert_allclose(g1[k], g0[k], rtol=1e-12)


def test_seed_makes_weights_repeatable():
    a, b, c = MultiLayerNet(6, [5], 3, seed=3), MultiLayerNet(6, [5], 3, seed=3), MultiLayerNet(6, [5], 3, seed=4)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    # the extended net starts from the same weights, so experiments compare like with like
    ext = MultiLayerNetExtend(6, [5], 3, seed=3, use_dropout=True, use_batchnorm=True)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], ext.params[k])


def test_weight_init_std_names_set_the_scale():
    he = MultiLayerNet(400, [300], 3, weight_init_std="he")
    xavier = MultiLayerNet(400, [300], 3, weight_init_std="sigmoid")
    assert he.params["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert xavier.params["W1"].std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)
    assert TwoLayerNet(400, 300, 3).params["W1"].std() == pytest.approx(0.01, rel=0.02)


def test_layers_share_the_parameter_arrays():
    net = TwoLayerNet(4, 5, 3, weight_init_std=0.5)
    x, t = _batch(net, n=8)
    before = net.loss(x, t)
    for _ in range(20):
        SGD(lr=0.5).update(net.params, net.gradient(x, t))
    assert net.loss(x, t) < before  # the layers saw the in-place updates
    assert net.layers["Affine1"].W is net.params["W1"]


def test_dropout_is_random_in_training_and_off_in_inference():
    net = MultiLayerNetExtend(4, [50], 3, use_dropout=True, dropout_ratio=0.5)
    x, _ = _batch(net)
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))


def test_dropout_masks_follow_the_seed():
    x, _ = _batch(MultiLayerNet(4, [50], 3))
    a = MultiLayerNetExtend(4, [50], 3, use_dropout=True, seed=5)
    b = MultiLayerNetExtend(4, [50], 3, use_dropout=True, seed=5)
    np.testing.assert_array_equal(a.predict(x, train_flg=True), b.predict(x, train_flg=True))


def test_batchnorm_running_statistics_change_only_in_training():
    net = MultiLayerNetExtend(4, [5], 3, use_batchnorm=True)
    x, t = _batch(net, n=6)
    bn = net.layers["BatchNorm1"]
    mean0 = bn.running_mean.copy()
    net.loss(x, t)  # inference
    np.testing.assert_array_equal(bn.running_mean, mean0)
    net.gradient(x, t)  # training
    assert not np.array_equal(bn.running_mean, mean0)


@pytest.mark.parametrize("t_kind", ["labels", "one-hot"])
def test_accuracy_accepts_labels_and_one_hot(t_kind):
    net = TwoLayerNet(4, 5, 3, weight_init_std=1.0)
    x, t = _batch(net, n=23)
    expected = np.mean(np.argmax(net.predict(x), axis=1) == t)
    if t_kind == "one-hot":
        t = np.eye(3)[t]
    assert net.accuracy(x, t) == pytest.approx(expected)
    assert net.accuracy(x, t, batch_size=5) == pytest.approx(expected)
    assert net.loss(x, t) == pytest.approx(TwoLayerNet(4, 5, 3, weight_init_std=1.0).loss(x, t))


def test_deep_convnet_default_architecture():
    net = DeepConvNet()
    assert [net.params[f"W{i}"].shape[0] for i in range(1, 7)] == [16, 16, 32, 32, 64, 64]
    assert net.params["W7"].shape == (64 * 4 * 4, 50)
    assert net.params["W8"].shape == (50, 10)
    pools = [net.layers[f"Pool{i}"] for i in (1, 2, 3)]
    assert [(p.pool_h, p.pad) for p in pools] == [(2, 0), (2, 0), (3, 1)]
    assert "Dropout1" in net.layers
    x = np.zeros((2, 1, 28, 28))
    assert net.predict(x).shape == (2, 10)
    bn = DeepConvNet(use_batchnorm=True)
    assert sum(isinstance(layer, BatchNormalization) for layer in bn.layers.values()) == 6


def test_simple_convnet_default_shapes():
    net = SimpleConvNet()
    assert net.params["W1"].shape == (30, 1, 5, 5)
    assert net.params["W2"].shape == (30 * 12 * 12, 100)
    assert net.predict(np.zeros((2, 1, 28, 28))).shape == (2, 10)
    assert "SimpleConvNet(Conv1 -> Relu1 -> Pool1" in repr(net)


# -------------------------------------------------------------------- dtypes
@pytest.mark.parametrize(
    "make",
    [
        lambda dt: TwoLayerNet(4, 5, 3, dtype=dt),
        lambda dt: MultiLayerNetExtend(4, [5], 3, use_batchnorm=True, use_dropout=True,
                                       weight_decay_lambda=0.1, dtype=dt),
        lambda dt: SimpleConvNet((1, 8, 8), {"filter_num": 3}, hidden_size=5, dtype=dt),
        lambda dt: DeepConvNet((1, 8, 8), (2, 2, 3, 3), hidden_size=5, use_batchnorm=True, dtype=dt),
    ],
    ids=["two-layer", "extend", "simple-conv", "deep-conv"],
)
def test_float32_stays_float32(make):
    net32, net64 = make(np.float32), make(np.float64)
    x, t = _batch(net64, n=4)  # float64 data: the network casts it
    assert all(p.dtype == np.float32 for p in net32.params.values())
    assert net32.predict(x).dtype == np.float32
    grads = net32.gradient(x, t)
    assert all(g.dtype == np.float32 for g in grads.values()), {k: g.dtype for k, g in grads.items()}
    SGD(lr=0.1).update(net32.params, grads)
    assert all(p.dtype == np.float32 for p in net32.params.values())
    # same seed: float32 weights are the float64 ones, rounded
    np.testing.assert_allclose(make(np.float32).predict(x), net64.predict(x), rtol=1e-3, atol=1e-5)


def test_only_float_dtypes():
    with pytest.raises(ValueError, match="float32 or float64"):
        TwoLayerNet(4, 5, 3, dtype=np.int32)


# -------------------------------------------------------------------- errors
def test_flat_images_into_convnet_explain_the_reshape():
    net = SimpleConvNet()
    with pytest.raises(ValueError) as err:
        net.predict(np.zeros((5, 784)))
    msg = str(err.value)
    assert "expected input of shape (N, 1, 28, 28)" in msg
    assert "(5, 784)" in msg
    assert "x.reshape(-1, 1, 28, 28)" in msg


def test_images_into_dense_net_explain_the_flatten():
    net = TwoLayerNet(784, 10, 10)
    with pytest.raises(ValueError) as err:
        net.loss(np.zeros((5, 1, 28, 28)), np.zeros(5, dtype=int))
    msg = str(err.value)
    assert "expected input of shape (N, 784)" in msg and "(5, 1, 28, 28)" in msg
    assert "x.reshape(len(x), -1)" in msg


@pytest.mark.parametrize(
    "net, x, hint",
    [
        (TwoLayerNet(784, 10, 10), np.zeros(784), "x[np.newaxis]"),
        (SimpleConvNet(), np.zeros((1, 28, 28)), "x[np.newaxis]"),
        (TwoLayerNet(784, 10, 10), np.zeros((5, 100)), "784 values"),
        (DeepConvNet(input_dim=(1, 8, 8), filter_nums=(2, 2)), np.zeros((5, 3, 8, 8)), "input_dim"),
        (MultiLayerNet(10, [5], 3), np.zeros((2, 2, 5)), "x.reshape(len(x), -1)"),
    ],
)
def test_wrong_input_shapes(net, x, hint):
    with pytest.raises(ValueError, match="expected input of shape") as err:
        net.predict(x)
    assert hint in str(err.value)


@pytest.mark.parametrize(
    "t",
    [np.zeros(4, dtype=int), np.zeros((3, 4)), np.zeros(3), np.zeros((3, 1)), np.zeros((3, 2), dtype=int)],
    ids=["too-many-labels", "wrong-one-hot", "float-labels", "float-column", "two-columns"],
)
def test_wrong_targets(t):
    net = TwoLayerNet(4, 5, 3)
    x, _ = _batch(net, n=3)
    with pytest.raises(ValueError, match="targets"):
        net.loss(x, t)
    with pytest.raises(ValueError, match="targets"):
        net.accuracy(x, t)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: MultiLayerNet(4, [5], 3, activation="gelu"), "activation"),
        (lambda: MultiLayerNet(4, [5], 3, weight_init_std="lecun"), "weight_init_std"),
        (lambda: MultiLayerNet(4, 5, 3), r"\[5\]"),
        (lambda: MultiLayerNet(4, [5], 3, weight_decay_lambda=-1), "weight_decay_lambda"),
        (lambda: MultiLayerNetExtend(4, [5], 3, use_dropout=True, dropout_ratio=1.0), "dropout_ratio"),
        (lambda: TwoLayerNet(0, 5, 3), "input_size"),
        (lambda: SimpleConvNet((1, 4, 4), {"filter_size": 5}), "does not fit"),
        (lambda: SimpleConvNet((1, 5, 5), {"filter_size": 5}), "SimpleConvNet 2x2 pooling .*does not fit"),
        (lambda: SimpleConvNet((1, 28, 28), {"filters": 3}), "unknown conv_param"),
        (lambda: SimpleConvNet((28, 28)), "input_dim"),
        (lambda: DeepConvNet(filter_nums=(16, 16, 32)), "even"),
        (lambda: DeepConvNet(input_dim=(1, 4, 4), filter_nums=(2,) * 8), "too small"),
        (lambda: DeepConvNet(input_dim=(1, 8, 7)), "square"),
    ],
)
def test_bad_constructor_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ----------------------------------------------------------------------- I/O
@pytest.mark.parametrize(
    "make",
    [
        lambda seed: TwoLayerNet(4, 5, 3, weight_init_std=0.5, seed=seed),
        lambda seed: MultiLayerNetExtend(4, [5, 5], 3, use_batchnorm=True, use_dropout=True, seed=seed),
        lambda seed: SimpleConvNet((1, 8, 8), {"filter_num": 3}, hidden_size=5, seed=seed),
        lambda seed: DeepConvNet((1, 8, 8), (2, 2), hidden_size=5, use_batchnorm=True, seed=seed),
    ],
    ids=["two-layer", "extend", "simple-conv", "deep-conv"],
)
def test_save_load_round_trip(tmp_path, make):
    net = make(0)
    x, t = _batch(net, n=6)
    for _ in range(3):  # train a little so BN running statistics move away from 0 and 1
        SGD(lr=0.1).update(net.params, net.gradient(x, t))
    path = net.save_params(tmp_path / "net.npz")
    with np.load(path, allow_pickle=False) as data:
        assert set(net.params) <= set(data.files)
    other = make(1)
    assert not np.allclose(other.predict(x), net.predict(x))
    other.load_params(path)
    np.testing.assert_array_equal(other.predict(x), net.predict(x))
    # loaded in place: layers still share the arrays with params
    first = next(iter(other.layers.values()))
    assert first.W is other.params["W1"]


def test_load_checks_names_and_shapes(tmp_path):
    path = TwoLayerNet(4, 5, 3).save_params(tmp_path / "two.npz")
    with pytest.raises(ValueError, match="other shapes") as err:
        TwoLayerNet(4, 6, 3).load_params(path)
    assert "W1: expected (4, 6), file has (4, 5)" in str(err.value)
    with pytest.raises(ValueError, match="missing"):
        MultiLayerNet(4, [5, 5], 3).load_params(path)
    with pytest.raises(ValueError, match="unexpected"):
        MultiLayerNet(4, [], 3).load_params(TwoLayerNet(4, 5, 3).save_params(tmp_path / "w"))
    with pytest.raises(ValueError, match="missing"):
        MultiLayerNetExtend(4, [5], 3, use_batchnorm=True).load_params(
            MultiLayerNet(4, [5], 3).save_params(tmp_path / "plain"))
    with pytest.raises(FileNotFoundError):
        TwoLayerNet(4, 5, 3).load_params(tmp_path / "missing.npz")


def test_float32_network_loads_float64_file(tmp_path):
    path = TwoLayerNet(4, 5, 3, seed=2).save_params(tmp_path / "w.npz")
    net = TwoLayerNet(4, 5, 3, dtype=np.float32)
    net.load_params(path)
    assert net.params["W1"].dtype == np.float32
    np.testing.assert_allclose(net.params["W1"], TwoLayerNet(4, 5, 3, seed=2).params["W1"], rtol=1e-6)
