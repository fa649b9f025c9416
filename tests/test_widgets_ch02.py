"""Tests for the chapter 2 widgets' pure functions: activation explorer and MNIST forward pass."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from common.functions import sigmoid, softmax
from common.networks import MultiLayerNet
from common.widgets.activations import (
    ACTIVATION_NAMES,
    X_RANGE,
    activation_curves,
    activation_explorer,
    draw_activation,
    new_activation_figure,
    plot_activation_gallery,
    plot_sigmoid_gains,
)
from common.widgets.mnist_forward import (
    draw_forward,
    layer_activations,
    misclassified,
    mnist_forward_explorer,
    new_forward_figure,
    plot_forward,
)


def _render(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# ------------------------------------------------------------------ activation curves
@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_curves_have_matching_shapes_and_default_range(name):
    c = activation_curves(name)
    assert c.x.shape == c.y.shape == c.dy.shape
    assert c.x[0] == X_RANGE[0] and c.x[-1] == X_RANGE[1]
    assert np.all(np.isfinite(c.y)) and np.all(np.isfinite(c.dy))
    assert c.note


def test_sigmoid_with_gain_and_shift_is_the_seminar_formula():
    x = np.linspace(-3, 3, 13)
    c = activation_curves("sigmoid", gain=2.5, shift=0.7, x=x)
    np.testing.assert_allclose(c.y, 1 / (1 + np.exp(-2.5 * (x - 0.7))))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("gain,shift", [(1.0, 0.0), (3.0, -1.2), (0.4, 2.0), (-2.0, 0.5)])
def test_derivative_matches_central_differences(name, gain, shift):
    x = np.linspace(-5, 5, 41) + 0.0123  # avoid landing on the ReLU corner
    h = 1e-6
    c = activation_curves(name, gain, shift, x=x)
    numeric = (activation_curves(name, gain, shift, x=x + h).y
               - activation_curves(name, gain, shift, x=x - h).y) / (2 * h)
    np.testing.assert_allclose(c.dy, numeric, atol=1e-6)


def test_step_has_zero_slope_and_a_kink_at_the_shift():
    c = activation_curves("step", gain=1.0, shift=1.5)
    assert np.all(c.dy == 0)
    assert c.kink == 1.5
    assert set(np.unique(c.y)) == {0.0, 1.0}
    assert np.all(c.y[c.x > 1.5] == 1) and np.all(c.y[c.x <= 1.5] == 0)


def test_relu_kink_and_slopes():
    c = activation_curves("relu", gain=2.0, shift=-1.0)
    assert c.kink == -1.0
    assert set(np.unique(c.dy)) == {0.0, 2.0}


def test_large_gain_turns_sigmoid_into_step():
    x = np.array([-1.0, -0.1, 0.1, 1.0])
    c = activation_curves("sigmoid", gain=1000.0, x=x)
    np.testing.assert_allclose(c.y, [0, 0, 1, 1], atol=1e-12)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_gain_zero_is_flat_and_meaningful(name):
    c = activation_curves(name, gain=0.0, shift=3.0)
    assert np.ptp(c.y) == 0 and np.all(c.dy == 0)
    assert c.kink is None
    assert "gain 0" in c.note


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@pytest.mark.parametrize("gain,shift", [(0.0, -5.0), (10.0, 5.0), (10.0, -5.0), (0.1, 0.0)])
def test_slider_extremes_never_raise_and_draw(name, gain, shift):
    fig = new_activation_figure()
    draw_activation(fig, activation_curves(name, gain, shift))
    assert _render(fig).startswith(b"\x89PNG")


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        activation_curves("softplus")
    with pytest.raises(ValueError, match="finite"):
        activation_curves("sigmoid", gain=np.nan)
    with pytest.raises(ValueError, match="finite"):
        activation_curves("sigmoid", shift=np.inf)


def test_names_are_case_insensitive():
    assert activation_curves(" ReLU ").name == "relu"


def test_redraw_updates_the_same_artists_in_place():
    fig = new_activation_figure()
    draw_activation(fig, activation_curves("sigmoid"))
    lines = list(fig.axes[0].lines), list(fig.axes[1].lines)
    draw_activation(fig, activation_curves("relu", 4.0, 1.0))
    assert list(fig.axes[0].lines) == lines[0] and list(fig.axes[1].lines) == lines[1]
    f_line = fig.axes[0].lines[0]
    np.testing.assert_allclose(f_line.get_ydata(), activation_curves("relu", 4.0, 1.0).y)
    assert "ReLU" in fig.axes[0].get_title() and "g = 4" in fig.axes[0].get_title()
    assert fig.axes[1].get_ylim()[1] >= 4.0  # the slope 4 stays visible


def test_static_figures_have_titles_and_labels():
    for fig in (plot_activation_gallery(), plot_sigmoid_gains()):
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert _render(fig).startswith(b"\x89PNG")


def test_activation_explorer_redraws_on_change():
    box = activation_explorer()
    dropdown, gain, shift = box.children[0].children
    fig = box.figure
    gain.value = gain.max
    shift.value = shift.min
    dropdown.value = "step"
    assert "step" in fig.axes[0].get_title()
    assert f"g = {gain.max:g}" in fig.axes[0].get_title()
    assert f"s = {shift.min:g}" in fig.axes[0].get_title()


# ------------------------------------------------------------------- MNIST forward
@pytest.fixture(scope="module")
def net() -> MultiLayerNet:
    return MultiLayerNet(784, [50, 100], 10, activation="sigmoid", weight_init_std="sigmoid",
                         seed=3, dtype=np.float32)


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return np.random.default_rng(1).random((20, 784), dtype=np.float32)


def test_layer_activations_shapes_and_values(net, images):
    x = images[0]
    acts = layer_activations(net, x)
    assert [a.shape for a in acts] == [(784,), (50,), (100,), (10,)]
    np.testing.assert_allclose(acts[0], x)
    h1 = sigmoid(x @ net.params["W1"] + net.params["b1"])
    np.testing.assert_allclose(acts[1], h1, rtol=1e-5)
    np.testing.assert_allclose(acts[-1], softmax(net.predict(x[None]))[0], rtol=1e-5)
    assert np.isclose(acts[-1].sum(), 1.0, atol=1e-5)


def test_layer_activations_accepts_image_or_batch_of_one(net, images):
    flat = layer_activations(net, images[1])
    for shaped in (images[1].reshape(28, 28), images[1][None]):
        for a, b in zip(flat, layer_activations(net, shaped)):
            np.testing.assert_array_equal(a, b)


def test_layer_activations_rejects_wrong_sizes(net, images):
    with pytest.raises(ValueError, match="one sample of 784 values, got shape \\(2, 784\\)"):
        layer_activations(net, images[:2])
    with pytest.raises(TypeError, match="common.networks"):
        layer_activations({"W1": 1}, images[0])


def test_misclassified_agrees_with_accuracy(net, images):
    labels = np.arange(20) % 10
    wrong = misclassified(net, images, labels)
    assert len(wrong) == round((1 - net.accuracy(images, labels)) * 20)
    np.testing.assert_array_equal(misclassified(net, images, np.eye(10)[labels]), wrong)
    predicted = net.predict(images).argmax(axis=1)
    assert np.all(predicted[wrong] != labels[wrong])


def test_draw_forward_marks_a_wrong_prediction_in_vermillion_and_hatched(net, images):
    acts = layer_activations(net, images[0])
    predicted = int(acts[-1].argmax())
    fig = draw_forward(new_forward_figure(2), acts, label=(predicted + 1) % 10, index=0)
    assert "wrong" in fig._suptitle.get_text()
    bars = fig.axes[-1].patches
    assert bars[predicted].get_facecolor()[:3] == pytest.approx((0.835, 0.369, 0.0), abs=0.01)
    assert bars[predicted].get_hatch()                  # a second cue beside the colour
    draw_forward(fig, acts, label=predicted, index=0)
    assert "right" in fig._suptitle.get_text()
    assert _render(fig).startswith(b"\x89PNG")


def test_draw_forward_updates_in_place(net, images):
    fig = new_forward_figure(2)
    draw_forward(fig, layer_activations(net, images[0]), 0, 0)
    strip = fig.axes[1].images[0]
    acts = layer_activations(net, images[5])
    draw_forward(fig, acts, 5, 5)
    assert list(fig.axes[1].images) == [strip]
    np.testing.assert_allclose(strip.get_array()[0], acts[1])
    heights = [p.get_height() for p in fig.axes[-1].patches]
    np.testing.assert_allclose(heights, acts[-1], rtol=1e-6)


def test_draw_forward_checks_the_layout(net, images):
    acts = layer_activations(net, images[0])
    with pytest.raises(ValueError, match="new_forward_figure\\(2\\)"):
        draw_forward(new_forward_figure(1), acts)


def test_plot_forward_has_titles_and_labels(net, images):
    fig = plot_forward(net, images[3], label=3, index=3)
    assert "test image #3" in fig.axes[0].get_title()
    assert "50 sigmoid units" in fig.axes[1].get_title()
    assert fig.axes[-1].get_xlabel() == "digit class" and fig.axes[-1].get_ylabel() == "probability"


def test_forward_explorer_slider_extremes_and_mistakes_view(net, images):
    labels = np.arange(20) % 10
    box = mnist_forward_explorer(net, images, labels, index=999)  # clipped, not an error
    slider, show = box.children[0].children
    fig = box.figure
    assert slider.value == 19
    slider.value = 0
    assert "test image #0" in fig.axes[0].get_title()
    show.value = "wrong"
    first_wrong = misclassified(net, images, labels)[0]
    assert f"test image #{first_wrong}" in fig.axes[0].get_title()
    slider.value = slider.max
    assert "wrong" in fig._suptitle.get_text()


# ------------------------------------------------------------------ fast rendering
def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_blitted_frames_equal_full_redraws(net, images):
    box = mnist_forward_explorer(net, images, np.arange(20) % 10)
    slider = box.children[0].children[0]
    for value in (3, 11, 19):
        slider.value = value
        fast = _pixels(box.children[1].value)
        box.renderer.invalidate()  # force a complete draw of the same state
        full = _pixels(box.renderer.png())
        assert np.abs(fast.astype(int) - full.astype(int)).max() <= 1
    assert box.renderer.full_draws == 4  # the first frame and the three forced ones


def test_activation_explorer_reuses_its_background_while_axes_stay():
    box = activation_explorer("sigmoid")
    gain = box.children[0].children[1]
    gain.value = 1.3  # peak slope 0.325: the slope axis grows from 0.3 to 0.5
    before = box.renderer.full_draws
    for value in (1.4, 1.5, 1.7, 1.9):  # peak slope stays below 0.5: same axes, no full draw
        gain.value = value
    assert box.renderer.full_draws == before
    gain.value = 10.0  # slope 2.5 needs a taller axis: one full draw
    assert box.renderer.full_draws == before + 1
    assert _pixels(box.children[1].value).shape[:2] == (288, 672)    # 8.4 × 3.6 inches at 80 dpi


def test_activation_explorer_keeps_a_background_per_activation_and_none_is_stale():
    box = activation_explorer("sigmoid")
    dropdown = box.children[0].children[0]
    for name in ("step", "tanh", "relu", "sigmoid"):
        dropdown.value = name
    before = box.renderer.full_draws
    kept = {}
    for name in ("relu", "step", "tanh", "sigmoid"):
        dropdown.value = name
        kept[name] = box.children[1].value
    assert box.renderer.full_draws == before  # each activation's axes were kept: pasted, not drawn
    for name, frame in kept.items():  # ... and each frame has the pixels of a full draw
        dropdown.value = name
        box.renderer.invalidate()
        assert frame == box.renderer.png(), name



def _text_figure(seed: int) -> Figure:
    """Texts of every kind a widget draws: sizes, fonts, weights, angles, alpha, several lines, maths."""
    rng = np.random.default_rng(seed)
    fig = Figure(figsize=(6, 4), dpi=72)
    ax = fig.add_subplot()
    ax.set_title("η × 0.31, β₂ = 0.999")
    ax.plot([0, 1], [0, 1])
    for k in range(40):
        fig.text(rng.random(), rng.random(), f"std {rng.random():.3g}\nzeros {rng.integers(100)} %",
                 fontsize=float(rng.choice([9, 11, 11.5, 13])), rotation=float(rng.choice([0, 0, 90, 30])),
                 color=f"C{k % 10}", alpha=float(rng.choice([1.0, 0.5])), weight=str(rng.choice(["normal", "bold"])),
                 family=str(rng.choice(["DejaVu Sans", "DejaVu Sans Mono", "DejaVu Serif"])))
    fig.text(0.1, 0.1, r"$\alpha^2 + \beta_1$ and text")
    return fig


def _agg_pixels(canvas) -> np.ndarray:
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_glyph_cache_draws_text_exactly_as_matplotlib():
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from common.widgets._render import GlyphCache, GlyphCachingCanvas

    major, minor = (int(v) for v in matplotlib.__version__.split(".")[:2])
    assert GlyphCache.supported() == ((major, minor) >= (3, 11))  # the speed-up is on where it can be
    cache = GlyphCache()
    for seed in range(3):  # the cache fills with one figure's glyphs and is used by the next ones
        plain = _agg_pixels(FigureCanvasAgg(_text_figure(seed)))
        canvas = GlyphCachingCanvas(_text_figure(seed), cache)
        assert np.array_equal(_agg_pixels(canvas), plain), seed
        hits = cache.hits
        assert np.array_equal(_agg_pixels(canvas), plain), seed       # every glyph from the cache now
        assert cache.hits > hits or not GlyphCache.supported()
    small = GlyphCache(layouts=5, glyphs=50)  # a full cache forgets its oldest entries and stays exact
    canvas = GlyphCachingCanvas(_text_figure(0), small)
    for _ in range(2):
        assert np.array_equal(_agg_pixels(canvas), _agg_pixels(FigureCanvasAgg(_text_figure(0))))
    assert len(small._layouts) <= 5 and len(small._glyphs) <= 50


def test_glyph_cache_shows_no_stale_text():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from common.widgets._render import BlitRenderer

    fig = Figure(figsize=(4, 2), dpi=72)
    title = fig.text(0.5, 0.5, "", ha="center")
    renderer = BlitRenderer(fig, lambda: [title])

    def reference() -> np.ndarray:  # the same state drawn by plain matplotlib, no cache
        twin = Figure(figsize=(4, 2), dpi=72)
        twin.text(0.5, 0.5, title.get_text(), ha="center", color=title.get_color(), fontsize=title.get_fontsize())
        return _agg_pixels(FigureCanvasAgg(twin))[..., :3]

    frames = {}
    for text, colour, size in [("layers 5", "black", 12), ("layers 6", "black", 12), ("layers 5", "black", 12),
                               ("layers 5", "red", 12), ("layers 5", "red", 14), ("layers 5", "black", 12)]:
        title.set_text(text)
        title.set_color(colour)
        title.set_fontsize(size)
        frames[text, colour, size] = frame = _pixels(renderer.png())[..., :3]
        assert np.array_equal(frame, reference()), (text, colour, size)
    assert len({f.tobytes() for f in frames.values()}) == 4  # every change of string, colour or size shows



@pytest.mark.parametrize("opaque", [True, False])
def test_canvas_png_holds_exactly_the_drawn_pixels(opaque):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    from common.widgets._render import canvas_png

    fig = _text_figure(0)
    fig.patch.set_alpha(1.0 if opaque else 0.3)
    canvas = FigureCanvasAgg(fig)
    drawn = _agg_pixels(canvas)
    image = Image.open(io.BytesIO(canvas_png(canvas)))
    assert image.mode == ("RGB" if opaque else "RGBA")     # an opaque picture carries no alpha channel
    decoded = np.asarray(image.convert("RGBA"))
    assert decoded.shape == drawn.shape and np.array_equal(decoded, drawn)
    assert len(canvas_png(canvas)) < drawn.nbytes / 5       # deflated, not stored


# ------------------------------------------------------- static figures of chapter 2
from common.plots.neural_networks import draw_network, plot_batch_timing, plot_digits  # noqa: E402


def test_draw_network_labels_every_weight_matrix():
    fig = draw_network((784, 50, 100, 10))
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for label in ("784×50", "50×100", "100×10", "(784 units)", "⋮"):
        assert label in texts
    assert fig._suptitle.get_text()
    with pytest.raises(ValueError, match="at least two layers"):
        draw_network((3,))
    with pytest.raises(ValueError, match="layer names"):
        draw_network((2, 2), ["only one"])


def test_plot_digits_marks_mistakes_and_accepts_any_image_layout():
    rng = np.random.default_rng(0)
    images = rng.random((5, 784))
    fig = plot_digits(images, [1, 2, 3, 4, 5], [1, 2, 0, 4, 5], ncols=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:5] == ["1", "2", "0 (true 3)", "4", "5"]
    assert not fig.axes[5].axison  # the empty sixth cell is hidden
    for shape in ((5, 28, 28), (5, 1, 28, 28)):
        assert sum(ax.axison for ax in plot_digits(images.reshape(shape)).axes) == 5
    with pytest.raises(ValueError, match="expected images"):
        plot_digits(np.zeros((5, 10)))


def test_plot_batch_timing_axes_and_units():
    fig = plot_batch_timing([1, 10, 100], [1e-5, 2e-6, 1e-6])
    ax = fig.axes[0]
    assert "µs" in ax.get_ylabel() and "batch size" in ax.get_xlabel() and ax.get_title()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [10, 2, 1])
    with pytest.raises(ValueError, match="one time per batch size"):
        plot_batch_timing([1, 2], [1.0])


# ------------------------------------------------------------------ approximation explorer (section 6)
def test_approximation_figure_shows_the_error_and_the_steps():
    from common.widgets.approximation_explorer import draw_approximation, new_approximation_figure

    fig = new_approximation_figure()
    draw_approximation(fig, 7)
    state = fig._approximation_artists
    assert "7 hidden units" in state["title"].get_text() and "largest error" in state["title"].get_text()
    assert len(state["steps"].get_offsets()) == 7
    first = state["line"].get_ydata().copy()
    draw_approximation(fig, 40)
    assert len(state["steps"].get_offsets()) == 40
    assert not np.allclose(first, state["line"].get_ydata())
    assert _render(fig).startswith(b"\x89PNG")


def test_approximation_explorer_redraws_and_clamps():
    from common.widgets.approximation_explorer import MAX_SLIDER_UNITS, approximation_explorer

    box = approximation_explorer(500)
    assert box.slider.value == MAX_SLIDER_UNITS
    first = box.children[1].value
    box.slider.value = 1
    assert box.children[1].value != first
    assert "1 hidden unit:" in box.figure._approximation_artists["title"].get_text()
    assert box.renderer.full_draws == 1        # the axes never change: every frame is blitted


# ------------------------------------------------------------------ universal approximation explorer
def test_approximation_explorer_slider_extremes_redraw_and_title():
    from common.widgets.approximation_explorer import MAX_SLIDER_UNITS, approximation_explorer

    box = approximation_explorer(n_units=10_000)  # clipped to the slider's range, not an error
    assert box.slider.value == MAX_SLIDER_UNITS
    title = box.figure.axes[0].get_title()
    frames = {}
    for n in (1, 2, MAX_SLIDER_UNITS):
        box.slider.value = n
        frames[n] = box.children[1].value
        assert box.figure.axes[0].get_title().startswith(f"{n} hidden unit")
        assert len(box.figure._approximation_artists["steps"].get_offsets()) == n
    assert title.startswith(f"{MAX_SLIDER_UNITS} hidden units")
    assert frames[1] != frames[2] != frames[MAX_SLIDER_UNITS]


def test_approximation_error_falls_as_units_are_added():
    from common.widgets.approximation_explorer import new_approximation_figure, draw_approximation

    errors = []
    for n in (2, 8, 32):
        title = draw_approximation(new_approximation_figure(), n).axes[0].get_title()
        errors.append(float(title.split("largest error ")[1].split(",")[0]))
    assert errors[0] > errors[1] > errors[2]


def test_approximation_blitted_frame_equals_full_redraw():
    from common.widgets.approximation_explorer import approximation_explorer

    box = approximation_explorer(n_units=5)
    box.slider.value = 37
    fast = _pixels(box.children[1].value)
    box.renderer.invalidate()
    full = _pixels(box.renderer.png())
    assert np.abs(fast.astype(int) - full.astype(int)).max() <= 1


def test_glyph_cache_turns_itself_off_when_its_text_would_differ(monkeypatch) -> None:
    from common.widgets import _render
    from common.widgets._render import GlyphCache

    if not GlyphCache.supported():
        pytest.skip("the cache is off with this matplotlib anyway")
    _render._glyph_cache_matches_agg.cache_clear()
    monkeypatch.setattr(GlyphCache, "_draw", lambda *args: None)  # a cache that would draw no text
    try:
        assert not GlyphCache.supported()
    finally:
        monkeypatch.undo()
        _render._glyph_cache_matches_agg.cache_clear()
    assert GlyphCache.supported()
