"""Recipe: everything that determines a trained network, so the text can quote it and a command rebuild it.

Introduced in chapter 2, Neural networks (the shipped weights) and used again
in chapter 6, Convolutional neural networks (``make results``). A recipe names
the network class with its settings and the :class:`~common.trainer.Trainer`
settings, by the trainer's own keywords; :meth:`Recipe.build` makes the
seeded network and :meth:`Recipe.trainer` the trainer for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from common.trainer import Trainer

__all__ = ["Recipe"]


def _name(f: Any) -> str:
    """A readable name for a hook: ``cosine``, ``random_shift(max_shift=2)``."""
    if f is None:
        return "none"
    if isinstance(f, functools.partial):
        settings = ", ".join(f"{k}={v!r}" for k, v in f.keywords.items())
        return f"{_name(f.func)}({settings})"
    return getattr(f, "__name__", repr(f))


def _value(v: Any) -> str:
    if isinstance(v, type) and issubclass(v, np.generic):
        return f"np.{v.__name__}"
    return repr(v)


@dataclass(frozen=True)
class Recipe:
    """A network class and its settings, plus the trainer settings that train it.

    ``network`` is a class of :mod:`common.networks` (or any network class
    taking ``seed``), ``network_param`` its keyword arguments; the other
    fields are :class:`~common.trainer.Trainer` keywords. Two recipes are
    equal when every setting is. Introduced in chapter 2, Neural networks.
    """

    network: Callable[..., Any]
    network_param: Mapping[str, Any] = field(default_factory=dict)
    epochs: int = 10
    mini_batch_size: int = 100
    optimizer: str = "sgd"
    optimizer_param: Mapping[str, float] = field(default_factory=lambda: {"lr": 0.01})
    lr_schedule: Callable[[float, int, int], float] | None = None
    augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None
    seed: int = 0

    def build(self) -> Any:
        """The untrained network, its weights drawn with ``seed``."""
        return self.network(**self.network_param, seed=self.seed)

    def trainer(self, network: Any, x_train: np.ndarray, t_train: np.ndarray,
                x_test: np.ndarray | None = None, t_test: np.ndarray | None = None, **settings: Any) -> Trainer:
        """A :class:`~common.trainer.Trainer` with this recipe; ``settings`` add or override keywords."""
        keywords = dict(epochs=self.epochs, mini_batch_size=self.mini_batch_size, optimizer=self.optimizer,
                        optimizer_param=dict(self.optimizer_param), lr_schedule=self.lr_schedule,
                        augment=self.augment, seed=self.seed)
        keywords.update(settings)
        return Trainer(network, x_train, t_train, x_test, t_test, **keywords)

    def __str__(self) -> str:
        """The settings, one line each for the network, the optimiser, the augmentation and the length."""
        net = ", ".join(f"{k}={_value(v)}" for k, v in self.network_param.items())
        lr = ", ".join(f"{k} {v:g}" for k, v in self.optimizer_param.items())
        return (f"network:      {getattr(self.network, '__name__', self.network)}({net}), seed {self.seed}\n"
                f"optimiser:    {self.optimizer} ({lr}), learning-rate schedule {_name(self.lr_schedule)}\n"
                f"augmentation: {_name(self.augment)}\n"
                f"training:     {self.epochs} epochs of mini-batches of {self.mini_batch_size}")
