"""Tests for npfl_helpers.widgets.generalization (notebook 02): the capacity and the
regularisation explorers, headless — every control over its whole range (no exception, no
warning, the figure changes), and what they draw against npfl_helpers.generalization."""

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _explorer_checks import builds_headless, every_control_changes_something  # noqa: E402

from npfl_helpers import generalization as gen  # noqa: E402
from npfl_helpers import widgets  # noqa: E402
from npfl_helpers.widgets import generalization as WG  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning

FACTORIES = [widgets.capacity_explorer, widgets.regularization_explorer]
GRID = np.linspace(-1, 1, 301)


def test_exported_from_the_package():
    assert sorted(WG.__all__) == ["capacity_explorer", "regularization_explorer"]
    for name in WG.__all__:
        assert getattr(widgets, name) is getattr(WG, name) and name in widgets.__all__


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_explorer_builds_headless(factory):
    builds_headless(factory(), widgets.Explorer)


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_control_over_its_range(factory):
    every_control_changes_something(factory())


def test_capacity_explorer_draws_the_fit_and_the_curves_of_the_core():
    ex = widgets.capacity_explorer()
    with ex.hold():
        ex.controls["degree"].value = 7
        ex.controls["n"].value = 30
        ex.controls["noise"].value = 0.5
    train, test = gen.sample(30, 0.5, seed=0), gen.sample(500, 0.5, seed=1)
    curve = gen.capacity_curve(train, test, 14)
    np.testing.assert_allclose(ex.fit.fit.get_ydata(), gen.predict(curve.theta[7, :8], GRID),
                               rtol=1e-9)
    np.testing.assert_allclose(ex.fit.train.get_offsets(), np.column_stack(train))
    np.testing.assert_allclose(ex.capacity.test.get_ydata(), curve.test_mse, rtol=1e-9)
    avg = gen.average_capacity_curve(30, 0.5, max_degree=14, trials=30, seed=2)
    np.testing.assert_allclose(ex.capacity.average.get_ydata(), avg.generalization, rtol=1e-9)
    d_star = int(np.argmin(avg.generalization))
    assert ex.capacity.best.get_xdata()[0] == d_star
    assert list(ex.capacity.current.get_xdata()) == [7, 7]
    title = ex.text.get_text()
    assert title.startswith("D = 7: training MSE") and title.endswith(f"D* = {d_star}")


def test_capacity_explorer_recomputes_only_when_the_data_change():
    ex = widgets.capacity_explorer()
    average = ex.average
    ex.controls["degree"].value = 10
    assert ex.average is average  # moving D reuses every fit
    ex.controls["noise"].value = 0.8
    assert ex.average is not average


def test_capacity_explorer_extremes_stay_finite():
    """Every combination of the extremes: N = 15 with D = 14 interpolates, σ = 0 fits exactly."""
    ex = widgets.capacity_explorer()
    for n, noise, degree in itertools.product((15, 200), (0.0, 1.0), (0, 14)):
        with ex.hold():
            ex.controls["n"].value = n
            ex.controls["noise"].value = noise
            ex.controls["degree"].value = degree
        ex.draw()
        assert np.all(np.isfinite(ex.fit.fit.get_ydata()))
        assert np.all(np.asarray(ex.capacity.train.get_ydata()) > 0)
        assert "nan" not in ex.text.get_text()


def test_regularization_explorer_picks_the_fit_of_the_core():
    ex = widgets.regularization_explorer()
    with ex.hold():
        ex.controls["degree"].value = 9
        ex.controls["n"].value = 30
        ex.controls["lam"].value = 1e-3
    train, test = gen.sample(30, 0.3, seed=0), gen.sample(500, 0.3, seed=1)
    theta = gen.fit_polynomial(*train, 9, 1e-3)
    np.testing.assert_allclose(ex.fit.fit.get_ydata(), gen.predict(theta, GRID), rtol=1e-8)
    tops = [b.get_y() + b.get_height() for b in ex.bars[:10]]
    np.testing.assert_allclose(tops, np.maximum(np.abs(theta), 1e-4), rtol=1e-8)
    assert all(b.get_height() == 0 for b in ex.bars[10:])
    assert ex.path.current.get_xdata()[0] == pytest.approx(1e-3)
    path = gen.lambda_path(train, test, 9, ex.lams)
    np.testing.assert_allclose(ex.path.test.get_ydata(), path.test_mse, rtol=1e-8)
    assert ex.text.get_text().startswith(f"λ = 0.001: ‖w‖ = {np.linalg.norm(theta[1:]):.3g}, "
                                         "training MSE")


def test_regularization_explorer_lambda_grid_matches_the_slider():
    ex = widgets.regularization_explorer()
    slider = ex.controls["lam"]
    n_steps = round((slider.max - slider.min) / slider.step) + 1
    assert len(ex.lams) == n_steps
    np.testing.assert_allclose(np.log10(ex.lams), slider.min + slider.step * np.arange(n_steps))


def test_regularization_explorer_extremes_stay_finite():
    ex = widgets.regularization_explorer()
    for n, degree, lam in itertools.product((15, 100), (1, 14), (1e-8, 10.0)):
        with ex.hold():
            ex.controls["n"].value = n
            ex.controls["degree"].value = degree
            ex.controls["lam"].value = lam
        ex.draw()
        assert np.all(np.isfinite(ex.fit.fit.get_ydata()))
        assert np.all([np.isfinite(b.get_height()) for b in ex.bars])


def test_capacity_explorer_what_you_should_see():
    """The notebook's guidance: more data moves D* right (a trend over 30 training sets: from
    N = 15 to 200, not every step), more noise moves it left, σ = 0 puts it near the largest
    degree, and the median generalisation error never goes below σ²."""
    ex = widgets.capacity_explorer()

    def d_star(n, noise):
        with ex.hold():
            ex.controls["n"].value = n
            ex.controls["noise"].value = noise
        assert np.all(ex.average.generalization >= noise**2)
        return int(ex.capacity.best.get_xdata()[0])

    sizes = [d_star(n, 0.3) for n in (15, 20, 30, 50, 100, 200)]
    assert sizes[-1] == max(sizes) and sizes[-1] > sizes[0]
    noises = [d_star(20, s) for s in (0.05, 0.3, 0.6, 1.0)]
    assert noises[0] == max(noises) and noises[0] > noises[-1]
    assert d_star(20, 0.0) >= 12


def test_regularization_explorer_what_you_should_see():
    """The notebook's guidance at D = 12: the training error rises with λ, the test error has an
    interior minimum, and with N = 100 the λ → 0 end drops and the best λ is smaller."""
    ex = widgets.regularization_explorer()

    def curves(n):
        ex.controls["n"].value = n
        return (np.asarray(ex.path.train.get_ydata()), np.asarray(ex.path.test.get_ydata()))

    train, test = curves(20)
    assert np.all(np.diff(train) >= -1e-12)
    best20 = int(np.argmin(test))
    assert 0 < best20 < len(test) - 1
    train, test100 = curves(100)
    assert test100[0] < test[0] / 5 and int(np.argmin(test100)) < best20
