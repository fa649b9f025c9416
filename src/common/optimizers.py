"""Optimisers: rules that turn gradients into parameter updates.

Each optimiser has two faces:

* ``update(params, grads)`` changes the arrays in ``params`` in place, keeping
  its own state (velocities, averages) per key, like the classic book. In
  place matters: the layers hold the same arrays. A value that is not an array
  (a Python float, a NumPy scalar), as in the book's chapter-6 comparison of
  optimisers on ``f(x, y)``, cannot change in place, so ``update`` stores the
  new value in the dict under the same key, as the same kind of number.
* ``step(param, grad, state) -> (new_param, new_state)`` is the same rule as a
  pure function: it changes nothing it is given. Widgets use it to draw an
  optimiser's path; ``update`` is built on it, so the two always agree.

Introduced in chapter 5, Training techniques.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import numpy as np
from numpy.typing import NDArray

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "get_optimizer"]

State = dict[str, object]


def _store(params: MutableMapping[str, NDArray], key: str, param: object, new: NDArray) -> None:
    """Put the new value of ``params[key]`` back: into the array itself, or as a new number.

    Arrays are written in place (0-d arrays too), because the layers hold them.
    NumPy scalars keep their type (``np.float32`` stays ``np.float32``); Python
    numbers become Python floats.
    """
    if isinstance(param, np.ndarray):
        param[...] = new
    elif np.ndim(new) != 0:
        raise TypeError(
            f"params[{key!r}] must be a NumPy array or a single number, got {type(param).__name__}; "
            "convert it with np.asarray first"
        )
    elif isinstance(param, np.generic):
        params[key] = param.dtype.type(new)
    else:
        params[key] = float(new)


def _zeros_if_missing(state: Mapping[str, object], key: str, like: NDArray) -> NDArray:
    """``state[key]``, or zeros shaped like the parameter on the first step."""
    return state[key] if key in state else np.zeros_like(like)


class Optimizer:
    """Base class: subclasses define :meth:`step`; :meth:`update` applies it key by key.

    Introduced in chapter 5, Training techniques.
    """

    def __init__(self) -> None:
        self.state: dict[str, State] = {}

    def step(self, param: NDArray, grad: NDArray, state: Mapping[str, object]) -> tuple[NDArray, State]:
        """Return the updated parameter and state, without modifying the arguments."""
        raise NotImplementedError

    def update(self, params: MutableMapping[str, NDArray], grads: Mapping[str, NDArray]) -> None:
        """Update every ``params[key]`` using ``grads[key]``: arrays in place, numbers in the dict."""
        for key, param in params.items():
            new_param, self.state[key] = self.step(param, grads[key], self.state.get(key, {}))
            _store(params, key, param, new_param)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "state")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent: ``W <- W - lr * grad``.

    Introduced in chapter 5, Training techniques (used from chapter 3 on).
    """

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.lr = lr

    def step(self, param: NDArray, grad: NDArray, state: Mapping[str, object]) -> tuple[NDArray, State]:
        return param - self.lr * grad, {}

    def update(self, params: MutableMapping[str, NDArray], grads: Mapping[str, NDArray]) -> None:
        """Same rule as :meth:`step`, written into each array in place (no temporary copy)."""
        for key, param in params.items():
            if isinstance(param, np.ndarray):
                param -= self.lr * grads[key]
            else:
                _store(params, key, param, param - self.lr * grads[key])


