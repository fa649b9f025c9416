"""Tests for common.optimizers: update() in place, step() pure, and the update rules."""

import numpy as np
import pytest

from common.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop, get_optimizer

ALL = [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam]


def grad_sequence(seed, shapes, steps):
    rng = np.random.default_rng(seed)
    return [{k: rng.normal(size=s) for k, s in shapes.items()} for _ in range(steps)]


@pytest.mark.parametrize("Opt", ALL)
def test_update_and_repeated_step_agree(Opt):
    shapes = {"W1": (3, 2), "b1": (2,)}
    rng = np.random.default_rng(0)
    params = {k: rng.normal(size=s) for k, s in shapes.items()}
    pure = {k: v.copy() for k, v in params.items()}
    states = {k: {} for k in shapes}
    opt, opt_pure = Opt(), Opt()
    arrays = {k: id(v) for k, v in params.items()}
    for grads in grad_sequence(1, shapes, steps=6):
        opt.update(params, grads)
        for k in shapes:
            pure[k], states[k] = opt_pure.step(pure[k], grads[k], states[k])
    for k in shapes:
        np.testing.assert_allclose(params[k], pure[k], rtol=1e-14)
        assert id(params[k]) == arrays[k]  # updated in place: layers share these arrays


@pytest.mark.parametrize("Opt", ALL)
def test_step_does_not_mutate_its_inputs(Opt):
    opt = Opt()
    param, grad = np.array([1.0, -2.0]), np.array([0.5, 0.3])
    _, state = opt.step(param, grad, {})
    state_copy = {k: np.copy(v) for k, v in state.items()}
    p_copy, g_copy = param.copy(), grad.copy()
    new_param, new_state = opt.step(param, grad, state)
    np.testing.assert_array_equal(param, p_copy)
    np.testing.assert_array_equal(grad, g_copy)
    for k, v in state.items():
        np.testing.assert_array_equal(v, state_copy[k])
        if isinstance(v, np.ndarray):
            assert not np.shares_memory(v, new_state[k])
    assert not np.shares_memory(new_param, param)


@pytest.mark.parametrize("Opt", ALL)
def test_float32_stays_float32(Opt):
    param = np.array([1.0, -2.0], dtype=np.float32)
    grad = np.array([0.5, 0.3], dtype=np.float32)
    new, state = Opt().step(param, grad, {})
    new, state = Opt().step(new, grad, state)
    assert new.dtype == np.float32
    assert all(v.dtype == np.float32 for v in state.values() if isinstance(v, np.ndarray))


def test_sgd_and_momentum_by_hand():
    p, g = np.array([1.0]), np.array([2.0])
    assert SGD(lr=0.1).step(p, g, {})[0] == pytest.approx(0.8)
    opt = Momentum(lr=0.1, momentum=0.9)
    p1, s = opt.step(p, g, {})  # v = -0.2
    p2, s = opt.step(p1, g, s)  # v = -0.18 - 0.2 = -0.38
    assert (p1[0], p2[0], s["v"][0]) == pytest.approx((0.8, 0.42, -0.38))


def test_nesterov_matches_pytorch_formulation():
    # PyTorch SGD(nesterov=True): buf = mu*buf + g; p -= lr * (g + mu*buf)
    lr, mu = 0.05, 0.9
    grads = grad_sequence(2, {"w": (4,)}, steps=5)
    p = np.array([1.0, -1.0, 0.5, 2.0])
    ref, buf = p.copy(), np.zeros(4)
    state = {}
    opt = Nesterov(lr=lr, momentum=mu)
    for g in grads:
        p, state = opt.step(p, g["w"], state)
        buf = mu * buf + g["w"]
        ref = ref - lr * (g["w"] + mu * buf)
    np.testing.assert_allclose(p, ref, rtol=1e-13)


def test_adaptive_first_steps_by_hand():
    p, g = np.array([1.0, 1.0]), np.array([4.0, -0.01])
    # first AdaGrad and Adam steps have size ~lr whatever the gradient's size
    np.testing.assert_allclose(AdaGrad(lr=0.1).step(p, g, {})[0], [0.9, 1.1], rtol=1e-6)
    np.testing.assert_allclose(Adam(lr=0.1).step(p, g, {})[0], [0.9, 1.1], rtol=1e-5)
    # RMSprop: h = 0.01 g^2, step = lr * g / (0.1 |g|) = 10 lr sign(g)
    np.testing.assert_allclose(RMSprop(lr=0.01).step(p, g, {})[0], [0.9, 1.1], rtol=1e-4)


def test_adam_counts_steps():
    opt = Adam()
    p, s = opt.step(np.zeros(2), np.ones(2), {})
    p, s = opt.step(p, np.ones(2), s)
    assert s["t"] == 2


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_every_optimizer_descends_the_book_surface(name):
    # f(x, y) = x^2 / 20 + y^2, starting at (-7, 2), the classic comparison surface
    f = lambda p: p[0] ** 2 / 20 + p[1] ** 2  # noqa: E731
    lr = {"sgd": 0.9, "momentum": 0.1, "nesterov": 0.1, "adagrad": 1.5, "rmsprop": 0.1, "adam": 0.3}[name]
    opt = get_optimizer(name, lr=lr)
    params = {"p": np.array([-7.0, 2.0])}
    start = f(params["p"])
    for _ in range(30):
        p = params["p"]
        opt.update(params, {"p": np.array([p[0] / 10, 2 * p[1]])})
    assert f(params["p"]) < 0.2 * start


def test_get_optimizer_names_and_errors():
    assert isinstance(get_optimizer("Adam"), Adam)
    assert isinstance(get_optimizer("RMSProp", lr=0.1), RMSprop)
    opt = get_optimizer("MOMENTUM", lr=0.3, momentum=0.5)
    assert (opt.lr, opt.momentum) == (0.3, 0.5)
    with pytest.raises(ValueError, match="sgd, momentum, nesterov, adagrad, rmsprop, adam"):
        get_optimizer("adadelta")
