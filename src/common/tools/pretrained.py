"""Trained weights that ship with the course, and the command that made them.

Introduced in chapter 2, Neural networks, where a trained network classifies
MNIST digits before the course has explained how to train one. The classic
book hands out a pickled weight file of unknown origin; ours is an ``.npz``
(loaded with ``allow_pickle=False``) that anyone can rebuild with one command::

    MNIST_MIRROR=../shared/datasets/mnist python -m common.tools.pretrained

It trains a sigmoid 784-50-100-10 :class:`~common.networks.MultiLayerNet` on the
60,000 MNIST training images (seeded, Adam, a few epochs), saves
``datasets/weights/mnist_mlp_784_50_100_10.npz`` and prints the test accuracy and
the file's SHA-256, which ``datasets/weights/README.md`` records. Chapter 7,
Deep learning, adds the deep 3×3 network (``make results``' ``deep_conv``
recipe) and its twin trained without augmentation, loaded only when their
SHA-256 matches the record. Every build runs on one BLAS thread
(:func:`common.config.limit_blas_threads`), so its bytes repeat whatever the
thread count (``datasets/weights/README.md`` says why, and how far another CPU's
build may differ).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from common.config import REPO_ROOT, limit_blas_threads
from common.networks import MultiLayerNet
from common.tools.recipes import Recipe

__all__ = [
    "MNIST_MLP_PATH",
    "MNIST_MLP_RECIPE",
    "build_mnist_mlp",
    "load_pretrained",
    "train_mnist_mlp",
    "sha256_of",
    "DEEP_CONVNET_PATH",
    "DEEP_CONVNET_NO_AUGMENTATION_PATH",
    "DEEP_CONVNET_RECIPE",
    "DEEP_CONVNET_SHA256",
    "deep_convnet_reference",
    "load_deep_convnet",
    "train_deep_convnet",
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
            "python -m common.tools.pretrained --only mlp` (a few minutes on a laptop)"
        )
    net = build_mnist_mlp()
    net.load_params(target)
    return net


def train_mnist_mlp(
    recipe: Recipe = MNIST_MLP_RECIPE,
    sample: bool = False,
    progress: bool = True,
    blas_threads: int | None = 1,
) -> tuple[MultiLayerNet, float]:
    """Train the network of :func:`build_mnist_mlp`; return it and its test accuracy.

    Introduced in chapter 2, Neural networks (training itself is chapters 3-5).
    ``sample=True`` trains on the committed 5,000-image sample, for a quick test
    of this function, not for the shipped weights. It trains on ``blas_threads``
    BLAS threads (default one) whatever ``OPENBLAS_NUM_THREADS`` says: a product
    split over threads adds its partial sums in another order, so the weights,
    and the file's bytes, would depend on the thread count (by about 1e-6).
    ``blas_threads=None`` keeps BLAS's setting, to measure exactly that.
    """
    from common.datasets import load_mnist

    dtype = np.dtype(recipe.network_param.get("dtype", np.float32))
    (x_train, t_train), (x_test, t_test) = load_mnist(sample=sample, dtype=dtype)
    net = recipe.build()
    trainer = recipe.trainer(net, x_train, t_train, x_test, t_test,
                             evaluate_sample_num_per_epoch=1000, progress=progress)
    with limit_blas_threads(blas_threads) if blas_threads is not None else contextlib.nullcontext():
        history = trainer.train()
    return net, float(history.final_test_acc)


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, as recorded in ``datasets/weights/README.md``.

    Introduced in chapter 2, Neural networks.
    """
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _report(written: Path) -> None:
    try:
        shown = written.resolve().relative_to(Path.cwd().resolve())
    except ValueError:  # written outside the current folder: show the full path
        shown = written
    print(f"wrote {shown} ({written.stat().st_size:,} bytes)")
    print(f"SHA-256 {sha256_of(written)}")


TARGETS = ("mlp", "deep", "deep_no_augmentation")
"""What ``make weights`` builds: chapter 2's network, chapter 7's deep network and its twin."""


