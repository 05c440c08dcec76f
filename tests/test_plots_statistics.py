"""Tests for npfl_helpers.plots.statistics: the figures of notebook 01."""

import numpy as np
import pytest

from npfl_helpers import estimators, plots

pytestmark = pytest.mark.usefixtures("strict_warnings")


def test_names_are_exported():
    for name in ("DIVISOR_COLORS", "DIVISOR_LABELS", "plot_estimate_histograms",
                 "plot_running_means", "plot_bias_against_n", "plot_divisor_mse",
                 "plot_mse_decomposition", "variance_estimator_figure",
                 "update_variance_estimator_figure", "VarianceFigure"):
        assert hasattr(plots, name)
    assert set(plots.DIVISOR_COLORS) == set(plots.DIVISOR_LABELS) == {-1, 0, 1}
    assert len(set(plots.DIVISOR_COLORS.values())) == 3


def test_estimate_histograms_draw_what_they_are_given(render):
    fig, (ax,) = plots.new_figure(1)
    edges = np.linspace(0, 4, 5)
    counts = {"a": [0.1, 0.4, 0.2, 0.0], "b": [0.3, 0.2, 0.1, 0.1]}
    art = plots.plot_estimate_histograms(ax, edges, counts, {"a": 1.0, "b": 1.5},
                                         {"a": 1.1, "b": 1.6}, 2.0, colors=["red", "blue"])
    np.testing.assert_allclose(art.steps["a"].get_data().values, counts["a"])
    np.testing.assert_allclose(art.steps["b"].get_data().edges, edges)
    assert art.means["b"].get_xdata()[0] == 1.5
    assert art.predicted["a"].get_xdata()[0] == 1.1
    assert art.true.get_xdata()[0] == 2.0
    assert ax.get_xlim() == (0.0, 4.0)
    render(fig)


def test_running_means_and_bias_panel(render):
    fig, (ax_r, ax_b) = plots.new_figure(2)
    run = plots.plot_running_means(ax_r, {"x": [1.0, 2.0, 3.0]}, {"x": 2.0}, t_max=10)
    np.testing.assert_allclose(run.running["x"].get_xdata(), [1, 2, 3])
    assert run.predicted["x"].get_ydata()[0] == 2.0
    assert ax_r.get_xscale() == "log" and ax_r.get_xlim() == (1.0, 10.0)
    n = np.arange(2, 11)
    bias = plots.plot_bias_against_n(ax_b, n, {"mle": -1 / n})
    np.testing.assert_allclose(bias.curves["mle"].get_ydata(), -1 / n)
    assert len(bias.points["mle"].get_xdata()) == 0  # empty until set
    render(fig)


def test_divisor_mse_draws_n_times_the_mse(render):
    fig, (ax,) = plots.new_figure(1)
    n = np.arange(2, 30)
    theory = {k: estimators.variance_divisor_theory(n, 1.0, n + k).mse for k in (-1, 0, 1)}
    lines = plots.plot_divisor_mse(ax, n, theory, [2, 5], {k: [1.0, 0.5] for k in (-1, 0, 1)},
                                   {k: [0.01, 0.01] for k in (-1, 0, 1)})
    np.testing.assert_allclose(lines[1].get_ydata(), 2 * n / (n + 1))  # n · 2σ⁴/(n + 1)
    np.testing.assert_allclose(lines[-1].get_ydata(), 2 * n / (n - 1))
    assert lines[0].get_color() == plots.DIVISOR_COLORS[0]
    assert ax.get_xscale() == "log"
    render(fig)


def test_mse_decomposition_stacks_bias_on_variance(render):
    fig, (ax,) = plots.new_figure(1)
    var_bars, bias_bars = plots.plot_mse_decomposition(ax, ["a", "b"], [0.0, 0.1], [0.5, 0.2])
    assert [b.get_height() for b in var_bars] == [0.5, 0.2]
    assert [b.get_y() for b in bias_bars] == [0.5, 0.2]
    assert bias_bars[1].get_height() == pytest.approx(0.1)
    assert ax.get_ylim()[1] == pytest.approx(1.12 * 0.5)  # room for the labels
    render(fig)


def _estimates(n, sigma2, trials, seed=0):
    x = np.random.default_rng(seed).normal(0.0, np.sqrt(sigma2), size=(trials, n))
    return estimators.variance_estimates(x, [n - 1, n])


@pytest.mark.parametrize(("n", "sigma2", "trials"), [(2, 1.0, 100), (5, 2.0, 5000),
                                                      (50, 0.25, 2000)])
