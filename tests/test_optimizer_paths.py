"""Chapter 5's optimiser paths: the pure computation behind the widget, and its extreme settings."""

from __future__ import annotations

import numpy as np
import pytest

from common.lessons.optimizer_paths import (
    BLOWUP,
    OPTIMIZER_NAMES,
    SURFACES,
    TUNED_LR,
    clip_path,
    compare_paths,
    make_optimizer,
    optimizer_path,
)
from common.optimizers import SGD, Adam, Momentum


@pytest.mark.parametrize("name", list(SURFACES))
def test_gradients_match_finite_differences(name: str) -> None:
    s = SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = np.array([rng.uniform(*s.xlim), rng.uniform(*s.ylim)])
        h = 1e-6
        num = np.array([(s.value(p + e) - s.value(p - e)) / (2 * h) for e in np.eye(2) * h])
        np.testing.assert_allclose(s.gradient(p), num, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(SURFACES))
def test_minima_are_stationary_and_lowest(name: str) -> None:
    s = SURFACES[name]
    for m in s.minima:
        np.testing.assert_allclose(s.gradient(m), 0, atol=1e-12)
    for sp in s.saddles:
        np.testing.assert_allclose(s.gradient(sp), 0, atol=1e-12)
    gx, gy = np.meshgrid(np.linspace(*s.xlim, 50), np.linspace(*s.ylim, 50))
    assert s.f(gx, gy).min() >= min(s.value(m) for m in s.minima) - 1e-12


def test_sgd_path_matches_closed_form_on_the_elongated_bowl() -> None:
    s = SURFACES["elongated"]
    path = optimizer_path(SGD(lr=0.5), s.gradient, (-7.0, 2.0), 4, f=s.value, minima=s.minima)
    k = np.arange(5)[:, None]
    expected = np.array([-7.0, 2.0]) * np.array([1 - 0.5 / 10, 1 - 0.5 * 2]) ** k
    np.testing.assert_allclose(path.points, expected)
    np.testing.assert_allclose(path.values, expected[:, 0] ** 2 / 20 + expected[:, 1] ** 2)


def test_path_uses_the_pure_step_and_leaves_the_optimizer_untouched() -> None:
    s = SURFACES["rosenbrock"]
    opt = Momentum(lr=0.001, momentum=0.9)
    path = optimizer_path(opt, s.gradient, s.start, 20)
    assert opt.state == {}
    p, state = np.array(s.start), {}
    for _ in range(20):
        p, state = opt.step(p, s.gradient(p), state)
    np.testing.assert_allclose(path.points[-1], p)


def test_adam_converges_on_the_bowl_and_status_says_so() -> None:
    s = SURFACES["elongated"]
    path = optimizer_path(Adam(lr=0.3), s.gradient, s.start, 300, f=s.value, minima=s.minima)
    assert path.status == "converged"
    assert path.label.startswith("Adam (η = 0.3): converged")


def test_saddle_start_on_the_ridge_gets_stuck() -> None:
    s = SURFACES["saddle"]
    path = optimizer_path(SGD(lr=0.1), s.gradient, (-2.5, 0.0), 300, f=s.value, minima=s.minima)
    assert path.status == "stuck"
    np.testing.assert_allclose(path.points[-1], [0, 0], atol=1e-6)


def test_sgd_above_the_stability_limit_diverges() -> None:
    s = SURFACES["elongated"]  # curvature 2 along y: SGD diverges for lr > 1
    path = optimizer_path(SGD(lr=1.2), s.gradient, s.start, 200, f=s.value, minima=s.minima)
    assert path.diverged and path.status == "diverged"
    assert path.steps_taken < 200  # stopped early, at BLOWUP
    assert np.all(np.isfinite(path.points))


