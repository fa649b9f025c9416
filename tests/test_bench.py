"""Tests for common.tools.bench (make bench): the helpers, and a tiny run of the whole table."""

import numpy as np
import pytest

from common.tools import bench


def test_alternate_runs_every_contender_in_alternating_blocks():
    calls = []
    med = bench.alternate({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                          blocks=3, steps=2, warmup=1)
    assert set(med) == {"a", "b"} and all(len(v) == 3 for v in med.values())
    assert all(t >= 0 for v in med.values() for t in v)
    # warm-up a, b; then block 0: a a b b; block 1 (reversed): b b a a; block 2: a a b b
    assert "".join(calls) == "ab" + "aabb" + "bbaa" + "aabb"


def test_alternate_stops_early_after_max_seconds_but_runs_three_blocks():
    med = bench.alternate({"a": lambda: None}, blocks=50, steps=1, warmup=0, max_seconds=0)
    assert len(med["a"]) == 3
    with pytest.raises(ValueError, match="at least one block"):
        bench.alternate({"a": lambda: None}, blocks=0)


def test_conv_gflop_counts_two_flops_per_weight_use():
    # SimpleConvNet: 100 images, 24x24 outputs, 30 filters of 1x5x5
    assert bench.conv_gflop((100, 1, 28, 28), (30, 1, 5, 5)) == pytest.approx(2 * 100 * 576 * 30 * 25 / 1e9)
    assert bench.conv_gflop((1, 2, 7, 7), (4, 2, 3, 3), stride=2, pad=1) == pytest.approx(2 * 16 * 4 * 18 / 1e9)


def test_matmul_peak_is_positive():
    assert bench.matmul_peak(np.float32, size=64, repeats=2) > 0


def test_blas_threads_is_a_count_or_unknown():
    threads = bench.blas_threads()
    assert threads is None or threads >= 1
    with pytest.raises(ValueError, match="at least 1"):
        bench.set_blas_threads(0)


def test_set_blas_threads_round_trips():
    before = bench.blas_threads()
    if before is None:
        pytest.skip("this NumPy's BLAS does not report its threads")
    try:
        assert bench.set_blas_threads(1)
        assert bench.blas_threads() == 1
    finally:
        bench.set_blas_threads(before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_simple_convnet_step_trains(dtype):
    step = bench.simple_convnet_step(dtype, batch=8)
    first = step()
    for _ in range(5):
        last = step()
    assert np.isfinite(first) and last < first  # the same batch: the loss must go down


def test_torch_step_is_none_without_torch_or_trains():
    step = bench.torch_simple_convnet_step(np.float32, batch=8)
    try:
        import torch
    except ImportError:
        assert step is None
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead
    try:
        first = step()
        for _ in range(3):
            last = step()
    finally:
        torch.set_num_threads(threads)
    assert last < first


def test_main_prints_the_table(capsys, monkeypatch):
    small = bench._ConvCase("small conv", (2, 3, 8, 8), (4, 3, 3, 3), pad=1)
    monkeypatch.setattr(bench, "CONV_CASES", (small,))
    monkeypatch.setattr(bench, "matmul_peak", lambda dtype: 1.0)
    assert bench.main(["--blocks", "1", "--steps", "1", "--no-float64", "--no-torch", "--max-seconds", "0"]) == 0
    out = capsys.readouterr().out
    assert "np.dot peak" in out and "GFLOP/s" in out
    assert "PyTorch skipped" in out
    assert "float32" in out and "epoch" in out
    assert "DeepConvNet train step" in out and "skipped: PyTorch is not installed" in out
    assert "Per layer" in out and "float64" not in out.split("Per layer")[1]
    for name in ("Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "Convolution", "Pooling", "BatchNorm"):
        assert name in out.split("Per layer")[1]


def test_deep_convnet_steps_train_and_match_in_size():
    step = bench.deep_convnet_step(np.float32, batch=4)
    assert np.isfinite(step())
    torch_step = bench.torch_deep_convnet_step(np.float32, batch=4)
    try:
        import torch
    except ImportError:
        assert torch_step is None
        return
    assert np.isfinite(torch_step())
    ours = sum(v.size for v in bench.DeepConvNet(dtype=np.float32).params.values())
    assert ours == sum(p.numel() for p in torch_step.net.parameters())  # the same layers, the same sizes