def test_variance_estimator_figure_shows_the_experiment(n, sigma2, trials, render):
    e = _estimates(n, sigma2, trials)
    fig, art = plots.variance_estimator_figure(e, n, sigma2, t_max=20_000)
    unbiased, mle = (plots.DIVISOR_LABELS[k] for k in (-1, 0))
    # measured means, predicted means (n − 1)σ²/d, the true σ²
    assert art.histograms.means[mle].get_xdata()[0] == pytest.approx(e[1].mean())
    assert art.histograms.predicted[mle].get_xdata()[0] == pytest.approx((1 - 1 / n) * sigma2)
    assert art.histograms.predicted[unbiased].get_xdata()[0] == pytest.approx(sigma2)
    assert art.histograms.true.get_xdata()[0] == sigma2
    # the histogram is a density: it integrates to the fraction of estimates inside the range
    data = art.histograms.steps[mle].get_data()
    inside = np.mean(e[1] < data.edges[-1])
    assert np.sum(data.values * np.diff(data.edges)) == pytest.approx(inside)
    # running means (in units of σ²) end at the overall mean; the bias point is (mean − σ²)/σ²
    assert art.running.running[mle].get_ydata()[-1] == pytest.approx(e[1].mean() / sigma2)
    assert art.running.predicted[mle].get_ydata()[0] == pytest.approx(1 - 1 / n)
    assert art.bias.points[mle].get_xdata()[0] == n
    assert art.bias.points[mle].get_ydata()[0] == pytest.approx(e[1].mean() / sigma2 - 1)
    lo, hi = art.bias.errorbars[mle].get_ydata()
    assert hi - lo == pytest.approx(4 * e[1].std() / np.sqrt(trials) / sigma2)
    np.testing.assert_allclose(art.bias.curves[mle].get_ydata(),
                               -1 / np.arange(2, plots.statistics.BIAS_N_MAX + 1))
    render(fig)


def test_update_changes_the_data_and_keeps_limits_when_only_trials_change(render):
    fig, art = plots.variance_estimator_figure(_estimates(5, 1.0, 1000), 5, 1.0, t_max=5000)
    limits = [(ax.get_xlim(), ax.get_ylim()) for ax in art.axes]
    before = art.histograms.steps[plots.DIVISOR_LABELS[0]].get_data().values.copy()
    plots.update_variance_estimator_figure(art, _estimates(5, 1.0, 5000, seed=1), 5, 1.0)
    assert [(ax.get_xlim(), ax.get_ylim()) for ax in art.axes] == limits
    after = art.histograms.steps[plots.DIVISOR_LABELS[0]].get_data().values
    assert not np.array_equal(before, after)
    plots.update_variance_estimator_figure(art, _estimates(5, 3.0, 5000), 5, 3.0)
    # the range is σ² times a factor of n (4 at n = 5): the shape is kept
    assert limits[0][0][1] == 4.0 and art.axes[0].get_xlim()[1] == pytest.approx(12.0)
    assert art.axes[0].get_ylim()[1] == pytest.approx(limits[0][1][1] / 3)
    assert [(ax.get_xlim(), ax.get_ylim()) for ax in art.axes[1:]] == limits[1:]
    render(fig)


def test_peak_density_bounds_the_histograms():
    """The histogram's height comes from n and σ² alone but must contain the histogram."""
    for n in (3, 5, 10, 50):
        e = _estimates(n, 2.0, 50_000)
        fig, art = plots.variance_estimator_figure(e, n, 2.0)
        top = art.axes[0].get_ylim()[1]
        peaks = [s.get_data().values.max() for s in art.histograms.steps.values()]
        assert max(peaks) < top < 2.0 * max(peaks)  # rounded up to 1, 1.5, 2, 3, 4, 5, 7


def test_variance_estimator_figure_validates():
    with pytest.raises(ValueError, match=r"offsets must be an integer in \[-1, 1\]"):
        plots.variance_estimator_figure(np.ones((1, 10)), 5, 1.0, offsets=(2,))
    fig, art = plots.variance_estimator_figure(_estimates(5, 1.0, 100), 5, 1.0)
    with pytest.raises(ValueError, match=r"sigma2 must be in \(0, inf\)"):
        plots.update_variance_estimator_figure(art, _estimates(5, 1.0, 100), 5, 0.0)
    with pytest.raises(ValueError, match=r"n must be an integer in \[2, inf\)"):
        plots.update_variance_estimator_figure(art, _estimates(5, 1.0, 100), 1, 1.0)
