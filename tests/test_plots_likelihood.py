"""Tests for npfl_helpers.plots.likelihood: the figures of notebook 03."""

import math

import numpy as np
import pytest

from npfl_helpers import estimators, losses, plots

pytestmark = pytest.mark.usefixtures("strict_warnings")


def test_names_are_exported():
    for name in ("LIKELIHOOD_COLORS", "plot_distribution_bars", "plot_cross_entropy_bars",
                 "set_cross_entropy_bars", "plot_mse_and_nll", "plot_nll_against_mse",
                 "plot_running_estimates", "plot_deviation_probability", "plot_efficiency",
                 "plot_log_likelihood_contours"):
        assert hasattr(plots, name)


def test_distribution_bars(render):
    fig, (ax,) = plots.new_figure(1)
    bars = plots.plot_distribution_bars(ax, [0.5, 0.5, 0.0], [0.2, 0.3, 0.5], ymax=0.8)
    assert [b.get_height() for b in bars.data] == [0.5, 0.5, 0.0]
    assert [b.get_height() for b in bars.model] == [0.2, 0.3, 0.5]
    assert ax.get_ylim() == (0.0, 0.8)
    render(fig)


def test_cross_entropy_bars_show_the_identity(render):
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    h, kl = losses.entropy(p), losses.kl_divergence(p, q)
    nll = losses.cross_entropy_dist(p, q)
    fig, (ax,) = plots.new_figure(1)
    bars = plots.plot_cross_entropy_bars(ax, h, kl, nll)
    assert bars.entropy.get_height() == pytest.approx(h)
    assert bars.kl.get_y() == pytest.approx(h)
    assert bars.entropy.get_height() + bars.kl.get_height() == pytest.approx(nll)
    assert bars.nll.get_height() == pytest.approx(nll)  # the two columns are equally high
    assert f"{nll:.3f}" in bars.texts[0].get_text() and bars.texts[1].get_text() == f"{nll:.3f}"
    render(fig)


def test_cross_entropy_bars_clip_infinity(render):
    fig, (ax,) = plots.new_figure(1)
    bars = plots.plot_cross_entropy_bars(ax, 1.0, math.inf, math.inf, ymax=3.0)
    assert bars.entropy.get_height() + bars.kl.get_height() == pytest.approx(0.97 * 3.0)
    assert bars.nll.get_height() == pytest.approx(0.97 * 3.0)
    assert "∞" in bars.texts[0].get_text() and bars.texts[1].get_text() == "∞"
    plots.set_cross_entropy_bars(bars, 5.0, 0.0, 5.0, ymax=3.0)  # even H above the axis
    assert bars.entropy.get_height() == pytest.approx(2.91) and bars.kl.get_height() == 0.0
    render(fig)


def test_mse_and_nll_minima_coincide(render):
    theta = np.linspace(-1, 3, 81)
    mse = (theta - 1.2) ** 2 + 0.3
    sigma = 0.7
    nll = mse / (2 * sigma**2) + math.log(sigma) + 0.5 * math.log(2 * math.pi)
    fig, (ax, ax2) = plots.new_figure(2)
    art = plots.plot_mse_and_nll(ax, theta, mse, nll)
    assert art.mse_min.get_xdata()[0] == art.nll_min.get_xdata()[0] == pytest.approx(1.2)
    np.testing.assert_allclose(art.nll.get_ydata(), nll)
    assert art.mse.axes is art.nll.axes is ax  # one scale for both curves
    line = plots.plot_nll_against_mse(ax2, mse, nll)
    x, y = line.get_data()
    assert np.all(np.diff(x) >= 0)  # sorted by MSE: a straight increasing line
    dx, dy = np.diff(x), np.diff(y)
    step = dx > 1e-9  # the slope between distinct points is 1/(2σ²)
    np.testing.assert_allclose(dy[step] / dx[step], 1 / (2 * sigma**2), rtol=1e-6)
    render(fig)


def test_consistency_panels(render):
    e = estimators.running_mle("bernoulli", 0.3, 200, 30, seed=0)
    fig, (a, b) = plots.new_figure(2)
    art = plots.plot_running_estimates(a, e[:10], 0.3, 0.05, current=20, ylim=(0, 1))
    assert len(art.paths) == 10
    np.testing.assert_allclose(art.paths[3].get_ydata(), e[3])
    assert [ln.get_ydata()[0] for ln in art.band] == pytest.approx([0.25, 0.35])
    assert art.current.get_xdata()[0] == 20
    m = np.arange(1, 201)
    p = estimators.deviation_probability(e, 0.3, 0.05)
    meas, th, cur = plots.plot_deviation_probability(b, m, p, p * 0.9)
    np.testing.assert_allclose(meas.get_ydata(), p)
    assert th is not None and a.get_xscale() == b.get_xscale() == "log"
    _, th2, _ = plots.plot_deviation_probability(b, m, p)
    assert th2 is None
    render(fig)


def test_efficiency_panels(render):
    eff = estimators.mean_median_experiment([1, 3, 11], runs=500, seed=0)
    fig, (a, b) = plots.new_figure(2)
    m = np.arange(1, 12, 2)
    plots.plot_efficiency(a, b, eff, m, estimators.median_variance(m))
    # the exact median curve of the right panel: σ²/m / Var, which is 1 at m = 1
    exact = [ln for ln in b.get_lines() if ln.get_label() == "median, exact"][0]
    assert exact.get_ydata()[0] == pytest.approx(1.0)
    assert any(ln.get_ydata()[0] == pytest.approx(2 / math.pi) for ln in b.get_lines()
               if len(ln.get_ydata()) == 2)  # the 2/π asymptote
    render(fig)


def test_log_likelihood_contours(render):
    x = np.array([0.5, 1.5, 2.0])
    mu, s2 = np.linspace(0, 2, 41), np.linspace(0.1, 2, 39)
    ll = losses.gaussian_log_likelihood(x, mu[None, :], s2[:, None])
    fig, (ax,) = plots.new_figure(1)
    cs = plots.plot_log_likelihood_contours(ax, mu, s2, ll, mle=(x.mean(), x.var()),
                                            others={"unbiased": (x.mean(), x.var(ddof=1))})
    assert np.all(np.diff(cs.levels) > 0) and cs.levels[-1] < ll.max()
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "maximum (MLE)" in labels and "unbiased" in labels
    render(fig)
