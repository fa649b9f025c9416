"""Chapter 4's self-checks accept right answers, reject typical wrong ones, and never raise."""

from __future__ import annotations

import numpy as np
import pytest

from common.exercises import ch04
from common.layers import Affine, SoftmaxWithLoss, Tanh


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


class LibraryTanh(Tanh):
    pass


RIGHT_MELONS = {"melon price": 2.5, "melons": 3.75, "delivery": 1.25, "tax": 11.0}
RIGHT_FLOW = {"x": 6.0, "y": 3.0, "z": 0.0}


@pytest.mark.parametrize(("check", "answer"), [
    (ch04.check_melon_gradients, RIGHT_MELONS),
    (ch04.check_tanh_layer, GoodTanh),
    (lambda answer: ch04.check_buggy_layer(*answer), ({"W1", "b1"}, "Relu1")),
    (ch04.check_flow_gradients, RIGHT_FLOW),
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
    (lambda answer: ch04.check_buggy_layer(*answer), ({"W1", "b1"}, "Affine1"), "although Affine1 is right"),
    (lambda answer: ch04.check_buggy_layer(*answer), ({"W1", "b1"}, "Affine2"), "agrees too"),
    (lambda answer: ch04.check_buggy_layer(*answer), ({"W1", "b1"}, "SoftmaxWithLoss"), "W2 and b2 included"),
    (lambda answer: ch04.check_buggy_layer(*answer), ({"W1", "b1"}, "Relu2"), "not a layer"),
    (lambda answer: ch04.check_buggy_layer(*answer), ({"b1"}, "Relu1"), "one more parameter"),
    (lambda answer: ch04.check_buggy_layer(*answer), ({"W1", "b1", "W2"}, "Relu1"), "W2 and b2 agree"),
    (lambda answer: ch04.check_buggy_layer(*answer), ({"W3"}, "Relu1"), "not parameters"),
    (ch04.check_flow_gradients, {**RIGHT_FLOW, "x": 5.0}, "x is used twice"),
    (ch04.check_flow_gradients, {**RIGHT_FLOW, "x": 4.0}, "multiply node swaps"),
    (ch04.check_flow_gradients, {**RIGHT_FLOW, "y": 5.0}, "multiply node swaps"),
    (ch04.check_flow_gradients, {**RIGHT_FLOW, "z": 1.0}, "max routes"),
    (ch04.check_flow_gradients, {"x": 1.0, "y": 0.0, "z": 1.0}, "max routes"),
    (ch04.check_tanh_layer, Tanh, "library's"),
    (ch04.check_tanh_layer, LibraryTanh, "library's"),
    (ch04.check_affine_layer, Affine, "library's"),
    (ch04.check_softmax_with_loss, SoftmaxWithLoss, "library's"),
    (ch04.check_affine_layer, AffineDbNotSummed, "shape of b"),
    (ch04.check_affine_layer, AffineDbMean, "do not average"),
    (ch04.check_softmax_with_loss, SoftmaxNoDivide, "divide by the batch size"),
])
def test_rejects_typical_mistakes_with_a_hint(check, answer, says, capsys) -> None:
    assert check(answer) is False
    assert says in capsys.readouterr().out


@pytest.mark.parametrize("check", [ch04.check_tanh_layer, ch04.check_affine_layer,
                                   ch04.check_softmax_with_loss, ch04.check_melon_gradients,
                                   ch04.check_flow_gradients])
@pytest.mark.parametrize("answer", [Stub, Broken, None, ..., "text", {}])
def test_stubs_fail_gracefully(check, answer, capsys) -> None:
    assert check(answer) is False
    assert "✗" in capsys.readouterr().out


def test_melon_values_are_the_documented_ones() -> None:
    assert ch04.MELON_ORDER == {"melon price": 3.0, "melons": 2.0, "delivery": 5.0, "tax": 1.25}


def test_buggy_network_is_wrong_for_w1_and_b1_and_only_relu1_fails_alone() -> None:
    from common.gradient import gradient_check
    from common.lessons.gradient_checking import layer_gradient_check

    net = ch04.buggy_network()
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    errors = gradient_check(net.gradient(x, t), net.numerical_gradient(x, t))
    assert errors["W1"] > 1e-2 and errors["b1"] > 1e-2
    assert errors["W2"] < 1e-6 and errors["b2"] < 1e-6
    layer_errors, h = {}, x
    for name, layer in net.layers.items():
        layer_errors[name] = max(layer_gradient_check(layer, h).values())
        h = layer.forward(h)
    assert layer_errors["Relu1"] > 1e-2
    assert layer_errors["Affine1"] < 1e-6 and layer_errors["Affine2"] < 1e-6


def test_exercise_5_plants_a_bug_other_than_exercise_3s() -> None:
    net = ch04.buggy_network()
    assert type(net.layers["Affine1"]) is Affine and type(net.layers["Affine2"]) is Affine


@pytest.mark.parametrize("answer", [(None, None), (..., ...), ("W1", 3), ([], "")])
def test_buggy_layer_unanswered(answer, capsys) -> None:
    assert ch04.check_buggy_layer(*answer) is False


def test_flow_answer_matches_numerical_differentiation() -> None:
    from common.gradient import numerical_gradient

    v = np.array([ch04.FLOW_VALUES[k] for k in "xyz"])
    numeric = numerical_gradient(lambda p: max(p[0] * p[1], p[2]) + p[0], v)
    right = [RIGHT_FLOW[k] for k in "xyz"]
    np.testing.assert_allclose(numeric, right, atol=1e-6)


@pytest.mark.parametrize("answer", [None, "text", {}, {"x": None}])
def test_flow_unanswered(answer, capsys) -> None:
    assert ch04.check_flow_gradients(answer) is False
