"""Tests for common.tools.results (make results): the helpers on small data, and the quoted figures.

The slow tests train on the full MNIST and check the accuracies and wall times
the course quotes (run with ``pytest -m slow tests/test_results.py``; they skip
when the full MNIST cannot be loaded). The time limits get 25 % slack for a
busy machine.
"""

import numpy as np
import pytest

from dataclasses import replace

from common.augmentation import random_shift
from common.datasets import MNISTError, load_mnist
from common.networks import SimpleConvNet
from common.schedules import cosine
from common.tools import results
from common.tools.recipes import Recipe


@pytest.mark.parametrize("name", sorted(results.RECIPES))
def test_every_recipe_trains_on_the_sample(name):
    (x_train, t_train), (x_test, t_test) = load_mnist(sample=True, flatten=False)
    data = ((x_train[:200], t_train[:200]), (x_test[:50], t_test[:50]))
    lines = []
    net, result = results.train(results.RECIPES[name], data, epochs=1, log=lines.append)
    assert result.name == name and result.epochs == 1 and len(lines) == 1
    assert lines[0].startswith(f"  {name}: epoch 1/1, mean loss ")
    assert result.test_acc == net.accuracy(x_test[:50].reshape(-1, *net.input_shape), t_test[:50])
    assert result.seconds > 0
    assert all(p.dtype == np.float32 for p in net.params.values())


def test_the_recipes_are_the_quoted_ones():
    simple = results.RECIPES["simple_conv"].recipe
    assert simple == Recipe(SimpleConvNet, {"weight_init_std": "he", "dtype": np.float32}, epochs=4,
                            optimizer="adam", optimizer_param={"lr": 2e-3}, lr_schedule=cosine,
                            augment=random_shift)
    assert simple != replace(simple, epochs=9) and simple != replace(simple, augment=None)
    deep = results.RECIPES["deep_conv"].recipe
    assert deep.augment.func is random_shift and deep.augment.keywords == {"max_shift": 2}
    assert str(deep).splitlines() == [
        "network:      DeepConvNet(use_batchnorm=True, hidden_size=256, dtype=np.float32), seed 0",
        "optimiser:    adam (lr 0.002), learning-rate schedule cosine",
        "augmentation: random_shift(max_shift=2)",
        "training:     8 epochs of mini-batches of 100"]


def test_recipe_builds_a_seeded_network_and_its_trainer():
    recipe = results.RECIPES["two_layer"].recipe
    a, b = recipe.build(), recipe.build()
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.params["W1"], replace(recipe, seed=1).build().params["W1"])
    x, t = np.zeros((10, 784), np.float32), np.arange(10)
    trainer = recipe.trainer(a, x, t, x, t, epochs=2, progress=False)
    assert (trainer.epochs, trainer.batch_size, trainer.optimizer.lr) == (2, 10, 0.3)
    assert trainer.lr_schedule is cosine and trainer.augment is random_shift


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
    ref = results.RECIPES[name]
    _, result = results.train(ref, full_mnist, log=None)
    assert result.test_acc >= ref.target, f"{name}: {100 * result.test_acc:.2f} % < {100 * ref.target:.1f} %"
    if ref.minutes is not None:
        limit = 1.25 * 60 * ref.minutes
        assert result.seconds <= limit, f"{name}: {result.seconds:.0f} s > {limit:.0f} s"
