"""Trained weights that ship with the course, and the command that made them.

Introduced in chapter 2, Neural networks, where a trained network classifies
MNIST digits before the course has explained how to train one. The classic
book hands out a pickled weight file of unknown origin; ours is an ``.npz``
(loaded with ``allow_pickle=False``) that anyone can rebuild with one command::

    MNIST_MIRROR=../shared/datasets/mnist python -m common.tools.pretrained

It trains a sigmoid 784-50-100-10 :class:`~common.networks.MultiLayerNet` on the
60,000 MNIST training images (seeded, Adam, a few epochs), saves
``datasets/weights/mnist_mlp_784_50_100_10.npz`` and prints the test accuracy and
the file's SHA-256, which ``datasets/weights/README.md`` records.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from common.config import REPO_ROOT
from common.networks import MultiLayerNet
from common.tools.recipes import Recipe

__all__ = [
    "MNIST_MLP_PATH",
    "MNIST_MLP_RECIPE",
    "build_mnist_mlp",
    "load_pretrained",
    "train_mnist_mlp",
    "sha256_of",
    "main",
]

WEIGHTS_DIR: Path = REPO_ROOT / "datasets" / "weights"
MNIST_MLP_PATH: Path = WEIGHTS_DIR / "mnist_mlp_784_50_100_10.npz"
"""Where :func:`load_pretrained` looks by default."""

MNIST_MLP_RECIPE = Recipe(
    MultiLayerNet,
    {"input_size": 784, "hidden_size_list": (50, 100), "output_size": 10, "activation": "sigmoid",
     "weight_init_std": "sigmoid",  # Xavier: sqrt(1 / fan-in)
     "dtype": np.float32},  # half the file size of float64, same accuracy
    epochs=10, mini_batch_size=100, optimizer="adam", optimizer_param={"lr": 0.001}, seed=0,
)
"""The recipe ``python -m common.tools.pretrained`` uses by default."""


def build_mnist_mlp(recipe: Recipe = MNIST_MLP_RECIPE) -> MultiLayerNet:
    """An untrained 784-50-100-10 network with the architecture of the shipped weights.

    Introduced in chapter 2, Neural networks.
    """
    return recipe.build()


def load_pretrained(path: str | os.PathLike[str] | None = None) -> MultiLayerNet:
    """The trained sigmoid 784-50-100-10 network, read from ``path`` (default: the shipped file).

    Introduced in chapter 2, Neural networks. A missing file raises
    ``FileNotFoundError`` with the command that recreates it.
    """
    target = Path(path) if path is not None else MNIST_MLP_PATH
    if not target.is_file():
        raise FileNotFoundError(
            f"no trained weights at {target}: restore them with `git checkout -- "
            "datasets/weights` or rebuild them with `MNIST_MIRROR=../shared/datasets/mnist "
            "python -m common.tools.pretrained` (a few minutes on a laptop)"
        )
    net = build_mnist_mlp()
    net.load_params(target)
    return net


def train_mnist_mlp(
    recipe: Recipe = MNIST_MLP_RECIPE,
    sample: bool = False,
    progress: bool = True,
) -> tuple[MultiLayerNet, float]:
    """Train the network of :func:`build_mnist_mlp`; return it and its test accuracy.

    Introduced in chapter 2, Neural networks (training itself is chapters 3-5).
    ``sample=True`` trains on the committed 5,000-image sample, for a quick test
    of this function, not for the shipped weights.
    """
    from common.datasets import load_mnist

    dtype = np.dtype(recipe.network_param.get("dtype", np.float32))
    (x_train, t_train), (x_test, t_test) = load_mnist(sample=sample, dtype=dtype)
    net = recipe.build()
    trainer = recipe.trainer(net, x_train, t_train, x_test, t_test,
                             evaluate_sample_num_per_epoch=1000, progress=progress)
    history = trainer.train()
    return net, float(history.final_test_acc)


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, as recorded in ``datasets/weights/README.md``.

    Introduced in chapter 2, Neural networks.
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    """``python -m common.tools.pretrained``: train, save and report the shipped MNIST network."""
    parser = argparse.ArgumentParser(
        prog="python -m common.tools.pretrained",
        description="Train the sigmoid 784-50-100-10 MNIST network of chapter 2 and save it as .npz.")
    parser.add_argument("--out", default=str(MNIST_MLP_PATH), help="where to write the .npz")
    parser.add_argument("--epochs", type=int, default=MNIST_MLP_RECIPE.epochs)
    parser.add_argument("--seed", type=int, default=MNIST_MLP_RECIPE.seed)
    parser.add_argument("--sample", action="store_true",
                        help="train on the committed 5,000-image sample (a smoke test, not the shipped weights)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)

    recipe = replace(MNIST_MLP_RECIPE, epochs=args.epochs, seed=args.seed)
    start = time.perf_counter()
    net, test_acc = train_mnist_mlp(recipe, sample=args.sample, progress=not args.no_progress)
    seconds = time.perf_counter() - start
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = net.save_params(out)
    data = "the 5,000-image sample" if args.sample else "full MNIST (60,000 train, 10,000 test)"
    print(f"trained on {data} with this recipe:\n{recipe}")
    print(f"training took {seconds:.0f} s")
    print(f"test accuracy: {100 * test_acc:.2f} %")
    try:
        shown = written.resolve().relative_to(Path.cwd().resolve())
    except ValueError:  # written outside the current folder: show the full path
        shown = written
    print(f"wrote {shown} ({written.stat().st_size:,} bytes)")
    print(f"SHA-256 {sha256_of(written)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
