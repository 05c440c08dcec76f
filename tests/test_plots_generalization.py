"""Tests for npfl_helpers.plots.generalization (notebook 02): what each figure draws is the data
it was given (fits, capacity curves, λ path, weights, validation grid, rank swap), updates
change the artists in place, and drawing raises no warning."""

import numpy as np
import pytest

from npfl_helpers import generalization as gen
from npfl_helpers import plots
from npfl_helpers.plots import generalization as P

pytestmark = pytest.mark.usefixtures("strict_warnings")

GRID = np.linspace(-1, 1, 301)


@pytest.fixture(scope="module")
def data():
    return gen.sample(20, 0.3, seed=0), gen.sample(400, 0.3, seed=1)


def test_exported_from_the_package():
    for name in P.__all__:
        assert getattr(plots, name) is getattr(P, name)


def test_plot_fit_draws_points_truth_and_fit(data):
    train, test = data
    theta = gen.fit_polynomial(*train, 4)
    fig, (ax,) = plots.new_figure(1)
    art = plots.plot_fit(ax, train, test, theta, n_test_shown=50)
    np.testing.assert_allclose(art.train.get_offsets(), np.column_stack(train))
    assert len(art.test.get_offsets()) == 50
    np.testing.assert_allclose(art.truth.get_ydata(), gen.TARGETS["sine"](GRID))
    np.testing.assert_allclose(art.fit.get_ydata(), gen.predict(theta, GRID))
    tr = gen.mean_squared_error(gen.predict(theta, train[0]), train[1])
    te = gen.mean_squared_error(gen.predict(theta, test[0]), test[1])
    assert ax.get_title() == (f"D = 4: training MSE {plots.sci_text(tr)}, "
                              f"test MSE {plots.sci_text(te)}")
    fig.canvas.draw()


def test_update_fit_moves_artists_and_clips_wild_fits(data):
    train, test = data
    fig, (ax,) = plots.new_figure(1)
    art = plots.plot_fit(ax, train, title=False, legend=False)
    assert np.all(np.isnan(art.fit.get_ydata())) and ax.get_title() == ""
    wild = np.r_[0.0, 1e9, -1e9]
    plots.update_fit(art, wild, train=test, test=test)
    y = np.asarray(art.fit.get_ydata())
    assert np.all(np.isfinite(y)) and np.abs(y).max() == 1e3
    assert len(art.train.get_offsets()) == 400
    line = plots.add_fit_curve(ax, np.r_[0.5], label="constant", color="#CC79A7")
    np.testing.assert_allclose(line.get_ydata(), 0.5)
    fig.canvas.draw()


def test_plot_capacity_draws_the_curves_the_optimum_and_the_marker(data):
    train, test = data
    curve = gen.capacity_curve(train, test, 12)
    avg = gen.average_capacity_curve(20, 0.3, max_degree=12, trials=20)
    fig, (ax,) = plots.new_figure(1)
    art = plots.plot_capacity(ax, curve.degrees, curve.train_mse, curve.test_mse, average=avg,
                              current=5)
    np.testing.assert_allclose(art.train.get_ydata(), curve.train_mse)
    np.testing.assert_allclose(art.test.get_ydata(), curve.test_mse)
    np.testing.assert_allclose(art.average.get_ydata(), avg.generalization)
    d_star = int(np.argmin(avg.generalization))
    assert art.best.get_xdata()[0] == d_star
    under, over = art.zones
    assert under.get_position()[0] < d_star < over.get_position()[0]
    xs, ys = art.current.get_data()
    assert list(xs) == [5, 5] and list(ys) == [curve.train_mse[5], curve.test_mse[5]]
    assert ax.get_yscale() == "log"
    plots.update_capacity(art, curve.degrees, np.zeros(13), current=0)  # an exact fit: floored
    assert np.all(art.train.get_ydata() > 0) and art.current.get_data()[0][0] == 0
    fig.canvas.draw()


def test_plot_capacity_without_data_is_empty_until_updated():
    fig, (ax,) = plots.new_figure(1)
    art = plots.plot_capacity(ax, np.arange(5))
    assert np.all(np.isnan(art.train.get_ydata())) and len(art.current.get_xdata()) == 0
    fig.canvas.draw()


def test_lambda_path_marker_snaps_to_the_nearest_lambda(data):
    train, test = data
    lams = np.geomspace(1e-6, 1, 13)
    path = gen.lambda_path(train, test, 8, lams)
    fig, (ax,) = plots.new_figure(1)
    art = plots.plot_lambda_path(ax, lams, path.train_mse, path.test_mse, current=1.1e-3)
    xs, ys = art.current.get_data()
    assert xs[0] == pytest.approx(1e-3) and ys[1] == pytest.approx(path.test_mse[6])
    assert ax.get_xscale() == ax.get_yscale() == "log"
    plots.update_lambda_path(art, lams, 2 * path.train_mse, path.test_mse, current=1.0)
    np.testing.assert_allclose(art.train.get_ydata(), 2 * path.train_mse)
    assert art.current.get_data()[0][0] == pytest.approx(1.0)
    fig.canvas.draw()


def test_weights_are_bars_of_absolute_values_with_a_grey_bias():
    fig, (ax,) = plots.new_figure(1)
    theta = np.array([-0.5, 2.0, -30.0, 1e-6])
    bars = plots.plot_weights(ax, theta)
    tops = [b.get_y() + b.get_height() for b in bars]
    np.testing.assert_allclose(tops[:3], np.abs(theta[:3]))
    assert bars[3].get_height() == 0  # below the floor
    assert bars[0].get_facecolor() != bars[1].get_facecolor()
    plots.update_weights(bars, np.array([1.0, 0.1]))  # a lower degree: the rest vanish
    assert [b.get_height() > 0 for b in bars] == [True, True, False, False]
    fig.canvas.draw()


def test_selection_grid_stars_the_validation_minimum(data):
    train, test = data
    val = gen.sample(30, 0.3, seed=2)
    sel = gen.select_on_validation(train, val, test, range(8), [1e-4, 1e-2, 1.0])
    fig, (ax,) = plots.new_figure(1)
    mesh = plots.plot_selection(ax, sel)
    assert mesh.get_array().shape == (3, 8)
    (k,), (i,) = ax.lines[0].get_data()
    assert sel.degrees[k] == sel.degree and sel.lams[i] == sel.lam
    assert len(fig.axes) == 2  # the colour bar
    fig.canvas.draw()


def test_rank_swap_bars_are_the_errors():
    swap = gen.rank_swap(trials=20)
    fig, (ax,) = plots.new_figure(1)
    containers = plots.plot_rank_swap(ax, swap)
    for j, bars in enumerate(containers):
        np.testing.assert_allclose([b.get_height() for b in bars], swap.error[:, j])
    assert [t.get_text() for t in ax.get_xticklabels()] == ['process "line"',
                                                            'process "wiggle"']
    fig.canvas.draw()
