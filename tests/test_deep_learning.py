"""Chapter 7's lessons: architecture counts against the published figures, receptive fields, plain vs
residual depth stacks, data-parallel SGD, precision, profiling and the sliding classifier."""

from __future__ import annotations

import numpy as np
import pytest

from common.datasets import load_mnist
from common.gradient import gradient_check
from common.lessons import architectures as arch
from common.lessons.applications import digit_strip, slide_classifier, strip_digits
from common.lessons.data_parallel import (
    allreduce_cost,
    average_gradients,
    ring_allreduce,
    shard_slices,
    train_data_parallel,
    worker_gradients,
)
from common.lessons.precision import (
    cast_network,
    labels_float16_arithmetic,
    labels_float16_storage,
    predict_labels,
)
from common.lessons.profiling import layer_macs, profile_step, step_flop
from common.lessons.receptive_field import network_receptive_fields, receptive_fields, stacked_vs_single
from common.lessons.residual_depth import KINDS, DepthStack, depth_experiment, input_gradient_norms
from common.networks import DeepConvNet, SimpleConvNet, TwoLayerNet
from common.optimizers import Adam


@pytest.fixture(scope="module")
def sample():
    return load_mnist(sample=True, flatten=False)


# ------------------------------------------------------------------ architectures
PUBLISHED = {  # name: (parameters, relative tolerance, MACs or None, tolerance)
    "LeNet-5": (60e3, 0.03, None, None),
    "AlexNet": (61e6, 0.01, None, None),
    "VGG-16": (138.4e6, 0.001, 15.5e9, 0.01),
    "GoogLeNet": (6.8e6, 0.04, 1.5e9, 0.06),
    "ResNet-50": (25.6e6, 0.002, 4.1e9, 0.01),
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_counts_match_the_published_figures(name):
    a = arch.ARCHITECTURES[name]
    params, macs = arch.totals(a.layers, a.input_shape)
    want_p, tol_p, want_m, tol_m = PUBLISHED[name]
    assert params == pytest.approx(want_p, rel=tol_p)
    if want_m is not None:
        assert macs == pytest.approx(want_m, rel=tol_m)


def test_exact_counts_of_the_model_zoo_versions():
    # VGG-16 and ResNet-50 as in torchvision (ResNet's batch-norm gammas and betas are parameters)
    assert arch.totals(arch.ARCHITECTURES["VGG-16"].layers, (3, 224, 224))[0] == 138_357_544
    assert arch.totals(arch.resnet50(), (3, 224, 224))[0] == 25_557_032
    # the paper's stride placement costs 3.8 G multiply-adds, torchvision's 4.1 G, same parameters
    p1, m1 = arch.totals(arch.resnet50(stride_in_3x3=False), (3, 224, 224))
    assert p1 == 25_557_032 and m1 == pytest.approx(3.8e9, rel=0.02)
    assert arch.totals(arch.ARCHITECTURES["LeNet-5"].layers, (1, 32, 32))[0] == 61_706


def test_table_and_shapes():
    rows = arch.architecture_table()
    assert [r["name"] for r in rows] == ["LeNet-5", "AlexNet", "VGG-16", "GoogLeNet", "ResNet-50"]
    assert [r["weight_layers"] for r in rows] == [5, 8, 16, 22, 50]
    shapes = [r.shape for r in arch.count(arch.ARCHITECTURES["AlexNet"].layers, (3, 227, 227))]
    assert shapes[0] == (96, 55, 55) and shapes[7] == (256, 6, 6)
    g = arch.count(arch.ARCHITECTURES["GoogLeNet"].layers, (3, 224, 224))
    assert [r.shape for r in g if r.name.startswith("inception")][0] == (256, 28, 28)
    assert g[-2].shape == (1024, 1, 1)


def test_inception_reductions_save_work():
    module = arch.Inception(64, 96, 128, 16, 32, 32)
    saving = arch.inception_reduction_saving(module, (192, 28, 28))
    assert saving["params"] < saving["naive_params"] / 2 and saving["macs"] < saving["naive_macs"] / 2
    # the 5×5 branch alone without its reduction: 32·5·5·192 weights
    naive5 = arch.totals([arch.Conv(32, 5, pad=2)], (192, 28, 28))[0]
    assert naive5 == 32 * 25 * 192 + 32


def test_counting_explains_bad_specs():
    with pytest.raises(ValueError, match="layer 1"):
        arch.count([arch.Conv(8, 3), arch.Conv(8, 9)], (1, 8, 8))
    with pytest.raises(ValueError, match="groups"):
        arch.count([arch.Conv(6, 3, groups=4)], (3, 8, 8))
    with pytest.raises(ValueError, match="input_shape"):
        arch.count([arch.Conv(6, 3)], (8, 8))
    with pytest.raises(TypeError, match="not a layer spec"):
        arch.count(["conv"], (1, 8, 8))


# ------------------------------------------------------------------ receptive fields
def test_receptive_fields():
    assert [s.field for s in receptive_fields([("c", 3, 1)] * 3)] == [3, 5, 7]
    steps = receptive_fields([("c", 3, 1), ("p", 2, 2), ("c", 3, 1)])
    assert [(s.field, s.jump) for s in steps] == [(3, 1), (4, 2), (8, 2)]
    with pytest.raises(ValueError):
        receptive_fields([("c", 0, 1)])
    with pytest.raises(ValueError):
        receptive_fields([(3, 1)])


def test_deep_convnet_receptive_fields():
    net = DeepConvNet(use_batchnorm=True, dtype=np.float32)
    fields = {s.name: s.field for s in network_receptive_fields(net)}
    assert fields["Conv1"] == 3 and fields["Conv2"] == 5 and fields["Pool1"] == 6
    assert fields["Conv4"] == 14 and fields["Conv6"] == 32
    with pytest.raises(ValueError):
        network_receptive_fields(TwoLayerNet(4, 3, 2))


def test_stacked_3x3_against_one_large_filter():
    c = stacked_vs_single(2, 64)
    assert c["stacked"]["field"] == c["single"]["field"] == 5
    assert c["stacked"]["weights"] == 2 * 9 * 64 * 64 and c["single"]["weights"] == 25 * 64 * 64
    assert c["stacked"]["nonlinearities"] == 2 and c["single"]["nonlinearities"] == 1
    three = stacked_vs_single(3, 10)
    assert three["stacked"]["weights"] / three["single"]["weights"] == pytest.approx(27 / 49)
    with pytest.raises(ValueError):
        stacked_vs_single(0, 3)


# ------------------------------------------------------------------ plain vs residual
@pytest.mark.parametrize("kind", list(KINDS))
def test_depth_stack_gradients(kind):
    rng = np.random.default_rng(0)
    net = DepthStack(6, width=5, kind=kind, input_size=7, output_size=3, dtype=np.float64, seed=1)
    if kind == "residual_zero":  # give the zero layers values, so every path is exercised
        for key in net.params:
            net.params[key][...] = rng.normal(size=net.params[key].shape) * 0.5
    x, t = rng.normal(size=(4, 7)), rng.integers(0, 3, 4)
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    errors = gradient_check(grads, net.numerical_gradient(x, t, h=1e-5))
    assert max(errors.values()) < 1e-6, errors


def test_depth_stack_structure_and_errors():
    plain, res = DepthStack(8, 4, "plain"), DepthStack(8, 4, "residual")
    assert sum(k.startswith("W") for k in plain.params) == sum(k.startswith("W") for k in res.params) == 8
    zero = DepthStack(8, 4, "residual_zero")
    assert [float(np.abs(zero.params[f"W{i}"]).max()) == 0 for i in range(1, 9)] == \
        [False, False, True, False, True, False, True, False]
    with pytest.raises(ValueError, match="even"):
        DepthStack(7, 4, "residual")
    with pytest.raises(ValueError, match="kind"):
        DepthStack(8, 4, "dense")
    with pytest.raises(ValueError, match="at least 2"):
        DepthStack(1, 4)


def test_gradient_at_init_vanishes_explodes_or_stays(sample):
    (x, t), _ = sample
    x, t = x[:200].reshape(200, -1), t[:200]
    norms = {k: input_gradient_norms(DepthStack(32, 32, k), x, t) for k in KINDS}
    plain_pos, plain = norms["plain"]
    assert list(plain_pos) == list(range(1, 32))
    res_pos, res = norms["residual"]
    assert list(res_pos) == [1, *range(3, 32, 2)]
    assert res[0] > 100 * res[-1]                          # grows going down: explodes
    zero = norms["residual_zero"][1]
    np.testing.assert_allclose(zero[:-1], zero[0], rtol=1e-5)  # identity blocks: unchanged
    assert plain[0] < plain[-1]                              # shrinks going down


def test_depth_experiment_runs_and_residual_wins_at_depth(sample):
    (x, t), _ = sample
    result = depth_experiment(x[:600].reshape(600, -1), t[:600], depths=(4, 16), epochs=4)
    assert set(result) == set(KINDS) and all(set(v) == {4, 16} for v in result.values())
    assert result["residual_zero"][16] < result["plain"][16]


# ------------------------------------------------------------------ data parallel
def test_shards_and_weighted_average(sample):
    assert [(s.start, s.stop) for s in shard_slices(10, 3)] == [(0, 3), (3, 7), (7, 10)]
    with pytest.raises(ValueError):
        shard_slices(2, 3)
    with pytest.raises(ValueError):
        shard_slices(5, 0)
    (x, t), _ = sample
    net = SimpleConvNet(conv_param={"filter_num": 6}, hidden_size=20, dtype=np.float64, seed=0)
    xb, tb = x[:14].astype(np.float64), t[:14]
    full = {k: v.copy() for k, v in net.gradient(xb, tb).items()}
    for k in (1, 2, 4, 7):
        avg = average_gradients(worker_gradients(net, xb, tb, k))
        for name in full:
            np.testing.assert_allclose(avg[name], full[name], rtol=1e-10, atol=1e-14)
    # the plain mean is wrong for unequal shards
    parts = worker_gradients(net, xb, tb, 4)  # shards of 4, 3, 4 and 3
    plain = np.mean([g["W1"] for _, g in parts], axis=0)
    assert not np.allclose(plain, full["W1"], rtol=1e-6)


def test_batchnorm_breaks_the_equivalence(sample):
    (x, t), _ = sample
    net = DeepConvNet(filter_nums=(4, 4, 8, 8, 8, 8), hidden_size=16, use_batchnorm=True, dropout_ratio=0,
                      dtype=np.float64, seed=0)
    xb, tb = x[:16].astype(np.float64), t[:16]
    full = {k: v.copy() for k, v in net.gradient(xb, tb).items()}
    avg = average_gradients(worker_gradients(net, xb, tb, 4))
    assert not np.allclose(avg["W1"], full["W1"], rtol=1e-3)


def test_ring_allreduce_sums_and_counts():
    rng = np.random.default_rng(0)
    for k in (1, 2, 3, 5):
        arrays = [rng.normal(size=(4, 6)) for _ in range(k)]
        results, sent = ring_allreduce(arrays)
        for r in results:
            np.testing.assert_allclose(r, sum(arrays))
        assert sum(sent) == pytest.approx(k * allreduce_cost(24, k)["ring_bytes_per_worker"] / 4)
    with pytest.raises(ValueError):
        ring_allreduce([np.ones(3), np.ones(4)])
    cost = allreduce_cost(1_000_000, 8, 4, bandwidth=1e9, latency=0)
    assert cost["ring_bytes_per_worker"] == 2 * 7 / 8 * 4e6
    assert cost["ring_seconds"] == pytest.approx(14 * 4e6 / 8 / 1e9)
    assert cost["server_bytes"] == 2 * 8 * 4e6
    with pytest.raises(ValueError):
        allreduce_cost(10, 0)


def test_data_parallel_training_equals_large_batch_training(sample):
    (x, t), _ = sample
    x, t = x[:300].astype(np.float64), t[:300]
    make = lambda: SimpleConvNet(conv_param={"filter_num": 6}, hidden_size=20, dtype=np.float64, seed=3)  # noqa: E731
    replicas = train_data_parallel(make, lambda: Adam(1e-3), x, t, k=3, batch_size=50, steps=3)
    single = train_data_parallel(make, lambda: Adam(1e-3), x, t, k=1, batch_size=50, steps=3)[0]
    for name in single.params:
        np.testing.assert_allclose(replicas[0].params[name], single.params[name], rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(replicas[1].params[name], replicas[0].params[name])


def test_data_parallel_training_stops_on_divergence_like_the_trainer(sample):
    import re

    from common.trainer import TrainingDiverged

    (x, t), _ = sample
    x, t = x[:400].reshape(400, -1), t[:400]
    make = lambda: TwoLayerNet(784, 20, 10, seed=0)  # noqa: E731
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged) as err:
        train_data_parallel(make, lambda: Adam(1e3), x, t, k=2, batch_size=40, steps=30)
    message = str(err.value)
    assert re.search(r"diverged at iteration \d+ .*the loss \S+ ", message) and "learning rate 1000" in message
    replicas = train_data_parallel(make, lambda: Adam(1e-3), x, t, k=2, batch_size=40, steps=5)  # no false alarm
    assert all(np.isfinite(p).all() for p in replicas[0].params.values())
    with pytest.raises(ValueError, match="larger than the 400 training samples"):
        train_data_parallel(make, lambda: Adam(1e-3), x, t, k=2, batch_size=500, steps=1)


# ------------------------------------------------------------------ precision and profiling
@pytest.fixture(scope="module")
def small_deep():
    return DeepConvNet(use_batchnorm=True, hidden_size=32, dtype=np.float32, seed=2)


def test_precision_paths_agree_and_leave_the_network_alone(sample, small_deep):
    _, (xt, tt) = sample
    before = {k: v.copy() for k, v in small_deep.params.items()}
    labels = predict_labels(small_deep, xt[:60], batch_size=25)
    assert labels.shape == (60,)
    net64 = cast_network(small_deep, np.float64)
    assert net64.params["W1"].dtype == np.float64 and net64.layers["Conv1"].W is net64.params["W1"]
    assert net64.layers["BatchNorm1"].running_var.dtype == np.float64
    assert (predict_labels(net64, xt[:60]) == labels).mean() >= 0.95
    assert (labels_float16_storage(small_deep, xt[:60]) == labels).mean() >= 0.9
    half = labels_float16_arithmetic(small_deep, xt[:4], batch_size=2)
    assert half.shape == (4,)
    for k, v in small_deep.params.items():
        np.testing.assert_array_equal(v, before[k])
        assert v.dtype == np.float32
    with pytest.raises(ValueError, match="NaN"):
        predict_labels(small_deep, np.full((2, 1, 28, 28), np.nan))
    with pytest.raises(ValueError, match="batch_size"):
        predict_labels(small_deep, xt[:2], batch_size=0)
    with pytest.raises(ValueError, match="floating"):
        cast_network(small_deep, np.int32)


def test_float16_overflow_is_reported(sample, small_deep):
    _, (xt, _) = sample
    with pytest.raises(FloatingPointError, match="65,504"):
        labels_float16_storage(small_deep, xt[:2] * 1e6)


def test_profile_step(sample, small_deep):
    (x, t), _ = sample
    rows = profile_step(small_deep, x[:20], t[:20], repeats=1)
    assert [r.name for r in rows] == [*small_deep.layers, "loss"]
    conv2 = next(r for r in rows if r.name == "Conv2")
    assert conv2.macs == 20 * 16 * 28 * 28 * 16 * 9
    assert conv2.gflops() > 0 and conv2.forward > 0 and conv2.backward > 0
    assert next(r for r in rows if r.name == "Conv1").backward_factor == 1
    assert next(r for r in rows if r.name == "Relu1").gflops() is None
    assert layer_macs(small_deep.layers["Affine1"], (20, 64, 4, 4), (20, 32)) == 20 * 1024 * 32
    assert step_flop(rows) == sum(2 * r.macs * (1 + r.backward_factor) for r in rows) > 0
    with pytest.raises(ValueError):
        profile_step(small_deep, x[:2], t[:2], repeats=0)


# ------------------------------------------------------------------ sliding classifier
def test_strip_and_slide(sample, small_deep):
    _, (xt, tt) = sample
    images = strip_digits(xt, tt, [3, 1, 4])
    assert images.shape == (3, 1, 28, 28)
    strip, centres = digit_strip(images, gap=6)
    assert strip.shape == (28, 3 * 34 + 6) and list(centres) == [20, 54, 88]
    np.testing.assert_array_equal(strip[:, 6:34], images[0, 0])
    cols, probs = slide_classifier(small_deep, strip, stride=2)
    assert cols[0] == 14 and probs.shape == (len(cols), 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    with pytest.raises(ValueError):
        slide_classifier(small_deep, np.zeros((20, 40)))
    with pytest.raises(ValueError):
        digit_strip(np.zeros((0, 28, 28)))
    with pytest.raises(ValueError):
        strip_digits(xt, tt, [11])