def main(argv: list[str] | None = None) -> int:
    """``python -m common.tools.pretrained`` (``make weights``): train, save and report the shipped networks."""
    parser = argparse.ArgumentParser(
        prog="python -m common.tools.pretrained",
        description="Train the networks whose weights the course ships (chapter 2's sigmoid 784-50-100-10 "
        "network; chapter 7's deep 3×3 network with and without augmentation) and save them as .npz.")
    parser.add_argument("--only", choices=TARGETS, action="append",
                        help="build only this one (repeatable); default: all three")
    parser.add_argument("--out", default=None,
                        help="where to write the .npz: with one --only, or alone for the chapter-2 network")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs (a quick try)")
    parser.add_argument("--seed", type=int, default=MNIST_MLP_RECIPE.seed, help="seed of the chapter-2 network")
    parser.add_argument("--sample", action="store_true",
                        help="train on the committed 5,000-image sample (a smoke test, not the shipped weights)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    targets = args.only or (["mlp"] if args.out is not None else list(TARGETS))
    if args.out is not None and len(targets) != 1:
        parser.error("--out needs exactly one --only")
    data = "the 5,000-image sample" if args.sample else "full MNIST (60,000 train, 10,000 test)"

    for target in targets:
        start = time.perf_counter()
        if target == "mlp":
            recipe = replace(MNIST_MLP_RECIPE, epochs=args.epochs or MNIST_MLP_RECIPE.epochs, seed=args.seed)
            net, test_acc = train_mnist_mlp(recipe, sample=args.sample, progress=not args.no_progress)
            default_out = MNIST_MLP_PATH
        else:
            augmented = target == "deep"
            recipe = replace(deep_convnet_reference(augmented).recipe,
                             epochs=args.epochs or DEEP_CONVNET_RECIPE.epochs)
            net, result = train_deep_convnet(augmented, sample=args.sample, epochs=args.epochs,
                                             log=None if args.no_progress else print)
            test_acc = result.test_acc
            default_out = DEEP_CONVNET_PATH if augmented else DEEP_CONVNET_NO_AUGMENTATION_PATH
        seconds = time.perf_counter() - start
        out = Path(args.out) if args.out is not None else default_out
        out.parent.mkdir(parents=True, exist_ok=True)
        written = net.save_params(out)
        print(f"[{target}] trained on {data} with this recipe:\n{recipe}")
        print("(one BLAS thread, whatever OPENBLAS_NUM_THREADS says, so the bytes repeat on this machine)")
        print(f"training took {seconds:.0f} s")
        print(f"test accuracy: {100 * test_acc:.2f} %")
        _report(written)
    return 0




# ------------------------------------------------------------------ chapter 7
DEEP_CONVNET_PATH: Path = WEIGHTS_DIR / "mnist_deep_convnet.npz"
DEEP_CONVNET_NO_AUGMENTATION_PATH: Path = WEIGHTS_DIR / "mnist_deep_convnet_no_augmentation.npz"
DEEP_CONVNET_SHA256: dict[str, str] = {
    "mnist_deep_convnet.npz": "ff21d6fde672e67e63525c21bede898cd87a1f7b83c32a4189fc8a2d40ee4d7a",
    "mnist_deep_convnet_no_augmentation.npz": "f53f6d452624d10ddb7b2da74da3e387a541a5934a4aefe9a95b07c9b8bd4582",
}
"""SHA-256 of the shipped chapter-7 weights, as recorded in ``datasets/weights/README.md``."""


def deep_convnet_reference(augmented: bool = True):
    """The recipe of chapter 7's shipped deep network: ``make results``' ``deep_conv``, or its twin without augmentation.

    One source of truth: the shipped weights are what ``make results --only
    deep_conv`` trains; the twin differs only in never shifting its training
    images. Introduced in chapter 7, Deep learning.
    """
    from common.tools.results import RECIPES

    reference = RECIPES["deep_conv"]
    if augmented:
        return reference
    return replace(reference, name="deep_conv_no_augmentation", title="DeepConvNet + batch norm, no augmentation",
                   recipe=replace(reference.recipe, augment=None))


DEEP_CONVNET_RECIPE: Recipe = deep_convnet_reference().recipe
"""How the shipped deep network was trained (chapter 7 prints it)."""


def load_deep_convnet(augmented: bool = True, path: str | os.PathLike[str] | None = None):
    """The trained deep network of chapter 7 and the SHA-256 it was verified against.

    ``augmented=False`` loads the twin trained without data augmentation.
    The file's SHA-256 must match :data:`DEEP_CONVNET_SHA256`; a file that
    differs (damaged, or retrained on another machine) raises ``ValueError``
    saying how to restore it. Introduced in chapter 7, Deep learning.
    """
    target = Path(path) if path is not None else (DEEP_CONVNET_PATH if augmented else DEEP_CONVNET_NO_AUGMENTATION_PATH)
    if not target.is_file():
        raise FileNotFoundError(
            f"no trained weights at {target}: restore them with `git checkout -- datasets/weights` or rebuild "
            "them with `MNIST_MIRROR=../shared/datasets/mnist make weights`")
    digest = sha256_of(target)
    expected = DEEP_CONVNET_SHA256.get(target.name)
    if expected != digest:
        raise ValueError(
            f"{target} has SHA-256 {digest}, but the course shipped {expected}: the file is damaged or was "
            "retrained. Restore it with `git checkout -- datasets/weights`, or, if you retrained it on purpose, "
            "record the new checksum in common.tools.pretrained.DEEP_CONVNET_SHA256 and datasets/weights/README.md")
    net = deep_convnet_reference(augmented).recipe.build()
    net.load_params(target)
    return net, digest


def train_deep_convnet(augmented: bool = True, sample: bool = False, epochs: int | None = None,
                       n_train: int | None = None, log=print):
    """Train chapter 7's deep network (or its twin without augmentation) on one BLAS thread.

    Returns the network and the :class:`~common.tools.results.Result`.
    ``sample=True`` uses the committed 5,000-image sample, ``epochs`` and
    ``n_train`` (the first ``n_train`` training images) shorten the run: for
    tests, not for the shipped weights. Introduced in chapter 7, Deep learning.
    """
    from common.datasets import load_mnist
    from common.tools.results import train

    (x_train, t_train), test = load_mnist(flatten=False, sample=sample)
    if n_train is not None:
        x_train, t_train = x_train[:n_train], t_train[:n_train]
    with limit_blas_threads(1):
        return train(deep_convnet_reference(augmented), ((x_train, t_train), test), epochs=epochs, log=log)


if __name__ == "__main__":
    raise SystemExit(main())
