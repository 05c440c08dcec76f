"""Tests for npfl_helpers.widgets.likelihood (notebook 03): the three explorers over every
control's whole range, and the numbers they show."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _explorer_checks import builds_headless, every_control_changes_something  # noqa: E402

from npfl_helpers import estimators, losses, widgets  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any warning fails, not only RuntimeWarning

EXPLORERS = ["likelihood_chain_explorer", "gaussian_nll_explorer", "consistency_explorer"]


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_builds_headless(name):
    builds_headless(getattr(widgets, name)(), widgets.Explorer)


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_control_over_its_whole_range_changes_the_figure(name):
    every_control_changes_something(getattr(widgets, name)())


# ----- likelihood chain -------------------------------------------------------------------------
def test_chain_bars_show_nll_equals_entropy_plus_kl():
    ex = widgets.likelihood_chain_explorer()
    with ex.hold():
        for k, w in enumerate((0.7, 0.1, 0.5, 0.2)):
            ex.controls[f"w{k}"].value = w
    q = np.array([0.7, 0.1, 0.5, 0.2]) / 1.5
    np.testing.assert_allclose([b.get_height() for b in ex.bars.model], q)
    nll = -np.mean(np.log(q[ex.x]))  # written out from the examples
    assert ex.nll == pytest.approx(nll, rel=1e-12)
    assert ex.ce.nll.get_height() == pytest.approx(nll)
    assert ex.ce.entropy.get_height() + ex.ce.kl.get_height() == pytest.approx(nll)
    assert ex.ce.entropy.get_height() == pytest.approx(losses.entropy(ex.p_hat))
    # the likelihood in the title is exp(−m · NLL)
    product = math.exp(-len(ex.x) * nll)
    exponent = math.floor(math.log10(product))
    assert f"10^{{{exponent}}}" in ex.title_text.get_text()
    assert f"{product / 10**exponent:.2f}" in ex.title_text.get_text()


def test_chain_zero_weight_of_an_observed_class_is_infinite_and_quiet():
    ex = widgets.likelihood_chain_explorer()
    observed = int(ex.x[0])
    ex.controls[f"w{observed}"].value = 0.0
    ex.draw()
    assert ex.nll == math.inf and ex.kl == math.inf
    assert "infinite" in ex.title_text.get_text()
    assert ex.ce.texts[1].get_text() == "∞"
    with ex.hold():  # every weight 0: the uniform model
        for k in range(4):
            ex.controls[f"w{k}"].value = 0.0
    np.testing.assert_allclose(ex.q, 0.25)
    assert math.isfinite(ex.nll)


def test_chain_minimum_is_the_entropy_at_q_equal_p_hat():
    ex = widgets.likelihood_chain_explorer(m=100, seed=3)
    with ex.hold():
        for k, p in enumerate(ex.p_hat):
            ex.controls[f"w{k}"].value = float(p)  # multiples of 0.01: exact on the slider grid
    assert ex.kl == pytest.approx(0.0, abs=1e-12)
    assert ex.nll == pytest.approx(losses.entropy(ex.p_hat), rel=1e-12)


# ----- MSE against the Gaussian NLL -------------------------------------------------------------
@pytest.mark.parametrize("sigma", [0.1, 0.5, 1.0, 3.0, 10.0])
def test_gaussian_nll_is_affine_in_the_mse_with_the_same_minimiser(sigma):
    ex = widgets.gaussian_nll_explorer()
    ex.controls["sigma"].value = sigma
    sigma = ex.controls["sigma"].value
    nll = ex.pair.nll.get_ydata()
    expected = ex.mse / (2 * sigma**2) + math.log(sigma) + 0.5 * math.log(2 * math.pi)
    np.testing.assert_allclose(nll, expected, rtol=1e-12)
    # and each is the mean Gaussian NLL of the data, as losses.gaussian_nll computes it
    k = 37
    assert nll[k] == pytest.approx(losses.gaussian_nll(ex.theta[k] * ex.x, ex.y, sigma))
    assert ex.pair.nll_min.get_xdata()[0] == ex.pair.mse_min.get_xdata()[0]
    lo, hi = ex.ax_l.get_ylim()
    assert lo <= nll.min() and nll.max() <= hi  # the middle panel shows the whole line
    assert ex.here.get_xdata()[0] == sigma


def test_gaussian_best_sigma_is_the_root_mse():
    ex = widgets.gaussian_nll_explorer()
    best = ex.sigmas[np.argmin(ex.profile)]
    assert best == pytest.approx(math.sqrt(ex.mse_best), rel=0.03)  # grid of 201 log-spaced σ
    assert f"{math.sqrt(ex.mse_best):.3f}" in ex.title_text.get_text()


# ----- consistency ------------------------------------------------------------------------------
@pytest.mark.parametrize("family", ["bernoulli", "gaussian"])
def test_consistency_shows_the_runs_and_the_exact_probability(family):
    ex = widgets.consistency_explorer()
    with ex.hold():
        ex.controls["family"].value = family
        ex.controls["m"].value = 100
        ex.controls["eps"].value = 0.1
    _, theta, sigma, _ = ex.FAMILIES[family]
    paths = ex.paths[family]
    measured = estimators.deviation_probability(paths, theta, 0.1)
    np.testing.assert_allclose(ex.d_meas.get_ydata(), measured)
    exact = estimators.exact_deviation_probability(family, theta, np.arange(1, 1001), 0.1,
                                                   sigma=sigma)
    np.testing.assert_allclose(ex.d_theory.get_ydata(), exact)
    se = np.sqrt(exact * (1 - exact) / ex.RUNS)
    assert np.all(np.abs(measured - exact) < 5 * se + 1 / ex.RUNS)
    assert ex.d_cur.get_ydata()[0] == measured[99]
    counts = ex.hist.get_data().values
    inside = np.mean((paths[:, 99] >= ex.FAMILIES[family][3][0])
                     & (paths[:, 99] <= ex.FAMILIES[family][3][1]))
    assert counts.sum() == pytest.approx(inside)  # fractions of runs
    assert [ln.get_ydata()[0] for ln in ex.run_art.band] == pytest.approx([theta - 0.1,
                                                                            theta + 0.1])
    assert ex.run_art.true.get_ydata()[0] == theta
    assert f"{measured[99]:.1%}" in ex.title_text.get_text()


def test_consistency_probability_falls_to_zero():
    ex = widgets.consistency_explorer()
    for family in ("bernoulli", "gaussian"):
        ex.controls["family"].value = family
        ex.controls["eps"].value = 0.2
        y = ex.d_meas.get_ydata()
        assert y[0] > 0.5 and y[-1] == 0.0
