"""Chapter 4's self-checks accept right answers, reject typical wrong ones, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch04


class GoodTanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out**2)


class TanhInPlace(GoodTanh):
    def backward(self, dout):
        dout *= 1 - self.out**2
        return dout


class TanhOneMinusY(GoodTanh):
    def backward(self, dout):
        return dout * (1 - self.out)


class TanhUsesInput(GoodTanh):
    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * (1 - self.x**2)


class GoodAffine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class AffineDbNotSummed(GoodAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout
        return dx


class AffineDbMean(GoodAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout.mean(axis=0)
        return dx


class GoodSoftmaxWithLoss:
    def forward(self, x, t):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.y, self.t = e / e.sum(axis=1, keepdims=True), t
        return -np.sum(t * np.log(self.y + 1e-7)) / len(x)

    def backward(self, dout=1):
        return dout * (self.y - self.t) / len(self.y)


class SoftmaxNoDivide(GoodSoftmaxWithLoss):
    def backward(self, dout=1):
        return dout * (self.y - self.t)


class Stub:
    def __init__(self, *args):
        pass

    def forward(self, *args):
        pass

    def backward(self, dout=1):
        pass


class Broken:
    def __init__(self, *args):
        raise NotImplementedError("write your code here")


RIGHT_MELONS = {"melon price": 2.5, "melons": 3.75, "delivery": 1.25, "tax": 11.0}


@pytest.mark.parametrize(("check", "answer"), [
    (ch04.check_melon_gradients, RIGHT_MELONS),
    (ch04.check_tanh_layer, GoodTanh),
    (ch04.check_buggy_parameter, "b1"),
    (ch04.check_affine_layer, GoodAffine),
    (ch04.check_softmax_with_loss, GoodSoftmaxWithLoss),
])
def test_accepts_right_answers(check, answer, capsys) -> None:
    assert check(answer) is True
    out = capsys.readouterr().out
    assert ("✓ All" in out or "✓ Correct." in out) and "✗" not in out


@pytest.mark.parametrize(("check", "answer", "says"), [
    (ch04.check_melon_gradients, {**RIGHT_MELONS, "melon price": 2.0}, "forgot the tax"),
    (ch04.check_melon_gradients, {**RIGHT_MELONS, "delivery": 1.0}, "passes 1.25"),
    (ch04.check_melon_gradients, {**RIGHT_MELONS, "tax": 6.0}, "delivery included"),
    (ch04.check_tanh_layer, TanhInPlace, "in place"),
    (ch04.check_tanh_layer, TanhOneMinusY, "not 1 − y"),
    (ch04.check_tanh_layer, TanhUsesInput, "not the input x"),
    (ch04.check_buggy_parameter, "W1", "agrees with the numerical gradient"),
    (ch04.check_buggy_parameter, "W3", "not a parameter"),
    (ch04.check_affine_layer, AffineDbNotSummed, "shape of b"),
    (ch04.check_affine_layer, AffineDbMean, "do not average"),
    (ch04.check_softmax_with_loss, SoftmaxNoDivide, "divide by the batch size"),
])
def test_rejects_typical_mistakes_with_a_hint(check, answer, says, capsys) -> None:
    assert check(answer) is False
    assert says in capsys.readouterr().out


@pytest.mark.parametrize("check", [ch04.check_tanh_layer, ch04.check_affine_layer,
                                   ch04.check_softmax_with_loss, ch04.check_melon_gradients])
@pytest.mark.parametrize("answer", [Stub, Broken, None, ..., "text", {}])
def test_stubs_fail_gracefully(check, answer, capsys) -> None:
    assert check(answer) is False
    assert "✗" in capsys.readouterr().out


def test_melon_values_are_the_documented_ones() -> None:
    assert ch04.MELON_ORDER == {"melon price": 3.0, "melons": 2.0, "delivery": 5.0, "tax": 1.25}


def test_buggy_network_is_wrong_for_exactly_b1() -> None:
    from common.gradient import gradient_check

    net = ch04.buggy_network()
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    errors = gradient_check(net.gradient(x, t), net.numerical_gradient(x, t))
    assert errors["b1"] > 1e-2
    assert all(errors[k] < 1e-6 for k in ("W1", "W2", "b2"))


@pytest.mark.parametrize("answer", [None, ..., 3, ""])
def test_buggy_parameter_unanswered(answer, capsys) -> None:
    assert ch04.check_buggy_parameter(answer) is False
