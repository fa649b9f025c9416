"""The classic book's module name for the optimisers, so that its scripts run on this library.

``from common.optimizer import SGD`` gives the very class of
:mod:`common.optimizers` (an alias, not a copy), as do ``Momentum``,
``Nesterov``, ``AdaGrad``, ``RMSprop`` and ``Adam``, the book's names. A star
import also gives ``np``: the book's chapter-6 scripts use NumPy after
``from common.optimizer import *`` without importing it themselves.
Introduced in chapter 5, Training techniques.
"""

import numpy as np

from common.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSprop, get_optimizer

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "Optimizer", "get_optimizer", "np"]
