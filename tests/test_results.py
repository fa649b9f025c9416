"""Tests for common.tools.results (make results): the helpers on small data, and the quoted figures.

The slow tests train on the full MNIST and check the accuracies and wall times
the course quotes (run with ``pytest -m slow tests/test_results.py``; they skip
when the full MNIST cannot be loaded). The time limits get 25 % slack for a
busy machine.
"""

import numpy as np
import pytest

from common.tools import results
from common.datasets import MNISTError, load_mnist


def test_cosine_lr_goes_from_lr0_to_zero():
    assert results.cosine_lr(0.1, 0, 100) == pytest.approx(0.1)
    assert results.cosine_lr(0.1, 50, 100) == pytest.approx(0.05)
    assert results.cosine_lr(0.1, 100, 100) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        results.cosine_lr(0.1, 101, 100)


def test_random_shift_moves_each_image_within_bounds():
    rng = np.random.default_rng(0)
    x = np.zeros((50, 1, 9, 9), dtype=np.float32)
    x[:, 0, 4, 4] = 1  # one bright pixel in the centre
    shifted = results.random_shift(x, 2, rng)
    assert shifted.shape == x.shape and shifted.dtype == x.dtype
    _, where = np.nonzero(shifted[:, 0].reshape(50, -1) == 1)
    ys, xs = where // 9, where % 9
    assert np.all(np.abs(ys - 4) <= 2) and np.all(np.abs(xs - 4) <= 2)
    assert len(set(zip(ys.tolist(), xs.tolist()))) > 5  # each image gets its own shift
    np.testing.assert_array_equal(shifted.sum(axis=(1, 2, 3)), 1)  # nothing lost inside the padding
    assert results.random_shift(x, 0, rng) is x
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        results.random_shift(x[:, 0], 1, rng)


@pytest.mark.parametrize("name", sorted(results.RECIPES))
def test_every_recipe_trains_on_the_sample(name):
    (x_train, t_train), (x_test, t_test) = load_mnist(sample=True, flatten=False)
    data = ((x_train[:200], t_train[:200]), (x_test[:50], t_test[:50]))
    lines = []
    net, result = results.train(results.RECIPES[name], data, epochs=1, log=lines.append)
    assert result.name == name and result.epochs == 1 and len(lines) == 1
    assert 0 <= result.test_acc <= 1 and result.seconds > 0
    assert all(p.dtype == np.float32 for p in net.params.values())


def test_main_reports_missing_mnist(monkeypatch, capsys):
    def missing(*args, **kwargs):
        raise MNISTError("no MNIST here")

    monkeypatch.setattr("common.datasets.load_mnist", missing)
    assert results.main(["--only", "two_layer"]) == 2
    assert "no MNIST here" in capsys.readouterr().err


@pytest.fixture(scope="module")
def full_mnist():
    try:
        return load_mnist(flatten=False)
    except MNISTError as err:
        pytest.skip(f"the full MNIST is not available ({err}); set MNIST_MIRROR")


@pytest.fixture
def one_blas_thread():
    """As ``make results`` does by default (see its ``--threads``)."""
    from common.tools.bench import blas_threads, set_blas_threads

    before = blas_threads()
    set_blas_threads(1)
    yield
    if before:
        set_blas_threads(before)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["two_layer", "simple_conv", "deep_conv"])
def test_quoted_accuracy_and_time(name, full_mnist, one_blas_thread):
    recipe = results.RECIPES[name]
    _, result = results.train(recipe, full_mnist, log=None)
    assert result.test_acc >= recipe.target, f"{name}: {100 * result.test_acc:.2f} % < {100 * recipe.target:.1f} %"
    if recipe.minutes is not None:
        limit = 1.25 * 60 * recipe.minutes
        assert result.seconds <= limit, f"{name}: {result.seconds:.0f} s > {limit:.0f} s"