class _NoWarnings:
    """Turn every warning into an error inside the block (a NaN warning must not reach the learner)."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


@pytest.mark.parametrize("lr", [0.0, 1e-12, 1e3, 1e12, 1e300, np.inf, -1.0, np.nan])
@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("surface", list(SURFACES))
def test_extreme_learning_rates_never_raise_or_warn(surface: str, name: str, lr: float) -> None:
    s = SURFACES[surface]
    with np.errstate(all="raise"), _NoWarnings():
        path = optimizer_path(make_optimizer(name, lr), s.gradient, s.start, 50, f=s.value, minima=s.minima)
    assert np.all(np.isfinite(path.points))
    assert np.all(np.abs(path.points) <= BLOWUP)
    assert path.status in {"converged", "diverged", "stuck", "still moving"}


@pytest.mark.parametrize("kwargs", [dict(momentum=0.0), dict(momentum=0.99), dict(rho=0.0), dict(rho=0.999),
                                    dict(beta1=0.0, beta2=0.5), dict(beta1=0.99, beta2=0.9999)])
def test_extreme_optimizer_settings(kwargs: dict) -> None:
    for surface in SURFACES:
        paths = compare_paths(surface, OPTIMIZER_NAMES, 10.0, **kwargs)
        assert [p.name for p in paths] == list(OPTIMIZER_NAMES)
        for p in paths:
            assert np.all(np.isfinite(p.points))


def test_diverged_paths_are_labelled() -> None:
    paths = compare_paths("elongated", ("SGD", "Adam"), 10.0)
    sgd = paths[0]
    assert sgd.diverged and sgd.label.endswith("diverged")
    assert sgd.lr == pytest.approx(10 * TUNED_LR["elongated"]["SGD"])


def test_compare_paths_defaults_and_cache() -> None:
    a = compare_paths("saddle")
    b = compare_paths("saddle")
    assert a is b  # cached on the settings
    s = SURFACES["saddle"]
    assert all(p.steps_requested == s.steps and tuple(p.points[0]) == s.start for p in a)
    assert compare_paths("saddle", ("SGD",), steps=0)[0].points.shape == (1, 2)


@pytest.mark.parametrize("setting, changed", [("momentum", {"Momentum", "Nesterov"}), ("rho", {"RMSprop"}),
                                              ("beta1", {"Adam"}), ("beta2", {"Adam"})])
def test_each_path_is_cached_on_its_own_settings_and_never_stale(setting: str, changed: set) -> None:
    """A setting recomputes only the paths that use it, and those match a fresh, uncached run."""
    s = SURFACES["rosenbrock"]
    before = compare_paths("rosenbrock", OPTIMIZER_NAMES, 1.0)
    after = compare_paths("rosenbrock", OPTIMIZER_NAMES, 1.0, **{setting: 0.5})
    for old, new in zip(before, after):
        if old.name in changed:
            assert not np.array_equal(old.points, new.points), old.name  # not the stale path
            settings = {"momentum": 0.9, "rho": 0.99, "beta1": 0.9, "beta2": 0.999, setting: 0.5}
            fresh = optimizer_path(make_optimizer(old.name, new.lr, **settings), s.gradient, s.start, s.steps,
                                   f=s.value, minima=s.minima, name=old.name)
            np.testing.assert_array_equal(new.points, fresh.points)
            assert new.status == fresh.status
        else:
            assert new is old, old.name  # the same cached object: not computed again


def test_compare_paths_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="surface"):
        compare_paths("moon")
    with pytest.raises(ValueError, match="optimizer"):
        compare_paths("elongated", ("LBFGS",))


def test_make_optimizer_passes_the_right_settings() -> None:
    assert make_optimizer("momentum", 0.1, momentum=0.5).momentum == 0.5
    assert make_optimizer("RMSprop", 0.1, rho=0.8).decay_rate == 0.8
    adam = make_optimizer("Adam", 0.1, beta1=0.7, beta2=0.95)
    assert (adam.beta1, adam.beta2) == (0.7, 0.95)
    with pytest.raises(ValueError):
        make_optimizer("lbfgs", 0.1)


def test_clip_path_keeps_inside_points_and_cuts_at_the_box() -> None:
    pts = np.array([[0.0, 0.0], [1.0, 1.0], [100.0, 1.0], [1e9, 1e9]])
    out = clip_path(pts, (-2, 2), (-2, 2), margin=0.5)  # box [-4, 4]²
    np.testing.assert_allclose(out[:2], pts[:2])
    assert out.shape == (3, 2)
    np.testing.assert_allclose(out[2], [4.0, 1.0])  # on the edge, along the last segment
    inside = np.array([[0.0, 0.0], [1.0, -1.0]])
    np.testing.assert_allclose(clip_path(inside, (-2, 2), (-2, 2)), inside)


def test_clip_path_handles_infinities() -> None:
    pts = np.array([[0.0, 0.0], [np.inf, -np.inf]])
    out = clip_path(pts, (-1, 1), (-1, 1))
    assert np.all(np.isfinite(out)) and out.shape == (2, 2)
