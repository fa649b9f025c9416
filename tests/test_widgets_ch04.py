"""Chapter 4's backward-pass stepper: graph values, each backward step, the drawing and the widget."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from common.gradient import numerical_gradient
from common.layers import AddLayer, MulLayer
from common.widgets.backprop_graph import (
    GRAPHS,
    BackpropRenderer,
    Graph,
    Node,
    backprop_widget,
    backward_steps,
    draw_backprop_step,
    fan_out_graph,
    forward_values,
    shopping_graph,
    xyz_graph,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_shopping_forward_and_backward_match_the_layers() -> None:
    g = shopping_graph(apple_price=0.5, apples=3, orange_price=0.8, oranges=2, tax=1.2)
    values = forward_values(g)
    assert values["total"] == pytest.approx((0.5 * 3 + 0.8 * 2) * 1.2)
    # the same computation with the layers, as the chapter does it
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    total = mul_tax.forward(add.forward(mul_apple.forward(0.5, 3), mul_orange.forward(0.8, 2)), 1.2)
    d_sub, d_tax = mul_tax.backward(1.0)
    d_apple_cost, d_orange_cost = add.backward(d_sub)
    d_apple_price, d_apples = mul_apple.backward(d_apple_cost)
    d_orange_price, d_oranges = mul_orange.backward(d_orange_cost)
    grads = backward_steps(g)[-1].grads
    assert values["total"] == pytest.approx(total)
    for name, expected in [("apple price", d_apple_price), ("apples", d_apples), ("orange price", d_orange_price),
                           ("oranges", d_oranges), ("tax", d_tax)]:
        assert grads[name] == pytest.approx(expected)


@pytest.mark.parametrize("name", list(GRAPHS))
def test_final_gradients_match_numerical_differentiation(name: str) -> None:
    g = GRAPHS[name]
    inputs = [n for n in g.nodes if n.op == "input"]
    out = g.nodes[-1].name

    def f(v: np.ndarray) -> float:
        nodes = tuple(Node(n.name, value=float(v[inputs.index(n)]), pos=n.pos) if n.op == "input" else n
                      for n in g.nodes)
        return forward_values(Graph(g.title, nodes, g.output_name))[out]

    v = np.array([n.value for n in inputs], dtype=float)
    numeric = numerical_gradient(f, v)
    grads = backward_steps(g)[-1].grads
    np.testing.assert_allclose([grads[n.name] for n in inputs], numeric, rtol=1e-6, atol=1e-8)


def test_steps_go_backwards_one_node_at_a_time() -> None:
    g = xyz_graph(3.0, -1.0, 4.0)
    steps = backward_steps(g)
    assert [s.node for s in steps] == [None, "f", "q"]
    assert steps[0].grads == {"f": 1.0}
    assert steps[1].local == (4.0, 2.0) and steps[1].passed == (4.0, 2.0)
    assert steps[2].upstream == 4.0 and steps[2].local == (1.0, 1.0)
    assert steps[-1].grads == {"f": 1.0, "q": 4.0, "z": 2.0, "x": 4.0, "y": 4.0}
    assert "×" in steps[1].text and "+" in steps[2].text


def test_fan_out_gradients_add_up() -> None:
    steps = backward_steps(fan_out_graph(2.0, 5.0))
    assert "x" not in steps[1].grads  # x is used twice: not complete after one consumer
    assert steps[-1].grads["x"] == pytest.approx(5.0 + 1.0)
    assert "branches add up" in steps[-1].text


def test_graph_validation() -> None:
    with pytest.raises(ValueError, match="topological"):
        Graph("bad", (Node("s", "add", ("a", "b")), Node("a", value=1.0), Node("b", value=2.0)))
    with pytest.raises(ValueError, match="unknown op"):
        Graph("bad", (Node("a", value=1.0), Node("b", "pow", ("a", "a"))))
    with pytest.raises(ValueError, match="last node"):
        Graph("bad", (Node("a", value=1.0),))


@pytest.mark.parametrize("name", list(GRAPHS))
@pytest.mark.parametrize("step", [-3, 0, 1, 2, 99])
def test_draw_any_step_never_raises(name: str, step: int) -> None:
    fig = draw_backprop_step(name, step)
    n = len(GRAPHS[name].ops)
    k = min(max(step, 0), n)
    assert f"backward step {k} of {n}" in fig.axes[0].get_title()
    texts = [t.get_text() for t in fig.axes[0].texts]
    # gradients become visible as the steps go on: every input shows one at the end
    known = sum(t.startswith("grad ") and t != "grad ?" for t in texts)
    assert (known == sum(nd.op == "input" for nd in GRAPHS[name].nodes)) == (k == n)


def test_draw_highlights_current_node() -> None:
    fig = draw_backprop_step("(x + y) · z", 1)
    explanation = fig.texts[-1].get_text()
    assert explanation.startswith("Step 1") and "'f'" in explanation


def test_widget_builds_resizes_slider_and_redraws() -> None:
    box = backprop_widget("shopping", step=4)
    (menu, slider), image = box.children[0].children, box.children[1]
    assert slider.max == len(GRAPHS["shopping"].ops) and slider.value == 4
    assert image.value[:4] == b"\x89PNG"
    last = image.value
    slider.value = 2
    assert image.value != last
    menu.value = "(x + y) · z"
    assert slider.max == 2 and slider.value == 0
    assert image.value == BackpropRenderer().png("(x + y) · z", 0)


def test_renderer_caches_and_clips() -> None:
    renderer = BackpropRenderer()
    first = renderer.png("shopping", 99)
    assert renderer.png("shopping", 4) is first  # clipped to the last step, drawn once
    assert renderer.png("shopping", -1) == renderer.png("shopping", 0)
    renderer.warm()
    assert len(renderer._cache) == sum(len(g.ops) + 1 for g in GRAPHS.values())
    with pytest.raises(ValueError, match="unknown graph"):
        renderer.png("nope", 0)


def test_unknown_graph() -> None:
    with pytest.raises(ValueError, match="unknown graph"):
        draw_backprop_step("nope", 0)
