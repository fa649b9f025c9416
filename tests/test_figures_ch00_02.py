"""Every figure of chapters 0 to 2 reads on a projector: legible text as shown, a title, at most 900 px wide.

The figures are drawn as the chapters draw them, under the course style (``use_course_style``),
and measured with :func:`common.plots.style.legibility_problems`, which scales text by the
shrinking JupyterLab applies to images wider than its output area.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from common.plots.style import legibility_problems, use_course_style  # noqa: E402


def _f(a, b, c):
    return a**2 + b**2 + c**2 + 1


def _ch0():
    from common.plots import shared as P
    return {
        "ai_ml_dl": P.plot_ai_ml_dl,
        "timeline": lambda: P.plot_timeline(P.NN_HISTORY),
        "secant": lambda: P.plot_secant_tangent(lambda x: x**2, 1.0, slope=2.0, dxs=(1.0, 0.5, 0.25)),
        "slice": lambda: P.plot_partial_slice(_f, (1.0, -2.0, 3.0), index=0, slope=2.0),
        "field": lambda: P.plot_gradient_field(lambda a, b: _f(a, b, 0.0), lambda a, b: (2 * a, 2 * b),
                                               names=("a", "b"), n=11),
        "chain": lambda: P.plot_chain_paths(3),
    }


def _ch1():
    from common.lessons.perceptron import INPUTS, XOR, separable_points, train_perceptron, truth_table
    from common.widgets import gate_explorer as G
    X, t, line = separable_points(n=50, margin=0.05, seed=0)
    fit = train_perceptron(X, t, seed=0)
    xor_fit = train_perceptron(INPUTS, truth_table(XOR), max_epochs=30, seed=0)
    return {
        "diagram": G.draw_perceptron_diagram, "gates": G.draw_gates,
        "perceptron": lambda: G.draw_perceptron(0.5, 0.5, -0.7), "xor_network": G.draw_xor_network,
        "xor_planes": G.draw_xor_planes, "half_adder": G.draw_half_adder,
        "training": lambda: G.draw_training(X, t, fit, true_line=line),
        "training_xor": lambda: G.draw_training(INPUTS, truth_table(XOR), xor_fit, left_panel="parameters"),
        "surface": G.draw_output_surface, "widget": lambda: G.perceptron_widget().renderer.fig,
    }


def _ch2():
    from common.networks import MultiLayerNet
    from common.plots import neural_networks as N
    from common.widgets import activations as A
    from common.widgets import approximation_explorer as AE
    from common.widgets import mnist_forward as M
    rng = np.random.default_rng(0)
    images, labels = rng.uniform(0, 1, size=(12, 784)), np.arange(12) % 10
    net = MultiLayerNet(784, [50, 100], 10, activation="sigmoid")
    return {
        "gallery": A.plot_activation_gallery, "gains": A.plot_sigmoid_gains,
        "activation": lambda: A.plot_activation("sigmoid"),
        "activation_widget": lambda: A.activation_explorer().figure,
        "network": lambda: N.draw_network((2, 3, 2, 2)),
        "digits": lambda: N.plot_digits(images, labels, title="The first test images, with their labels"),
        "mistakes": lambda: N.plot_digits(images, labels, (labels + 1) % 10, ncols=6, title="Mistakes"),
        "timing": lambda: N.plot_batch_timing([1, 10, 100, 1000], [7e-5, 1.4e-5, 9e-6, 8e-6],
                                              low=[6e-5, 1.2e-5, 8e-6, 7e-6], high=[8e-5, 2e-5, 1e-5, 9e-6]),
        "collapse": N.plot_linear_collapse, "approximation": N.plot_universal_approximation,
        "approximation_widget_static": AE.plot_approximation,
        "approximation_widget": lambda: AE.approximation_explorer().figure,
        "forward": lambda: M.plot_forward(net, images[0], label=3, index=0),
        "forward_widget": lambda: M.mnist_forward_explorer(net, images, labels).figure,
    }


FIGURES = {f"ch{k}_{name}": (k, name) for k, group in ((0, _ch0), (1, _ch1), (2, _ch2)) for name in group()}
_GROUPS = {0: _ch0, 1: _ch1, 2: _ch2}


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_figure_reads_on_a_projector(figure):
    chapter, name = FIGURES[figure]
    with mpl.rc_context():
        use_course_style()
        fig = _GROUPS[chapter]()[name]()
        fig.canvas.draw()
        problems = legibility_problems(fig)
        assert problems == [], f"{figure}: text too small as shown: {problems[:5]}"
        width_px = fig.get_figwidth() * fig.dpi
        assert width_px <= 900 + 1e-6, f"{figure} is {width_px:.0f} px wide: JupyterLab would shrink it"
        titles = [fig._suptitle.get_text() if fig._suptitle else ""] + [ax.get_title() for ax in fig.axes]
        texts = [t.get_text() for t in fig.texts]
        assert any(t.strip() for t in titles + texts), f"{figure} has no title"
        plt.close(fig)