class Momentum(Optimizer):
    """Gradient descent with a velocity that remembers past steps, like a ball rolling downhill.

    ``v <- momentum * v - lr * grad``, then ``W <- W + v``. Introduced in
    chapter 5, Training techniques.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__()
        self.lr = lr
        self.momentum = momentum

    def step(self, param: NDArray, grad: NDArray, state: Mapping[str, object]) -> tuple[NDArray, State]:
        v = _zeros_if_missing(state, "v", param)
        v = self.momentum * v - self.lr * grad
        return param + v, {"v": v}


class Nesterov(Momentum):
    """Nesterov accelerated gradient: momentum that corrects itself by looking ahead.

    Uses the formulation of Bengio, Boulanger-Lewandowski and Pascanu (2013,
    "Advances in optimizing recurrent networks"), equivalent to PyTorch's
    ``SGD(nesterov=True)``: the gradient is taken at the stored parameters,
    which play the role of the look-ahead point.
    ``v <- momentum * v - lr * grad``, then ``W <- W + momentum * v - lr * grad``.
    Same velocity as :class:`Momentum`; only the step taken with it differs.
    Introduced in chapter 5, Training techniques.
    """

    def step(self, param: NDArray, grad: NDArray, state: Mapping[str, object]) -> tuple[NDArray, State]:
        _, state = super().step(param, grad, state)  # the velocity update, v <- momentum*v - lr*grad
        return param + self.momentum * state["v"] - self.lr * grad, state


class AdaGrad(Optimizer):
    """Per-parameter learning rates that shrink as squared gradients accumulate.

    ``h <- h + grad**2``, then ``W <- W - lr * grad / (sqrt(h) + 1e-7)``.
    Introduced in chapter 5, Training techniques.
    """

    eps: float = 1e-7

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__()
        self.lr = lr

    def step(self, param: NDArray, grad: NDArray, state: Mapping[str, object]) -> tuple[NDArray, State]:
        h = _zeros_if_missing(state, "h", param) + grad * grad
        return param - self.lr * grad / (np.sqrt(h) + self.eps), {"h": h}


class RMSprop(Optimizer):
    """AdaGrad with a moving average of squared gradients, so the steps do not die out.

    ``h <- decay_rate * h + (1 - decay_rate) * grad**2``, then
    ``W <- W - lr * grad / (sqrt(h) + 1e-7)``. Introduced in chapter 5,
    Training techniques.
    """

    eps: float = 1e-7

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        super().__init__()
        self.lr, self.decay_rate = lr, decay_rate

    def step(self, param: NDArray, grad: NDArray, state: Mapping[str, object]) -> tuple[NDArray, State]:
        h = _zeros_if_missing(state, "h", param)
        h = self.decay_rate * h + (1 - self.decay_rate) * grad * grad
        return param - self.lr * grad / (np.sqrt(h) + self.eps), {"h": h}


class Adam(Optimizer):
    """Momentum plus RMSprop-style scaling, with bias correction for the early steps.

    Algorithm 1 of Kingma and Ba (2015): ``m <- beta1*m + (1-beta1)*grad``,
    ``v <- beta2*v + (1-beta2)*grad**2``, ``m_hat = m / (1-beta1**t)``,
    ``v_hat = v / (1-beta2**t)``, ``W <- W - lr * m_hat / (sqrt(v_hat) + 1e-8)``.
    Introduced in chapter 5, Training techniques.
    """

    eps: float = 1e-8

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        super().__init__()
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2

    def step(self, param: NDArray, grad: NDArray, state: Mapping[str, object]) -> tuple[NDArray, State]:
        t = int(state.get("t", 0)) + 1
        m = self.beta1 * _zeros_if_missing(state, "m", param) + (1 - self.beta1) * grad
        v = self.beta2 * _zeros_if_missing(state, "v", param) + (1 - self.beta2) * grad * grad
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        return param - self.lr * m_hat / (np.sqrt(v_hat) + self.eps), {"t": t, "m": m, "v": v}

    def update(self, params: MutableMapping[str, NDArray], grads: Mapping[str, NDArray]) -> None:
        """Same rule as :meth:`step`, but updating ``m``, ``v`` and each array in place.

        Used by every training loop, so it avoids the temporary arrays of the
        pure version. The constants are Python floats, which NumPy applies in
        the array's own dtype: float32 weights stay float32 throughout.
        """
        for key, param in params.items():
            if not isinstance(param, np.ndarray):
                new_param, self.state[key] = self.step(param, grads[key], self.state.get(key, {}))
                _store(params, key, param, new_param)
                continue
            grad = grads[key]
            state = self.state.setdefault(key, {})
            t = state["t"] = int(state.get("t", 0)) + 1
            m = state.setdefault("m", np.zeros_like(param))
            v = state.setdefault("v", np.zeros_like(param))
            tmp = np.multiply(grad, 1 - self.beta1, out=np.empty_like(param))  # scratch, reused below
            m *= self.beta1
            m += tmp  # m = beta1*m + (1-beta1)*grad
            np.multiply(grad, grad, out=tmp)
            tmp *= 1 - self.beta2
            v *= self.beta2
            v += tmp  # v = beta2*v + (1-beta2)*grad**2
            np.multiply(v, 1 / (1 - self.beta2**t), out=tmp)
            np.sqrt(tmp, out=tmp)
            tmp += self.eps  # sqrt(v_hat) + eps
            np.divide(m, tmp, out=tmp)
            tmp *= self.lr / (1 - self.beta1**t)  # lr * m_hat / (sqrt(v_hat) + eps)
            param -= tmp


_OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def get_optimizer(name: str, **kwargs: float) -> Optimizer:
    """Build an optimiser from its name (case-insensitive), e.g. ``get_optimizer("Adam", lr=1e-3)``.

    Lets a comparison loop over names. Introduced in chapter 5, Training techniques.
    """
    try:
        cls = _OPTIMIZERS[name.lower()]
    except (KeyError, AttributeError):
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of: {', '.join(_OPTIMIZERS)}"
        ) from None
    return cls(**kwargs)
